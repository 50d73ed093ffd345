// The metrics source port: what Paved needs from the system that stores its services' metrics
// (Prometheus in production, the sandbox's simulated counters in sandbox mode). PromQL in, numbers
// out: instant queries (one, or many at once with bounded concurrency), and range queries for
// charts. Every answer says how fresh it is: when the source cannot be reached, an adapter may
// answer the last values it had for the same query, marked stale with their age, so that a
// dashboard shows "as of 4 minutes ago" rather than an error page.
//
// Errors are typed: MetricsUnavailableError (unreachable, timed out, 5xx: worth retrying later)
// and MetricsQueryError (the query itself is refused: retrying will not help).

/** One series' value: its labels (the metric name, when it has one, as `__name__`). */
export interface MetricSample {
  labels: Record<string, string>;
  value: number;
}

/** How fresh an answer is. `stale` answers are the last known ones, served because the source failed. */
export interface Freshness {
  /** When the source answered (for a stale answer: when it last did). */
  fetchedAt: Date;
  stale: boolean;
  /** Seconds since `fetchedAt` when this answer was handed out (0 for a fresh one). */
  ageSeconds: number;
  /** Why the source did not answer this time (stale answers only). */
  error: string | null;
}

export interface InstantResult {
  query: string;
  /** "vector" (any number of series) or "scalar" (one value, `samples` holds it with no labels). */
  resultType: "vector" | "scalar";
  samples: MetricSample[];
  /** The evaluation time. */
  time: Date;
  freshness: Freshness;
}

export interface RangeSeries {
  labels: Record<string, string>;
  /** [epoch milliseconds, value], in time order. */
  points: [number, number][];
}

export interface RangeResult {
  query: string;
  series: RangeSeries[];
  start: Date;
  end: Date;
  stepSeconds: number;
  freshness: Freshness;
}

export interface QueryOptions {
  /** Evaluation time (default: now). */
  time?: Date;
  /** Overrides the adapter's timeout for this call, in milliseconds. */
  timeoutMs?: number;
}

export interface RangeOptions {
  start: Date;
  end: Date;
  stepSeconds: number;
  timeoutMs?: number;
}

/** One query of a batch: its answer, or why it has none. A batch never fails as a whole. */
export type BatchItem =
  | { query: string; ok: true; result: InstantResult }
  | { query: string; ok: false; error: { kind: "unavailable" | "bad_query"; message: string } };

export interface MetricsSource {
  readonly kind: "prometheus" | "sandbox";
  /** An instant query. Throws MetricsQueryError or MetricsUnavailableError (when no last value is known). */
  query(query: string, options?: QueryOptions): Promise<InstantResult>;
  /** Many instant queries at the same evaluation time, run with bounded concurrency; answers in the same order. */
  queryBatch(queries: readonly string[], options?: QueryOptions): Promise<BatchItem[]>;
  /** A range query (for charts). Same errors as `query`. */
  queryRange(query: string, options: RangeOptions): Promise<RangeResult>;
}

/** The source could not be asked: unreachable, timed out, or it answered 5xx. Retrying later may help. */
export class MetricsUnavailableError extends Error {
  constructor(
    message: string,
    readonly status: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "MetricsUnavailableError";
  }
}

/** The source refused the query (bad PromQL, a query it cannot answer): retrying will not help. */
export class MetricsQueryError extends Error {
  constructor(
    message: string,
    readonly query: string,
  ) {
    super(message);
    this.name = "MetricsQueryError";
  }
}

/** A fresh answer's freshness. */
export function fresh(at: Date): Freshness {
  return { fetchedAt: at, stale: false, ageSeconds: 0, error: null };
}

/** Runs `fn` over `items` with at most `limit` at once; results in input order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** A batch item from a query's outcome (for adapters). */
export async function batchItem(query: string, run: () => Promise<InstantResult>): Promise<BatchItem> {
  try {
    return { query, ok: true, result: await run() };
  } catch (e) {
    if (e instanceof MetricsQueryError) return { query, ok: false, error: { kind: "bad_query", message: e.message } };
    if (e instanceof MetricsUnavailableError) return { query, ok: false, error: { kind: "unavailable", message: e.message } };
    throw e;
  }
}
