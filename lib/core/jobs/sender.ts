// Sending jobs from any process (the web server included): one lazily started pg-boss client per
// process, which never runs jobs itself. Pass `tx` to queue a job only if that transaction commits.
import type { PgBoss } from "pg-boss";
import type { z } from "zod";
import { databaseUrl, type Tx } from "../db/client.ts";
import { createBoss, txExecutor } from "./boss.ts";
import type { JobDefinition } from "./define.ts";
import { queueOptions } from "./worker.ts";

const globalForJobs = globalThis as unknown as { pavedJobClient?: Promise<PgBoss>; pavedQueues?: Set<string> };

export function jobClient(): Promise<PgBoss> {
  globalForJobs.pavedJobClient ??= (async () => {
    const boss = createBoss(databaseUrl(), { worker: false, max: 2 });
    await boss.start();
    return boss;
  })().catch((e: unknown) => {
    globalForJobs.pavedJobClient = undefined;
    throw e;
  });
  return globalForJobs.pavedJobClient;
}

export async function stopJobClient(): Promise<void> {
  const client = globalForJobs.pavedJobClient;
  globalForJobs.pavedJobClient = undefined;
  globalForJobs.pavedQueues = undefined;
  if (client) await (await client).stop({ graceful: false });
}

async function ensureQueue(boss: PgBoss, def: JobDefinition): Promise<void> {
  const known = (globalForJobs.pavedQueues ??= new Set());
  if (known.has(def.name)) return;
  if (!(await boss.getQueue(def.name))) await boss.createQueue(def.name, { ...queueOptions(def), policy: "standard" });
  known.add(def.name);
}

/**
 * Starts the job client and creates the job's queue, through the client's own connections. Call it
 * before opening a transaction that will `sendJob(..., { tx })`: on the embedded database an open
 * transaction holds the only session, so doing this inside one would wait for itself.
 */
export async function prepareJob(def: { name: string }): Promise<void> {
  const boss = await jobClient();
  await ensureQueue(boss, def as unknown as JobDefinition);
}

export async function sendJob<S extends z.ZodType>(
  def: JobDefinition<S>,
  data: z.input<S>,
  options: { tx?: Tx; singletonKey?: string; startAfter?: Date } = {},
): Promise<string | null> {
  const parsed = def.schema.parse(data) as object;
  if (options.tx && !globalForJobs.pavedQueues?.has(def.name)) {
    throw new Error(`sendJob(${def.name}) inside a transaction needs prepareJob(${def.name}) first, outside it.`);
  }
  const boss = await jobClient();
  await ensureQueue(boss, def as unknown as JobDefinition);
  return boss.send(def.name, parsed, {
    ...queueOptions(def as unknown as JobDefinition),
    ...(options.singletonKey ? { singletonKey: options.singletonKey } : {}),
    ...(options.startAfter ? { startAfter: options.startAfter } : {}),
    ...(options.tx ? { db: txExecutor(options.tx) } : {}),
  });
}
