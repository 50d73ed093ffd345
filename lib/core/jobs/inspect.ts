// Jobs as people see them on the Jobs page: state, attempts, timings, data and result; retry a
// failed job or cancel a waiting one (both audited).
import { z } from "zod";
import { db, transaction } from "../db/client.ts";
import { recordAudit } from "../audit/record.ts";
import type { Actor } from "../auth/actor.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import { JOBS_SCHEMA, txExecutor } from "./boss.ts";
import { jobClient } from "./sender.ts";

export const JOB_STATES = ["created", "retry", "active", "completed", "cancelled", "failed"] as const;

export const JobDto = z
  .object({
    id: z.string(),
    name: z.string(),
    state: z.enum(JOB_STATES),
    attempt: z.number().int().meta({ description: "Retries so far (0 on the first attempt)." }),
    retryLimit: z.number().int(),
    createdAt: z.string(),
    startAfter: z.string(),
    startedAt: z.string().nullable(),
    completedAt: z.string().nullable(),
    data: z.unknown(),
    output: z.unknown(),
  })
  .meta({ id: "Job" });
export type JobDto = z.infer<typeof JobDto>;

export const JobsQuery = z.object({
  state: z.enum(JOB_STATES).optional(),
  name: z.string().max(100).optional(),
  cursor: z
    .string()
    .regex(/^\d{1,17}:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, "the nextCursor of the previous page")
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type JobsQuery = z.infer<typeof JobsQuery>;

export const JobsPage = z.object({ items: z.array(JobDto), nextCursor: z.string().nullable() }).meta({ id: "JobsPage" });

interface JobRow {
  id: string;
  name: string;
  state: (typeof JOB_STATES)[number];
  retry_count: number;
  retry_limit: number;
  created_on: Date;
  /** created_on in microseconds since the epoch: the page cursor (a Date keeps only milliseconds). */
  created_us: string;
  start_after: Date;
  started_on: Date | null;
  completed_on: Date | null;
  data: unknown;
  output: unknown;
}

function toJobDto(r: JobRow): JobDto {
  return {
    id: r.id,
    name: r.name,
    state: r.state,
    attempt: r.retry_count,
    retryLimit: r.retry_limit,
    createdAt: r.created_on.toISOString(),
    startAfter: r.start_after.toISOString(),
    startedAt: r.started_on?.toISOString() ?? null,
    completedAt: r.completed_on?.toISOString() ?? null,
    data: r.data ?? null,
    output: r.output ?? null,
  };
}

async function jobsTableExists(): Promise<boolean> {
  const rows = await db().$queryRawUnsafe<{ exists: boolean }[]>(`SELECT to_regclass('${JOBS_SCHEMA}.job') IS NOT NULL AS exists`);
  return rows[0]?.exists ?? false;
}

const COLUMNS =
  "id::text AS id, name, state::text AS state, retry_count, retry_limit, created_on, (extract(epoch FROM created_on) * 1000000)::bigint::text AS created_us, start_after, started_on, completed_on, data, output";

export async function listJobs(q: JobsQuery): Promise<{ items: JobDto[]; nextCursor: string | null }> {
  if (!(await jobsTableExists())) return { items: [], nextCursor: null };
  const where: string[] = [];
  const values: unknown[] = [];
  if (q.state) {
    values.push(q.state);
    where.push(`state::text = $${values.length}`);
  }
  if (q.name) {
    values.push(q.name);
    where.push(`name = $${values.length}`);
  }
  if (q.cursor) {
    const [us, id] = q.cursor.split(":");
    values.push(us, id);
    where.push(`(created_on, id) < ('epoch'::timestamptz + $${values.length - 1}::bigint * interval '1 microsecond', $${values.length}::uuid)`);
  }
  values.push(q.limit + 1);
  const rows = await db().$queryRawUnsafe<JobRow[]>(
    `SELECT ${COLUMNS} FROM ${JOBS_SCHEMA}.job ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY created_on DESC, id DESC LIMIT $${values.length}`,
    ...values,
  );
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return { items: page.map(toJobDto), nextCursor: rows.length > q.limit && last ? `${last.created_us}:${last.id}` : null };
}

export async function getJobOrThrow(id: string): Promise<JobDto> {
  if (await jobsTableExists()) {
    const rows = await db().$queryRawUnsafe<JobRow[]>(`SELECT ${COLUMNS} FROM ${JOBS_SCHEMA}.job WHERE id = $1::uuid`, id);
    if (rows[0]) return toJobDto(rows[0]);
  }
  throw new NotFoundError("Job", id);
}

export async function retryJob(actor: Actor, id: string, requestId?: string): Promise<JobDto> {
  const job = await getJobOrThrow(id);
  if (job.state !== "failed" && job.state !== "cancelled") {
    throw new ConflictError(`Only failed or cancelled jobs can be retried; this one is ${job.state}.`, { state: job.state });
  }
  const boss = await jobClient();
  await transaction(async (tx) => {
    await boss.retry(job.name, id, { db: txExecutor(tx) });
    await recordAudit(tx, actor, { action: "job.retried", target: { type: "job", id, label: job.name }, payload: { name: job.name, previousState: job.state }, requestId });
  });
  return getJobOrThrow(id);
}

export async function cancelJob(actor: Actor, id: string, requestId?: string): Promise<JobDto> {
  const job = await getJobOrThrow(id);
  if (job.state === "completed" || job.state === "failed" || job.state === "cancelled") {
    throw new ConflictError(`This job has already ${job.state === "completed" ? "completed" : `been ${job.state}`}.`, { state: job.state });
  }
  const boss = await jobClient();
  await transaction(async (tx) => {
    await boss.cancel(job.name, id, { db: txExecutor(tx) });
    await recordAudit(tx, actor, { action: "job.cancelled", target: { type: "job", id, label: job.name }, payload: { name: job.name, previousState: job.state }, requestId });
  });
  return getJobOrThrow(id);
}

/** The newest completed run of a job, e.g. when the audit chain was last verified. */
export async function lastCompletedJob(name: string): Promise<JobDto | null> {
  if (!(await jobsTableExists())) return null;
  const rows = await db().$queryRawUnsafe<JobRow[]>(
    `SELECT ${COLUMNS} FROM ${JOBS_SCHEMA}.job WHERE name = $1 AND state = 'completed' ORDER BY completed_on DESC LIMIT 1`,
    name,
  );
  return rows[0] ? toJobDto(rows[0]) : null;
}
