// Every job Paved runs, and the worker that runs them (inside `npm start`, or `npm run worker`).
import type { JobDefinition } from "../core/jobs/define.ts";
import { startWorker, type RunningWorker } from "../core/jobs/worker.ts";
import { env } from "../core/env.ts";
import { pruneRevokedSessionsJob } from "../core/auth/jobs.ts";
import { verifyAuditChainJob } from "../audit/jobs.ts";
import { templateJobs } from "../templates/jobs.ts";
import { policyJobs } from "../policies/jobs.ts";
import { deliveryJobs } from "../delivery/run-job.ts";

export const JOB_DEFINITIONS = [verifyAuditChainJob, pruneRevokedSessionsJob, ...templateJobs, ...policyJobs, ...deliveryJobs] as unknown as readonly JobDefinition[];

export function startPavedWorker(url: string, options: { concurrency?: number; pollingIntervalSeconds?: number } = {}): Promise<RunningWorker> {
  return startWorker({
    url,
    definitions: JOB_DEFINITIONS,
    concurrency: options.concurrency ?? env().workerConcurrency,
    ...(options.pollingIntervalSeconds ? { pollingIntervalSeconds: options.pollingIntervalSeconds } : {}),
  });
}
