// Durable jobs (pg-boss on PostgreSQL or the embedded database). A job has a name, a zod schema
// for its data (checked when sent and again when run), retry settings and a handler that must be
// safe to retry: pg-boss hands each job to exactly one worker at a time (FOR UPDATE SKIP LOCKED),
// and a failed attempt runs again after a backoff until its retry limit.
import type { z } from "zod";
import type { Logger } from "../logger.ts";

export interface JobContext {
  jobId: string;
  /** 0 on the first attempt. */
  attempt: number;
  signal: AbortSignal;
  log: Logger;
}

export interface JobDefinition<S extends z.ZodType = z.ZodType, R = unknown> {
  name: string;
  description: string;
  schema: S;
  handler: (data: z.output<S>, ctx: JobContext) => Promise<R>;
  /** Attempts after the first (default 3). */
  retryLimit?: number;
  /** Seconds before the first retry (default 5); doubles each time with backoff on. */
  retryDelaySeconds?: number;
  retryBackoff?: boolean;
  /** A running attempt that takes longer is failed (and retried). Default 15 minutes. */
  expireInSeconds?: number;
  /** How long a finished job stays (on the Jobs page, for its output); default a week. Frequent jobs keep less. */
  keepSeconds?: number;
  /** Cron schedule (UTC) for recurring jobs, with the data to send each time. */
  schedule?: { cron: string; data: z.input<S> };
}

export function defineJob<S extends z.ZodType, R>(def: JobDefinition<S, R>): JobDefinition<S, R> {
  return def;
}
