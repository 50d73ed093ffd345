// The Octokit client every GitHub call of the GitHost adapter goes through: retries with backoff
// on 5xx and network errors (plugin-retry), waits out secondary rate limits and, up to a bound,
// primary ones (plugin-throttling), spaces out writes as GitHub asks, and gives each attempt its
// own timeout. What is still failing afterwards reaches the adapter as an error to map.
// Around all of it, a circuit breaker (../circuit-breaker.ts): after requests that failed in a row
// (no answer, 5xx, 429, after their retries), requests fail at once without reaching GitHub until a
// trial after the cooldown is answered, so a GitHub that is down is not hammered by every run and
// job of the process.
import { Octokit } from "@octokit/rest";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import Bottleneck from "bottleneck";
import { logger } from "../../core/logger.ts";
import { GitHostError } from "../../core/ports/git-host.ts";
import { CircuitBreaker, type CircuitBreakerOptions } from "../circuit-breaker.ts";

const GitHubOctokit = Octokit.plugin(throttling, retry);
export type GitHubClient = InstanceType<typeof GitHubOctokit> & { breaker: CircuitBreaker };

export interface GitHubClientOptions {
  token: string;
  /** GITHUB_API_URL */
  baseUrl?: string;
  /** Retries of a request answered 5xx (or not answered at all). Default 3. */
  retries?: number;
  /** Backoff unit: the n-th retry waits n² × this. Default 1000 ms (1 s, 4 s, 9 s). */
  retryBaseMs?: number;
  /** Retries after a rate limit (primary or secondary). Default 3. */
  rateLimitRetries?: number;
  /**
   * The longest wait for a rate limit to lift, in seconds. A primary limit that resets later
   * fails at once as `rate_limited` (retryable), so a job can be retried later instead of
   * holding a worker for up to an hour. Default 60.
   */
  maxRateLimitWaitSeconds?: number;
  /** How long one second of `retry-after` / `x-ratelimit-reset` is. Default 1000 ms (tests shorten it). */
  rateLimitSecondMs?: number;
  /** Pause between writes, which GitHub asks of integrations to avoid secondary limits. Default 1000 ms. */
  writeIntervalMs?: number;
  /** Pause between writes that notify people (opening, merging pull requests). Default 3000 ms, as plugin-throttling. */
  notifyingWriteIntervalMs?: number;
  /** Timeout of each attempt. Default 30 s. */
  requestTimeoutMs?: number;
  /** The circuit breaker's settings (default: opens after 5 failed requests in a row, for 10 s at first), or one to share. */
  breaker?: CircuitBreaker | Omit<CircuitBreakerOptions, "name">;
}

export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const rateLimitRetries = options.rateLimitRetries ?? 3;
  const maxWait = options.maxRateLimitWaitSeconds ?? 60;
  const log = logger.child({ integration: "github" });
  const onLimit = (kind: string) => (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
    const again = retryCount < rateLimitRetries && retryAfter <= maxWait;
    log.warn({ method: request.method, url: request.url, retryAfter, retryCount, retry: again }, `GitHub ${kind} rate limit reached`);
    return again;
  };
  const timedFetch: typeof fetch = (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    return fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
  };
  const octokit = new GitHubOctokit({
    auth: options.token,
    baseUrl: (options.baseUrl ?? "https://api.github.com").replace(/\/$/, ""),
    userAgent: "paved",
    request: { fetch: timedFetch },
    log: {
      debug: () => {},
      info: () => {},
      warn: (message: string, meta?: unknown) => log.warn({ meta }, message),
      // Octokit logs every failed request as an error, 404s included; the adapter turns failures
      // into GitHostErrors for its callers, which decide what is worth reporting.
      error: (message: string, meta?: unknown) => log.debug({ meta }, message),
    },
    retry: {
      retries: options.retries ?? 3,
      retryAfterBaseValue: options.retryBaseMs ?? 1000,
      // 429 is the throttling plugin's to handle (with the wait GitHub asks for), not a plain retry.
      doNotRetry: [400, 401, 403, 404, 405, 409, 410, 422, 429, 451],
    },
    throttle: {
      onRateLimit: onLimit("primary"),
      onSecondaryRateLimit: onLimit("secondary"),
      retryAfterBaseValue: options.rateLimitSecondMs ?? 1000,
      fallbackSecondaryRateRetryAfter: 60,
      // Limiters per client (the plugin's defaults are shared by the whole process).
      write: new Bottleneck.Group({ maxConcurrent: 1, minTime: options.writeIntervalMs ?? 1000 }),
      notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: options.notifyingWriteIntervalMs ?? 3000 }),
    },
  });
  const breaker = options.breaker instanceof CircuitBreaker ? options.breaker : new CircuitBreaker({ name: "GitHub", ...options.breaker });
  // Registered after the plugins, so it wraps them: one request with all its retries is one outcome.
  octokit.hook.wrap("request", async (request, requestOptions) => {
    if (!breaker.tryAcquire()) throw new GitHostError(`GitHub was not asked (${requestOptions.method} ${requestOptions.url}): ${breaker.describeOpen()}`, "unavailable", true);
    try {
      const response = await request(requestOptions);
      breaker.record(true);
      return response;
    } catch (e) {
      const status = (e as { status?: unknown }).status;
      // A 4xx is GitHub answering (not found, refused); no status, 5xx or 429 is GitHub failing.
      breaker.record(typeof status === "number" && status < 500 && status !== 429);
      throw e;
    }
  });
  return Object.assign(octokit, { breaker });
}
