// The Prometheus adapter of the MetricsSource port against a real Prometheus (Debian's 2.42)
// loaded with thirty days of synthetic history (tests/support/prometheus.ts): instant and range
// queries answer what the history holds (and what the sandbox source computes from the same
// model), answers match Prometheus' published API description, batches run with bounded
// concurrency, answers are cached briefly, bad PromQL is a MetricsQueryError with Prometheus'
// message, a frozen Prometheus times out, and a Prometheus that is down answers the last values
// with their age.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MetricsQueryError, MetricsUnavailableError } from "@/lib/core/ports/metrics-source";
import { PrometheusMetricsSource } from "@/lib/integrations/prometheus";
import { SandboxMetricsSource } from "@/lib/metrics/sandbox-source";
import { assertPrometheusSchema, historyAnchor, historySeries, startPrometheusServer, type PrometheusServer } from "../support/prometheus";

const DAY = 86_400_000;
const HOUR = 3_600_000;
let prom: PrometheusServer;
const anchor = historyAnchor();
const model = new SandboxMetricsSource(async () => historySeries(anchor), () => anchor);

const errorRatio = (service: string, window: string) =>
  `sum(rate(http_requests_total{service="${service}",environment="production",code=~"5.."}[${window}])) / sum(rate(http_requests_total{service="${service}",environment="production"}[${window}]))`;
const latencyGood = (service: string, window: string) =>
  `sum(rate(http_request_duration_seconds_bucket{service="${service}",environment="production",le="0.3"}[${window}])) / sum(rate(http_request_duration_seconds_count{service="${service}",environment="production"}[${window}]))`;

/** fetch, counting the requests in flight at once. */
function countingFetch() {
  const stats = { calls: 0, inFlight: 0, maxInFlight: 0 };
  const f: typeof fetch = async (input, init) => {
    stats.calls++;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    try {
      return await fetch(input, init);
    } finally {
      stats.inFlight--;
    }
  };
  return { stats, fetch: f };
}

beforeAll(async () => {
  prom = await startPrometheusServer({ history: true });
}, 180_000);

afterAll(async () => {
  await prom?.stop();
});

describe("the Prometheus adapter over thirty days of history", () => {
  it("answers instant queries with what the history holds, as the sandbox model computes it", async () => {
    const source = new PrometheusMetricsSource({ url: prom.url });
    const cases: [string, Date][] = [
      [errorRatio("search", "5m"), new Date(anchor - 2 * DAY + HOUR)],
      [errorRatio("search", "1h"), new Date(anchor - 2 * DAY + 4 * HOUR)],
      [errorRatio("checkout", "1h"), new Date(anchor - DAY)],
      [errorRatio("search", "30d"), new Date(anchor - 60_000)],
      [latencyGood("ledger", "5m"), new Date(anchor - 5 * DAY + 30 * 60_000)],
      [latencyGood("ledger", "1d"), new Date(anchor - 4 * DAY)],
    ];
    for (const [query, time] of cases) {
      const [real, simulated] = await Promise.all([source.query(query, { time }), model.query(query, { time })]);
      expect(real.resultType, query).toBe("vector");
      expect(real.samples, query).toHaveLength(1);
      expect(real.freshness).toMatchObject({ stale: false, ageSeconds: 0, error: null });
      const expected = simulated.samples[0]!.value;
      // Prometheus extrapolates from 60-s samples of integer counters; the model integrates exactly.
      expect(Math.abs(real.samples[0]!.value - expected), `${query} at ${time.toISOString()}: ${real.samples[0]!.value} vs ${expected}`).toBeLessThan(Math.max(0.002, expected * 0.05));
    }
    // The incident, the healthy service and the slow hour, in round figures.
    const incident = await source.query(errorRatio("search", "5m"), { time: new Date(anchor - 2 * DAY + HOUR) });
    expect(incident.samples[0]!.value).toBeCloseTo(0.25, 2);
    const slow = await source.query(latencyGood("ledger", "5m"), { time: new Date(anchor - 5 * DAY + 30 * 60_000) });
    expect(slow.samples[0]!.value).toBeLessThan(0.3);
  });

  it("answers as Prometheus' published API description says it does", async () => {
    const form = (body: Record<string, string>) => ({ method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(body) });
    const time = String((anchor - DAY) / 1000);
    const vector = await (await fetch(`${prom.url}/api/v1/query`, form({ query: errorRatio("checkout", "5m"), time }))).json();
    await assertPrometheusSchema("QueryOutputBody", vector);
    const scalar = await (await fetch(`${prom.url}/api/v1/query`, form({ query: "scalar(vector(42))", time }))).json();
    await assertPrometheusSchema("QueryOutputBody", scalar);
    const range = await (await fetch(`${prom.url}/api/v1/query_range`, form({ query: errorRatio("search", "5m"), start: String((anchor - 3 * DAY) / 1000), end: time, step: "3600" }))).json();
    await assertPrometheusSchema("QueryRangeOutputBody", range);
    const error = await fetch(`${prom.url}/api/v1/query`, form({ query: "sum(", time }));
    expect(error.status).toBe(400);
    await assertPrometheusSchema("Error", await error.json());
  });

  it("answers range queries over the thirty days, the incident where it was", async () => {
    const source = new PrometheusMetricsSource({ url: prom.url });
    const start = new Date(anchor - 30 * DAY);
    const end = new Date(anchor - 60_000);
    const r = await source.queryRange(errorRatio("search", "1h"), { start, end, stepSeconds: 3600 });
    expect(r.series).toHaveLength(1);
    const points = r.series[0]!.points;
    expect(points.length).toBeGreaterThanOrEqual(715);
    expect(points.length).toBeLessThanOrEqual(721);
    const peak = points.reduce((a, b) => (b[1] > a[1] ? b : a));
    expect(peak[1]).toBeGreaterThan(0.2);
    expect(peak[0]).toBeGreaterThan(anchor - 2 * DAY);
    expect(peak[0]).toBeLessThanOrEqual(anchor - 2 * DAY + 4 * HOUR);
    const quiet = points.filter(([t]) => t < anchor - 3 * DAY).map(([, v]) => v);
    expect(Math.max(...quiet)).toBeLessThan(0.01);
    await expect(source.queryRange("up", { start, end, stepSeconds: 1 })).rejects.toThrow(MetricsQueryError);
  });

  it("runs a batch with bounded concurrency, in order, each query answering on its own", async () => {
    const { stats, fetch } = countingFetch();
    const source = new PrometheusMetricsSource({ url: prom.url, concurrency: 3, fetch });
    const windows = ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"];
    const queries = ["checkout", "search", "ledger"].flatMap((s) => windows.map((w) => errorRatio(s, w)));
    queries.splice(5, 0, "sum(rate(http_requests_total[5m]) by (");
    const time = new Date(anchor - 2 * DAY + 2 * HOUR);
    const items = await source.queryBatch(queries, { time });
    expect(items.map((i) => i.query)).toEqual(queries);
    expect(items.filter((i) => !i.ok)).toHaveLength(1);
    const bad = items[5]!;
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.kind).toBe("bad_query");
      expect(bad.error.message).toMatch(/Prometheus refused the query: .*parse error/);
    }
    expect(stats.calls).toBe(queries.length);
    expect(stats.maxInFlight).toBeLessThanOrEqual(3);
    expect(stats.maxInFlight).toBeGreaterThan(1);
    const searchNow = items[queries.indexOf(errorRatio("search", "5m"))]!;
    expect(searchNow.ok && searchNow.result.samples[0]!.value).toBeCloseTo(0.25, 2);
  });

  it("reuses an answer for its time to live, and shares a request in flight", async () => {
    let now = Date.now();
    const { stats, fetch } = countingFetch();
    const source = new PrometheusMetricsSource({ url: prom.url, cacheTtlMs: 10_000, fetch, now: () => now });
    const q = errorRatio("checkout", "5m");
    await Promise.all([source.query(q), source.query(q), source.query(q)]);
    expect(stats.calls).toBe(1);
    now += 5_000;
    await source.query(q);
    expect(stats.calls).toBe(1);
    now += 6_000;
    await source.query(q);
    expect(stats.calls).toBe(2);
  });

  it("turns bad PromQL into a MetricsQueryError with Prometheus' message", async () => {
    const source = new PrometheusMetricsSource({ url: prom.url });
    const error = await source.query("sum(rate(http_requests_total[5m])").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetricsQueryError);
    expect((error as Error).message).toMatch(/parse error.*unclosed left parenthesis|parse error/);
    await expect(source.query("rate(http_requests_total)")).rejects.toThrow(/expected type range vector/);
  });

  it("times out when Prometheus does not answer, then serves the last values with their age", async () => {
    let now = Date.now();
    const source = new PrometheusMetricsSource({ url: prom.url, timeoutMs: 400, cacheTtlMs: 1_000, now: () => now });
    const q = errorRatio("checkout", "1h");
    const first = await source.query(q);
    expect(first.freshness.stale).toBe(false);
    prom.pause();
    try {
      now += 90_000;
      const started = Date.now();
      const stale = await source.query(q);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(stale.samples).toEqual(first.samples);
      expect(stale.freshness).toMatchObject({ stale: true, ageSeconds: 90, fetchedAt: first.freshness.fetchedAt });
      expect(stale.freshness.error).toMatch(/did not answer within 400 ms/);
      // A query never answered before has no last value.
      const error = await source.query(errorRatio("ledger", "2h")).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MetricsUnavailableError);
      const batch = await source.queryBatch([q, errorRatio("ledger", "6h")]);
      expect(batch[0]).toMatchObject({ ok: true, result: { freshness: { stale: true } } });
      expect(batch[1]).toMatchObject({ ok: false, error: { kind: "unavailable" } });
    } finally {
      prom.resume();
    }
    now += 1_000;
    const again = await source.query(q);
    expect(again.freshness.stale).toBe(false);
  });

  it("serves the last values with their age when Prometheus is down", async () => {
    const down = await startPrometheusServer();
    let now = Date.now();
    const source = new PrometheusMetricsSource({ url: down.url, cacheTtlMs: 0, now: () => now });
    const first = await source.query("vector(7)");
    expect(first.samples).toEqual([{ labels: {}, value: 7 }]);
    const range = await source.queryRange("vector(1)", { start: new Date(now - HOUR), end: new Date(now), stepSeconds: 600 });
    await down.stop();
    now += 240_000;
    const stale = await source.query("vector(7)");
    expect(stale.samples).toEqual([{ labels: {}, value: 7 }]);
    expect(stale.freshness).toMatchObject({ stale: true, ageSeconds: 240 });
    expect(stale.freshness.error).toMatch(/cannot be reached/);
    const staleRange = await source.queryRange("vector(1)", { start: range.start, end: range.end, stepSeconds: 600 });
    expect(staleRange.freshness.stale).toBe(true);
    expect(staleRange.series).toEqual(range.series);
    await expect(source.query("vector(8)")).rejects.toBeInstanceOf(MetricsUnavailableError);
  });
});
