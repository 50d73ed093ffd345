// The error-budget gate of a promotion, from the SLOs of the promoted services on the target
// environment, read live from the metrics source: a service whose budget is spent blocks a
// production promotion (the gate and the promotion policy), an override with a reason lets it
// through with a warning, and a metrics source that cannot answer leaves the gate without data,
// saying so, instead of failing the promotion.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/core/db/client";
import type { GitHost } from "@/lib/core/ports/git-host";
import { MetricsUnavailableError, type MetricsSource } from "@/lib/core/ports/metrics-source";
import { setGitOpsEngine } from "@/lib/delivery/engine";
import type { PromotionDto } from "@/lib/delivery";
import { SandboxCluster } from "@/lib/integrations/sandbox-cluster";
import { setMetricsSource } from "@/lib/metrics/source";
import { SandboxMetricsSource } from "@/lib/metrics/sandbox-source";
import { HEALTHY, newSeries } from "@/lib/metrics/traffic";
import { forgetLastKnownStatuses } from "@/lib/slos/live";
import { useDemoGitOps } from "../support/catalog";
import { createTestDatabase, useDatabase, useSharedDatabase, type TestDatabase } from "../support/database";
import { makePerson, type TestPerson } from "../support/factory";
import { callJson, type ErrorBody } from "../support/http";

let database: TestDatabase;
let host: GitHost;
let carol: TestPerson;

const DAY = 86_400_000;
/** backend-api has failed a quarter of its production requests for weeks; frontend is healthy. */
function traffic(): SandboxMetricsSource {
  const now = Date.now();
  const bad = { errorRate: 0.25, slowShare: 0 };
  return new SandboxMetricsSource(async () => [
    newSeries("backend-api", "production", now - 40 * DAY, bad, bad),
    newSeries("frontend", "production", now - 40 * DAY, HEALTHY),
  ]);
}

beforeAll(async () => {
  database = await createTestDatabase({ seed: true });
  await useDatabase(database.url);
  const git = await useDemoGitOps();
  host = git.host;
  const cluster = new SandboxCluster({ db: db(), host, speed: 0 });
  setGitOpsEngine(cluster);
  await cluster.listApplications();
  const platform = await db().team.findUniqueOrThrow({ where: { slug: "platform" } });
  carol = await makePerson(["release-manager"], { team: { id: platform.id, slug: platform.slug }, prefix: "carol" });
});

afterAll(async () => {
  setMetricsSource(undefined);
  setGitOpsEngine(undefined);
  await useSharedDatabase();
  await database?.drop();
});

const promote = (body: Record<string, unknown>) => callJson<PromotionDto & ErrorBody>("POST", "/api/v1/promotions", { body, token: carol.token });
const release = { environment: "production", services: [{ name: "frontend", version: "3.2.0" }, { name: "backend-api", version: "1.5.0" }] };

describe("the error-budget gate", () => {
  it("blocks a production promotion of a service whose budget is spent, naming it, in the gate and the policy", async () => {
    // The demo organisation's SLOs watch production (backend-api availability 99.95 %, frontend's own).
    expect(await db().slo.count({ where: { environment: "production", service: { name: { in: ["backend-api", "frontend"] } } } })).toBeGreaterThan(0);
    setMetricsSource(traffic());
    const res = await promote(release);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const budget = res.body.gates.find((g) => g.id === "error-budget")!;
    expect(budget.status).toBe("blocked");
    expect(budget.message).toContain("backend-api");
    expect(budget.message).not.toContain("frontend");
    expect(budget.details.find((d) => d.startsWith("backend-api"))).toMatch(/-?\d+(\.\d)?% left/);
    const policies = res.body.gates.find((g) => g.id === "policies")!;
    expect(policies.status).toBe("blocked");
    expect(policies.details.join("\n")).toMatch(/budget/i);
  });

  it("lets an override with a reason through as a warning", async () => {
    setMetricsSource(traffic());
    const res = await promote({ ...release, budgetOverride: "Hotfix for INC-42: the fix is the release itself." });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.gates.find((g) => g.id === "error-budget")).toMatchObject({ status: "warning", message: expect.stringContaining("overridden") });
  });

  it("says it has no data, without failing the promotion, when the metrics source cannot answer", async () => {
    const down: MetricsSource = {
      kind: "prometheus",
      query: () => Promise.reject(new MetricsUnavailableError("connection refused")),
      queryRange: () => Promise.reject(new MetricsUnavailableError("connection refused")),
      queryBatch: (qs) => Promise.resolve(qs.map((query) => ({ query, ok: false as const, error: { kind: "unavailable" as const, message: "connection refused" } }))),
    };
    setMetricsSource(down);
    // (Within a process the last statuses read are served, stale, while the source is down: forget them.)
    forgetLastKnownStatuses();
    const res = await promote(release);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const budget = res.body.gates.find((g) => g.id === "error-budget")!;
    expect(budget.status).toBe("warning");
    expect(budget.message).toMatch(/could not be read/);
  });
});
