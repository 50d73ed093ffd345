// pg-boss wiring shared by the web server (which only sends jobs) and workers (which run them).
import { PgBoss } from "pg-boss";
import type { Tx } from "../db/client.ts";
import { logger } from "../logger.ts";

export const JOBS_SCHEMA = "pgboss";

export function createBoss(url: string, options: { worker: boolean; max?: number }): PgBoss {
  const boss = new PgBoss({
    connectionString: url,
    schema: JOBS_SCHEMA,
    application_name: options.worker ? "paved-worker" : "paved-web",
    // Small pools: several processes share the embedded database's connection limit.
    max: options.max ?? 3,
    // Only workers supervise (expire, archive) and run cron schedules.
    supervise: options.worker,
    schedule: options.worker,
    // LISTEN/NOTIFY does not cross connections on the embedded database; polling works on both.
    useListenNotify: false,
  });
  boss.on("error", (err: unknown) => logger.error({ err }, "job queue error"));
  return boss;
}

/** Lets pg-boss write inside a Prisma transaction, so a job is queued only if the change commits. */
export function txExecutor(tx: Tx) {
  return {
    async executeSql(text: string, values: unknown[] = []) {
      const rows = await tx.$queryRawUnsafe<Record<string, unknown>[]>(text, ...values);
      return { rows };
    },
  };
}
