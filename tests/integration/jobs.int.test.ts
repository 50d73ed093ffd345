// Durable jobs on pg-boss: 200 jobs over two workers run exactly once; a failing job is retried
// after its delay and completes; one that keeps failing ends failed; the Jobs routes list, retry
// and cancel them, audited. Queue names are unique to this run.
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { db } from "@/lib/core/db/client";
import { defineJob, type JobDefinition } from "@/lib/core/jobs/define";
import { getJobOrThrow, type JobDto } from "@/lib/core/jobs/inspect";
import { jobClient, sendJob } from "@/lib/core/jobs/sender";
import { startWorker, type RunningWorker } from "@/lib/core/jobs/worker";
import { makePerson, type TestPerson } from "../support/factory";
import { callJson, expectErrorBody } from "../support/http";

const run = randomBytes(4).toString("hex");
const scratch = `job_scratch_${run}`;
const workers: RunningWorker[] = [];
let admin: TestPerson;
let sre: TestPerson;

/** Waits until `check` returns a value (not undefined), polling every 100 ms. */
async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function jobInState(id: string, states: JobDto["state"][]): Promise<JobDto> {
  return eventually(async () => {
    const job = await getJobOrThrow(id);
    return states.includes(job.state) ? job : undefined;
  });
}

// ---- the jobs under test -------------------------------------------------------------------

const KeyData = z.object({ key: z.string() });

/** The same job for each worker, but each worker's handler signs the rows it writes. */
function scratchJob(worker: string): JobDefinition {
  return defineJob({
    name: `test-scratch-${run}`,
    description: "Writes one row per job; a second run of the same job would violate the key.",
    schema: KeyData,
    retryLimit: 0,
    async handler(data) {
      await db().$executeRawUnsafe(`INSERT INTO ${scratch} (key, worker) VALUES ($1, $2)`, data.key, worker);
    },
  }) as unknown as JobDefinition;
}

const attempts = new Map<string, number[]>();
const flakyJob = defineJob({
  name: `test-flaky-${run}`,
  description: "Fails on its first two attempts, then succeeds.",
  schema: KeyData,
  retryLimit: 3,
  retryDelaySeconds: 1,
  retryBackoff: false,
  async handler(data, ctx) {
    attempts.set(data.key, [...(attempts.get(data.key) ?? []), Date.now()]);
    if (ctx.attempt < 2) throw new Error(`attempt ${ctx.attempt} fails on purpose`);
    return { succeededOnAttempt: ctx.attempt };
  },
});

const broken = new Set<string>();
const brittleJob = defineJob({
  name: `test-brittle-${run}`,
  description: "Fails while its key is marked broken.",
  schema: KeyData,
  retryLimit: 1,
  retryDelaySeconds: 0,
  retryBackoff: false,
  async handler(data) {
    if (broken.has(data.key)) throw new Error("still broken");
    return { fixed: true };
  },
});

const laterJob = defineJob({
  name: `test-later-${run}`,
  description: "Scheduled for later; only ever cancelled.",
  schema: KeyData,
  async handler() {
    throw new Error("should never run");
  },
});

beforeAll(async () => {
  await db().$executeRawUnsafe(`CREATE TABLE ${scratch} (key text PRIMARY KEY, worker text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())`);
  admin = await makePerson(["platform-admin"]);
  sre = await makePerson(["sre"]);
  const url = inject("testDatabase").url;
  const others = [flakyJob, brittleJob, laterJob] as unknown as JobDefinition[];
  // Two workers against the same database, as two `npm run worker` processes would be.
  workers.push(await startWorker({ url, definitions: [scratchJob("a"), ...others], concurrency: 10, pollingIntervalSeconds: 0.5 }));
  workers.push(await startWorker({ url, definitions: [scratchJob("b"), ...others], concurrency: 10, pollingIntervalSeconds: 0.5 }));
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await db().$executeRawUnsafe(`DROP TABLE IF EXISTS ${scratch}`);
});

describe("workers", () => {
  it("run each of 200 jobs exactly once across two workers", async () => {
    const def = scratchJob("sender");
    const ids = await Promise.all(Array.from({ length: 200 }, (_, i) => sendJob(def, { key: `k${i}` })));
    expect(ids.every((id) => typeof id === "string")).toBe(true);
    expect(new Set(ids).size).toBe(200);

    const states = await eventually(async () => {
      const rows = await db().$queryRawUnsafe<{ state: string; n: number }[]>(
        `SELECT state::text AS state, count(*)::int AS n FROM pgboss.job WHERE name = $1 GROUP BY state`,
        def.name,
      );
      const byState = Object.fromEntries(rows.map((r) => [r.state, r.n]));
      return (byState.completed ?? 0) + (byState.failed ?? 0) === 200 ? byState : undefined;
    });
    // Any second run would have hit the primary key and failed the job.
    expect(states).toEqual({ completed: 200 });
    const rows = await db().$queryRawUnsafe<{ worker: string; n: number }[]>(`SELECT worker, count(*)::int AS n FROM ${scratch} GROUP BY worker ORDER BY worker`);
    expect(rows.reduce((sum, r) => sum + r.n, 0)).toBe(200);
    expect(rows.map((r) => r.worker)).toEqual(["a", "b"]);
    const retried = await db().$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND retry_count > 0`, def.name);
    expect(retried[0]?.n).toBe(0);
  });

  it("retry a failing job after its delay until it succeeds", async () => {
    const key = "flaky-1";
    const id = await sendJob(flakyJob, { key });
    if (!id) throw new Error("not sent");
    const job = await jobInState(id, ["completed", "failed"]);
    expect(job.state).toBe("completed");
    expect(job.attempt).toBe(2);
    expect(job.output).toEqual({ succeededOnAttempt: 2 });
    const raw = await db().$queryRawUnsafe<{ retry_count: number }[]>(`SELECT retry_count FROM pgboss.job WHERE id = $1::uuid`, id);
    expect(raw[0]?.retry_count).toBe(2);
    const times = attempts.get(key) ?? [];
    expect(times).toHaveLength(3);
    for (let i = 1; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(900);
  });

  it("end a job that keeps failing as failed once its retries are spent", async () => {
    const key = "brittle-fails";
    broken.add(key);
    const id = await sendJob(brittleJob, { key });
    if (!id) throw new Error("not sent");
    const job = await jobInState(id, ["completed", "failed"]);
    expect(job.state).toBe("failed");
    expect(job.attempt).toBe(1);
    expect(job.retryLimit).toBe(1);
  });
});

describe("the Jobs routes", () => {
  // A batch of waiting jobs inserted in one statement: they share one created_on to the microsecond,
  // the hardest case for a (created_on, id) cursor.
  const BATCH = 60;
  let batch: string[];

  beforeAll(async () => {
    const boss = await jobClient();
    const startAfter = new Date(Date.now() + 3_600_000);
    const ids = await boss.insert(laterJob.name, Array.from({ length: BATCH }, (_, i) => ({ data: { key: `batch-${i}` }, startAfter })), { returnId: true });
    if (!ids) throw new Error("not inserted");
    const rows = await db().$queryRawUnsafe<{ id: string }[]>(
      `SELECT id::text AS id FROM pgboss.job WHERE id = ANY($1::uuid[]) ORDER BY created_on DESC, id DESC`,
      ids,
    );
    batch = rows.map((r) => r.id);
    expect(batch).toHaveLength(BATCH);
  });

  type Page = { items: JobDto[]; nextCursor: string | null };

  it("list jobs newest first, filtered by name and state", async () => {
    const waiting = await callJson<Page>("GET", "/api/v1/jobs", { token: sre.token, query: { name: laterJob.name, state: "created", limit: "200" } });
    expect(waiting.status).toBe(200);
    expect(waiting.body.items.map((j) => j.id)).toEqual(batch);
    expect(waiting.body.nextCursor).toBeNull();
    expect(waiting.body.items[0]).toMatchObject({ name: laterJob.name, state: "created", attempt: 0, data: { key: expect.any(String) }, startedAt: null, completedAt: null });
    const done = await callJson<Page>("GET", "/api/v1/jobs", { token: sre.token, query: { name: `test-scratch-${run}`, state: "completed", limit: "200" } });
    expect(done.body.items).toHaveLength(200);
    const created = done.body.items.map((j) => Date.parse(j.createdAt));
    expect(created).toEqual([...created].sort((a, b) => b - a));
    const none = await callJson<Page>("GET", "/api/v1/jobs", { token: sre.token, query: { name: laterJob.name, state: "failed" } });
    expect(none.body.items).toEqual([]);
  });

  it("page through jobs without gaps or repeats, even when they share a timestamp", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 100; page++) {
      const query: Record<string, string> = { name: laterJob.name, state: "created", limit: "7", ...(cursor ? { cursor } : {}) };
      const res: { status: number; body: Page } = await callJson<Page>("GET", "/api/v1/jobs", { token: sre.token, query });
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((j) => j.id));
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(batch);
  });

  it("retry a failed job, audited, and it runs again", async () => {
    const key = "brittle-retried";
    broken.add(key);
    const id = await sendJob(brittleJob, { key });
    if (!id) throw new Error("not sent");
    await jobInState(id, ["failed"]);
    broken.delete(key);

    const before = await db().auditEvent.count({ where: { action: "job.retried", targetId: id } });
    const res = await callJson<JobDto>("POST", "/api/v1/jobs/{id}/retry", { token: admin.token, params: { id } });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(id);
    expect(res.body.state).not.toBe("failed");
    const events = await db().auditEvent.findMany({ where: { action: "job.retried", targetId: id } });
    expect(events).toHaveLength(before + 1);
    expect(events[0]).toMatchObject({ actorLogin: admin.login, targetType: "job", targetLabel: brittleJob.name, payload: { name: brittleJob.name, previousState: "failed" } });

    const done = await jobInState(id, ["completed"]);
    expect(done.output).toEqual({ fixed: true });
    // A completed job cannot be retried or cancelled.
    expectErrorBody(await callJson("POST", "/api/v1/jobs/{id}/retry", { token: admin.token, params: { id } }), 409, "conflict");
    expectErrorBody(await callJson("POST", "/api/v1/jobs/{id}/cancel", { token: admin.token, params: { id } }), 409, "conflict");
  });

  it("cancel a waiting job, audited; it never runs", async () => {
    const id = await sendJob(laterJob, { key: "later" }, { startAfter: new Date(Date.now() + 3_600_000) });
    if (!id) throw new Error("not sent");
    expect((await getJobOrThrow(id)).state).toBe("created");

    const res = await callJson<JobDto>("POST", "/api/v1/jobs/{id}/cancel", { token: admin.token, params: { id } });
    expect(res.status).toBe(200);
    expect(res.body.state).toBe("cancelled");
    const event = await db().auditEvent.findFirstOrThrow({ where: { action: "job.cancelled", targetId: id } });
    expect(event).toMatchObject({ actorLogin: admin.login, payload: { name: laterJob.name, previousState: "created" } });

    const again = await callJson("POST", "/api/v1/jobs/{id}/cancel", { token: admin.token, params: { id } });
    expect(expectErrorBody(again, 409, "conflict").details).toEqual({ state: "cancelled" });
    // Viewing is for jobs.read; changing is for jobs.manage only.
    expectErrorBody(await callJson("POST", "/api/v1/jobs/{id}/retry", { token: sre.token, params: { id } }), 403, "forbidden");
    expect((await getJobOrThrow(id)).state).toBe("cancelled");
  });
});
