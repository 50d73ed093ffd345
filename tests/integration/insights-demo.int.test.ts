// The demo organisation's history (prisma/seed/demo-history.ts) on a seeded database of its own:
// seeded once, ending at the versions the demo GitOps repository pins, and giving Insights real
// numbers and trends per team.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/core/db/client";
import { insightsSummary, insightsTeams } from "@/lib/insights";
import { pinnedVersions, seedDemoHistory } from "@/prisma/seed/demo-history";
import { createTestDatabase, useDatabase, useSharedDatabase, type TestDatabase } from "../support/database";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase({ seed: true });
  await useDatabase(database.url);
});

afterAll(async () => {
  await useSharedDatabase();
  await database?.drop();
});

describe("the demo history", () => {
  it("is seeded once, a few hundred deployments and their incidents over 90 days, and rolled up", async () => {
    expect(await seedDemoHistory(db())).toBe(true);
    const counts = { deployments: await db().deployment.count(), incidents: await db().incident.count() };
    expect(counts.deployments).toBeGreaterThan(300);
    expect(counts.deployments).toBeLessThan(1500);
    expect(counts.incidents).toBeGreaterThan(5);
    const oldest = await db().deployment.findFirstOrThrow({ orderBy: { startedAt: "asc" } });
    expect(Date.now() - oldest.startedAt.getTime()).toBeLessThanOrEqual(90 * 86_400_000);
    expect(await db().insightsRollupState.findUnique({ where: { id: "global" } })).toMatchObject({ lastFullAt: expect.any(Date) });
    // Again: nothing more.
    expect(await seedDemoHistory(db())).toBe(false);
    expect({ deployments: await db().deployment.count(), incidents: await db().incident.count() }).toEqual(counts);
  });

  it("ends at the versions the GitOps repository pins, and leaves the walkthrough's services a quiet week", async () => {
    const rows = await db().deployment.findMany({ where: { outcome: { not: "failed" } }, orderBy: { startedAt: "asc" }, select: { service: true, environment: true, version: true } });
    const last = new Map(rows.map((r) => [`${r.service}/${r.environment}`, r.version]));
    for (const [service, versions] of pinnedVersions()) {
      for (const [environment, version] of Object.entries(versions)) expect(last.get(`${service}/${environment}`), `${service}/${environment}`).toBe(version);
    }
    const weekAgo = new Date(Date.now() - 8 * 86_400_000);
    expect(await db().deployment.count({ where: { service: { in: ["backend-api", "frontend"] }, startedAt: { gt: weekAgo } } })).toBe(0);
    // Every incident names the production deployment that caused it.
    const incidents = await db().incident.findMany({ select: { precedingDeploymentId: true, environment: true } });
    expect(incidents.every((i) => i.precedingDeploymentId !== null && i.environment === "production")).toBe(true);
  });

  it("gives every delivery number a value and a trend, and tells the teams apart", async () => {
    const s = await insightsSummary(db(), {});
    for (const m of [s.deploymentSuccessRate, s.mttrMinutes, s.dora.deploymentFrequency, s.dora.leadTime, s.dora.changeFailureRate, s.dora.timeToRestore]) {
      expect(m.value, m.label).not.toBeNull();
      expect(m.trend?.points.filter((p) => p.value !== null).length, m.label).toBeGreaterThan(m.metric === "mttrMinutes" || m.metric === "timeToRestore" ? 1 : 15);
    }
    expect(s.deploymentSuccessRate.status).toBe("not_met");
    const teams = await insightsTeams(db(), { from: new Date(Date.now() - 89 * 86_400_000).toISOString().slice(0, 10) });
    const band = (slug: string) => teams.teams.find((t) => t.team.slug === slug)?.dora.leadTime.band;
    expect(band("payments")).toBe("elite");
    expect(band("platform")).toBe("high");
  });
});
