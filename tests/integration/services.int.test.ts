// The service dependency graph through the API, on both databases, in a database of its own
// seeded with the demo organisation: the seed's deployment-config.yaml imported and planned,
// cycles refused with the cycle, all-or-nothing imports, optimistic concurrency, who may edit
// what, Backstage import, export round trip, planning from changed files, and the audit trail.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ELK from "elkjs/lib/elk.bundled.js";
import { db } from "@/lib/core/db/client";
import { elkGraph, layoutPositions } from "@/lib/services/layout";
import { graphLayout, layoutGraph, layoutThreadRunning, setLayoutThreadIdleMs } from "@/lib/services/layout-cache";
import type { DependenciesResult, GraphDto, ImportResult, PlanDto, ServiceDto } from "@/lib/services";
import type { z } from "zod";
import { createTestDatabase, useDatabase, useSharedDatabase, type TestDatabase } from "../support/database";
import { makePerson, unique, type TestPerson } from "../support/factory";
import { callJson, callRoute, expectErrorBody, type ErrorBody } from "../support/http";

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/graph");
const SEED_FOUR = ["database", "backend-api", "frontend", "worker-service"];

let database: TestDatabase;
let manager: TestPerson;
let viewer: TestPerson;
let payments: TestPerson;

type Deps = z.infer<typeof DependenciesResult>;

beforeAll(async () => {
  database = await createTestDatabase({ seed: true });
  await useDatabase(database.url);
  manager = await makePerson(["release-manager"], { prefix: "relmgr" });
  viewer = await makePerson(["viewer"], { prefix: "graphviewer" });
  const team = await db().team.findUniqueOrThrow({ where: { slug: "payments" } });
  payments = await makePerson(["developer"], { team: { id: team.id, slug: team.slug }, prefix: "paydev" });
});

afterAll(async () => {
  await useSharedDatabase();
  await database?.drop();
});

const seedFile = () => readFile(path.join(FIXTURES, "deployment-config.yaml"), "utf8");
const importYaml = (text: string, query: Record<string, string> = {}, token = manager.token) =>
  callJson<ImportResult & ErrorBody>("POST", "/api/v1/graph/import", { rawBody: text, headers: { "content-type": "application/yaml" }, query, token });
const graph = async () => (await callJson<GraphDto>("GET", "/api/v1/graph", { token: viewer.token })).body;
const plan = (body: Record<string, unknown>, token = viewer.token) => callJson<PlanDto & ErrorBody>("POST", "/api/v1/plans", { body, token });
const putDeps = (name: string, body: Record<string, unknown>, token = manager.token) =>
  callJson<Deps & ErrorBody>("PUT", "/api/v1/services/{name}/dependencies", { params: { name }, body, token });
const dependsOn = async (name: string) => (await graph()).nodes.find((n) => n.name === name)?.dependsOn;
const serviceCount = () => db().service.count();

describe("the seed's deployment-config.yaml", () => {
  it("imports and plans all four services in the waves [database], [backend-api], [frontend, worker-service]", async () => {
    const imported = await importYaml(await seedFile());
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body.format).toBe("deployment-config");
    expect(imported.body.created).toEqual([]);
    expect([...imported.body.updated, ...imported.body.unchanged].sort()).toEqual([...SEED_FOUR].sort());
    // backend-api gained the seed's migration script.
    const api = await callJson<ServiceDto>("GET", "/api/v1/services/{name}", { params: { name: "backend-api" }, token: viewer.token });
    expect(api.body).toMatchObject({ strategy: "blue_green", healthCheckPath: "/api/health", migrationScripts: ["db-migration.sql"], dependsOn: ["database"] });

    const res = await plan({ environment: "production", services: SEED_FOUR });
    expect(res.status).toBe(200);
    expect(res.body.waves).toEqual([["database"], ["backend-api"], ["frontend", "worker-service"]]);
    expect(res.body.blockedBy).toEqual({ database: [], "backend-api": ["database"], frontend: ["backend-api"], "worker-service": ["backend-api", "database"] });
  });

  it("exports those four services as the same file", async () => {
    const res = await callRoute("GET", "/api/v1/graph/export", { query: { services: SEED_FOUR.join(",") }, token: viewer.token });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/yaml/);
    const normalise = (t: string) =>
      t
        .split("\n")
        .filter((l) => !l.startsWith("#"))
        .map((l) => l.trimEnd())
        .join("\n")
        .trim();
    expect(normalise(await res.text())).toBe(normalise(await seedFile()));
  });

  it("round-trips the whole graph: export, import, export give the same text and change nothing", async () => {
    const first = await (await callRoute("GET", "/api/v1/graph/export", { query: { paved: "true" }, token: viewer.token })).text();
    const before = await graph();
    const again = await importYaml(first);
    expect(again.status).toBe(200);
    expect(again.body.created).toEqual([]);
    expect(again.body.updated).toEqual([]);
    expect(again.body.revision).toBe(before.revision);
    const second = await (await callRoute("GET", "/api/v1/graph/export", { query: { paved: "true" }, token: viewer.token })).text();
    expect(second).toBe(first);
    expect(first).toContain("owner: platform");
  });
});

describe("cycles", () => {
  it("refuses database → worker-service with the cycle, and changes nothing", async () => {
    const before = await graph();
    const audits = await db().auditEvent.count();
    const res = await putDeps("database", { dependsOn: ["worker-service"] });
    const error = expectErrorBody(res, 409, "conflict");
    expect((error.details as { cycle: string[] }).cycle).toEqual(["database", "worker-service", "database"]);
    expect(error.message).toContain("database → worker-service → database");
    const after = await graph();
    expect(after.revision).toBe(before.revision);
    expect(await dependsOn("database")).toEqual([]);
    expect(await db().auditEvent.count()).toBe(audits);
  });

  it("refuses a self-dependency as a cycle of one", async () => {
    const res = await putDeps("ledger", { dependsOn: ["database", "ledger"] });
    expect((expectErrorBody(res, 409, "conflict").details as { cycle: string[] }).cycle).toEqual(["ledger", "ledger"]);
  });

  it("finds a long cycle through several services", async () => {
    // checkout-web → frontend → backend-api → database; database → checkout-web closes it.
    const res = await putDeps("database", { dependsOn: ["checkout-web"] });
    const cycle = (expectErrorBody(res, 409, "conflict").details as { cycle: string[] }).cycle;
    expect(cycle[0]).toBe("database");
    expect(cycle.at(-1)).toBe("database");
    expect(cycle).toContain("checkout-web");
  });

  it("lets only one of two concurrent edits that together close a cycle through", async () => {
    const a = unique("ca");
    const b = unique("cb");
    for (const name of [a, b]) expect((await callJson("POST", "/api/v1/services", { body: { name, team: "platform" }, token: manager.token })).status).toBe(201);
    const results = await Promise.all([putDeps(a, { dependsOn: [b] }), putDeps(b, { dependsOn: [a] })]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
  });
});

describe("editing dependencies", () => {
  it("adds and removes a dependency, bumps the revision and records it in the audit trail", async () => {
    const { revision } = await graph();
    const added = await putDeps("worker-service", { dependsOn: ["backend-api", "database", "message-broker"], revision });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(added.body).toMatchObject({ added: ["message-broker"], removed: [], revision: revision + 1 });
    const removed = await putDeps("worker-service", { dependsOn: ["backend-api", "database"], revision: revision + 1 });
    expect(removed.body).toMatchObject({ added: [], removed: ["message-broker"], revision: revision + 2 });
    const events = await db().auditEvent.findMany({ where: { action: "service.dependencies_changed", targetLabel: "worker-service" }, orderBy: { seq: "asc" } });
    expect(events.map((e) => e.payload)).toEqual([
      expect.objectContaining({ added: ["message-broker"], removed: [] }),
      expect.objectContaining({ added: [], removed: ["message-broker"] }),
    ]);
    expect(events[0]?.actorLogin).toBe(manager.login);
  });

  it("answers 409 to an edit against a stale revision and changes nothing", async () => {
    const { revision } = await graph();
    expect((await putDeps("ledger", { dependsOn: ["database", "message-broker", "auth-service"], revision })).status).toBe(200);
    const stale = await putDeps("ledger", { dependsOn: ["database"], revision });
    const error = expectErrorBody(stale, 409, "conflict");
    expect(error.details).toEqual({ expectedRevision: revision, revision: revision + 1 });
    expect(await dependsOn("ledger")).toEqual(["auth-service", "database", "message-broker"]);
    expect((await putDeps("ledger", { dependsOn: ["database", "message-broker"] })).status).toBe(200);
  });

  it("names unknown services, and answers 404 for an unknown service", async () => {
    const res = await putDeps("ledger", { dependsOn: ["database", "nope-one", "nope-two"] });
    const error = expectErrorBody(res, 400, "invalid_input");
    expect(error.message).toContain("nope-one, nope-two");
    expectErrorBody(await putDeps("no-such-service", { dependsOn: [] }), 404, "not_found");
    expectErrorBody(await putDeps("Bad_Name", { dependsOn: [] }), 400, "invalid_input");
    expectErrorBody(await putDeps("ledger", { dependsOn: ["database", "database"] }), 400, "invalid_input");
  });

  it("lets a developer edit their own team's services only", async () => {
    const own = await putDeps("ledger", { dependsOn: ["database", "message-broker"] }, payments.token);
    expect(own.status).toBe(200);
    const other = await putDeps("frontend", { dependsOn: ["backend-api", "database"] }, payments.token);
    expect(expectErrorBody(other, 403, "forbidden").message).toContain("storefront");
    expectErrorBody(await putDeps("ledger", { dependsOn: ["database"] }, viewer.token), 403, "forbidden");
  });
});

describe("services", () => {
  it("creates, reads, patches and deletes a service", async () => {
    const name = unique("svc");
    const created = await callJson<ServiceDto>("POST", "/api/v1/services", {
      body: { name, team: "payments", strategy: "canary", dependsOn: ["ledger"], pathGlobs: [`services/${name}/**`] },
      token: payments.token,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ name, trafficSteps: [10, 50, 100], environments: ["dev", "staging", "production"], dependsOn: ["ledger"], revision: 1 });
    expectErrorBody(await callJson("POST", "/api/v1/services", { body: { name, team: "payments" }, token: payments.token }), 409, "conflict");
    expectErrorBody(await callJson("POST", "/api/v1/services", { body: { name: unique("x"), team: "storefront" }, token: payments.token }), 403, "forbidden");

    const patched = await callJson<ServiceDto>("PATCH", "/api/v1/services/{name}", { params: { name }, body: { strategy: "rolling", environments: ["production", "dev"], revision: 1 }, token: payments.token });
    expect(patched.body).toMatchObject({ strategy: "rolling", trafficSteps: [], environments: ["dev", "production"], revision: 2 });
    const stale = await callJson("PATCH", "/api/v1/services/{name}", { params: { name }, body: { description: "x", revision: 1 }, token: payments.token });
    expectErrorBody(stale, 409, "conflict");
    const badSteps = await callJson("PATCH", "/api/v1/services/{name}", { params: { name }, body: { trafficSteps: [50, 20, 100] }, token: payments.token });
    expectErrorBody(badSteps, 400, "invalid_input");
    const stepsOnRolling = await callJson("PATCH", "/api/v1/services/{name}", { params: { name }, body: { trafficSteps: [10, 100] }, token: payments.token });
    expect(expectErrorBody(stepsOnRolling, 400, "invalid_input").message).toContain("canary");
    const badEnv = await callJson("PATCH", "/api/v1/services/{name}", { params: { name }, body: { environments: ["qa"] }, token: payments.token });
    expect(expectErrorBody(badEnv, 400, "invalid_input").message).toContain("qa");

    expect((await callJson("DELETE", "/api/v1/services/{name}", { params: { name }, token: payments.token })).status).toBe(200);
    expectErrorBody(await callJson("GET", "/api/v1/services/{name}", { params: { name }, token: viewer.token }), 404, "not_found");
  });

  it("refuses to delete a service others depend on, naming them, unless forced", async () => {
    const base = unique("base");
    const user = unique("user");
    await callJson("POST", "/api/v1/services", { body: { name: base, team: "platform" }, token: manager.token });
    await callJson("POST", "/api/v1/services", { body: { name: user, team: "platform", dependsOn: [base] }, token: manager.token });
    const refused = await callJson("DELETE", "/api/v1/services/{name}", { params: { name: base }, token: manager.token });
    expect((expectErrorBody(refused, 409, "conflict").details as { dependents: string[] }).dependents).toEqual([user]);
    const forced = await callJson<{ removedDependents: string[] }>("DELETE", "/api/v1/services/{name}", { params: { name: base }, query: { force: "true" }, token: manager.token });
    expect(forced.body.removedDependents).toEqual([user]);
    expect(await dependsOn(user)).toEqual([]);
  });

  it("lists a page at a time, sorted and filtered", async () => {
    const page = await callJson<{ items: ServiceDto[]; total: number }>("GET", "/api/v1/services", { query: { limit: "5", sort: "-name" }, token: viewer.token });
    expect(page.body.items).toHaveLength(5);
    const names = page.body.items.map((s) => s.name);
    expect(names).toEqual([...names].sort().reverse());
    expect(page.body.total).toBeGreaterThanOrEqual(14);
    const storefront = await callJson<{ items: ServiceDto[] }>("GET", "/api/v1/services", { query: { team: "storefront", strategy: "canary" }, token: viewer.token });
    expect(storefront.body.items.map((s) => s.name)).toContain("frontend");
    expect(storefront.body.items.every((s) => s.team.slug === "storefront" && s.strategy === "canary")).toBe(true);
    expectErrorBody(await callJson("GET", "/api/v1/services", { query: { limit: "0" }, token: viewer.token }), 400, "invalid_input");
  });

  it("lists each service exactly as its own page reads it (the list's JSON is written by PostgreSQL)", async () => {
    const listed = await callJson<{ items: ServiceDto[]; limit: number; offset: number }>("GET", "/api/v1/services", { query: { limit: "500", q: "backend-api" }, token: viewer.token });
    expect(listed.body).toMatchObject({ limit: 500, offset: 0 });
    const item = listed.body.items.find((s) => s.name === "backend-api")!;
    const one = await callJson<ServiceDto>("GET", "/api/v1/services/{name}", { params: { name: "backend-api" }, token: viewer.token });
    expect(item).toEqual(one.body);
    expect(item.updatedAt).toBe(new Date(item.updatedAt).toISOString());
    expect(item.dependsOn.length + item.dependents.length).toBeGreaterThan(0);
  });

  it("pages without overlap, counts past the last page, and searches % and _ literally", async () => {
    const all = await callJson<{ items: ServiceDto[]; total: number }>("GET", "/api/v1/services", { query: { limit: "500", sort: "team" }, token: viewer.token });
    const pages: string[] = [];
    for (let offset = 0; offset < all.body.total; offset += 4) {
      const page = await callJson<{ items: ServiceDto[]; total: number }>("GET", "/api/v1/services", { query: { limit: "4", offset: String(offset), sort: "team" }, token: viewer.token });
      expect(page.body.total).toBe(all.body.total);
      pages.push(...page.body.items.map((s) => s.name));
    }
    expect(pages).toEqual(all.body.items.map((s) => s.name));
    // Sorted by team, then by name within a team.
    const keys = all.body.items.map((s) => [s.team.slug, s.name] as const);
    expect(keys).toEqual([...keys].sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1)));
    const byStrategy = await callJson<{ items: ServiceDto[] }>("GET", "/api/v1/services", { query: { limit: "500", sort: "-strategy" }, token: viewer.token });
    const rank = { rolling: 0, blue_green: 1, canary: 2 } as const;
    const ranks = byStrategy.body.items.map((s) => rank[s.strategy]);
    expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
    const past = await callJson<{ items: ServiceDto[]; total: number }>("GET", "/api/v1/services", { query: { offset: "100000" }, token: viewer.token });
    expect(past.body).toMatchObject({ items: [], total: all.body.total });
    const wild = await callJson<{ items: ServiceDto[]; total: number }>("GET", "/api/v1/services", { query: { q: "%" }, token: viewer.token });
    expect(wild.body.total).toBe(0);
    // Dependencies and dependents come back for each service on the page.
    const api = all.body.items.find((s) => s.name === "backend-api")!;
    expect(api.dependsOn).toContain("database");
    expect(api.dependents).toEqual(expect.arrayContaining(["frontend", "worker-service"]));
  });

  it("serves a fresh graph after every kind of change (the graph is cached per change, not per time)", async () => {
    const name = unique("fresh");
    await callJson("POST", "/api/v1/services", { body: { name, team: "payments", description: "before" }, token: manager.token });
    expect((await graph()).nodes.find((n) => n.name === name)).toMatchObject({ description: "before", team: "payments" });
    // A PATCH does not move the graph revision, but the graph must still show it.
    await callJson("PATCH", "/api/v1/services/{name}", { params: { name }, body: { description: "after", strategy: "blue_green" }, token: manager.token });
    expect((await graph()).nodes.find((n) => n.name === name)).toMatchObject({ description: "after", strategy: "blue_green" });
    await callJson("PATCH", "/api/v1/services/{name}", { params: { name }, body: { team: "storefront" }, token: manager.token });
    expect((await graph()).nodes.find((n) => n.name === name)?.team).toBe("storefront");
    await putDeps(name, { dependsOn: ["database"] });
    expect(await dependsOn(name)).toEqual(["database"]);
    const color = (await graph()).teams.find((t) => t.slug === "storefront")!.color;
    await db().team.update({ where: { slug: "storefront" }, data: { name: "Storefront (renamed)" } });
    expect((await graph()).teams.find((t) => t.slug === "storefront")).toMatchObject({ name: "Storefront (renamed)", color });
    await db().team.update({ where: { slug: "storefront" }, data: { name: "Storefront" } });
    await callJson("DELETE", "/api/v1/services/{name}", { params: { name }, token: manager.token });
    expect((await graph()).nodes.some((n) => n.name === name)).toBe(false);
  });
});

describe("the editor's layout, cached on the server", () => {
  it("is computed off the request thread once per graph revision, and matches ELK's own layout", async () => {
    const current = await graph();
    // Not ready on the first view: started, and the browser lays this one out.
    expect(await graphLayout(db(), current)).toBeNull();
    const positions = await graphLayout(db(), current, { wait: true });
    expect(Object.keys(positions ?? {}).sort()).toEqual(current.nodes.map((n) => n.name).sort());
    const expected = layoutPositions(await new ELK().layout(elkGraph(current.nodes)));
    expect(positions).toEqual(expected);
    // The next view gets it at once.
    expect(await graphLayout(db(), current)).toBe(positions);
    // A new dependency is a new revision: the old layout is not served for it.
    const name = unique("lay");
    await callJson("POST", "/api/v1/services", { body: { name, team: "platform", dependsOn: ["database"] }, token: manager.token });
    const changed = await graph();
    expect(await graphLayout(db(), changed)).toBeNull();
    const next = await graphLayout(db(), changed, { wait: true });
    const [x] = next![name]!;
    expect(x).toBeGreaterThan(next!["database"]![0]);
    await callJson("DELETE", "/api/v1/services/{name}", { params: { name }, token: manager.token });
  });

  it("stops its thread (an isolate of its own) when idle, and starts it again for the next layout", async () => {
    const nodes = (await graph()).nodes;
    setLayoutThreadIdleMs(100);
    try {
      const first = await layoutGraph(nodes);
      expect(layoutThreadRunning()).toBe(true);
      for (let i = 0; i < 100 && layoutThreadRunning(); i++) await new Promise((r) => setTimeout(r, 20));
      expect(layoutThreadRunning()).toBe(false);
      expect(await layoutGraph(nodes)).toEqual(first);
      // Layouts asked for at once share one thread, which stays while any is pending.
      const both = await Promise.all([layoutGraph(nodes), layoutGraph(nodes)]);
      expect(both).toEqual([first, first]);
    } finally {
      setLayoutThreadIdleMs(30_000);
    }
  });
});

describe("imports are all or nothing", () => {
  it("answers 400 with line and column for YAML that does not parse, and writes nothing", async () => {
    const count = await serviceCount();
    const res = await importYaml("services:\n  a-new-one:\n    dependencies: [database\n  other: {}\n");
    const error = expectErrorBody(res, 400, "invalid_input");
    expect(error.message).toMatch(/line \d+, column \d+/);
    const issue = (error.details as { issues: { line: number; column: number }[] }).issues[0];
    expect(issue?.line).toBeGreaterThan(0);
    expect(issue?.column).toBeGreaterThan(0);
    expect(await serviceCount()).toBe(count);
  });

  it("names the line of a field that is wrong", async () => {
    const res = await importYaml("services:\n  database:\n    dependencies: []\n    deployment_stratgy: rolling\n");
    const error = expectErrorBody(res, 400, "invalid_input");
    expect(error.details).toMatchObject({ issues: [expect.objectContaining({ path: ["services", "database", "deployment_stratgy"], line: 4 })] });
  });

  it("refuses a file with a cycle, an unknown dependency or a missing owner, and creates none of its services", async () => {
    const [a, b, c] = [unique("imp"), unique("imp"), unique("imp")];
    const count = await serviceCount();
    const { revision } = await graph();
    const cyclic = `services:\n  ${a}:\n    dependencies: ["${b}"]\n  ${b}:\n    dependencies: ["${c}"]\n  ${c}:\n    dependencies: ["${a}"]\n`;
    const cycle = await importYaml(cyclic, { team: "platform" });
    expect((expectErrorBody(cycle, 409, "conflict").details as { cycle: string[] }).cycle).toHaveLength(4);
    const unknown = await importYaml(`services:\n  ${a}:\n    dependencies: ["database", "ghost-service"]\n`, { team: "platform" });
    expect(expectErrorBody(unknown, 400, "invalid_input").message).toContain("ghost-service");
    const ownerless = await importYaml(`services:\n  ${a}:\n    dependencies: []\n`);
    expect(expectErrorBody(ownerless, 400, "invalid_input").message).toContain("owner");
    // Closing a cycle through services that already exist is refused as well.
    const throughExisting = await importYaml(`services:\n  database:\n    dependencies: ["frontend"]\n`);
    expectErrorBody(throughExisting, 409, "conflict");
    expect(await serviceCount()).toBe(count);
    expect((await graph()).revision).toBe(revision);
    expect(await dependsOn("database")).toEqual([]);
  });

  it("refuses a developer's import that touches another team's service, and writes nothing", async () => {
    const mine = unique("mine");
    const count = await serviceCount();
    const res = await importYaml(`services:\n  ${mine}:\n    owner: payments\n    dependencies: []\n  frontend:\n    dependencies: ["backend-api"]\n`, {}, payments.token);
    expect((expectErrorBody(res, 403, "forbidden").details as { services: string[] }).services).toEqual(["frontend"]);
    expect(await serviceCount()).toBe(count);
  });

  it("dry-runs without writing, then imports new services with their dependencies", async () => {
    const [x, y] = [unique("new"), unique("new")];
    const text = `services:\n  ${x}:\n    dependencies: ["database"]\n    deployment_strategy: canary\n    health_check: "/ready"\n  ${y}:\n    dependencies: ["${x}", "backend-api"]\n`;
    const dry = await importYaml(text, { team: "storefront", dryRun: "true" });
    expect(dry.body).toMatchObject({ dryRun: true, created: [x, y].sort() });
    expect(await dependsOn(x)).toBeUndefined();
    const real = await importYaml(text, { team: "storefront" });
    expect(real.body).toMatchObject({ dryRun: false, created: [x, y].sort() });
    expect(await dependsOn(y)).toEqual(["backend-api", x].sort());
    const created = await callJson<ServiceDto>("GET", "/api/v1/services/{name}", { params: { name: x }, token: viewer.token });
    expect(created.body).toMatchObject({ team: { slug: "storefront" }, strategy: "canary", trafficSteps: [10, 50, 100], healthCheckPath: "/ready" });
    const audit = await db().auditEvent.findFirst({ where: { action: "graph.imported" }, orderBy: { seq: "desc" } });
    expect(audit?.payload).toMatchObject({ created: [x, y].sort() });
  });

  it("refuses a stale revision and a body that is not YAML", async () => {
    const { revision } = await graph();
    expectErrorBody(await importYaml("services: {}\n", { revision: String(revision - 1) }), 409, "conflict");
    const json = await callJson("POST", "/api/v1/graph/import", { body: { services: {} }, token: manager.token });
    expectErrorBody(json, 415, "unsupported_media_type");
  });
});

describe("Backstage catalog import", () => {
  it("imports Components and Resources with their dependsOn, and reports what it ignored", async () => {
    const [api, store] = [unique("bs-api"), unique("bs-store")];
    const text = [
      `apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata:\n  name: ${store}\n  description: Orders table\nspec:\n  type: database\n  owner: group:default/payments\n`,
      `apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${api}\n  annotations:\n    github.com/project-slug: demo/${api}\nspec:\n  type: service\n  owner: payments\n  lifecycle: production\n  dependsOn:\n    - resource:default/${store}\n    - component:ledger\n  providesApis: [orders]\n`,
      `apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata:\n  name: orders\nspec:\n  type: openapi\n  owner: payments\n`,
    ].join("---\n");
    const res = await importYaml(text, {}, payments.token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ format: "backstage", created: [api, store].sort(), ignored: [expect.objectContaining({ entity: "API:orders" })] });
    const created = await callJson<ServiceDto>("GET", "/api/v1/services/{name}", { params: { name: api }, token: viewer.token });
    expect(created.body).toMatchObject({ team: { slug: "payments" }, repository: `demo/${api}`, dependsOn: ["ledger", store].sort() });
  });
});

describe("planning", () => {
  it("plans from changed files through path globs, with and without dependents", async () => {
    const res = await plan({ environment: "staging", changedFiles: ["services/backend-api/src/app.ts", "./services/ledger/schema.sql", "README.md"] });
    expect(res.status).toBe(200);
    expect(res.body.requested).toEqual(["backend-api", "ledger"]);
    expect(res.body.changes).toEqual({ matches: { "backend-api": ["services/backend-api/src/app.ts"], ledger: ["services/ledger/schema.sql"] }, unmatched: ["README.md"] });
    expect(res.body.waves.flat().sort()).toEqual(["backend-api", "ledger"]);
    const wide = await plan({ environment: "staging", services: ["database"], includeDependents: true });
    expect(wide.body.waves[0]).toEqual(["database"]);
    expect(wide.body.dependents).toEqual(expect.arrayContaining(["backend-api", "frontend", "worker-service", "ledger"]));
    const index = (n: string) => wide.body.waves.findIndex((w) => w.includes(n));
    expect(index("backend-api")).toBeLessThan(index("frontend"));
  });

  it("plans a rollback in reverse order and skips services that do not deploy to the environment", async () => {
    const rollback = await plan({ environment: "production", action: "rollback", services: SEED_FOUR });
    expect(rollback.body.waves).toEqual([["frontend", "worker-service"], ["backend-api"], ["database"]]);
    const name = unique("devonly");
    await callJson("POST", "/api/v1/services", { body: { name, team: "platform", environments: ["dev"], dependsOn: ["database"] }, token: manager.token });
    const prod = await plan({ environment: "production", services: [name, "database"] });
    expect(prod.body.waves).toEqual([["database"]]);
    expect(prod.body.skipped).toEqual([{ service: name, reason: "does not deploy to production" }]);
  });

  it("answers 404 for an unknown environment and 400 naming unknown services", async () => {
    expectErrorBody(await plan({ environment: "qa" }), 404, "not_found");
    expect(expectErrorBody(await plan({ environment: "dev", services: ["database", "nope"] }), 400, "invalid_input").message).toContain("nope");
  });
});
