// The sandbox's simulated traffic, as pure functions: every application of the sandbox cluster
// (a service in an environment) serves requests at a steady rate with a daily swing, fails a share
// of them and answers with a latency distribution. What it runs decides those two: a healthy
// version fails 0.005 % of its requests (BASE_ERROR_RATE), a version marked bad ("errors") a quarter of them, a canary
// the mix of both by its traffic weight (the cluster's own error rate), and the sandbox's chaos
// switch adds errors or slowness. A change of those is a new *segment*; the counters are the
// integral of the rate over the segments, in closed form, so they are exact at any instant, never
// go down, and every process computes the same numbers from the same segments.
//
// Metric names and labels are those of the usual HTTP instrumentation, and the ones the SLO
// domain's SLIs are written over:
//   http_requests_total{service, environment, code}                 counter, code "200" or "500"
//   http_request_duration_seconds_bucket{service, environment, le}  histogram (with _sum, _count)
import { BASE_ERROR_RATE } from "../integrations/sandbox-cluster/model.ts";

export const DAY_SECONDS = 86_400;
/** The daily swing of the request rate: ±30 % around its mean, peaking at 06:00 UTC. */
export const DAILY_SWING = 0.3;
/** History the sandbox invents before its first observation of an application: healthy, at the base rate. */
export const HISTORY_DAYS = 35;
/** Segments kept per series; beyond, the oldest two are merged (their totals stay exact). */
export const MAX_SEGMENTS = 500;

/** Bucket upper bounds of the latency histogram (seconds), besides +Inf: the usual ones and common SLO thresholds. */
export const LATENCY_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 2.5, 5, 10];

/** Latency as a log-normal distribution: its median and the σ of its logarithm. */
export interface LatencyProfile {
  medianSeconds: number;
  sigma: number;
}
export const NORMAL_LATENCY: LatencyProfile = { medianSeconds: 0.05, sigma: 0.55 };
/** What "latency" chaos does: most requests take hundreds of milliseconds. */
export const SLOW_LATENCY: LatencyProfile = { medianSeconds: 0.45, sigma: 0.6 };

/** What an application serves for a while: the share of requests that fail, and the share served slowly. */
export interface Regime {
  errorRate: number;
  slowShare: number;
}

export interface Segment extends Regime {
  /** Epoch milliseconds from which this regime holds (until the next segment's). */
  from: number;
}

/** A simulated application's metrics: who it is, its mean request rate, and its history of regimes. */
export interface TrafficSeries {
  service: string;
  environment: string;
  /** Mean requests per second. */
  rps: number;
  /** Epoch milliseconds at which its counters start at 0 (the first segment's `from`). */
  origin: number;
  /** In time order; never empty; the first starts at `origin`. */
  segments: Segment[];
}

export interface Counters {
  requests: number;
  errors: number;
  /** Requests at most as slow as each of LATENCY_BUCKETS (cumulative, as a histogram's buckets). */
  buckets: number[];
  /** Sum of the latencies, in seconds. */
  latencySum: number;
}

/** 32-bit FNV-1a: a stable number per name, so an application keeps its traffic across restarts. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const ENVIRONMENT_SHARE: Record<string, number> = { production: 1, staging: 0.2, dev: 0.05 };

/** Mean requests per second of a service in an environment: 5–50 in production, less elsewhere. */
export function baseRate(service: string, environment: string): number {
  const mean = 5 + (hash(service) % 46);
  return Math.round(mean * (ENVIRONMENT_SHARE[environment] ?? 0.1) * 100) / 100;
}

/** Requests an application of mean rate `rps` serves between two instants (epoch ms): the integral of the daily swing. */
export function requestsBetween(rps: number, fromMs: number, toMs: number): number {
  if (toMs <= fromMs) return 0;
  const w = (2 * Math.PI) / DAY_SECONDS;
  const s0 = fromMs / 1000;
  const s1 = toMs / 1000;
  return rps * (s1 - s0 - (DAILY_SWING / w) * (Math.cos(w * s1) - Math.cos(w * s0)));
}

/** Requests per second at an instant. */
export function rateAt(rps: number, atMs: number): number {
  return rps * (1 + DAILY_SWING * Math.sin(((2 * Math.PI) / DAY_SECONDS) * (atMs / 1000)));
}

/** Standard normal CDF (Abramowitz & Stegun 7.1.26; error below 1.5e-7). */
export function normalCdf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x / Math.SQRT2));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + y) / 2 : (1 - y) / 2;
}

/** Share of requests at most `le` seconds slow under a profile. */
export function latencyShare(profile: LatencyProfile, le: number): number {
  if (le === Infinity) return 1;
  if (le <= 0) return 0;
  return normalCdf(Math.log(le / profile.medianSeconds) / profile.sigma);
}

function meanLatency(profile: LatencyProfile): number {
  return profile.medianSeconds * Math.exp((profile.sigma * profile.sigma) / 2);
}

/** Share of a regime's requests at most `le` seconds slow. */
export function regimeLatencyShare(regime: Regime, le: number): number {
  return (1 - regime.slowShare) * latencyShare(NORMAL_LATENCY, le) + regime.slowShare * latencyShare(SLOW_LATENCY, le);
}

function regimeMeanLatency(regime: Regime): number {
  return (1 - regime.slowShare) * meanLatency(NORMAL_LATENCY) + regime.slowShare * meanLatency(SLOW_LATENCY);
}

/** What a service running a good version serves: the sandbox cluster's base error rate, no slow requests. */
export const HEALTHY: Regime = { errorRate: BASE_ERROR_RATE, slowShare: 0 };

/** A new series: healthy history back to `HISTORY_DAYS` before `now`, then `regime` from `now` if it differs. */
export function newSeries(service: string, environment: string, now: number, regime: Regime, healthy: Regime = HEALTHY): TrafficSeries {
  const origin = now - HISTORY_DAYS * DAY_SECONDS * 1000;
  const segments: Segment[] = [{ from: origin, ...healthy }];
  if (!sameRegime(healthy, regime)) segments.push({ from: now, ...regime });
  return { service, environment, rps: baseRate(service, environment), origin, segments };
}

export function sameRegime(a: Regime, b: Regime): boolean {
  return Math.abs(a.errorRate - b.errorRate) < 1e-9 && Math.abs(a.slowShare - b.slowShare) < 1e-9;
}

/** The series with `regime` holding from `now` (unchanged when it already does). Segments never start before the last one. */
export function observe(series: TrafficSeries, now: number, regime: Regime): TrafficSeries {
  const last = series.segments.at(-1)!;
  if (sameRegime(last, regime)) return series;
  const from = Math.max(now, last.from);
  const segments = from === last.from ? [...series.segments.slice(0, -1), { from, ...regime }] : [...series.segments, { from, ...regime }];
  return { ...series, segments: compact(series.rps, segments) };
}

/**
 * At most MAX_SEGMENTS: the oldest two merge into one whose error and slow shares are weighted by
 * the requests each served, so the counters at the end of the merged span are unchanged (and
 * still rise monotonically within it).
 */
export function compact(rps: number, segments: Segment[]): Segment[] {
  const out = segments.slice();
  while (out.length > MAX_SEGMENTS) {
    const [a, b, c] = out as [Segment, Segment, Segment | undefined];
    const end = c?.from ?? b.from;
    const na = requestsBetween(rps, a.from, b.from);
    const nb = requestsBetween(rps, b.from, end);
    const total = na + nb || 1;
    out.splice(0, 2, { from: a.from, errorRate: (a.errorRate * na + b.errorRate * nb) / total, slowShare: (a.slowShare * na + b.slowShare * nb) / total });
  }
  return out;
}

/** The counters at an instant (all 0 at or before the origin). */
export function countersAt(series: TrafficSeries, atMs: number): Counters {
  const out: Counters = { requests: 0, errors: 0, buckets: LATENCY_BUCKETS.map(() => 0), latencySum: 0 };
  const segs = series.segments;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!;
    if (seg.from >= atMs) break;
    const end = Math.min(atMs, segs[i + 1]?.from ?? Infinity);
    const n = requestsBetween(series.rps, seg.from, end);
    out.requests += n;
    out.errors += n * seg.errorRate;
    LATENCY_BUCKETS.forEach((le, b) => (out.buckets[b]! += n * regimeLatencyShare(seg, le)));
    out.latencySum += n * regimeMeanLatency(seg);
  }
  return out;
}

/** One exposed series: its metric name, labels and value. */
export interface ExposedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Le label values as Prometheus' client libraries write them ("0.3", "1", "+Inf"). */
export function leLabel(le: number): string {
  return le === Infinity ? "+Inf" : String(le);
}

/**
 * The series an application exposes at an instant: good and failed requests, the histogram's
 * buckets, sum and count. As integers by default (floors of the exact values, which keeps each
 * one monotonic, as a scrape shows them); `exact` gives the real-valued integrals, which the
 * sandbox metrics source evaluates PromQL over.
 */
export function exposedSamples(series: TrafficSeries, atMs: number, options: { exact?: boolean } = {}): ExposedSample[] {
  if (atMs <= series.origin) return [];
  const c = countersAt(series, atMs);
  const base = { service: series.service, environment: series.environment };
  const int = options.exact ? (n: number) => n : Math.floor;
  const requests = int(c.requests);
  return [
    { name: "http_requests_total", labels: { ...base, code: "200" }, value: int(c.requests - c.errors) },
    { name: "http_requests_total", labels: { ...base, code: "500" }, value: int(c.errors) },
    ...LATENCY_BUCKETS.map((le, i) => ({ name: "http_request_duration_seconds_bucket", labels: { ...base, le: leLabel(le) }, value: Math.min(requests, int(c.buckets[i]!)) })),
    { name: "http_request_duration_seconds_bucket", labels: { ...base, le: "+Inf" }, value: requests },
    { name: "http_request_duration_seconds_sum", labels: base, value: options.exact ? c.latencySum : Math.round(c.latencySum * 1000) / 1000 },
    { name: "http_request_duration_seconds_count", labels: base, value: requests },
  ];
}

/** The metric names the sandbox simulates. */
export const SIMULATED_METRICS: readonly string[] = [
  "http_requests_total",
  "http_request_duration_seconds_bucket",
  "http_request_duration_seconds_sum",
  "http_request_duration_seconds_count",
];

const HELP: Record<string, [string, string]> = {
  http_requests_total: ["counter", "HTTP requests served, by status code (the sandbox cluster's simulated traffic)."],
  http_request_duration_seconds: ["histogram", "HTTP request latency in seconds (the sandbox cluster's simulated traffic)."],
};

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

/** The Prometheus text exposition format (version 0.0.4) of every series, families grouped. */
export function exposition(all: readonly TrafficSeries[], atMs: number): string {
  const byFamily = new Map<string, ExposedSample[]>();
  for (const s of all) {
    for (const sample of exposedSamples(s, atMs)) {
      const family = sample.name.startsWith("http_request_duration_seconds") ? "http_request_duration_seconds" : sample.name;
      byFamily.set(family, [...(byFamily.get(family) ?? []), sample]);
    }
  }
  const lines: string[] = [];
  for (const [family, [type, help]] of Object.entries(HELP)) {
    lines.push(`# HELP ${family} ${help}`, `# TYPE ${family} ${type}`);
    for (const s of byFamily.get(family) ?? []) {
      const labels = Object.entries(s.labels)
        .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
        .join(",");
      lines.push(`${s.name}{${labels}} ${s.value}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
