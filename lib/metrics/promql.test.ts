import { describe, expect, it } from "vitest";
import { MetricsQueryError } from "../core/ports/metrics-source.ts";
import { evaluate, parseDuration, parsePromQL, type SeriesProvider, type Value } from "./promql.ts";
import { SandboxMetricsSource } from "./sandbox-source.ts";
import { HEALTHY, newSeries, observe, type TrafficSeries } from "./traffic.ts";

/** Two counters growing at fixed rates from t = 0: 10/s "200" and 1/s "500" for a, 4/s "200" for b. */
const provider: SeriesProvider = {
  select(name, matchers, atMs) {
    const all = [
      { labels: { __name__: "req", service: "a", code: "200" }, rate: 10 },
      { labels: { __name__: "req", service: "a", code: "500" }, rate: 1 },
      { labels: { __name__: "req", service: "b", code: "200" }, rate: 4 },
    ];
    return all
      .filter((s) => s.labels.__name__ === name)
      .filter((s) =>
        matchers.every((m) => {
          const v = (s.labels as Record<string, string>)[m.label] ?? "";
          return m.op === "=" ? v === m.value : m.op === "!=" ? v !== m.value : m.op === "=~" ? new RegExp(`^(?:${m.value})$`).test(v) : !new RegExp(`^(?:${m.value})$`).test(v);
        }),
      )
      .filter(() => atMs > 0)
      .map((s) => ({ labels: s.labels, value: (s.rate * atMs) / 1000, origin: 0 }));
  },
};

const T = 3_600_000;
const run = (q: string, at = T): Value => evaluate(parsePromQL(q), at, provider, q);
const vector = (q: string) => {
  const v = run(q);
  if (v.kind !== "vector") throw new Error("not a vector");
  return v.samples.map((s) => [s.labels, s.value]).sort((x, y) => JSON.stringify(x[0]).localeCompare(JSON.stringify(y[0])));
};
const scalar = (q: string) => {
  const v = run(q);
  if (v.kind !== "scalar") throw new Error("not a scalar");
  return v.value;
};

describe("the sandbox's PromQL subset", () => {
  it("parses durations", () => {
    expect(parseDuration("5m")).toBe(300_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("30d")).toBe(30 * 86_400_000);
  });

  it("selects series by name and label matchers", () => {
    expect(vector('req{service="a"}')).toEqual([
      [{ __name__: "req", service: "a", code: "200" }, 36_000],
      [{ __name__: "req", service: "a", code: "500" }, 3_600],
    ]);
    expect(vector('req{code=~"5.."}')).toEqual([[{ __name__: "req", service: "a", code: "500" }, 3_600]]);
    expect(vector('req{code!~"5..", service!="a"}')).toEqual([[{ __name__: "req", service: "b", code: "200" }, 14_400]]);
    expect(vector('{__name__="req", service="b"}')).toHaveLength(1);
  });

  it("computes rate and increase over a window, dropping the metric name", () => {
    expect(vector('rate(req{service="a",code="200"}[5m])')).toEqual([[{ service: "a", code: "200" }, 10]]);
    expect(vector('increase(req{service="b"}[1h])')).toEqual([[{ service: "b", code: "200" }, 14_400]]);
    // A window reaching back before the series began covers the part it existed.
    expect(evaluate(parsePromQL("rate(req{service=\"b\"}[2h])"), T, provider).kind).toBe("vector");
  });

  it("aggregates with by and without, before or after the argument", () => {
    expect(vector("sum by (service) (rate(req[5m]))")).toEqual([
      [{ service: "a" }, 11],
      [{ service: "b" }, 4],
    ]);
    expect(vector("sum(rate(req[5m])) by (code)")).toEqual([
      [{ code: "200" }, 14],
      [{ code: "500" }, 1],
    ]);
    expect(vector("sum without (code) (rate(req[5m]))")).toEqual([
      [{ service: "a" }, 11],
      [{ service: "b" }, 4],
    ]);
    expect(vector("count(req)")).toEqual([[{}, 3]]);
    expect(vector("max(rate(req[5m]))")).toEqual([[{}, 10]]);
  });

  it("evaluates an availability SLI as a ratio of sums, and burn-rate style comparisons", () => {
    const errorRatio = 'sum(rate(req{service="a",code=~"5.."}[5m])) / sum(rate(req{service="a"}[5m]))';
    expect(vector(errorRatio)).toEqual([[{}, 1 / 11]]);
    expect(vector(`1 - (${errorRatio})`)).toEqual([[{}, 1 - 1 / 11]]);
    expect(vector(`(${errorRatio}) > 14.4 * 0.001`)).toHaveLength(1);
    expect(vector(`(${errorRatio}) > 0.5`)).toHaveLength(0);
    expect(vector(`(${errorRatio}) > bool 0.5`)).toEqual([[{}, 0]]);
  });

  it("matches vectors one to one, with on and ignoring", () => {
    expect(vector("sum by (service) (rate(req[5m])) / on (service) sum by (service) (rate(req[5m]))")).toEqual([
      [{ service: "a" }, 1],
      [{ service: "b" }, 1],
    ]);
    expect(vector('rate(req{code="500"}[5m]) / ignoring (code) rate(req{code="200"}[5m])')).toEqual([[{ service: "a" }, 0.1]]);
    expect(() => run('rate(req[5m]) / ignoring (code) sum by (service) (rate(req[5m]))')).toThrow(MetricsQueryError);
  });

  it("answers scalars, unary minus, functions and set operators", () => {
    expect(scalar("1 + 2 * 3")).toBe(7);
    expect(scalar("(1 + 2) * 3")).toBe(9);
    expect(scalar("-2 + 5")).toBe(3);
    expect(scalar("10 % 4")).toBe(2);
    expect(scalar("time()")).toBe(T / 1000);
    expect(scalar('scalar(sum(rate(req{service="b"}[5m])))')).toBe(4);
    expect(vector("vector(1)")).toEqual([[{}, 1]]);
    expect(vector('clamp_max(rate(req{service="a"}[5m]), 5)')).toEqual([
      [{ service: "a", code: "200" }, 5],
      [{ service: "a", code: "500" }, 1],
    ]);
    expect(vector('req{service="a"} and req{code="200"}')).toHaveLength(1);
    expect(vector('req{service="a"} unless req{code="200"}')).toHaveLength(1);
    expect(vector('req{service="a"} or req{service="b"}')).toHaveLength(3);
    expect(vector("req offset 30m")).toContainEqual([{ __name__: "req", service: "b", code: "200" }, 7_200]);
  });

  it("refuses what is outside the subset, naming the position", () => {
    const refused = (q: string, message: RegExp) => {
      expect(() => run(q), q).toThrow(MetricsQueryError);
      expect(() => run(q), q).toThrow(message);
    };
    refused("histogram_quantile(0.99, rate(req[5m]))", /histogram_quantile\(\) is not in the sandbox's PromQL subset/);
    refused("topk(3, req)", /topk is not in the sandbox's PromQL subset/);
    refused("rate(req[5m:1m])", /character/);
    refused("req[5m]", /range vector cannot be the result/);
    refused("rate(req)", /needs a range vector/);
    refused("sum(req", /expected "\)"/);
    refused('req{code=~"("}', /invalid regular expression/);
    refused("req @ 100", /@ modifier/);
    refused("1 > 2", /needs the bool modifier/);
    refused("a * on (x) group_left b", /group_left/);
    refused('"text"', /string literals/);
    expect(() => run("sum(req")).toThrow(/at character 8/);
  });
});

describe("the sandbox metrics source", () => {
  const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);
  let series: TrafficSeries[] = [];
  const source = new SandboxMetricsSource(async () => series, () => NOW);

  it("answers an SLI over the simulated counters, exactly", async () => {
    let checkout = newSeries("checkout", "production", NOW - 3_600_000, HEALTHY);
    checkout = observe(checkout, NOW - 600_000, { errorRate: 0.25, slowShare: 0 });
    series = [checkout, newSeries("checkout", "staging", NOW - 3_600_000, HEALTHY)];
    const q = (w: string) => `sum(rate(http_requests_total{service="checkout",environment="production",code=~"5.."}[${w}])) / sum(rate(http_requests_total{service="checkout",environment="production"}[${w}]))`;
    const five = await source.query(q("5m"));
    expect(five.resultType).toBe("vector");
    expect(five.samples[0]!.value).toBeCloseTo(0.25, 6);
    expect(five.freshness).toMatchObject({ stale: false, ageSeconds: 0 });
    const hour = await source.query(q("1h"));
    expect(hour.samples[0]!.value).toBeGreaterThan(0.03);
    expect(hour.samples[0]!.value).toBeLessThan(0.05);
    const latency = await source.query('sum(rate(http_request_duration_seconds_bucket{service="checkout",environment="staging",le="0.3"}[5m])) / sum(rate(http_request_duration_seconds_count{service="checkout",environment="staging"}[5m]))');
    expect(latency.samples[0]!.value).toBeGreaterThan(0.999);
  });

  it("answers batches in order, each query on its own", async () => {
    const items = await source.queryBatch(['sum(rate(http_requests_total{service="checkout"}[5m]))', "slo:sli_error:ratio_rate5m", "sum("]);
    expect(items.map((i) => i.ok)).toEqual([true, false, false]);
    expect(items[1]).toMatchObject({ ok: false, error: { kind: "bad_query" } });
    expect(items[1]!.ok ? "" : items[1]!.error.message).toContain("The sandbox has no series named slo:sli_error:ratio_rate5m");
  });

  it("answers range queries step by step, and refuses too many points", async () => {
    const start = new Date(NOW - 3_600_000);
    const r = await source.queryRange('sum by (environment) (rate(http_requests_total{service="checkout",code="500"}[5m]))', { start, end: new Date(NOW), stepSeconds: 60 });
    expect(r.series.map((s) => s.labels.environment).sort()).toEqual(["production", "staging"]);
    const prod = r.series.find((s) => s.labels.environment === "production")!;
    expect(prod.points).toHaveLength(61);
    expect(prod.points.at(-1)![1]).toBeGreaterThan(prod.points[0]![1] * 10);
    await expect(source.queryRange("vector(1)", { start: new Date(0), end: new Date(NOW), stepSeconds: 1 })).rejects.toThrow(/at most 11000 points/);
  });
});
