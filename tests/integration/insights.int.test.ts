// Insights through the real routes on a database of its own (the roll-ups are organisation-wide,
// so exact figures need the file's own rows): the summary equals the definitions computed from
// the raw rows before and after the roll-up job, an incremental roll-up equals a full one, the
// per-team table, the records behind each number with paging, CSV export, validation and
// permissions.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/core/db/client";
import { JOB_DEFINITIONS } from "@/lib/worker";
import {
  addDays,
  changeFailureRate,
  dayOf,
  daysBetween,
  deliveryTotals,
  deploymentFrequency,
  deploymentSuccessRate,
  incidentTotals,
  leadTimeHours,
  mttrMinutes,
  roundValue,
  timeToRestoreMinutes,
  type RawDeployment,
  type RawIncident,
} from "@/lib/insights/definitions";
import { insightsRollupJob, refreshRollups, type RecordsDto, type SummaryDto, type TeamsDto } from "@/lib/insights";
import { createTestDatabase, useDatabase, useSharedDatabase, type TestDatabase } from "../support/database";
import { makePerson, makeTeam, type TestPerson, type TestTeam } from "../support/factory";
import { callJson, callRoute, expectErrorBody } from "../support/http";

let database: TestDatabase;
let erin: TestPerson;
let viewer: TestPerson;
let alpha: TestTeam;
let beta: TestTeam;

const HOUR = 3_600_000;
const today = dayOf(new Date());
/** `n` days before today at `time` (UTC). */
const at = (n: number, time: string) => new Date(`${addDays(today, -n)}T${time}Z`);
// Today's rows: a little before now, but never yesterday.
const todayAt = new Date(Math.max(Date.parse(`${today}T00:01:00Z`), Date.now() - 20 * 60_000));

const ids: Record<string, string> = {};
const id = (name: string) => (ids[name] ??= randomUUID());

async function deployment(name: string, d: { service: string; environment: string; version: string; kind?: string; outcome: string; startedAt: Date; finishedAt?: Date | null; firstCommitAt?: Date | null }) {
  await db().deployment.create({
    data: {
      id: id(name),
      service: d.service,
      environment: d.environment,
      version: d.version,
      strategy: "rolling",
      kind: d.kind ?? "deploy",
      outcome: d.outcome,
      actor: "carol",
      startedAt: d.startedAt,
      finishedAt: d.finishedAt ?? null,
      firstCommitAt: d.firstCommitAt ?? null,
    },
  });
}

async function incident(name: string, i: { service: string; environment: string; startedAt: Date; resolvedAt?: Date; mttrSeconds?: number; after?: string }) {
  await db().incident.create({
    data: {
      id: id(name),
      fingerprint: name,
      startedAt: i.startedAt,
      alertname: "SloErrorBudgetBurn",
      service: i.service,
      environment: i.environment,
      severity: "page",
      status: i.resolvedAt ? "resolved" : "open",
      summary: `${name} on ${i.service}`,
      labels: {},
      resolvedAt: i.resolvedAt ?? null,
      mttrSeconds: i.mttrSeconds ?? (i.resolvedAt ? Math.round((i.resolvedAt.getTime() - i.startedAt.getTime()) / 1000) : null),
      precedingDeploymentId: i.after ? id(i.after) : null,
    },
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  await useDatabase(database.url);
  erin = await makePerson(["leadership"], { prefix: "erin" });
  viewer = await makePerson(["viewer"], { prefix: "viewer" });
  alpha = await makeTeam("alpha");
  beta = await makeTeam("beta");
  await db().environment.createMany({
    data: [
      { name: "dev", displayName: "Development", position: 1 },
      { name: "staging", displayName: "Staging", position: 2 },
      { name: "production", displayName: "Production", position: 3, protected: true },
    ],
  });
  await db().service.createMany({
    data: [
      { name: "api-x", teamId: alpha.id, repository: "demo/api-x" },
      { name: "lib-x", teamId: alpha.id, repository: "demo/lib-x" },
      { name: "web-x", teamId: beta.id, repository: "demo/web-x" },
    ],
  });

  // api-x 1.0.0: dev (3 days ago), then production (2 days ago); 1.1.0 reached production and was
  // rolled back (an incident names it); 1.2.0 failed today. web-x 2.0.0 reached production and
  // caused an incident; 2.1.0 is still deploying. lib-x 0.1.0 went to production 50 days ago.
  await deployment("a1", { service: "api-x", environment: "dev", version: "1.0.0", outcome: "succeeded", startedAt: at(3, "10:00:00"), finishedAt: at(3, "10:05:00") });
  await deployment("a2", { service: "api-x", environment: "production", version: "1.0.0", outcome: "succeeded", startedAt: at(2, "10:00:00"), finishedAt: at(2, "10:10:00") });
  await deployment("a3", { service: "api-x", environment: "production", version: "1.1.0", outcome: "rolled_back", startedAt: at(1, "09:00:00"), finishedAt: at(1, "09:20:00"), firstCommitAt: at(2, "09:00:00") });
  await deployment("a4", { service: "api-x", environment: "production", version: "1.0.0", kind: "rollback", outcome: "succeeded", startedAt: at(1, "10:00:00"), finishedAt: at(1, "10:03:00") });
  await deployment("b1", { service: "web-x", environment: "production", version: "2.0.0", outcome: "succeeded", startedAt: at(1, "13:00:00"), finishedAt: at(1, "13:10:00"), firstCommitAt: at(1, "12:00:00") });
  await deployment("b2", { service: "web-x", environment: "staging", version: "2.0.0", outcome: "succeeded", startedAt: at(1, "11:00:00"), finishedAt: at(1, "11:05:00") });
  await deployment("a5", { service: "api-x", environment: "production", version: "1.2.0", outcome: "failed", startedAt: todayAt, finishedAt: new Date(todayAt.getTime() + 60_000), firstCommitAt: new Date(todayAt.getTime() - HOUR) });
  await deployment("b3", { service: "web-x", environment: "production", version: "2.1.0", outcome: "in_progress", startedAt: todayAt });
  await deployment("c1", { service: "lib-x", environment: "production", version: "0.1.0", outcome: "succeeded", startedAt: at(50, "10:00:00"), finishedAt: at(50, "10:05:00"), firstCommitAt: at(51, "10:00:00") });

  await incident("i1", { service: "api-x", environment: "production", startedAt: at(1, "09:30:00"), resolvedAt: at(1, "09:34:00"), mttrSeconds: 240, after: "a3" });
  await incident("i2", { service: "web-x", environment: "production", startedAt: at(1, "14:00:00"), resolvedAt: at(1, "14:10:00"), after: "b1" });
  await incident("i3", { service: "web-x", environment: "production", startedAt: todayAt });
  // No deployment before it.
  await incident("i4", { service: "lib-x", environment: "staging", startedAt: at(2, "02:00:00"), resolvedAt: at(2, "02:02:00") });

  // The last adoption scan found a template in api-x only.
  const scan = await db().adoptionScan.create({ data: { finishedAt: new Date(), repositories: 4, adopting: 1 } });
  await db().adoptionRecord.create({ data: { repo: "demo/api-x", teamId: alpha.id, templateName: "node-ci-cd", version: "1.2.0", source: "workflow", path: ".github/workflows/ci.yml", scanId: scan.id, scannedAt: new Date() } });

  // The last compliance scan: 9 of 10 checks pass; alpha 4 of 4, beta 5 of 6 (and one waived finding).
  const run = await db().complianceRun.create({ data: { finishedAt: new Date(), subjects: 5, evaluations: 10, passed: 9, waived: 1 } });
  await db().complianceSnapshot.createMany({
    data: [
      { runId: run.id, takenAt: new Date(), scope: "overall", key: "", evaluations: 10, passed: 9 },
      { runId: run.id, takenAt: new Date(), scope: "team", key: alpha.slug, evaluations: 4, passed: 4 },
      { runId: run.id, takenAt: new Date(), scope: "team", key: beta.slug, evaluations: 6, passed: 5 },
    ],
  });
  const finding = { runId: run.id, action: "Deny", source: "gitops", environment: "production", team: beta.slug, subjectKind: "Deployment", subjectNamespace: "web", file: "apps/web-x/base/deployment.yaml", line: 12 };
  await db().complianceResult.createMany({
    data: [
      { ...finding, policy: "require-run-as-non-root", message: "Containers must run as non-root user", subjectName: "web-x" },
      { ...finding, policy: "disallow-latest-tag", message: "Images must not use the latest tag", subjectName: "web-x", exceptionId: randomUUID() },
    ],
  });
});

afterAll(async () => {
  await useSharedDatabase();
  await database?.drop();
});

async function rawRows(): Promise<{ deployments: RawDeployment[]; incidents: (RawIncident & { team: string | null })[]; teamOf: Map<string, string> }> {
  const services = await db().service.findMany({ select: { name: true, teamId: true } });
  const teamOf = new Map(services.map((s) => [s.name, s.teamId]));
  const deployments = await db().deployment.findMany();
  const incidents = await db().incident.findMany();
  return {
    deployments: deployments.map((d) => ({ id: d.id, service: d.service, environment: d.environment, version: d.version, kind: d.kind, outcome: d.outcome, startedAt: d.startedAt, finishedAt: d.finishedAt, firstCommitAt: d.firstCommitAt })),
    incidents: incidents.map((i) => ({ id: i.id, service: i.service, environment: i.environment, startedAt: i.startedAt, resolvedAt: i.resolvedAt, mttrSeconds: i.mttrSeconds, precedingDeploymentId: i.precedingDeploymentId, team: teamOf.get(i.service) ?? null })),
    teamOf,
  };
}

/** The summary's delivery and incident values, computed with definitions.ts from the raw rows. */
async function expectedValues(from: string, to: string, teamId?: string) {
  const { deployments, incidents, teamOf } = await rawRows();
  const inPeriod = (t: Date) => dayOf(t) >= from && dayOf(t) <= to;
  const ofTeam = (service: string) => !teamId || teamOf.get(service) === teamId;
  const ds = deployments.filter((d) => inPeriod(d.startedAt) && ofTeam(d.service));
  const is = incidents.filter((i) => inPeriod(i.startedAt) && ofTeam(i.service));
  const all = deliveryTotals(ds, deployments, incidents);
  const production = deliveryTotals(
    ds.filter((d) => d.environment === "production"),
    deployments,
    incidents,
  );
  return {
    deploymentSuccessRate: roundValue(deploymentSuccessRate(all)),
    mttrMinutes: roundValue(mttrMinutes(incidentTotals(is))),
    deploymentFrequency: roundValue(deploymentFrequency(production, daysBetween(from, to))),
    leadTime: roundValue(leadTimeHours(production)),
    changeFailureRate: roundValue(changeFailureRate(production)),
    timeToRestore: roundValue(timeToRestoreMinutes(incidentTotals(is.filter((i) => i.environment === "production")))),
  };
}

const valuesOf = (s: SummaryDto) => ({
  deploymentSuccessRate: s.deploymentSuccessRate.value,
  mttrMinutes: s.mttrMinutes.value,
  deploymentFrequency: s.dora.deploymentFrequency.value,
  leadTime: s.dora.leadTime.value,
  changeFailureRate: s.dora.changeFailureRate.value,
  timeToRestore: s.dora.timeToRestore.value,
});

async function summary(query: Record<string, string> = {}): Promise<SummaryDto> {
  const res = await callJson<SummaryDto>("GET", "/api/v1/insights/summary", { token: erin.token, query });
  expect(res.status).toBe(200);
  return res.body;
}

const LONG = () => ({ from: addDays(today, -59), to: today });

describe("the summary", () => {
  it("answers from the raw rows before the roll-ups exist, with the definitions' values", async () => {
    expect(await db().insightsRollupState.count()).toBe(0);
    const s = await summary();
    expect(s.period).toEqual({ from: addDays(today, -29), to: today, days: 30 });
    expect(s.asOf.rollups).toBeNull();
    expect(valuesOf(s)).toEqual(await expectedValues(addDays(today, -29), today));
    // By hand: a1 a2 a3 b1 b2 a5 finished (a4 is a rollback, b3 still running); a1 a2 b1 b2 succeeded.
    expect(s.deploymentSuccessRate).toMatchObject({ value: 66.667, status: "not_met", target: { operator: ">", value: 99, label: "> 99 %" }, detail: "4 of 6 finished deployments succeeded" });
    // Production: a2 a3 b1 a5; failures a3 (rolled back + incident: once), a5 (failed), b1 (incident) → 3 of 4.
    expect(s.dora.changeFailureRate).toMatchObject({ value: 75, band: "low", status: "not_met" });
    // i1 240 s, i2 600 s, i4 120 s (no deployment before it); i3 open → 320 s.
    expect(s.mttrMinutes).toMatchObject({ value: 5.333, status: "not_met", detail: "3 resolved incidents, 1 open" });
    expect(s.dora.timeToRestore).toMatchObject({ value: 7, band: "elite", status: "met" });
    expect(s.dora.deploymentFrequency).toMatchObject({ value: roundValue(4 / 30), band: "medium" });
  });

  it("gives the same numbers from the roll-ups (recomputed) as from the raw rows", async () => {
    const before = await summary();
    const beforeLong = await summary(LONG());
    const result = await refreshRollups(db());
    expect(result).toMatchObject({ full: true, rolledThrough: addDays(today, -1) });
    expect(await db().insightsDeliveryDaily.count()).toBeGreaterThan(0);
    const after = await summary();
    expect(after.asOf.rollups).not.toBeNull();
    expect(valuesOf(after)).toEqual(valuesOf(before));
    expect(after.dora.deploymentFrequency.trend).toEqual(before.dora.deploymentFrequency.trend);
    expect(valuesOf(await summary(LONG()))).toEqual(valuesOf(beforeLong));
    expect(valuesOf(await summary(LONG()))).toEqual(await expectedValues(LONG().from, LONG().to));
    expect(valuesOf(await summary({ team: alpha.slug, ...LONG() }))).toEqual(await expectedValues(LONG().from, LONG().to, alpha.id));
  });

  it("keeps a trend per day for a short period and the previous period's value", async () => {
    const s = await summary({ from: addDays(today, -6), to: today });
    const points = s.deploymentSuccessRate.trend?.points ?? [];
    expect(s.deploymentSuccessRate.trend?.granularity).toBe("day");
    expect(points.map((p) => p.start)).toEqual(Array.from({ length: 7 }, (_, i) => addDays(today, i - 6)));
    // Yesterday: a3 rolled back, b1 and b2 succeeded → 2 of 3; three days ago: a1 → 100; today: a5 failed → 0.
    expect(points.at(-2)?.value).toBe(66.667);
    expect(points.at(-4)?.value).toBe(100);
    expect(points.at(-1)?.value).toBe(0);
    expect(points[0]?.value).toBeNull();
    // The 7 days before: nothing deployed.
    expect(s.deploymentSuccessRate.trend?.previous).toBeNull();
    expect(s.dora.deploymentFrequency.trend?.previous).toBe(0);
    const long = await summary(LONG());
    expect(long.dora.deploymentFrequency.trend?.granularity).toBe("week");
  });

  it("an incremental roll-up picks up an incident that names an old deployment, and equals a full one", async () => {
    await incident("i5", { service: "lib-x", environment: "production", startedAt: at(49, "08:00:00"), resolvedAt: at(49, "08:30:00"), after: "c1" });
    const incremental = await refreshRollups(db());
    expect(incremental.full).toBe(false);
    const long = await summary(LONG());
    expect(valuesOf(long)).toEqual(await expectedValues(LONG().from, LONG().to));
    // c1 is now a change failure: a2 a3 b1 a5 c1 → a3 a5 b1 c1.
    expect(long.dora.changeFailureRate.value).toBe(80);
    const snapshot = async () => ({
      delivery: await db().insightsDeliveryDaily.findMany({ orderBy: [{ day: "asc" }, { teamId: "asc" }, { environment: "asc" }] }),
      incidents: await db().insightsIncidentDaily.findMany({ orderBy: [{ day: "asc" }, { teamId: "asc" }, { environment: "asc" }] }),
    });
    const afterIncremental = await snapshot();
    await refreshRollups(db(), { full: true });
    expect(await snapshot()).toEqual(afterIncremental);
    // Two runs at once (the hourly one and one asked for): one waits for the other, same rows.
    await Promise.all([refreshRollups(db()), refreshRollups(db(), { full: true })]);
    expect(await snapshot()).toEqual(afterIncremental);
  });

  it("shows template adoption and policy compliance against their targets", async () => {
    const s = await summary();
    // Repositories: api-x (adopting), lib-x, web-x.
    expect(s.templateAdoption).toMatchObject({ value: 33.333, status: "not_met", target: { label: "> 80 %" }, detail: "1 of 3 repositories use a template" });
    expect(s.templateAdoption.trend?.points.at(-1)?.value).toBe(33.333);
    expect(s.policyCompliance).toMatchObject({ value: 90, status: "not_met", target: { operator: "=", value: 100, label: "100 %" } });
    const a = await summary({ team: alpha.slug });
    expect(a.team).toMatchObject({ slug: alpha.slug });
    expect(a.templateAdoption.value).toBe(50);
    expect(a.policyCompliance).toMatchObject({ value: 100, status: "met" });
  });

  it("writes today's adoption per team at each roll-up", async () => {
    await refreshRollups(db());
    const rows = await db().insightsAdoptionDaily.findMany({ where: { day: new Date(`${today}T00:00:00Z`) } });
    expect(rows.map((r) => [r.teamId, r.repositories, r.adopting]).sort()).toEqual(
      [
        [alpha.id, 2, 1],
        [beta.id, 1, 0],
      ].sort(),
    );
  });
});

describe("per team", () => {
  it("gives every team the numbers its own summary gives", async () => {
    const res = await callJson<TeamsDto>("GET", "/api/v1/insights/teams", { token: erin.token, query: LONG() });
    expect(res.status).toBe(200);
    const rowOf = (slug: string) => res.body.teams.find((t) => t.team.slug === slug);
    for (const team of [alpha, beta]) {
      const row = rowOf(team.slug);
      const own = await summary({ team: team.slug, ...LONG() });
      expect(row?.deploymentSuccessRate.value).toBe(own.deploymentSuccessRate.value);
      expect(row?.dora.changeFailureRate).toMatchObject({ value: own.dora.changeFailureRate.value, band: own.dora.changeFailureRate.band });
      expect(row?.dora.leadTime.value).toBe(own.dora.leadTime.value);
      expect(row?.mttrMinutes.value).toBe(own.mttrMinutes.value);
      expect(row?.templateAdoption.value).toBe(own.templateAdoption.value);
      expect(row?.policyCompliance.value).toBe(own.policyCompliance.value);
      expect(row?.deploymentSuccessRate.trend).toBeNull();
    }
    expect(rowOf(beta.slug)?.policyCompliance.value).toBe(83.333);
  });
});

describe("records", () => {
  async function records(query: Record<string, string>): Promise<RecordsDto> {
    const res = await callJson<RecordsDto>("GET", "/api/v1/insights/records", { token: erin.token, query });
    expect(res.status).toBe(200);
    return res.body;
  }

  it("lists the failed and rolled-back deployments behind the success rate", async () => {
    const r = await records({ metric: "deploymentSuccessRate" });
    expect(r.title).toBe("Failed and rolled-back deployments");
    expect(r.items.map((i) => i.id).sort()).toEqual([id("a3"), id("a5")].sort());
    expect(r.items[0]).toMatchObject({ service: "api-x", team: alpha.slug, outcome: "failed", version: "1.2.0" });
    expect(r.columns.map((c) => c.key)).toContain("outcome");
  });

  it("lists change failures once each, with why", async () => {
    const r = await records({ metric: "changeFailureRate", ...LONG() });
    expect(r.total).toBe(4);
    const byId = new Map(r.items.map((i) => [i.id, i]));
    expect(byId.get(id("a3"))).toMatchObject({ reason: "rolled back", incidents: expect.stringMatching(/^#\d+$/) });
    expect(byId.get(id("b1"))).toMatchObject({ reason: "followed by an incident" });
    expect(byId.get(id("a5"))).toMatchObject({ reason: "failed", incidents: null });
  });

  it("lists lead times, with where the clock started", async () => {
    const r = await records({ metric: "leadTime" });
    const byId = new Map(r.items.map((i) => [i.id, i]));
    expect(byId.get(id("a2"))).toMatchObject({ startedBy: "first deployment of the version", hours: 24.17, leadStart: at(3, "10:00:00").toISOString() });
    expect(byId.get(id("b1"))).toMatchObject({ startedBy: "first commit", hours: 1.17 });
    expect(r.total).toBe(3);
  });

  it("lists incidents (open ones too), production only for time to restore", async () => {
    const all = await records({ metric: "mttrMinutes" });
    expect(all.total).toBe(4);
    expect(all.items.find((i) => i.id === id("i4"))).toMatchObject({ minutes: 2, after: "no deployment before it", environment: "staging" });
    expect(all.items.find((i) => i.id === id("i3"))).toMatchObject({ status: "open", minutes: null });
    const production = await records({ metric: "timeToRestore" });
    expect(production.items.map((i) => i.environment)).toEqual(["production", "production", "production"]);
  });

  it("lists repositories not using templates and violations not waived", async () => {
    const repos = await records({ metric: "templateAdoption" });
    expect(repos.items.map((i) => i.repository)).toEqual(["demo/lib-x", "demo/web-x"]);
    const ofBeta = await records({ metric: "templateAdoption", team: beta.slug });
    expect(ofBeta.items.map((i) => i.repository)).toEqual(["demo/web-x"]);
    const violations = await records({ metric: "policyCompliance" });
    expect(violations.items).toEqual([expect.objectContaining({ policy: "require-run-as-non-root", team: beta.slug, file: "apps/web-x/base/deployment.yaml:12", subject: "Deployment web/web-x" })]);
  });

  it("pages with limit and offset", async () => {
    const first = await records({ metric: "mttrMinutes", limit: "3" });
    const second = await records({ metric: "mttrMinutes", limit: "3", offset: "3" });
    expect([first.items.length, second.items.length, first.total, second.total]).toEqual([3, 1, 4, 4]);
    expect(new Set([...first.items, ...second.items].map((i) => i.id)).size).toBe(4);
  });
});

describe("CSV export", () => {
  it("answers any table as CSV for format=csv or Accept: text/csv", async () => {
    const viaQuery = await callRoute("GET", "/api/v1/insights/summary", { token: erin.token, query: { format: "csv" } });
    expect(viaQuery.status).toBe(200);
    expect(viaQuery.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(viaQuery.headers.get("content-disposition")).toMatch(/^attachment; filename="insights-summary-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = (await viaQuery.text()).trimEnd().split("\r\n");
    expect(lines[0]).toBe("Metric,Value,Unit,Target,Status,DORA band,Previous period,Computed from");
    expect(lines[1]).toMatch(/^Template Adoption,33\.333,%,> 80 %,not met,/);
    expect(lines).toHaveLength(9);

    const viaAccept = await callRoute("GET", "/api/v1/insights/teams", { token: erin.token, headers: { accept: "text/csv" } });
    expect(viaAccept.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(await viaAccept.text()).toContain(`${beta.slug},0,`);

    const json = await callRoute("GET", "/api/v1/insights/teams", { token: erin.token, headers: { accept: "application/json, text/csv;q=0.5" } });
    expect(json.headers.get("content-type")).toMatch(/^application\/json/);
  });

  it("documents CSV beside JSON in the OpenAPI document", async () => {
    const doc = await callJson<{ paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>> }>("GET", "/api/v1/openapi.json");
    for (const path of ["/api/v1/insights/summary", "/api/v1/insights/teams", "/api/v1/insights/records"]) {
      expect(Object.keys(doc.body.paths[path]?.get?.responses["200"]?.content ?? {}).sort(), path).toEqual(["application/json", "text/csv"]);
    }
  });

  it("exports every record, not one page", async () => {
    const res = await callRoute("GET", "/api/v1/insights/records", { token: erin.token, query: { metric: "mttrMinutes", limit: "1", format: "csv" } });
    const lines = (await res.text()).trimEnd().split("\r\n");
    expect(lines[0]).toBe("Incident,Started,Resolved,Minutes to recover,Service,Team,Environment,Status,After deployment of,Summary");
    expect(lines).toHaveLength(5);
    expect(res.headers.get("content-disposition")).toContain("insights-mttrMinutes-");
  });
});

describe("validation and permissions", () => {
  it("refuses bad dates, a reversed period and unknown metrics with 400, an unknown team with 404", async () => {
    const bad = await callJson("GET", "/api/v1/insights/summary", { token: erin.token, query: { from: "2026-02-30" } });
    expect(expectErrorBody(bad, 400, "invalid_input").message).toMatch(/from/);
    const notADate = await callJson("GET", "/api/v1/insights/teams", { token: erin.token, query: { to: "yesterday" } });
    expectErrorBody(notADate, 400, "invalid_input");
    const reversed = await callJson("GET", "/api/v1/insights/summary", { token: erin.token, query: { from: "2026-03-10", to: "2026-03-01" } });
    expect(expectErrorBody(reversed, 400, "invalid_input").message).toContain("`from` must not be after `to`");
    const metric = await callJson("GET", "/api/v1/insights/records", { token: erin.token, query: { metric: "happiness" } });
    expectErrorBody(metric, 400, "invalid_input");
    const team = await callJson("GET", "/api/v1/insights/summary", { token: erin.token, query: { team: "no-such-team" } });
    expect(expectErrorBody(team, 404, "not_found").message).toBe('Team "no-such-team" not found.');
    const teamRecords = await callJson("GET", "/api/v1/insights/records", { token: erin.token, query: { metric: "leadTime", team: "no-such-team" } });
    expectErrorBody(teamRecords, 404, "not_found");
  });

  it("refuses a viewer without insights.read", async () => {
    for (const path of ["/api/v1/insights/summary", "/api/v1/insights/teams"] as const) {
      const res = await callJson("GET", path, { token: viewer.token });
      expect(expectErrorBody(res, 403, "forbidden").details).toMatchObject({ permission: "insights.read" });
    }
    const records = await callJson("GET", "/api/v1/insights/records", { token: viewer.token, query: { metric: "leadTime" } });
    expectErrorBody(records, 403, "forbidden");
    const refresh = await callJson("POST", "/api/v1/insights/refresh", { token: viewer.token, body: {} });
    expectErrorBody(refresh, 403, "forbidden");
  });

  it("queues a refresh for leadership, audited", async () => {
    const res = await callJson<{ jobId: string | null }>("POST", "/api/v1/insights/refresh", { cookie: erin.cookie, body: { full: true } });
    expect(res.status).toBe(202);
    const event = await db().auditEvent.findFirstOrThrow({ where: { action: "insights.refresh_requested" }, orderBy: { seq: "desc" } });
    expect(event).toMatchObject({ actorLogin: erin.login, payload: { full: true } });
    const unknown = await callJson("POST", "/api/v1/insights/refresh", { token: erin.token, body: { all: true } });
    expectErrorBody(unknown, 400, "invalid_input");
  });

  it("runs the roll-up as a registered, scheduled job", async () => {
    expect(JOB_DEFINITIONS.map((j) => j.name)).toContain("insights.rollup");
    expect(insightsRollupJob.schedule?.cron).toBe("17 * * * *");
    const log = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} } as unknown as Parameters<typeof insightsRollupJob.handler>[1]["log"];
    const result = await insightsRollupJob.handler({ full: false }, { jobId: "test", attempt: 0, signal: new AbortController().signal, log });
    expect(result).toMatchObject({ full: false, rolledThrough: addDays(today, -1) });
  });
});
