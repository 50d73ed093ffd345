// Every definition on hand-computed fixtures. The fixture's numbers are worked out in the
// comments next to each expectation.
import { describe, expect, it } from "vitest";
import {
  DEFINITIONS,
  EMPTY_DELIVERY,
  addDays,
  bandOf,
  bucketIndex,
  bucketsOf,
  changeFailureRate,
  changeFailureReason,
  daysBetween,
  deliveryTotals,
  deploymentFrequency,
  deploymentSuccessRate,
  granularityFor,
  incidentTotals,
  leadTimeHours,
  leadTimeSeconds,
  leadTimeStart,
  mttrMinutes,
  policyCompliance,
  previousPeriod,
  restoreSeconds,
  statusOf,
  templateAdoption,
  timeToRestoreMinutes,
  type RawDeployment,
  type RawIncident,
} from "./definitions.ts";
import { csvCell, toCsv } from "./csv.ts";

const at = (s: string) => new Date(`2026-03-${s}Z`);

function dep(id: string, over: Partial<RawDeployment>): RawDeployment {
  return { id, service: "api", environment: "production", version: "1.0.0", kind: "deploy", outcome: "succeeded", startedAt: at("01T00:00:00"), finishedAt: null, firstCommitAt: null, ...over };
}

// api 1.0.0 goes dev (1 Mar) → production (2 Mar); 1.1.0 reaches production and is rolled back
// (and an incident names it); 1.2.0 fails; web 2.0.0 reaches production and causes an incident.
const d1 = dep("d1", { environment: "dev", startedAt: at("01T10:00:00"), finishedAt: at("01T10:05:00") });
const d2 = dep("d2", { startedAt: at("02T10:00:00"), finishedAt: at("02T10:10:00") });
const d3 = dep("d3", { version: "1.1.0", outcome: "rolled_back", startedAt: at("03T09:00:00"), finishedAt: at("03T09:20:00"), firstCommitAt: at("02T09:00:00") });
const d4 = dep("d4", { kind: "rollback", version: "1.0.0", startedAt: at("03T10:00:00"), finishedAt: at("03T10:03:00") });
const d5 = dep("d5", { version: "1.2.0", outcome: "failed", startedAt: at("04T12:00:00"), finishedAt: at("04T12:30:00"), firstCommitAt: at("04T08:00:00") });
const d6 = dep("d6", { service: "web", version: "2.0.0", startedAt: at("04T13:00:00"), finishedAt: at("04T13:10:00"), firstCommitAt: at("04T12:00:00") });
const d7 = dep("d7", { service: "web", version: "2.1.0", outcome: "in_progress", startedAt: at("05T09:00:00") });
const d8 = dep("d8", { service: "web", environment: "staging", version: "2.0.0", startedAt: at("04T11:00:00"), finishedAt: at("04T11:05:00") });
const ALL = [d1, d2, d3, d4, d5, d6, d7, d8];
const PRODUCTION = ALL.filter((d) => d.environment === "production");

function inc(id: string, over: Partial<RawIncident>): RawIncident {
  return { id, service: "api", environment: "production", startedAt: at("01T00:00:00"), resolvedAt: null, mttrSeconds: null, precedingDeploymentId: null, ...over };
}
const i1 = inc("i1", { startedAt: at("03T09:30:00"), resolvedAt: at("03T09:34:00"), mttrSeconds: 240, precedingDeploymentId: "d3" });
const i2 = inc("i2", { service: "web", startedAt: at("04T14:00:00"), resolvedAt: at("04T14:10:00"), precedingDeploymentId: "d6" });
const i3 = inc("i3", { service: "web", startedAt: at("05T01:00:00") });
// No deployment before it: counts for recovery, never as a change failure.
const i4 = inc("i4", { service: "db", environment: "staging", startedAt: at("05T02:00:00"), resolvedAt: at("05T02:02:00") });
const INCIDENTS = [i1, i2, i3, i4];

describe("enterprise metrics", () => {
  it("deployment success rate: succeeded of finished deployments, every environment, rollbacks and running ones left out", () => {
    const t = deliveryTotals(ALL, ALL, INCIDENTS);
    // Counted: d1 d2 d3 d5 d6 d8 (d4 is a rollback, d7 still running); succeeded: d1 d2 d6 d8.
    expect(t).toMatchObject({ deployments: 6, succeeded: 4, failed: 1, rolledBack: 1 });
    expect(deploymentSuccessRate(t)).toBeCloseTo((4 / 6) * 100, 10);
    expect(statusOf(deploymentSuccessRate(t), DEFINITIONS.deploymentSuccessRate.target)).toBe("not_met");
  });

  it("no deployments: no success rate, no change failure rate, no lead time, and a frequency of 0 (band low)", () => {
    const t = deliveryTotals([], [], INCIDENTS);
    expect(t).toEqual(EMPTY_DELIVERY);
    expect(deploymentSuccessRate(t)).toBeNull();
    expect(statusOf(deploymentSuccessRate(t), DEFINITIONS.deploymentSuccessRate.target)).toBe("no_data");
    expect(changeFailureRate(t)).toBeNull();
    expect(leadTimeHours(t)).toBeNull();
    expect(deploymentFrequency(t, 7)).toBe(0);
    expect(bandOf("deploymentFrequency", deploymentFrequency(t, 7))).toBe("low");
    expect(bandOf("changeFailureRate", changeFailureRate(t))).toBeNull();
  });

  it("MTTR: mean of the resolved incidents, every environment, open ones left out", () => {
    const t = incidentTotals(INCIDENTS);
    // Resolved: i1 240 s (recorded), i2 600 s (from its times), i4 120 s → 960 s / 3 = 320 s = 5.333 min.
    expect(t).toEqual({ incidents: 4, resolved: 3, restoreSeconds: 960 });
    expect(mttrMinutes(t)).toBeCloseTo(320 / 60, 10);
    expect(statusOf(mttrMinutes(t), DEFINITIONS.mttrMinutes.target)).toBe("not_met");
    expect(restoreSeconds(i3)).toBeNull();
    expect(mttrMinutes(incidentTotals([]))).toBeNull();
  });

  it("template adoption: adopting of the teams' repositories", () => {
    expect(templateAdoption({ repositories: 14, adopting: 12 })).toBeCloseTo(85.714, 2);
    expect(statusOf(templateAdoption({ repositories: 14, adopting: 12 }), DEFINITIONS.templateAdoption.target)).toBe("met");
    expect(statusOf(templateAdoption({ repositories: 10, adopting: 8 }), DEFINITIONS.templateAdoption.target)).toBe("not_met"); // 80 is not > 80
    expect(templateAdoption({ repositories: 0, adopting: 0 })).toBeNull();
    expect(templateAdoption(null)).toBeNull();
  });

  it("policy compliance: passed of evaluated checks; the target is exactly 100 %", () => {
    expect(policyCompliance({ evaluations: 200, passed: 200 })).toBe(100);
    expect(statusOf(100, DEFINITIONS.policyCompliance.target)).toBe("met");
    expect(policyCompliance({ evaluations: 200, passed: 199 })).toBe(99.5);
    expect(statusOf(99.5, DEFINITIONS.policyCompliance.target)).toBe("not_met");
    expect(policyCompliance({ evaluations: 0, passed: 0 })).toBeNull();
  });

  it("targets are read as the seed states them: strict > and <", () => {
    expect(statusOf(99, DEFINITIONS.deploymentSuccessRate.target)).toBe("not_met");
    expect(statusOf(99.01, DEFINITIONS.deploymentSuccessRate.target)).toBe("met");
    expect(statusOf(5, DEFINITIONS.mttrMinutes.target)).toBe("not_met");
    expect(statusOf(4.99, DEFINITIONS.mttrMinutes.target)).toBe("met");
    expect(statusOf(null, DEFINITIONS.mttrMinutes.target)).toBe("no_data");
  });
});

describe("DORA four keys", () => {
  const production = deliveryTotals(PRODUCTION, ALL, INCIDENTS);

  it("a rollback is counted once: the rolled-back deployment is one change failure, the rollback deployment no change", () => {
    // d3 was rolled back, an incident names it, and d4 rolled it back: one change, one failure.
    const t = deliveryTotals([d3, d4], ALL, [i1]);
    expect(t).toMatchObject({ deployments: 1, rolledBack: 1, changeFailures: 1 });
    expect(changeFailureRate(t)).toBe(100);
    expect(changeFailureReason(d3, new Set(["d3"]))).toBe("rolled_back");
    expect(changeFailureReason(d4, new Set(["d4"]))).toBeNull();
  });

  it("an incident with no deployment before it fails no change", () => {
    const t = deliveryTotals([d1, d8], ALL, [i4]);
    expect(t).toMatchObject({ deployments: 2, changeFailures: 0 });
    expect(changeFailureRate(t)).toBe(0);
  });

  it("change failure rate: failed, rolled back or followed by an incident, of production deployments", () => {
    // Production, counted: d2 d3 d5 d6. Failures: d3 (rolled back), d5 (failed), d6 (incident i2) → 3 of 4.
    expect(production).toMatchObject({ deployments: 4, succeeded: 2, failed: 1, rolledBack: 1, changeFailures: 3 });
    expect(changeFailureRate(production)).toBe(75);
    expect(bandOf("changeFailureRate", 75)).toBe("low");
    expect(changeFailureReason(d6, new Set(["d6"]))).toBe("incident");
    expect(changeFailureReason(d2, new Set(["d6"]))).toBeNull();
  });

  it("lead time: first commit to production, else the version's first deployment in the 30 days before", () => {
    // d2: no commit time; api 1.0.0 first deployed to dev at 1 Mar 10:00 → 2 Mar 10:10 = 24 h 10 min.
    expect(leadTimeStart(d2, ALL)).toEqual(at("01T10:00:00"));
    expect(leadTimeSeconds(d2, ALL)).toBe(24 * 3600 + 600);
    // d3: commit 2 Mar 09:00 → 3 Mar 09:20 = 24 h 20 min (rolled back, but it reached production).
    expect(leadTimeSeconds(d3, ALL)).toBe(24 * 3600 + 1200);
    // d6: commit 4 Mar 12:00 → 13:10 = 70 min. d5 failed: never reached production.
    expect(leadTimeSeconds(d6, ALL)).toBe(4200);
    expect(leadTimeSeconds(d5, ALL)).toBeNull();
    expect(leadTimeSeconds(d4, ALL)).toBeNull();
    expect(production.leadTimeCount).toBe(3);
    expect(production.leadTimeSeconds).toBe(87_000 + 87_600 + 4_200);
    expect(leadTimeHours(production)).toBeCloseTo(178_800 / 3 / 3600, 10); // 16.56 h
    expect(bandOf("leadTime", leadTimeHours(production))).toBe("elite");
  });

  it("lead time fallback looks back 30 days, no further", () => {
    const old = dep("old", { environment: "dev", version: "9.0.0", startedAt: new Date("2026-01-30T10:00:00Z"), finishedAt: new Date("2026-01-30T10:01:00Z") });
    const recent = dep("recent", { environment: "staging", version: "9.0.0", startedAt: new Date("2026-02-20T10:00:00Z"), finishedAt: new Date("2026-02-20T10:01:00Z") });
    const prod = dep("prod", { version: "9.0.0", startedAt: at("02T10:00:00"), finishedAt: at("02T10:00:30") });
    // 30 days before 2 Mar 10:00 is 31 Jan 10:00: the dev deployment of 30 Jan is too old.
    expect(leadTimeStart(prod, [old, recent, prod])).toEqual(recent.startedAt);
    expect(leadTimeStart(prod, [old, prod])).toEqual(prod.startedAt);
    expect(leadTimeSeconds(prod, [old, prod])).toBe(30);
  });

  it("deployment frequency: production deployments per day of the period", () => {
    // 4 counted production deployments over 1–5 March.
    expect(deploymentFrequency(production, daysBetween("2026-03-01", "2026-03-05"))).toBeCloseTo(0.8, 10);
    expect(bandOf("deploymentFrequency", 0.8)).toBe("high");
  });

  it("time to restore: production incidents only", () => {
    // i1 240 s + i2 600 s; i3 open → 420 s = 7 min.
    const t = incidentTotals(INCIDENTS.filter((i) => i.environment === "production"));
    expect(timeToRestoreMinutes(t)).toBe(7);
    expect(bandOf("timeToRestore", 7)).toBe("elite");
  });

  it("bands: each reaches the next one's boundary, a boundary takes the better band", () => {
    expect([1, 1 / 7, 1 / 7 - 0.001, 1 / 30, 0.01].map((v) => bandOf("deploymentFrequency", v))).toEqual(["elite", "high", "medium", "medium", "low"]);
    expect([24, 24.5, 168, 169, 720, 721].map((v) => bandOf("leadTime", v))).toEqual(["elite", "high", "high", "medium", "medium", "low"]);
    expect([0, 5, 5.01, 10, 15, 15.1].map((v) => bandOf("changeFailureRate", v))).toEqual(["elite", "elite", "high", "high", "medium", "low"]);
    expect([60, 61, 1440, 1441, 10080, 10081].map((v) => bandOf("timeToRestore", v))).toEqual(["elite", "high", "high", "medium", "medium", "low"]);
    expect(statusOf(1, DEFINITIONS.deploymentFrequency.target)).toBe("met");
    expect(statusOf(24.5, DEFINITIONS.leadTime.target)).toBe("not_met");
  });
});

describe("periods and trend buckets", () => {
  it("counts days both ends included and finds the previous period", () => {
    expect(daysBetween("2026-03-01", "2026-03-01")).toBe(1);
    expect(daysBetween("2026-02-01", "2026-03-02")).toBe(30);
    expect(addDays("2026-02-28", 1)).toBe("2026-03-01");
    expect(previousPeriod("2026-03-08", "2026-03-14")).toEqual({ from: "2026-03-01", to: "2026-03-07" });
  });

  it("chooses days up to a month, weeks up to half a year, months beyond", () => {
    expect([7, 31, 32, 190, 191, 730].map(granularityFor)).toEqual(["day", "day", "week", "week", "month", "month"]);
  });

  it("cuts weeks at Mondays and months at the first, clipped to the period", () => {
    // 1 March 2026 is a Sunday.
    expect(bucketsOf("2026-03-01", "2026-03-20", "week")).toEqual([
      { start: "2026-03-01", end: "2026-03-01" },
      { start: "2026-03-02", end: "2026-03-08" },
      { start: "2026-03-09", end: "2026-03-15" },
      { start: "2026-03-16", end: "2026-03-20" },
    ]);
    expect(bucketsOf("2026-01-15", "2026-03-10", "month")).toEqual([
      { start: "2026-01-15", end: "2026-01-31" },
      { start: "2026-02-01", end: "2026-02-28" },
      { start: "2026-03-01", end: "2026-03-10" },
    ]);
    const days = bucketsOf("2026-03-01", "2026-03-03", "day");
    expect(days.map((b) => b.start)).toEqual(["2026-03-01", "2026-03-02", "2026-03-03"]);
    const weeks = bucketsOf("2026-03-01", "2026-03-20", "week");
    expect(["2026-03-01", "2026-03-02", "2026-03-08", "2026-03-20", "2026-03-21", "2026-02-28"].map((d) => bucketIndex(weeks, d))).toEqual([0, 1, 1, 3, -1, -1]);
  });
});

describe("CSV", () => {
  it("quotes what needs quoting and defuses formulas", () => {
    expect(csvCell('say "hi", twice')).toBe('"say ""hi"", twice"');
    expect(csvCell("=HYPERLINK(1)")).toBe("'=HYPERLINK(1)");
    expect(csvCell(-1.5)).toBe("-1.5");
    expect(csvCell(null)).toBe("");
    expect(toCsv([{ key: "a", label: "A" }, { key: "b", label: "B, b" }], [{ a: 1, b: "x\ny" }, { a: null, b: "plain" }])).toBe('A,"B, b"\r\n1,"x\ny"\r\n,plain\r\n');
  });
});
