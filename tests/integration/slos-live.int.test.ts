// SLO status from the metrics source, through the real routes, on both databases: the sandbox
// cluster over a real local GitOps repository, and its simulated metrics (as the demo runs them).
// A healthy service's SLO is ok; once the version it runs is marked bad with mode "errors" its
// budget burns and the SLO pages (risk critical) in the list and on its own; with `totals` the
// budget is also counted in requests. A metrics source that fails gives the last values with
// their age, never an error; one that never answered gives no status, with the reason.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/core/db/client";
import type { GitHost } from "@/lib/core/ports/git-host";
import { gitopsSnapshot, versionIn } from "@/lib/delivery/gitops-state";
import { setGitOpsEngine } from "@/lib/delivery/engine";
import { SandboxCluster } from "@/lib/integrations/sandbox-cluster";
import { SandboxMetricsSource, forgetObservation, observeTraffic, setMetricsSource } from "@/lib/metrics";
import type { SloDto } from "@/lib/slos";
import { forgetLastKnownStatuses } from "@/lib/slos/live";
import { useDemoGitOps } from "../support/catalog";
import { createTestDatabase, useDatabase, useSharedDatabase, type TestDatabase } from "../support/database";
import { makePerson, unique, type TestPerson } from "../support/factory";
import { callJson } from "../support/http";
import { BASE_ERROR_RATE } from "@/lib/integrations/sandbox-cluster/model";

const HOUR = 3_600_000;
let database: TestDatabase;
let host: GitHost;
let cluster: SandboxCluster;
let sre: TestPerson;
let viewer: TestPerson;
/** The sandbox source's clock: moved forward to let a failure burn budget for hours. */
const clock = { now: Date.now() };

beforeAll(async () => {
  database = await createTestDatabase({ seed: true });
  await useDatabase(database.url);
  const git = await useDemoGitOps();
  host = git.host;
  cluster = new SandboxCluster({ db: db(), host, speed: 0 });
  setGitOpsEngine(cluster);
  setMetricsSource(new SandboxMetricsSource(() => observeTraffic(db(), cluster, clock.now), () => clock.now));
  await cluster.listApplications();
  forgetObservation();
  forgetLastKnownStatuses();
  sre = await makePerson(["sre"], { prefix: "livesre" });
  viewer = await makePerson(["viewer"], { prefix: "liveviewer" });
});

afterAll(async () => {
  setGitOpsEngine(undefined);
  setMetricsSource(undefined);
  forgetObservation();
  forgetLastKnownStatuses();
  await useSharedDatabase();
  await database?.drop();
});

type Page = { items: SloDto[]; total: number };
const getOne = async (id: string) => {
  const res = await callJson<SloDto>("GET", "/api/v1/slos/{id}", { params: { id }, token: viewer.token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};
const list = async (query: Record<string, string>) => {
  const res = await callJson<Page>("GET", "/api/v1/slos", { query, token: viewer.token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
};
const define = async (service: string, environment: string, objective = 99) => {
  const res = await callJson<SloDto>("POST", "/api/v1/slos", { body: { name: unique("live"), service, kind: "availability", objective, environment, sli: { source: "http" } }, token: sre.token });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
};

describe("SLO status from the sandbox's metrics", () => {
  it("is ok for a healthy service, then burns budget and pages once its version serves errors", async () => {
    const slo = await define("backend-api", "staging");
    // The answer to a write does not ask the metrics source.
    expect(slo).toMatchObject({ status: null, freshness: null });

    clock.now = Date.now();
    forgetObservation();
    const healthy = await getOne(slo.id);
    expect(healthy.freshness).toMatchObject({ source: "sandbox", computedFrom: "sli-queries", stale: false, ageSeconds: 0, error: null });
    expect(healthy.status!.risk.level).toBe("ok");
    expect(healthy.status!.sli).toBeCloseTo(100 * (1 - BASE_ERROR_RATE), 3);
    expect(healthy.status!.alerts).toEqual({ page: false, ticket: false });
    // One SLO's page also counts the budget in requests.
    expect(healthy.status!.budget.remaining.requests).toBeGreaterThan(0);
    expect(healthy.status!.budget.remainingPercent).toBeGreaterThan(75);

    // The version staging runs is marked bad: a quarter of its requests fail from now on.
    const version = versionIn((await gitopsSnapshot(host))!, "backend-api", "staging")!;
    await cluster.markBadVersion("backend-api", version, "errors");
    clock.now += 1000;
    forgetObservation();
    await list({ service: "backend-api" });
    // Two hours later.
    clock.now += 2 * HOUR;
    forgetObservation();
    const burning = await getOne(slo.id);
    expect(burning.status!.risk.level).not.toBe("ok");
    expect(burning.status!.risk.level).toBe("critical");
    expect(burning.status!.alerts.page).toBe(true);
    expect(burning.status!.burnRates.find((b) => b.window === "1h")!.burnRate).toBeGreaterThan(14.4);
    expect(burning.status!.burnRates.find((b) => b.window === "5m")!.errorRatio).toBeCloseTo(0.25, 2);
    expect(burning.status!.budget.remainingPercent!).toBeLessThan(healthy.status!.budget.remainingPercent!);
    expect(burning.status!.exhaustsInHours).toBeGreaterThan(0);

    // The list: the same status for every SLO of the page, one batch; the budget in minutes.
    const page = await list({ service: "backend-api" });
    const listed = page.items.find((i) => i.id === slo.id)!;
    expect(listed.status!.risk.level).toBe("critical");
    expect(listed.status!.budget.remaining.minutes).toBeGreaterThan(0);
    expect(listed.status!.budget.remaining.requests).toBeNull();
    // The demo's own backend-api SLOs read production, which still runs a healthy version.
    const production = page.items.find((i) => i.name === "availability" && i.environment === "production")!;
    expect(production.status!.burnRates.find((b) => b.window === "1h")!.errorRatio).toBeCloseTo(BASE_ERROR_RATE, 6);

    await cluster.clearBadVersion("backend-api", version);
  });

  it("shows the last values with their age when the metrics source fails, never an error", async () => {
    const slo = await define("frontend", "staging");
    // A first answer five minutes ago…
    clock.now = Date.now() - 5 * 60_000;
    forgetObservation();
    const before = await getOne(slo.id);
    expect(before.freshness).toMatchObject({ stale: false, fetchedAt: new Date(clock.now).toISOString() });
    const listedBefore = (await list({ service: "frontend" })).items.find((i) => i.id === slo.id)!;

    // …then the source fails.
    setMetricsSource(
      new SandboxMetricsSource(async () => {
        throw new Error("connect ECONNREFUSED 127.0.0.1:9090");
      }),
    );
    try {
      const stale = await getOne(slo.id);
      expect(stale.status).toEqual(before.status);
      expect(stale.freshness).toMatchObject({ source: "sandbox", stale: true, fetchedAt: before.freshness!.fetchedAt });
      expect(stale.freshness!.ageSeconds).toBeGreaterThanOrEqual(299);
      expect(stale.freshness!.ageSeconds).toBeLessThan(330);
      expect(stale.freshness!.error).toMatch(/ECONNREFUSED/);
      const listed = (await list({ service: "frontend" })).items.find((i) => i.id === slo.id)!;
      expect(listed.status).toEqual(listedBefore.status);
      expect(listed.freshness).toMatchObject({ stale: true });

      // An SLO the source never answered for: no status, and why.
      const fresh = await define("frontend", "staging");
      const none = await getOne(fresh.id);
      expect(none.status).toBeNull();
      expect(none.freshness).toMatchObject({ stale: true, fetchedAt: null, ageSeconds: null, error: expect.stringMatching(/ECONNREFUSED/) });
    } finally {
      setMetricsSource(new SandboxMetricsSource(() => observeTraffic(db(), cluster, clock.now), () => clock.now));
    }
  });
});
