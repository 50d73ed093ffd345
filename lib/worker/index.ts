// Every job Paved runs, and the worker that runs them (inside `npm start`, or `npm run worker`).
import type { JobDefinition } from "../core/jobs/define.ts";
import { startWorker, type RunningWorker } from "../core/jobs/worker.ts";
import { env } from "../core/env.ts";
import { pruneRevokedSessionsJob } from "../core/auth/jobs.ts";
import { verifyAuditChainJob } from "../audit/jobs.ts";
import { templateJobs } from "../templates/jobs.ts";
import { policyJobs } from "../policies/jobs.ts";
import { deliveryJobs, resumeRunsJob } from "../delivery/run-job.ts";
import { incidentJobs } from "../incidents/jobs.ts";
import { insightsJobs } from "../insights/jobs.ts";

export const JOB_DEFINITIONS = [verifyAuditChainJob, pruneRevokedSessionsJob, ...templateJobs, ...policyJobs, ...deliveryJobs, ...incidentJobs, ...insightsJobs] as unknown as readonly JobDefinition[];

export async function startPavedWorker(url: string, options: { concurrency?: number; pollingIntervalSeconds?: number } = {}): Promise<RunningWorker> {
  const worker = await startWorker({
    url,
    definitions: JOB_DEFINITIONS,
    concurrency: options.concurrency ?? env().workerConcurrency,
    ...(options.pollingIntervalSeconds ? { pollingIntervalSeconds: options.pollingIntervalSeconds } : {}),
  });
  // Runs whose worker died (killed, restarted) continue as soon as a worker starts, not at the
  // next minute's scheduled look (tests/resilience/worker-kill.res.test.ts).
  await worker.boss.send(resumeRunsJob.name, {});
  return worker;
}
