// Rate limits shared by every instance. PostgreSQL is the only store all web processes share, so
// each limit is a fixed-window counter in `rate_limit_counters`, counted up by one atomic upsert
// (INSERT … ON CONFLICT DO UPDATE … RETURNING): concurrent requests on any number of instances
// queue on the row and each sees the count including itself, with no transaction held open (which
// matters on the embedded database, where an open transaction blocks every other connection).
// Chosen over rate-limiter-flexible's Postgres store, which creates its own table at run time
// outside Paved's migrations and wants a `pg` pool of its own beside Prisma's, for the same one
// statement.
//
// A fixed window lets through at most twice the limit across a window boundary; for sign-in,
// token creation and webhooks that is fine, and it keeps the cost at one row and one statement.
import type { Db, Tx } from "../db/client.ts";
import { AppError } from "../errors.ts";

export interface RateLimit {
  /** Names the counter, e.g. "tokens.create". Each bucket counts its keys separately. */
  bucket: string;
  /** Attempts allowed per window; the next one is refused until the window ends. */
  limit: number;
  windowSeconds: number;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** Attempts counted in this window, this one included. */
  count: number;
  limit: number;
  /** Seconds until the window ends (at least 1). */
  retryAfterSeconds: number;
}

/** 429 `rate_limited`; the route wrapper adds `Retry-After`. */
export class RateLimitedError extends AppError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number, limit: RateLimit) {
    super("rate_limited", `Too many requests: at most ${limit.limit} every ${describeWindow(limit.windowSeconds)}. Try again in ${retryAfterSeconds} s.`, {
      retryAfterSeconds,
      limit: limit.limit,
      windowSeconds: limit.windowSeconds,
    });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

function describeWindow(seconds: number): string {
  if (seconds % 3600 === 0) return seconds === 3600 ? "hour" : `${seconds / 3600} hours`;
  if (seconds % 60 === 0) return seconds === 60 ? "minute" : `${seconds / 60} minutes`;
  return `${seconds} s`;
}

/** Longest window any limit may use; counters older than this (and a margin) are removed. */
export const MAX_WINDOW_SECONDS = 24 * 60 * 60;
const MAX_KEY_LENGTH = 200;

/** The counter's key: bucket and caller, bounded in length (a caller-sent value may be long). */
export function counterKey(bucket: string, key: string): string {
  return `${bucket}:${key}`.slice(0, MAX_KEY_LENGTH);
}

/**
 * Counts one attempt of `key` in `limit.bucket` and says whether it is allowed. Attempts beyond
 * the limit are counted too (they do not move the window), so a caller who keeps trying is told
 * the same end of window.
 */
export async function consumeRateLimit(client: Db | Tx, limit: RateLimit, key: string): Promise<RateLimitDecision> {
  if (!Number.isInteger(limit.limit) || limit.limit < 1) throw new Error(`rate limit ${limit.bucket}: limit must be a positive integer`);
  if (!Number.isInteger(limit.windowSeconds) || limit.windowSeconds < 1 || limit.windowSeconds > MAX_WINDOW_SECONDS) {
    throw new Error(`rate limit ${limit.bucket}: windowSeconds must be 1 to ${MAX_WINDOW_SECONDS}`);
  }
  const rows = await client.$queryRaw<{ count: number; retry_ms: number }[]>`
    INSERT INTO rate_limit_counters AS c (key, window_start, count)
    VALUES (${counterKey(limit.bucket, key)}, clock_timestamp(), 1)
    ON CONFLICT (key) DO UPDATE SET
      window_start = CASE WHEN c.window_start <= clock_timestamp() - make_interval(secs => ${limit.windowSeconds}) THEN clock_timestamp() ELSE c.window_start END,
      count = CASE WHEN c.window_start <= clock_timestamp() - make_interval(secs => ${limit.windowSeconds}) THEN 1 ELSE c.count + 1 END
    RETURNING count, (EXTRACT(EPOCH FROM (window_start + make_interval(secs => ${limit.windowSeconds}) - clock_timestamp())) * 1000)::float8 AS retry_ms`;
  const row = rows[0];
  if (!row) throw new Error("rate limit: the counter upsert returned no row");
  // Now and then, remove counters whose window ended long ago (no job needed; any instance does it).
  if (Math.random() < 0.01) await pruneRateLimitCounters(client);
  const count = Number(row.count);
  return { allowed: count <= limit.limit, count, limit: limit.limit, retryAfterSeconds: Math.max(1, Math.ceil(Number(row.retry_ms) / 1000)) };
}

/** Counts the attempt and throws `RateLimitedError` (429) when it is over the limit. */
export async function enforceRateLimit(client: Db | Tx, limit: RateLimit, key: string): Promise<RateLimitDecision> {
  const decision = await consumeRateLimit(client, limit, key);
  if (!decision.allowed) throw new RateLimitedError(decision.retryAfterSeconds, limit);
  return decision;
}

/** Removes counters whose window ended more than a day ago. */
export async function pruneRateLimitCounters(client: Db | Tx): Promise<number> {
  return client.$executeRaw`DELETE FROM rate_limit_counters WHERE window_start < clock_timestamp() - make_interval(secs => ${MAX_WINDOW_SECONDS * 2})`;
}

/**
 * The caller's address: the last `X-Forwarded-For` entry, which is the one the nearest proxy
 * added (Next.js sets it from the socket when no proxy sent one). Entries before it are whatever
 * the client claimed, so they are ignored. Without the header (in-process calls), "unknown".
 */
export function clientAddress(headers: Headers): string {
  const forwarded = headers.get("x-forwarded-for");
  const last = forwarded?.split(",").at(-1)?.trim();
  return last ? last.slice(0, 64) : "unknown";
}
