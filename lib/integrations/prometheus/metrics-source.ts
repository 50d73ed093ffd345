// The MetricsSource port over Prometheus' HTTP API: POST /api/v1/query and /api/v1/query_range
// (form-encoded, so long PromQL never meets a URL length limit), each with a client-side timeout
// and Prometheus' own `timeout` parameter, so neither side keeps working on an abandoned query.
//
// - Bounded concurrency: at most `concurrency` requests in flight per adapter, whatever the number
//   of callers; a batch of a thousand queries is a queue, not a thousand sockets.
// - Short caching: an answer is reused for `cacheTtlMs` (same query, same evaluation time or
//   "now"), and identical queries in flight share one request.
// - Last known values: every successful answer is kept (the last `lastKnownLimit` queries); when
//   Prometheus cannot be asked, the adapter answers the last one it had, marked stale with its age.
//   A query that never succeeded has no last value: MetricsUnavailableError.
// - Every answer is parsed against the published API description (schemas.ts).
// - A circuit breaker (../circuit-breaker.ts): after requests that failed in a row (no answer, a
//   timeout, 5xx, 429), queries are not sent until a trial after the cooldown is answered; they
//   get their last known values meanwhile, so a Prometheus that is down is not asked for every
//   SLO of every page view.
import { CircuitBreaker, type CircuitBreakerOptions } from "../circuit-breaker.ts";
import {
  MetricsQueryError,
  MetricsUnavailableError,
  batchItem,
  fresh,
  type BatchItem,
  type InstantResult,
  type MetricsSource,
  type QueryOptions,
  type RangeOptions,
  type RangeResult,
} from "../../core/ports/metrics-source.ts";
import { ErrorBody, QueryOutputBody, sampleValue, type QueryData } from "./schemas.ts";

export interface PrometheusSourceOptions {
  /** Base URL (the API is under `<url>/api/v1`). */
  url: string;
  /** Per request, in milliseconds (default 5000). */
  timeoutMs?: number;
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  /** How long an answer is reused (default 10 000 ms; 0: no cache). */
  cacheTtlMs?: number;
  /** Queries whose last answer is kept for when Prometheus is down (default 5000). */
  lastKnownLimit?: number;
  fetch?: typeof fetch;
  now?: () => number;
  /** The circuit breaker's settings (default: opens after 5 failed requests in a row, for 10 s at first), or one to share. */
  breaker?: CircuitBreaker | Omit<CircuitBreakerOptions, "name">;
}

/** Prometheus refuses range queries of more than 11,000 points per series. */
export const MAX_RANGE_POINTS = 11_000;

type Answer<T> = { value: T; at: number };

export class PrometheusMetricsSource implements MetricsSource {
  readonly kind = "prometheus" as const;
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly cacheTtlMs: number;
  private readonly lastKnownLimit: number;
  private readonly fetchFn: typeof fetch;
  private readonly clock: () => number;
  private readonly gate: Semaphore;
  private readonly cache = new Map<string, Answer<unknown>>();
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly lastKnown = new Map<string, Answer<unknown>>();
  readonly breaker: CircuitBreaker;

  constructor(options: PrometheusSourceOptions) {
    this.base = options.url.endsWith("/") ? options.url : `${options.url}/`;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.cacheTtlMs = options.cacheTtlMs ?? 10_000;
    this.lastKnownLimit = options.lastKnownLimit ?? 5000;
    this.fetchFn = options.fetch ?? fetch;
    this.clock = options.now ?? Date.now;
    this.gate = new Semaphore(options.concurrency ?? 8);
    this.breaker = options.breaker instanceof CircuitBreaker ? options.breaker : new CircuitBreaker({ name: "Prometheus", now: this.clock, ...options.breaker });
  }

  query(query: string, options: QueryOptions = {}): Promise<InstantResult> {
    return this.instant(query, options.time ?? null, options.time ?? new Date(this.clock()), options.timeoutMs);
  }

  queryBatch(queries: readonly string[], options: QueryOptions = {}): Promise<BatchItem[]> {
    // One evaluation time for the whole batch, so that its answers fit together; a batch "now"
    // still shares the cache and the last known values of single queries "now".
    const time = options.time ?? new Date(this.clock());
    return Promise.all(queries.map((q) => batchItem(q, () => this.instant(q, options.time ?? null, time, options.timeoutMs))));
  }

  /** `asked` is the time the caller asked for (null: now), which keys the cache; `time` the evaluation time sent. */
  private instant(query: string, asked: Date | null, time: Date, timeoutMs: number | undefined): Promise<InstantResult> {
    const key = `i\0${asked?.getTime() ?? "now"}\0${query}`;
    return this.answer(key, async () => {
      const data = await this.post("api/v1/query", { query, time: seconds(time) }, query, timeoutMs);
      return toInstant(query, data, time, new Date(this.clock()));
    });
  }

  async queryRange(query: string, options: RangeOptions): Promise<RangeResult> {
    const { start, end, stepSeconds } = options;
    if (!(stepSeconds > 0)) throw new MetricsQueryError("The step of a range query must be more than 0 seconds.", query);
    if (end.getTime() < start.getTime()) throw new MetricsQueryError("A range query's end must not be before its start.", query);
    if ((end.getTime() - start.getTime()) / 1000 / stepSeconds > MAX_RANGE_POINTS) {
      throw new MetricsQueryError(`A range query may have at most ${MAX_RANGE_POINTS} points per series: widen the step.`, query);
    }
    const key = `r\0${start.getTime()}\0${end.getTime()}\0${stepSeconds}\0${query}`;
    return this.answer(key, async () => {
      const data = await this.post("api/v1/query_range", { query, start: seconds(start), end: seconds(end), step: String(stepSeconds) }, query, options.timeoutMs);
      if (data.resultType !== "matrix") throw new MetricsUnavailableError(`Prometheus answered a ${data.resultType} to a range query.`);
      const series = data.result.map((s) => {
        if (!("values" in s)) throw new MetricsQueryError("The query returns native histograms, which Paved does not read.", query);
        return { labels: s.metric, points: s.values.map(([t, v]): [number, number] => [Math.round(t * 1000), sampleValue(v)]) };
      });
      return { query, series, start, end, stepSeconds, freshness: fresh(new Date(this.clock())) };
    });
  }

  /** The cache, the shared in-flight request, and the last known answer when Prometheus fails. */
  private async answer<T extends { freshness: InstantResult["freshness"] }>(key: string, load: () => Promise<T>): Promise<T> {
    const now = this.clock();
    const cached = this.cache.get(key) as Answer<T> | undefined;
    if (cached && now - cached.at < this.cacheTtlMs) return cached.value;
    let pending = this.inFlight.get(key) as Promise<T> | undefined;
    if (!pending) {
      pending = load().finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    try {
      const value = await pending;
      const at = value.freshness.fetchedAt.getTime();
      if (this.cacheTtlMs > 0) remember(this.cache, key, { value, at }, this.lastKnownLimit);
      remember(this.lastKnown, key, { value, at }, this.lastKnownLimit);
      return value;
    } catch (e) {
      const last = this.lastKnown.get(key) as Answer<T> | undefined;
      if (e instanceof MetricsUnavailableError && last) {
        const ageSeconds = Math.max(0, Math.round((this.clock() - last.at) / 100) / 10);
        return { ...last.value, freshness: { fetchedAt: new Date(last.at), stale: true, ageSeconds, error: e.message } };
      }
      throw e;
    }
  }

  private async post(path: string, form: Record<string, string>, query: string, timeoutMs = this.timeoutMs): Promise<QueryData> {
    return this.gate.run(async () => {
      // Checked once a slot is free, so that queries queued behind a failing one are not sent either.
      if (!this.breaker.tryAcquire()) throw new MetricsUnavailableError(`Prometheus was not asked: ${this.breaker.describeOpen()}`, null);
      let answered = false;
      try {
        const data = await this.send(path, form, query, timeoutMs);
        answered = true;
        return data;
      } catch (e) {
        // Prometheus answering "bad query" is Prometheus working.
        answered = !(e instanceof MetricsUnavailableError) || (e.status !== null && e.status < 500 && e.status !== 429);
        throw e;
      } finally {
        this.breaker.record(answered);
      }
    });
  }

  private async send(path: string, form: Record<string, string>, query: string, timeoutMs: number): Promise<QueryData> {
    const body = new URLSearchParams({ ...form, timeout: `${Math.max(1, Math.floor(timeoutMs / 1000))}s` });
    let res: Response;
    try {
      res = await this.fetchFn(new URL(path, this.base), {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      const err = e as Error;
      const timedOut = err.name === "TimeoutError" || err.name === "AbortError";
      throw new MetricsUnavailableError(timedOut ? `Prometheus did not answer within ${timeoutMs} ms.` : `Prometheus cannot be reached: ${causeOf(err)}`, null, { cause: e });
    }
    let json: unknown;
    try {
      json = await res.json();
    } catch (e) {
      const err = e as Error;
      if (err.name === "TimeoutError" || err.name === "AbortError") throw new MetricsUnavailableError(`Prometheus did not answer within ${timeoutMs} ms.`, res.status, { cause: e });
      throw new MetricsUnavailableError(`Prometheus answered ${res.status} with a body that is not JSON.`, res.status, { cause: e });
    }
    if (res.ok) {
      const parsed = QueryOutputBody.safeParse(json);
      if (!parsed.success) throw new MetricsUnavailableError(`Prometheus answered something that is not its query API's answer: ${parsed.error.issues[0]?.message ?? "invalid"}.`, res.status);
      return parsed.data.data;
    }
    const error = ErrorBody.safeParse(json);
    const message = error.success ? error.data.error : `HTTP ${res.status}`;
    // bad_data: the PromQL does not parse or its parameters are wrong; execution: it cannot be
    // evaluated (e.g. many-to-many matching). Both are the query's fault. The rest is Prometheus'.
    if ((res.status === 400 || res.status === 422) && error.success && (error.data.errorType === "bad_data" || error.data.errorType === "execution")) {
      throw new MetricsQueryError(`Prometheus refused the query: ${message}`, query);
    }
    throw new MetricsUnavailableError(`Prometheus answered ${res.status}: ${message}`, res.status);
  }
}

function toInstant(query: string, data: QueryData, time: Date, fetchedAt: Date): InstantResult {
  switch (data.resultType) {
    case "vector":
      return {
        query,
        resultType: "vector",
        samples: data.result.map((s) => {
          if (!("value" in s)) throw new MetricsQueryError("The query returns native histograms, which Paved does not read.", query);
          return { labels: s.metric, value: sampleValue(s.value[1]) };
        }),
        time,
        freshness: fresh(fetchedAt),
      };
    case "scalar":
      return { query, resultType: "scalar", samples: [{ labels: {}, value: sampleValue(data.result[1]) }], time, freshness: fresh(fetchedAt) };
    default:
      throw new MetricsQueryError(`The query returns a ${data.resultType}; an instant query must return a vector or a scalar.`, query);
  }
}

function seconds(d: Date): string {
  return (d.getTime() / 1000).toFixed(3);
}

function causeOf(e: Error): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? e.message;
}

/** Map insertion order as recency: the oldest entry goes first when the map is full. */
function remember<V>(map: Map<string, V>, key: string, value: V, limit: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > limit) map.delete(map.keys().next().value!);
}

class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    // A released slot is handed straight to the next waiter, so no newcomer slips in between.
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
