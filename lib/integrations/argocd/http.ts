// One HTTP call to Argo CD's REST API, as the adapter needs it: bearer token, a timeout per
// attempt, GETs retried with backoff when Argo CD (or the way to it) fails, and every failure
// turned into the port's two errors:
// - EngineUnavailableError: no answer (network error, timeout), 5xx or 429 — pause and retry later;
// - EngineRequestError: any other 4xx — Argo CD refused this request, with its own message.
// POSTs are never retried here: a sync is not idempotent, so retrying one is the caller's decision.
// Every attempt goes through a circuit breaker (../circuit-breaker.ts): after failures in a row,
// calls fail at once without a request until a trial after the cooldown gets an answer, so an Argo
// CD that is down is not hammered by every run, page and job at once.
import type { z } from "zod";
import { EngineRequestError, EngineUnavailableError } from "../../core/ports/gitops-engine.ts";
import { CircuitBreaker, type CircuitBreakerOptions } from "../circuit-breaker.ts";
import { ArgoRuntimeError } from "./schemas.ts";

export interface ArgoCdHttpOptions {
  /** ARGOCD_URL; may carry a path prefix (argocd-server --rootpath). */
  url: string;
  /** ARGOCD_TOKEN, sent as `Authorization: Bearer …`. Without one, calls are anonymous. */
  token?: string;
  /** Timeout of each attempt, in ms. Default 30 s. */
  timeoutMs?: number;
  /** Retries of a GET that got no answer or a 5xx. Default 2. */
  retries?: number;
  /** Backoff unit: the n-th retry waits retryBaseMs × 2^(n-1). Default 500 ms (0.5 s, then 1 s). */
  retryBaseMs?: number;
  fetch?: typeof fetch;
  /** The circuit breaker's settings (default: opens after 5 failures in a row, for 10 s at first), or one to share. */
  breaker?: CircuitBreaker | Omit<CircuitBreakerOptions, "name">;
}

export interface ArgoAnswer {
  status: number;
  body: unknown;
  /** When the answer arrived, RFC 3339 to the second like Argo CD's own times. */
  receivedAt: string;
}

interface Call {
  method: "GET" | "POST";
  /** Path below the API root, e.g. "/api/v1/applications/web-prod". */
  path: string;
  query?: [string, string][];
  body?: unknown;
  /** Statuses answered as values (e.g. 404 for "none of that name") instead of errors. */
  expected?: number[];
}

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

/** Argo CD's own words from a runtimeError body (`message`, else `error`); null when the body is not one. */
export function argoMessage(body: unknown): string | null {
  const parsed = ArgoRuntimeError.safeParse(body);
  if (!parsed.success) return typeof body === "string" && body.trim() ? body.trim().slice(0, 300) : null;
  return parsed.data.message || parsed.data.error || null;
}

export class ArgoCdHttp {
  private readonly base: URL;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryBaseMs: number;
  private readonly fetchFn: typeof fetch;
  readonly breaker: CircuitBreaker;

  constructor(options: ArgoCdHttpOptions) {
    this.base = new URL(options.url.endsWith("/") ? options.url : `${options.url}/`);
    this.token = options.token || undefined;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retries = options.retries ?? 2;
    this.retryBaseMs = options.retryBaseMs ?? 500;
    this.fetchFn = options.fetch ?? fetch;
    this.breaker = options.breaker instanceof CircuitBreaker ? options.breaker : new CircuitBreaker({ name: "Argo CD", ...options.breaker });
  }

  async call(call: Call): Promise<ArgoAnswer> {
    const attempts = call.method === "GET" ? 1 + this.retries : 1;
    const what = `${call.method} ${call.path}`;
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= attempts;
      const after = attempt > 1 ? ` (after ${attempt} attempts)` : "";
      let answer: ArgoAnswer;
      if (!this.breaker.tryAcquire()) throw new EngineUnavailableError(`Argo CD was not asked ${what}: ${this.breaker.describeOpen()}`, null);
      try {
        answer = await this.once(call);
      } catch (e) {
        this.breaker.record(false);
        if (!last) {
          await this.backoff(attempt);
          continue;
        }
        const timedOut = (e as Error)?.name === "TimeoutError";
        const reason = timedOut ? `no answer within ${this.timeoutMs} ms` : describeNetworkError(e);
        throw new EngineUnavailableError(`Argo CD did not answer ${what}: ${reason}${after}`, null, { cause: e });
      }
      const { status, body } = answer;
      // 501 (gRPC Unimplemented) is Argo CD answering; other 5xx and 429 are it failing or shedding load.
      this.breaker.record(!((status >= 500 && status !== 501) || status === 429));
      if ((status >= 200 && status < 300) || call.expected?.includes(status)) return answer;
      const message = argoMessage(body) ?? "no message";
      if (status >= 500 || status === 429) {
        // 501 (gRPC Unimplemented) will not change by asking again.
        if (status >= 500 && status !== 501 && !last) {
          await this.backoff(attempt);
          continue;
        }
        throw new EngineUnavailableError(`Argo CD answered ${status} to ${what}: ${message}${after}`, status);
      }
      throw new EngineRequestError(`Argo CD answered ${status} to ${what}: ${message}`, status);
    }
  }

  /** An answer's body as `schema` says, or an EngineUnavailableError naming what does not fit. */
  parse<T>(answer: ArgoAnswer, schema: z.ZodType<T>, what: string): T {
    const parsed = schema.safeParse(answer.body);
    if (parsed.success) return parsed.data;
    const problems = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
      .join("; ");
    // Not Argo CD's API as Paved knows it (another version, a proxy's page): stop and tell, do not guess.
    throw new EngineUnavailableError(`Argo CD answered ${answer.status} with something that is not ${what}: ${problems}`, answer.status);
  }

  private async once(call: Call): Promise<ArgoAnswer> {
    const url = new URL(call.path.replace(/^\/+/, ""), this.base);
    for (const [name, value] of call.query ?? []) url.searchParams.append(name, value);
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (call.body !== undefined) headers["content-type"] = "application/json";
    const res = await this.fetchFn(url, {
      method: call.method,
      headers,
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    // Read within the same timeout: a connection dropped mid-body is a network error too.
    const text = await res.text();
    let body: unknown = undefined;
    if (text.trim()) {
      try {
        body = JSON.parse(text) as unknown;
      } catch {
        body = text; // A proxy's HTML or text page: kept for the error message.
      }
    }
    return { status: res.status, body, receivedAt: now() };
  }

  private backoff(attempt: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, this.retryBaseMs * 2 ** (attempt - 1)));
  }
}

/** undici says "fetch failed" and puts the reason (ECONNREFUSED, "other side closed") in `cause`. */
function describeNetworkError(e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string; message?: string } };
  const cause = err?.cause;
  const detail = cause?.code ?? cause?.message;
  return detail ? `${err.message ?? "network error"} (${detail})` : (err?.message ?? String(e));
}
