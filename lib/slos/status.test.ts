// sloStatus: budget left in share, requests and minutes; burn rate per window; the alert
// conditions; risk levels and their order.
import { describe, expect, it } from "vitest";
import { sloStatus, type SloStatusInput } from "./status.ts";

const base: SloStatusInput = { objective: 99.9, window: "30d", errorRatios: {} };
const steady = (ratio: number) => Object.fromEntries(["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"].map((w) => [w, ratio]));

describe("sloStatus", () => {
  it("has nothing to say without data", () => {
    const s = sloStatus(base);
    expect(s.sli).toBeNull();
    expect(s.budget).toMatchObject({ ratio: 0.001, consumedRatio: null, remainingRatio: null, unit: "requests", total: { minutes: 43.2, requests: null } });
    expect(s.risk.level).toBe("unknown");
    expect(s.burnRates.every((b) => b.burnRate === null)).toBe(true);
    expect(s.alerts).toEqual({ page: false, ticket: false });
  });

  it("computes the budget left in share, requests and minutes", () => {
    // 30 d at 99.9 %: 0.1 % of events; a quarter of it spent.
    const s = sloStatus({ ...base, errorRatios: { ...steady(0.0001), "30d": 0.00025 }, totalEvents: 10_000_000 });
    expect(s.sli).toBe(99.975);
    expect(s.budget.consumedRatio).toBe(0.25);
    expect(s.budget.remainingRatio).toBe(0.75);
    expect(s.budget.remainingPercent).toBe(75);
    expect(s.budget.total).toEqual({ minutes: 43.2, requests: 10_000 });
    expect(s.budget.remaining).toEqual({ minutes: 32.4, requests: 7_500 });
    expect(s.risk).toMatchObject({ level: "ok" });
  });

  it("counts minutes for time-based budgets", () => {
    const s = sloStatus({ ...base, window: "7d", budgeting: "time", errorRatios: { "7d": 0.0005 } });
    expect(s.budget.unit).toBe("minutes");
    expect(s.budget.total.minutes).toBe(10.08);
    expect(s.budget.remaining.minutes).toBe(5.04);
  });

  it("gives the burn rate per window", () => {
    const s = sloStatus({ ...base, errorRatios: { "5m": 0.02, "1h": 0.0144, "30d": 0.0005 } });
    expect(s.burnRates.find((b) => b.window === "5m")).toEqual({ window: "5m", errorRatio: 0.02, burnRate: 20 });
    expect(s.burnRates.find((b) => b.window === "1h")?.burnRate).toBe(14.4);
    expect(s.burnRates.find((b) => b.window === "6h")).toEqual({ window: "6h", errorRatio: null, burnRate: null });
    expect(s.burnRates.map((b) => b.window)).toEqual(["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"]);
  });

  it("pages on a fast burn in both windows of a pair, not on one alone", () => {
    expect(sloStatus({ ...base, errorRatios: { ...steady(0.0001), "1h": 0.02, "5m": 0.02 } }).alerts.page).toBe(true);
    expect(sloStatus({ ...base, errorRatios: { ...steady(0.0001), "1h": 0.02 } }).alerts.page).toBe(false);
    const fast = sloStatus({ ...base, errorRatios: { ...steady(0.02), "30d": 0.0005 } });
    expect(fast.risk).toMatchObject({ level: "critical" });
    expect(fast.exhaustsInHours).toBe(18);
  });

  it("opens a ticket on a slow burn", () => {
    const s = sloStatus({ ...base, errorRatios: { ...steady(0.0035), "30d": 0.0002 } });
    expect(s.alerts).toEqual({ page: false, ticket: true });
    expect(s.risk.level).toBe("warning");
  });

  it("scales the alert conditions with the window", () => {
    // 7 d pages from 3.36× over 1 h: 0.4 % errors is 4× at 99.9 %.
    expect(sloStatus({ ...base, window: "7d", errorRatios: { ...steady(0.0001), "1h": 0.004, "5m": 0.004 } }).alerts.page).toBe(true);
    expect(sloStatus({ ...base, window: "30d", errorRatios: { ...steady(0.0001), "1h": 0.004, "5m": 0.004 } }).alerts.page).toBe(false);
  });

  it("orders risk: exhausted > critical > warning > ok > unknown", () => {
    const exhausted = sloStatus({ ...base, errorRatios: { ...steady(0.0001), "30d": 0.002 }, totalEvents: 1000 });
    expect(exhausted.risk.level).toBe("exhausted");
    expect(exhausted.budget.remainingRatio).toBe(-1);
    expect(exhausted.budget.remaining.requests).toBe(-1);
    expect(exhausted.exhaustsInHours).toBe(0);
    const lowBudget = sloStatus({ ...base, errorRatios: { ...steady(0.00001), "30d": 0.0008 } });
    expect(lowBudget.risk).toMatchObject({ level: "warning", reason: "Only 20% of the budget is left." });
    const scores = [exhausted, sloStatus({ ...base, errorRatios: { ...steady(0.02), "30d": 0.0005 } }), lowBudget, sloStatus({ ...base, errorRatios: steady(0.0001) }), sloStatus(base)].map((s) => s.risk.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it("ignores values that are not numbers (NaN from an empty window)", () => {
    const s = sloStatus({ ...base, errorRatios: { "30d": Number.NaN, "1h": Number.POSITIVE_INFINITY } });
    expect(s.sli).toBeNull();
    expect(s.burnRates.find((b) => b.window === "1h")?.burnRate).toBeNull();
  });
});
