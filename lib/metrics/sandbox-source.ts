// The MetricsSource of sandbox mode (no PROMETHEUS_URL): PromQL of the subset promql.ts documents,
// evaluated over the sandbox's simulated counters (traffic.ts) — the very series that
// GET /api/v1/sandbox/metrics exposes for a real Prometheus to scrape, so the same SLI query gives
// the same answer here and there (here exactly; Prometheus from its samples, with its
// extrapolation). Only the simulated metric names exist; a query naming another one (a recording
// rule's series, say) is refused, saying what the sandbox has.
import {
  MetricsQueryError,
  MetricsUnavailableError,
  fresh,
  type BatchItem,
  type InstantResult,
  type MetricsSource,
  type QueryOptions,
  type RangeOptions,
  type RangeResult,
  type RangeSeries,
} from "../core/ports/metrics-source.ts";
import { evaluate, matches, parsePromQL, type Expr, type Matcher, type SeriesProvider, type Value } from "./promql.ts";
import { SIMULATED_METRICS, exposedSamples, type TrafficSeries } from "./traffic.ts";

export const MAX_RANGE_POINTS = 11_000;

/** Selectors over the simulated series, computed at each instant asked for. */
export function trafficProvider(series: readonly TrafficSeries[], query = ""): SeriesProvider {
  return {
    select(name: string, matchers: Matcher[], atMs: number) {
      if (!SIMULATED_METRICS.includes(name)) {
        throw new MetricsQueryError(`The sandbox has no series named ${name}: it simulates ${SIMULATED_METRICS.join(", ")}. Recording rules and other metrics need a real Prometheus (PROMETHEUS_URL).`, query);
      }
      // Service and environment matchers first: most queries name one application.
      const own = matchers.filter((m) => m.label === "service" || m.label === "environment");
      const out: { labels: Record<string, string>; value: number; origin: number }[] = [];
      for (const s of series) {
        if (!matches({ service: s.service, environment: s.environment }, own, query)) continue;
        for (const sample of exposedSamples(s, atMs, { exact: true })) {
          if (sample.name !== name) continue;
          const labels = { __name__: name, ...sample.labels };
          if (matches(labels, matchers, query)) out.push({ labels, value: sample.value, origin: s.origin });
        }
      }
      return out;
    },
  };
}

function toInstant(query: string, value: Value, time: Date, fetchedAt: Date): InstantResult {
  if (value.kind === "scalar") return { query, resultType: "scalar", samples: [{ labels: {}, value: value.value }], time, freshness: fresh(fetchedAt) };
  return { query, resultType: "vector", samples: value.samples.map((s) => ({ labels: s.labels, value: s.value })), time, freshness: fresh(fetchedAt) };
}

export class SandboxMetricsSource implements MetricsSource {
  readonly kind = "sandbox" as const;

  /** `load` gives the series as of now (observing the cluster first); `now` is the clock. */
  constructor(
    private readonly load: () => Promise<TrafficSeries[]>,
    private readonly now: () => number = Date.now,
  ) {}

  private async series(): Promise<TrafficSeries[]> {
    try {
      return await this.load();
    } catch (e) {
      if (e instanceof MetricsQueryError || e instanceof MetricsUnavailableError) throw e;
      throw new MetricsUnavailableError(`The sandbox's metrics cannot be read: ${(e as Error).message}`, null, { cause: e });
    }
  }

  async query(query: string, options: QueryOptions = {}): Promise<InstantResult> {
    const expr = parsePromQL(query);
    const series = await this.series();
    const time = options.time ?? new Date(this.now());
    return toInstant(query, evaluate(expr, time.getTime(), trafficProvider(series, query), query), time, new Date(this.now()));
  }

  async queryBatch(queries: readonly string[], options: QueryOptions = {}): Promise<BatchItem[]> {
    const time = options.time ?? new Date(this.now());
    let series: TrafficSeries[];
    try {
      series = await this.series();
    } catch (e) {
      return queries.map((query) => ({ query, ok: false as const, error: { kind: "unavailable" as const, message: (e as Error).message } }));
    }
    return queries.map((query): BatchItem => {
      try {
        const expr = parsePromQL(query);
        return { query, ok: true, result: toInstant(query, evaluate(expr, time.getTime(), trafficProvider(series, query), query), time, new Date(this.now())) };
      } catch (e) {
        if (e instanceof MetricsQueryError) return { query, ok: false, error: { kind: "bad_query", message: e.message } };
        throw e;
      }
    });
  }

  async queryRange(query: string, options: RangeOptions): Promise<RangeResult> {
    const { start, end, stepSeconds } = options;
    if (!(stepSeconds > 0)) throw new MetricsQueryError("The step of a range query must be more than 0 seconds.", query);
    if (end.getTime() < start.getTime()) throw new MetricsQueryError("A range query's end must not be before its start.", query);
    if ((end.getTime() - start.getTime()) / 1000 / stepSeconds > MAX_RANGE_POINTS) {
      throw new MetricsQueryError(`A range query may have at most ${MAX_RANGE_POINTS} points per series: widen the step.`, query);
    }
    const expr: Expr = parsePromQL(query);
    const provider = trafficProvider(await this.series(), query);
    const bySeries = new Map<string, RangeSeries>();
    for (let t = start.getTime(); t <= end.getTime(); t += stepSeconds * 1000) {
      const value = evaluate(expr, t, provider, query);
      const samples = value.kind === "scalar" ? [{ labels: {}, value: value.value }] : value.samples;
      for (const s of samples) {
        const key = JSON.stringify(Object.entries(s.labels).sort());
        const entry = bySeries.get(key) ?? { labels: s.labels, points: [] };
        entry.points.push([t, s.value]);
        bySeries.set(key, entry);
      }
    }
    return { query, series: [...bySeries.values()], start, end, stepSeconds, freshness: fresh(new Date(this.now())) };
  }
}
