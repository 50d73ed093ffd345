// Running jobs: a worker creates (or updates) each queue with its retry settings, registers a
// handler per job definition and the cron schedules, then polls. Many workers may run against
// one database (`npm run worker`); each job is still claimed by exactly one of them.
import type { PgBoss } from "pg-boss";
import { logger } from "../logger.ts";
import { createBoss } from "./boss.ts";
import type { JobDefinition } from "./define.ts";

export interface RunningWorker {
  boss: PgBoss;
  stop(): Promise<void>;
}

export function queueOptions(def: JobDefinition) {
  return {
    retryLimit: def.retryLimit ?? 3,
    retryDelay: def.retryDelaySeconds ?? 5,
    retryBackoff: def.retryBackoff ?? true,
    expireInSeconds: def.expireInSeconds ?? 15 * 60,
    // Finished jobs stay visible on the Jobs page for a week, unless the job says otherwise.
    deleteAfterSeconds: def.keepSeconds ?? 7 * 24 * 3600,
  };
}

export async function ensureQueues(boss: PgBoss, definitions: readonly JobDefinition[]): Promise<void> {
  const existing = new Set((await boss.getQueues()).map((q) => q.name));
  for (const def of definitions) {
    if (existing.has(def.name)) await boss.updateQueue(def.name, queueOptions(def));
    else await boss.createQueue(def.name, { ...queueOptions(def), policy: "standard" });
  }
}

export async function startWorker(options: {
  url: string;
  definitions: readonly JobDefinition[];
  concurrency: number;
  pollingIntervalSeconds?: number;
}): Promise<RunningWorker> {
  const boss = createBoss(options.url, { worker: true, max: Math.min(options.concurrency + 1, 5) });
  await boss.start();
  await ensureQueues(boss, options.definitions);
  for (const def of options.definitions) {
    await boss.work(
      def.name,
      { batchSize: 1, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 0.5, localConcurrency: options.concurrency },
      async (jobs) => {
        const job = jobs[0];
        if (!job) return undefined;
        const log = logger.child({ job: def.name, jobId: job.id, attempt: job.retryCount });
        const data = def.schema.parse(job.data);
        const started = Date.now();
        try {
          const result = await def.handler(data, { jobId: job.id, attempt: job.retryCount, signal: job.signal, log });
          log.info({ ms: Date.now() - started }, "job completed");
          return result;
        } catch (err) {
          log.warn({ err, ms: Date.now() - started }, "job attempt failed");
          throw err;
        }
      },
    );
    if (def.schedule) await boss.schedule(def.name, def.schedule.cron, def.schedule.data as object, { tz: "UTC" });
  }
  return {
    boss,
    async stop() {
      await boss.stop({ graceful: true, timeout: 20_000 });
    },
  };
}
