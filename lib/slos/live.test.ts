import { describe, expect, it } from "vitest";
import type { MetricsSource } from "../core/ports/metrics-source.ts";
import { SandboxMetricsSource } from "../metrics/sandbox-source.ts";
import { HEALTHY, newSeries, observe, type TrafficSeries } from "../metrics/traffic.ts";
import { burnDownPoints, combineFreshness, forgetLastKnownStatuses, ID_FILTER_MAX, liveStatus, recordedSelector, sloBurnDown } from "./live.ts";
import type { RuleSlo } from "./rules.ts";

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);

const slo = (over: Partial<RuleSlo> = {}): RuleSlo => ({
  id: "00000000-0000-4000-8000-000000000001",
  name: "availability",
  service: "checkout",
  kind: "availability",
  objective: 99,
  window: "30d",
  sli: { source: "http", selector: "" },
  environment: "production",
  alerting: true,
  automation: "none",
  ...over,
});

/** A sandbox source over fixed series, counting its batches and queries. */
function sandbox(series: () => TrafficSeries[], clock: { now: number }) {
  const stats = { batches: 0, queries: 0, fail: false };
  const inner = new SandboxMetricsSource(
    async () => {
      if (stats.fail) throw new Error("connection refused");
      return series();
    },
    () => clock.now,
  );
  const source: MetricsSource = {
    kind: "sandbox",
    query: (q, o) => inner.query(q, o),
    queryRange: (q, o) => inner.queryRange(q, o),
    queryBatch: (qs, o) => {
      stats.batches++;
      stats.queries += qs.length;
      return inner.queryBatch(qs, o);
    },
  };
  return { source, stats };
}

describe("burnDownPoints", () => {
  const start = 0;
  const end = 4 * HOUR;
  it("starts at 100 % and spends the budget by the bad events so far, next to an even spend", () => {
    // 4 000 events, 1 % budget = 40 allowed; 10 then 30 bad.
    const points = burnDownPoints(
      [
        { t: 2 * HOUR, bad: 30, total: 1000 },
        { t: HOUR, bad: 10, total: 1000 },
        { t: 3 * HOUR, bad: 0, total: 1000 },
        { t: 4 * HOUR, bad: 0, total: 1000 },
      ],
      0.01,
      start,
      end,
    );
    expect(points.map((p) => [p.t / HOUR, p.remainingPercent, p.evenPercent])).toEqual([
      [0, 100, 100],
      [1, 75, 75],
      [2, 0, 50],
      [3, 0, 25],
      [4, 0, 0],
    ]);
    expect(points.at(-1)!.badEvents).toBe(40);
  });
  it("goes below zero when the budget is overspent, and is empty without events", () => {
    const over = burnDownPoints([{ t: HOUR, bad: 80, total: 4000 }], 0.01, start, end);
    expect(over.at(-1)!.remainingPercent).toBe(-100);
    expect(burnDownPoints([{ t: HOUR, bad: 0, total: 0 }], 0.01, start, end)).toEqual([]);
    expect(burnDownPoints([], 0.01, start, end)).toEqual([]);
  });
});

describe("recordedSelector", () => {
  it("names the page's ids, or every SLO's series above the limit", () => {
    expect(recordedSelector("1h", ["a-1", "b-2"])).toBe('slo:sli_error:ratio_rate1h{slo_id=~"a-1|b-2"}');
    const many = Array.from({ length: ID_FILTER_MAX + 1 }, (_, i) => `id-${i}`);
    expect(recordedSelector("30d", many)).toBe("slo:sli_error:ratio_rate30d");
  });
});

describe("combineFreshness", () => {
  const base = { source: "prometheus" as const, computedFrom: "recording-rules" as const };
  const at = (ms: number) => new Date(NOW - ms);
  it("is fresh when every answer is, stale as the oldest stale answer otherwise", () => {
    expect(combineFreshness([{ fetchedAt: at(0), stale: false, ageSeconds: 0, error: null }], [], base)).toEqual({ ...base, fetchedAt: new Date(NOW).toISOString(), stale: false, ageSeconds: 0, error: null });
    const stale = combineFreshness(
      [
        { fetchedAt: at(0), stale: false, ageSeconds: 0, error: null },
        { fetchedAt: at(240_000), stale: true, ageSeconds: 240, error: "Prometheus cannot be reached" },
        { fetchedAt: at(60_000), stale: true, ageSeconds: 60, error: "Prometheus cannot be reached" },
      ],
      [],
      base,
    );
    expect(stale).toMatchObject({ stale: true, ageSeconds: 240, fetchedAt: at(240_000).toISOString(), error: "Prometheus cannot be reached" });
  });
  it("says why when nothing answered", () => {
    expect(combineFreshness([], [{ kind: "unavailable", message: "down" }], base)).toMatchObject({ stale: true, fetchedAt: null, ageSeconds: null, error: "down" });
    expect(combineFreshness([], [{ kind: "bad_query", message: "no such metric" }], base)).toMatchObject({ stale: false, error: "no such metric" });
  });
});

describe("liveStatus over the sandbox's counters", () => {
  it("answers a page of SLOs in one batch: healthy is ok, a service failing a quarter of its requests pages", async () => {
    forgetLastKnownStatuses();
    const clock = { now: NOW };
    const healthy = newSeries("checkout", "production", NOW - 2 * HOUR, HEALTHY);
    const failing = observe(newSeries("search", "production", NOW - 2 * HOUR, HEALTHY), NOW - 2 * HOUR, { errorRate: 0.25, slowShare: 0 });
    const { source, stats } = sandbox(() => [healthy, failing], clock);
    const slos = [
      slo(),
      slo({ id: "00000000-0000-4000-8000-000000000002", service: "search" }),
      slo({ id: "00000000-0000-4000-8000-000000000003", service: "checkout", name: "latency", kind: "latency", window: "7d", sli: { source: "http", selector: "", thresholdSeconds: 0.5 } }),
    ];
    const statuses = await liveStatus(source, { now: () => clock.now })(slos);
    expect(stats.batches).toBe(1);
    expect(stats.queries).toBe(3 * 8);
    const ok = statuses.get(slos[0]!.id)!;
    expect(ok.status!.risk.level).toBe("ok");
    // The default test SLO is 99 %: a 1 % budget, of which a healthy service spends its base error rate.
    expect(ok.status!.sli).toBeCloseTo(100 * (1 - HEALTHY.errorRate), 6);
    expect(ok.status!.budget.remainingPercent).toBeCloseTo(100 * (1 - HEALTHY.errorRate / 0.01), 4);
    expect(ok.status!.budget.remaining.requests).toBeNull();
    expect(ok.freshness).toEqual({ source: "sandbox", computedFrom: "sli-queries", fetchedAt: new Date(NOW).toISOString(), stale: false, ageSeconds: 0, error: null });
    const bad = statuses.get(slos[1]!.id)!.status!;
    expect(bad.alerts.page).toBe(true);
    expect(bad.risk.level).toBe("critical");
    expect(bad.burnRates.find((b) => b.window === "1h")!.burnRate).toBeCloseTo(25, 4);
    expect(statuses.get(slos[2]!.id)!.status!.risk.level).toBe("ok");
  });

  it("counts the budget in requests with totals, and serves the last status with its age when the source fails", async () => {
    forgetLastKnownStatuses();
    const clock = { now: NOW };
    const series = newSeries("checkout", "production", NOW, HEALTHY);
    const { source, stats } = sandbox(() => [series], clock);
    const lookup = liveStatus(source, { totals: true, now: () => clock.now });
    const first = (await lookup([slo()])).get(slo().id)!;
    expect(stats.queries).toBe(9);
    const requests = first.status!.budget.remaining.requests!;
    expect(requests).toBeGreaterThan(0);
    expect(first.status!.budget.total.requests).toBeCloseTo(requests / (1 - HEALTHY.errorRate / 0.01), 0);

    stats.fail = true;
    clock.now += 4 * 60_000;
    const stale = (await lookup([slo()])).get(slo().id)!;
    expect(stale.status).toEqual(first.status);
    expect(stale.freshness).toMatchObject({ stale: true, ageSeconds: 240, fetchedAt: new Date(NOW).toISOString() });
    expect(stale.freshness!.error).toMatch(/connection refused/);
    // Another definition has no last status: none, still with the reason.
    const other = (await lookup([slo({ objective: 99.5 })])).get(slo().id)!;
    expect(other.status).toBeNull();
    expect(other.freshness).toMatchObject({ stale: true, ageSeconds: null, fetchedAt: null });
  });

  it("gives no status, with the source's reason, for queries the source refuses", async () => {
    const clock = { now: NOW };
    const { source } = sandbox(() => [newSeries("checkout", "production", NOW, HEALTHY)], clock);
    const raw = slo({ sli: { source: "raw", bad: "sum(rate(errors_total[{{.window}}]))", total: "sum(rate(requests_total[{{.window}}]))" } });
    const live = (await liveStatus(source)([raw])).get(raw.id)!;
    expect(live.status).toBeNull();
    expect(live.freshness).toMatchObject({ stale: false, error: expect.stringMatching(/no series named errors_total/) });
  });
});

describe("sloBurnDown over the sandbox's counters", () => {
  it("draws the budget spent by a bad spell, ending where the status says", async () => {
    forgetLastKnownStatuses();
    const clock = { now: NOW };
    let s = newSeries("search", "production", NOW - 10 * 86_400_000, HEALTHY);
    s = observe(s, NOW - 3 * 86_400_000, { errorRate: 0.5, slowShare: 0 });
    s = observe(s, NOW - 3 * 86_400_000 + 2 * HOUR, HEALTHY);
    const { source } = sandbox(() => [s], clock);
    const target = slo({ service: "search" });
    const burn = await sloBurnDown(source, target, { time: new Date(NOW) });
    expect(burn.stepSeconds).toBe(6 * 3600);
    expect(burn.points).toHaveLength(121);
    expect(burn.points[0]).toMatchObject({ t: NOW - 30 * 86_400_000, remainingPercent: 100 });
    const before = burn.points.filter((p) => p.t <= NOW - 3 * 86_400_000).at(-1)!;
    const after = burn.points.filter((p) => p.t >= NOW - 3 * 86_400_000 + 6 * HOUR)[0]!;
    expect(before.remainingPercent - after.remainingPercent).toBeGreaterThan(10);
    expect(burn.totalEvents).toBeGreaterThan(0);
    const status = (await liveStatus(source, { time: new Date(NOW) })([target])).get(target.id)!.status!;
    expect(burn.points.at(-1)!.remainingPercent).toBeCloseTo(status.budget.remainingPercent!, 1);
    expect(burn.freshness).toMatchObject({ stale: false, error: null });
  });

  it("has no points, and the reason, when the source fails", async () => {
    const clock = { now: NOW };
    const { source, stats } = sandbox(() => [], clock);
    stats.fail = true;
    const burn = await sloBurnDown(source, slo(), { time: new Date(NOW) });
    expect(burn.points).toEqual([]);
    expect(burn.freshness).toMatchObject({ stale: true, error: expect.stringMatching(/connection refused/) });
  });
});
