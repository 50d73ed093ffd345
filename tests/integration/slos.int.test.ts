// SLOs through the API, on both databases, in a database of its own seeded with the demo
// organisation: defining SLOs (PromQL refused with the parser's message and position, kinds and
// SLIs that do not fit, unknown services and environments), who may change which SLO, optimistic
// concurrency, the audit trail, the generated rules (checked with real promtool when installed),
// OpenSLO and Sloth imports (all or nothing) and the OpenSLO export round trip, and the demo seed.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import YAML from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/core/db/client";
import type { ImportSlosResult, SloDto } from "@/lib/slos";
import { sliIssues } from "@/lib/slos/sli";
import { DEMO_SLOS } from "@/prisma/seed/demo-slos";
import { createTestDatabase, useDatabase, useSharedDatabase, type TestDatabase } from "../support/database";
import { makePerson, makeTeam, unique, type TestPerson } from "../support/factory";
import { callJson, callRoute, expectErrorBody, type ErrorBody } from "../support/http";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/slos");
const PROMTOOL = process.env.PAVED_TEST_PROMTOOL ?? "/usr/bin/promtool";

let database: TestDatabase;
let sre: TestPerson;
let viewer: TestPerson;
let payments: TestPerson;
let storefront: TestPerson;

beforeAll(async () => {
  database = await createTestDatabase({ seed: true });
  await useDatabase(database.url);
  sre = await makePerson(["sre"], { prefix: "slosre" });
  viewer = await makePerson(["viewer"], { prefix: "sloviewer" });
  const team = async (slug: string) => {
    const t = await db().team.findUniqueOrThrow({ where: { slug } });
    return { id: t.id, slug: t.slug };
  };
  payments = await makePerson(["developer"], { team: await team("payments"), prefix: "paydev" });
  storefront = await makePerson(["developer"], { team: await team("storefront"), prefix: "shopdev" });
});

afterAll(async () => {
  await useSharedDatabase();
  await database?.drop();
});

type Res<T> = { status: number; body: T & ErrorBody; headers: Headers };
const create = (body: Record<string, unknown>, token = sre.token) => callJson<SloDto>("POST", "/api/v1/slos", { body, token }) as Promise<Res<SloDto>>;
const get = (id: string, token = viewer.token) => callJson<SloDto>("GET", "/api/v1/slos/{id}", { params: { id }, token }) as Promise<Res<SloDto>>;
const patch = (id: string, body: Record<string, unknown>, token = sre.token) => callJson<SloDto>("PATCH", "/api/v1/slos/{id}", { params: { id }, body, token }) as Promise<Res<SloDto>>;
const importYaml = (text: string, query: Record<string, string>, token = sre.token) =>
  callJson<ImportSlosResult>("POST", "/api/v1/slos/import", { rawBody: text, headers: { "content-type": "application/yaml" }, query, token }) as Promise<Res<ImportSlosResult>>;
const text = async (method: "GET", p: string, options: Parameters<typeof callRoute>[2]) => {
  const res = await callRoute(method, p, options);
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
};
const audits = (action: string) => db().auditEvent.findMany({ where: { action }, orderBy: { seq: "asc" } });

const availability = (over: Record<string, unknown> = {}) => ({
  name: unique("avail"),
  service: "backend-api",
  kind: "availability",
  objective: 99.9,
  sli: { source: "http" },
  ...over,
});

describe("defining an SLO", () => {
  it("creates it with its defaults, queries, no status yet, and an audit event", async () => {
    const name = unique("checkout");
    const res = await create({ name, service: "checkout-web", displayName: "Checkout", kind: "availability", objective: 99.9, sli: { source: "http", selector: 'route="/checkout"' }, automation: "auto-rollback" });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({
      name,
      displayName: "Checkout",
      service: { name: "checkout-web", team: { slug: "storefront" } },
      ownerTeam: { slug: "storefront" },
      kind: "availability",
      objective: 99.9,
      window: "30d",
      environment: "production",
      alerting: true,
      automation: "auto-rollback",
      sli: { source: "http", selector: 'route="/checkout"' },
      status: null,
      revision: 1,
    });
    expect(res.body.queries).toEqual({
      good: null,
      bad: 'sum(rate(http_requests_total{service="checkout-web",environment="production",code=~"5..",route="/checkout"}[30d]))',
      total: 'sum(rate(http_requests_total{service="checkout-web",environment="production",route="/checkout"}[30d]))',
      errorRatio: expect.stringContaining(" / "),
    });
    // GET adds the status and its freshness from the metrics source (tests/integration/slos-live*.int.test.ts).
    expect({ ...(await get(res.body.id)).body, status: null, freshness: null }).toEqual(res.body);
    const [event] = (await audits("slo.created")).filter((e) => e.targetId === res.body.id);
    expect(event).toMatchObject({ targetType: "slo", targetLabel: `checkout-web/${name}`, actorLogin: sre.login });
    expect(event!.payload).toMatchObject({ service: "checkout-web", name, objective: 99.9, automation: "auto-rollback", ownerTeam: "storefront" });
  });

  it("refuses invalid PromQL with 400 naming the field, with the parser's message and position, and writes nothing", async () => {
    const before = await db().slo.count();
    const events = await db().auditEvent.count();
    const res = await create(
      availability({ sli: { source: "raw", bad: 'sum(rate(http_requests_total{code=~"5.."}[{{.window}}])', total: "sum(rate(http_requests_total[{{.window}}]))" } }),
    );
    const error = expectErrorBody(res, 400, "invalid_input");
    const issues = (error.details as { issues: { path: string[]; message: string; line: number; column: number }[] }).issues;
    expect(issues).toEqual([{ path: ["sli", "bad"], message: "Invalid PromQL at line 1, column 56: unclosed left parenthesis.", code: "promql", line: 1, column: 56 }]);
    expect(error.message).toBe("sli.bad: Invalid PromQL at line 1, column 56: unclosed left parenthesis.");
    // A type error the grammar alone would let through.
    const typed = await create(availability({ sli: { source: "raw", bad: "sum(rate(errors_total[{{.window}}]))", total: "sum(requests_total[{{.window}}])" } }));
    expect((expectErrorBody(typed, 400, "invalid_input").details as { issues: { message: string }[] }).issues[0]!.message).toBe(
      "Invalid PromQL at line 1, column 5: expected type instant vector in aggregation expression, got range vector.",
    );
    expect(await db().slo.count()).toBe(before);
    expect(await db().auditEvent.count()).toBe(events);
  });

  it("refuses what does not fit: SLI and kind, unknown service, owner or environment, objectives, names, duplicates", async () => {
    const issue = async (body: Record<string, unknown>) => {
      const res = await create(body);
      return (expectErrorBody(res, 400, "invalid_input").details as { issues: { path: (string | number)[]; message: string }[] }).issues[0]!;
    };
    expect(await issue(availability({ kind: "latency" }))).toMatchObject({ path: ["sli", "thresholdSeconds"] });
    expect(await issue(availability({ service: "no-such-service" }))).toEqual({ path: ["service"], message: 'There is no service "no-such-service".' });
    expect(await issue(availability({ ownerTeam: "no-such-team" }))).toMatchObject({ path: ["ownerTeam"] });
    expect(await issue(availability({ environment: "qa" }))).toEqual({ path: ["environment"], message: 'Unknown environment "qa" (known: dev, staging, production).' });
    expect(await issue(availability({ objective: 100 }))).toMatchObject({ path: ["objective"] });
    expect(await issue(availability({ objective: 0 }))).toMatchObject({ path: ["objective"] });
    expect(await issue(availability({ window: "90d" }))).toMatchObject({ path: ["window"] });
    expect(await issue(availability({ name: "Not A Slug" }))).toMatchObject({ path: ["name"] });
    expect(await issue(availability({ automation: "reboot-everything" }))).toMatchObject({ path: ["automation"] });
    expect(await issue(availability({ sli: { source: "http", selector: 'service="other"' } }))).toMatchObject({ path: ["sli", "selector"] });
    expect(await issue(availability({ sli: { source: "raw", total: "sum(rate(t[5m]))", bad: "sum(rate(e[5m]))" } }))).toMatchObject({ path: ["sli", "bad"] });
    const name = unique("dup");
    expect((await create(availability({ name }))).status).toBe(201);
    const dup = expectErrorBody(await create(availability({ name })), 409, "conflict");
    expect(dup.message).toBe(`backend-api already has an SLO named "${name}".`);
  });
});

describe("who may change which SLO", () => {
  it("lets a developer define SLOs for their own team's services only, and viewers none", async () => {
    expect((await create(availability({ service: "backend-api" }), payments.token)).status).toBe(201);
    const other = expectErrorBody(await create(availability({ service: "checkout-web" }), payments.token), 403, "forbidden");
    expect(other.details).toMatchObject({ permission: "slos.define", team: "storefront" });
    expect((await create(availability({ service: "checkout-web" }), storefront.token)).status).toBe(201);
    expect(expectErrorBody(await create(availability(), viewer.token), 403, "forbidden").details).toMatchObject({ permission: "slos.define" });
  });

  it("does not let a developer hand an SLO to a team they are not in", async () => {
    expectErrorBody(await create(availability({ ownerTeam: "storefront" }), payments.token), 403, "forbidden");
    const made = await create(availability({ ownerTeam: "platform" }));
    expect(made.body.ownerTeam.slug).toBe("platform");
    expectErrorBody(await patch(made.body.id, { ownerTeam: "storefront" }, payments.token), 403, "forbidden");
  });

  it("refuses another team's developer on PATCH and DELETE with 403, and changes nothing", async () => {
    const made = await create(availability());
    expectErrorBody(await patch(made.body.id, { objective: 99 }, storefront.token), 403, "forbidden");
    expectErrorBody(await callJson("DELETE", "/api/v1/slos/{id}", { params: { id: made.body.id }, token: storefront.token }), 403, "forbidden");
    expect((await get(made.body.id)).body).toMatchObject({ objective: 99.9, revision: 1 });
  });
});

describe("editing", () => {
  it("patches with the revision, records the changes, and refuses a stale revision", async () => {
    const made = (await create(availability())).body;
    const res = await patch(made.id, { objective: 99.5, window: "7d", automation: "restart", revision: 1 });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ objective: 99.5, window: "7d", automation: "restart", revision: 2 });
    const [event] = (await audits("slo.updated")).filter((e) => e.targetId === made.id);
    expect(event!.payload).toEqual({ changes: { objective: { from: 99.9, to: 99.5 }, window: { from: "30d", to: "7d" }, automation: { from: "none", to: "restart" } }, revision: 2 });
    const stale = expectErrorBody(await patch(made.id, { objective: 99 , revision: 1 }), 409, "conflict");
    expect(stale.details).toEqual({ expectedRevision: 1, revision: 2 });
    // Nothing to change: no new revision, no audit event.
    expect((await patch(made.id, { objective: 99.5 })).body.revision).toBe(2);
    expect((await audits("slo.updated")).filter((e) => e.targetId === made.id)).toHaveLength(1);
  });

  it("checks a new kind against the SLI it will have", async () => {
    const made = (await create(availability())).body;
    expect((expectErrorBody(await patch(made.id, { kind: "latency" }), 400, "invalid_input").details as { issues: { path: string[] }[] }).issues[0]!.path).toEqual(["sli", "thresholdSeconds"]);
    const ok = await patch(made.id, { kind: "latency", sli: { source: "http", thresholdSeconds: 0.25 } });
    expect(ok.body).toMatchObject({ kind: "latency", sli: { source: "http", selector: "", thresholdSeconds: 0.25 } });
    expect(ok.body.queries.good).toContain('le="0.25"');
    expectErrorBody(await patch(made.id, { sli: { source: "raw", good: "sum(rate(ok[{{.window}}]))", total: "sum(rate(all[{{.window}}])" } }), 400, "invalid_input");
  });

  it("deletes with the revision, audited; then 404", async () => {
    const made = (await create(availability())).body;
    expectErrorBody(await callJson("DELETE", "/api/v1/slos/{id}", { params: { id: made.id }, query: { revision: "7" }, token: sre.token }), 409, "conflict");
    const res = await callJson<{ id: string; service: string; name: string }>("DELETE", "/api/v1/slos/{id}", { params: { id: made.id }, query: { revision: "1" }, token: sre.token });
    expect(res.body).toEqual({ id: made.id, service: "backend-api", name: made.name });
    expect((await audits("slo.deleted")).some((e) => e.targetId === made.id)).toBe(true);
    expectErrorBody(await get(made.id), 404, "not_found");
    expectErrorBody(await get("not-a-uuid"), 404, "not_found");
  });
});

describe("listing", () => {
  it("filters by service, owner team, kind and text, a page at a time", async () => {
    const all = await callJson<{ items: SloDto[]; total: number }>("GET", "/api/v1/slos", { token: viewer.token, query: { limit: "1000" } });
    expect(all.status).toBe(200);
    expect(all.body.total).toBe(all.body.items.length);
    const checkout = await callJson<{ items: SloDto[] }>("GET", "/api/v1/slos", { token: viewer.token, query: { service: "checkout-web" } });
    expect(checkout.body.items.length).toBeGreaterThan(0);
    expect(checkout.body.items.every((s) => s.service.name === "checkout-web")).toBe(true);
    const latency = await callJson<{ items: SloDto[] }>("GET", "/api/v1/slos", { token: viewer.token, query: { kind: "latency", team: "storefront" } });
    expect(latency.body.items.every((s) => s.kind === "latency" && s.ownerTeam.slug === "storefront")).toBe(true);
    const page = await callJson<{ items: SloDto[]; limit: number; offset: number }>("GET", "/api/v1/slos", { token: viewer.token, query: { limit: "2", offset: "1" } });
    expect(page.body).toMatchObject({ limit: 2, offset: 1 });
    expect(page.body.items).toHaveLength(2);
    expect(page.body.items[0]!.id).toBe(all.body.items[1]!.id);
  });
});

function promtoolCheck(yaml: string): string | null {
  const dir = mkdtempSync(path.join(tmpdir(), "paved-slo-rules-"));
  try {
    writeFileSync(path.join(dir, "rules.yml"), yaml);
    execFileSync(PROMTOOL, ["check", "rules", "rules.yml"], { cwd: dir, stdio: "pipe" });
    return null;
  } catch (e) {
    return `${String((e as { stdout: Buffer }).stdout)}${String((e as { stderr: Buffer }).stderr)}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("rules", () => {
  it("serves one SLO's rule file as YAML: recordings, page and ticket alerts with the SLO's labels and link", async () => {
    const made = (await create(availability({ automation: "auto-scale" }))).body;
    const res = await text("GET", "/api/v1/slos/{id}/rules", { params: { id: made.id }, token: viewer.token });
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^application\/yaml/);
    const file = YAML.parse(res.text) as { groups: { name: string; rules: { record?: string; alert?: string; labels: Record<string, string>; annotations?: Record<string, string> }[] }[] };
    expect(file.groups.map((g) => g.name)).toEqual([`slo:backend-api:${made.name}`, `slo:backend-api:${made.name}:30d`]);
    const alerts = file.groups[0]!.rules.filter((r) => r.alert);
    expect(alerts.map((a) => a.labels)).toEqual([
      { service: "backend-api", slo: made.name, severity: "page", automation: "auto-scale" },
      { service: "backend-api", slo: made.name, severity: "ticket", automation: "auto-scale" },
    ]);
    expect(alerts[0]!.annotations!.slo_url).toBe(`http://localhost:3000/slos/${made.id}`);
    if (existsSync(PROMTOOL)) expect(promtoolCheck(res.text)).toBeNull();
    // Alerting off: recording rules only.
    await patch(made.id, { alerting: false });
    const quiet = YAML.parse((await text("GET", "/api/v1/slos/{id}/rules", { params: { id: made.id }, token: viewer.token })).text) as typeof file;
    expect(quiet.groups.flatMap((g) => g.rules).some((r) => r.alert)).toBe(false);
  });

  it("serves every SLO's rules in one file that promtool accepts, or one service's, or one team's", async () => {
    const all = await text("GET", "/api/v1/slos/rules", { token: viewer.token });
    expect(all.status).toBe(200);
    expect(all.type).toMatch(/^application\/yaml/);
    const count = await db().slo.count();
    expect(all.text).toContain(`# Prometheus rules for ${count} SLOs, generated by Paved`);
    expect((YAML.parse(all.text) as { groups: unknown[] }).groups).toHaveLength(count * 2);
    if (existsSync(PROMTOOL)) expect(promtoolCheck(all.text)).toBeNull();
    const one = YAML.parse((await text("GET", "/api/v1/slos/rules", { query: { service: "checkout-web" }, token: viewer.token })).text) as { groups: { name: string }[] };
    expect(one.groups.every((g) => g.name.startsWith("slo:checkout-web:"))).toBe(true);
    expect(YAML.parse((await text("GET", "/api/v1/slos/rules", { query: { team: "payments" }, token: viewer.token })).text)).toMatchObject({ groups: expect.any(Array) });
    expectErrorBody(await callJson("GET", "/api/v1/slos/rules", { query: { service: "nowhere" }, token: viewer.token }), 400, "invalid_input");
    expectErrorBody(await callJson("GET", "/api/v1/slos/{id}/rules", { params: { id: "8e0a1a52-4b1c-4d0e-9d5e-2b7b2f3c4d5e" }, token: viewer.token }), 404, "not_found");
  });
});

describe("OpenSLO and Sloth", () => {
  const openslo = () => readFile(path.join(FIXTURES, "openslo.yaml"), "utf8");
  const sloth = () => readFile(path.join(FIXTURES, "sloth.yaml"), "utf8");

  it("imports OpenSLO: a dry run writes nothing, the import creates, the same file again changes nothing", async () => {
    const before = await db().slo.count();
    const dry = await importYaml(await openslo(), { format: "openslo", dryRun: "true" });
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(dry.body).toMatchObject({ dryRun: true, created: ["ledger/ledger-availability", "ledger/ledger-read-latency"], ignored: [{ document: "document 1" }] });
    expect(await db().slo.count()).toBe(before);
    const res = await importYaml(await openslo(), { format: "openslo" });
    expect(res.body).toMatchObject({ format: "openslo", dryRun: false, created: ["ledger/ledger-availability", "ledger/ledger-read-latency"], updated: [], unchanged: [] });
    expect(await db().slo.count()).toBe(before + 2);
    const again = await importYaml(await openslo(), { format: "openslo" });
    expect(again.body).toMatchObject({ created: [], updated: [], unchanged: ["ledger/ledger-availability", "ledger/ledger-read-latency"] });
    const event = (await audits("slo.imported")).at(-1);
    expect(event!.payload).toMatchObject({ format: "openslo", counts: { created: 2, updated: 0, unchanged: 0 } });
    const stored = await db().slo.findFirstOrThrow({ where: { name: "ledger-availability" } });
    expect(stored).toMatchObject({ objective: 99.95, window: "28d", kind: "availability" });
  });

  it("imports Sloth specs", async () => {
    const res = await importYaml(await sloth(), { format: "sloth" });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.created).toEqual(["payments-gateway/requests-availability", "payments-gateway/requests-latency"]);
    const latency = await db().slo.findFirstOrThrow({ where: { name: "requests-latency" } });
    expect(latency).toMatchObject({ kind: "latency", objective: 99, alerting: false, window: "30d" });
  });

  it("is all or nothing: one bad SLO, an unknown service or a forbidden one, and nothing is written", async () => {
    const before = await db().slo.count();
    const events = await db().auditEvent.count();
    const file = (await openslo()).replace(/ledger-availability/g, unique("fresh")).replace(/ledger-read-latency/g, unique("fresh2"));
    const broken = file.replace('outcome="error"}[{{.window}}]))', 'outcome="error"}[{{.window}}] +))');
    const bad = expectErrorBody(await importYaml(broken, { format: "openslo" }), 400, "invalid_input");
    expect((bad.details as { issues: { line: number; column: number; code: string }[] }).issues[0]).toMatchObject({ line: 28, code: "promql" });
    const unknown = expectErrorBody(await importYaml(file.replace(/service: ledger/g, "service: nowhere"), { format: "openslo" }), 400, "invalid_input");
    expect(unknown.message).toMatch(/^Nothing was imported: document 2 \(line \d+\): there is no service "nowhere"/);
    // storefront's developer may not touch the ledger (payments).
    const forbidden = expectErrorBody(await importYaml(file, { format: "openslo" }, storefront.token), 403, "forbidden");
    expect(forbidden.message).toMatch(/^Nothing was imported: you may not change ledger\//);
    const yaml = expectErrorBody(await importYaml("apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: [\n", { format: "openslo" }), 400, "invalid_input");
    expect(yaml.message).toMatch(/^The YAML does not parse at line \d+, column \d+/);
    expect(await db().slo.count()).toBe(before);
    expect(await db().auditEvent.count()).toBe(events);
  });

  it("exports OpenSLO that imports back unchanged and exports to the same text", async () => {
    const first = await text("GET", "/api/v1/slos/export", { token: viewer.token });
    expect(first.status).toBe(200);
    expect(first.type).toMatch(/^application\/yaml/);
    const docs = YAML.parseAllDocuments(first.text).map((d) => d.toJS() as { apiVersion: string; kind: string });
    expect(docs.length).toBe(await db().slo.count());
    expect(docs.every((d) => d.apiVersion === "openslo/v1" && d.kind === "SLO")).toBe(true);
    const back = await importYaml(first.text, { format: "openslo" });
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    expect(back.body.created).toEqual([]);
    expect(back.body.updated).toEqual([]);
    expect(back.body.unchanged.length).toBe(docs.length);
    expect((await text("GET", "/api/v1/slos/export", { token: viewer.token })).text).toBe(first.text);
    const one = await text("GET", "/api/v1/slos/export", { query: { service: "checkout-web" }, token: viewer.token });
    expect(one.text).toContain("service: checkout-web");
    expect(one.text).not.toContain("service: ledger");
  });
});

describe("the demo organisation", () => {
  it("has its SLOs, all valid, on its services", async () => {
    const seeded = await db().slo.findMany({ where: { OR: DEMO_SLOS.map((s) => ({ name: s.name, service: { name: s.service } })) }, include: { service: true, ownerTeam: true } });
    expect(seeded).toHaveLength(DEMO_SLOS.length);
    for (const s of seeded) expect(s.ownerTeamId).toBe(s.service.teamId);
    for (const s of DEMO_SLOS) expect(sliIssues(s.kind, s.sli), `${s.service}/${s.name}`).toEqual([]);
  });

  it("seeds again without duplicates", async () => {
    const { seedDemoSlos } = await import("@/prisma/seed/demo-slos");
    const before = await db().slo.count();
    expect(await seedDemoSlos(db())).toBe(0);
    expect(await db().slo.count()).toBe(before);
  });
});

describe("a team of its own", () => {
  it("a developer of a new team may define SLOs on that team's new service", async () => {
    const team = await makeTeam("slot");
    const dev = await makePerson(["developer"], { team, prefix: "slotdev" });
    const service = unique("slo-svc");
    await db().service.create({ data: { name: service, teamId: team.id } });
    const res = await create(availability({ service }), dev.token);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.ownerTeam.slug).toBe(team.slug);
  });
});
