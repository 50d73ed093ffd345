import { describe, expect, it } from "vitest";
import type { SloFreshness, SloStatus } from "@/lib/slos/schemas";
import {
  alertStateOf,
  applyFilters,
  budgetAmount,
  burnBar,
  compareByRisk,
  formatAge,
  formatBurnRate,
  formatCount,
  formatMinutes,
  formatPercent,
  freshnessNote,
  groupByTeam,
  readFilters,
  riskCounts,
  stalest,
  writeFilters,
} from "./model";

function status(level: SloStatus["risk"]["level"], score = 0, over: Partial<SloStatus> = {}): SloStatus {
  return {
    sli: 99.95,
    errorRatio: 0.0005,
    budget: {
      ratio: 0.001,
      consumedRatio: 0.5,
      remainingRatio: 0.5,
      remainingPercent: 50,
      unit: "requests",
      total: { minutes: 43.2, requests: null },
      remaining: { minutes: 21.6, requests: null },
    },
    burnRates: [{ window: "1h", errorRatio: 0.002, burnRate: 2 }],
    alerts: { page: level === "critical", ticket: false },
    exhaustsInHours: null,
    risk: { level, score, reason: "" },
    ...over,
  };
}

const item = (name: string, service: string, team: string, s: SloStatus | null) => ({
  name,
  displayName: name.toUpperCase(),
  service: { name: service },
  ownerTeam: { slug: team, name: team[0]!.toUpperCase() + team.slice(1) },
  status: s,
});

describe("risk order", () => {
  it("puts exhausted, critical, warning, ok, then unknown first, higher scores first within a level", () => {
    const items = [
      item("a", "svc", "t", status("ok", 0.2)),
      item("b", "svc", "t", null),
      item("c", "svc", "t", status("warning", 1.1)),
      item("d", "svc", "t", status("exhausted", 3)),
      item("e", "svc", "t", status("critical", 2.1)),
      item("f", "svc", "t", status("warning", 1.6)),
      item("g", "svc", "t", status("unknown")),
    ];
    expect([...items].sort(compareByRisk).map((i) => i.name)).toEqual(["d", "e", "f", "c", "a", "b", "g"]);
    expect(riskCounts(items)).toEqual({ exhausted: 1, critical: 1, warning: 2, ok: 1, unknown: 2 });
  });
});

describe("wording", () => {
  it("formats percentages, minutes, counts and burn rates", () => {
    expect(formatPercent(99.9)).toBe("99.9%");
    expect(formatPercent(99.95)).toBe("99.95%");
    expect(formatPercent(73.21234)).toBe("73.21%");
    expect(formatPercent(null)).toBe("—");
    expect(formatMinutes(21.6)).toBe("21.6 min");
    expect(formatMinutes(90)).toBe("1.5 h");
    expect(formatMinutes(4320)).toBe("3 d");
    expect(formatMinutes(-12)).toBe("−12 min");
    expect(formatCount(1234)).toBe("1.2K");
    expect(formatCount(2_500_000)).toBe("2.5M");
    expect(formatCount(-40)).toBe("−40");
    expect(formatBurnRate(14.4)).toBe("14.4×");
    expect(formatBurnRate(0.234)).toBe("0.23×");
    expect(formatBurnRate(250.4)).toBe("250×");
    expect(formatBurnRate(null)).toBe("—");
  });

  it("counts the budget in requests when known, else in minutes", () => {
    expect(budgetAmount(status("ok"))).toEqual({ left: "21.6 min", of: "43.2 min", unit: "minutes" });
    const withRequests = status("ok", 0, { budget: { ...status("ok").budget, total: { minutes: 43.2, requests: 4000 }, remaining: { minutes: 21.6, requests: 2000 } } });
    expect(budgetAmount(withRequests)).toEqual({ left: "2K requests", of: "4K requests", unit: "requests" });
    expect(budgetAmount(null)).toBeNull();
  });

  it("says which alert holds", () => {
    expect(alertStateOf(status("critical"))).toBe("page");
    expect(alertStateOf(status("warning", 1, { alerts: { page: false, ticket: true } }))).toBe("ticket");
    expect(alertStateOf(status("ok"))).toBe("quiet");
    expect(alertStateOf(null)).toBe("unknown");
  });
});

describe("freshness", () => {
  const base: SloFreshness = { source: "prometheus", computedFrom: "recording-rules", fetchedAt: "2026-11-27T12:00:00.000Z", stale: false, ageSeconds: 0, error: null };
  it("says nothing when fresh, the age when stale, and why when there is nothing", () => {
    expect(freshnessNote(base)).toBeNull();
    expect(freshnessNote(null)).toBeNull();
    expect(freshnessNote({ ...base, stale: true, ageSeconds: 240, error: "timeout" })).toEqual({ tone: "warning", text: "As of 4 minutes ago (Prometheus unreachable)" });
    expect(freshnessNote({ ...base, stale: true, ageSeconds: null, fetchedAt: null, error: "ECONNREFUSED" })!.text).toBe("No values yet: Prometheus cannot be reached (ECONNREFUSED)");
    expect(freshnessNote({ ...base, source: "sandbox", error: "The sandbox has no series named x" })!.tone).toBe("danger");
    expect(formatAge(1)).toBe("1 second");
    expect(formatAge(7200)).toBe("2 hours");
    expect(formatAge(3 * 86_400)).toBe("3 days");
  });
  it("picks the stalest of a list", () => {
    expect(stalest([base, null])).toBeNull();
    const old = { ...base, stale: true, ageSeconds: 600 };
    expect(stalest([base, { ...base, stale: true, ageSeconds: 60 }, old])).toBe(old);
  });
});

describe("burn-rate bars", () => {
  it("scales to the highest threshold with room, marks each threshold, and caps the value", () => {
    expect(burnBar(7.2, [14.4])).toEqual({ width: 40, marks: [{ at: 80, value: 14.4 }], over: false });
    expect(burnBar(100, [6, 1])).toMatchObject({ width: 100, over: true });
    expect(burnBar(null, [])).toEqual({ width: 0, marks: [], over: false });
  });
});

describe("the overview's filters", () => {
  it("round-trips through the URL and filters by team, service, risk and text", () => {
    const f = readFilters(new URLSearchParams("team=payments&risk=critical&q=lat&group=team&risk2=x"));
    expect(f).toEqual({ team: "payments", service: "", risk: "critical", q: "lat", group: true });
    expect(writeFilters(f)).toBe("team=payments&risk=critical&q=lat&group=team");
    expect(readFilters(new URLSearchParams("risk=bogus")).risk).toBe("");
    const items = [item("latency", "ledger", "payments", status("critical")), item("availability", "ledger", "payments", status("ok")), item("latency", "frontend", "storefront", status("critical"))];
    expect(applyFilters(items, f).map((i) => `${i.service.name}/${i.name}`)).toEqual(["ledger/latency"]);
    expect(applyFilters(items, { ...f, team: "", risk: "", q: "FRONT" })).toHaveLength(1);
    expect(applyFilters(items, { team: "", service: "ledger", risk: "", q: "", group: false })).toHaveLength(2);
  });
  it("groups by team in name order, keeping the order within", () => {
    const items = [item("b", "x", "storefront", null), item("a", "y", "payments", null), item("c", "z", "storefront", null)];
    expect(groupByTeam(items).map((g) => [g.team.slug, g.items.map((i) => i.name)])).toEqual([
      ["payments", ["a"]],
      ["storefront", ["b", "c"]],
    ]);
  });
});
