// The durable jobs of delivery: executing a run, (every minute, and at worker start) sending the
// runs whose executor went quiet back to a worker, the drift scan, and creating the GitOps
// repository from the gitops-app template (lib/gitops/create-repository.ts).
import { z } from "zod";
import { db } from "../core/db/client.ts";
import { defineJob } from "../core/jobs/define.ts";
import { sendJob } from "../core/jobs/sender.ts";
import { createGitOpsRepositoryJob } from "../gitops/create-repository.ts";
import { gitHost } from "../integrations/git-host.ts";
import { gitOpsEngine, sandboxCluster } from "./engine.ts";
import { executeRun, staleRuns, type RunDeps } from "./run.ts";
import { scanDrift } from "./rollback.ts";

/** Poll and analysis timings: quick in the sandbox (its cluster is simulated), patient against Argo CD. */
export function runDeps(): RunDeps {
  const sandbox = sandboxCluster();
  const speed = Number(process.env.PAVED_SANDBOX_SPEED ?? 1) || 1;
  return {
    db: db(),
    engine: gitOpsEngine(),
    host: gitHost(),
    pollMs: sandbox ? Math.max(100, 500 * speed) : 5000,
    analysisMs: sandbox ? Math.max(200, 1500 * speed) : 60_000,
    errorRate: sandbox ? (service, environment) => sandbox.errorRate(service, environment) : async () => null,
  };
}

export const runJob = defineJob({
  name: "delivery.run",
  description: "Executes a promotion's run wave by wave, and rolls back what it changed when a service fails.",
  schema: z.object({ runId: z.uuid() }),
  retryLimit: 10,
  retryDelaySeconds: 5,
  retryBackoff: true,
  expireInSeconds: 3 * 60 * 60,
  handler: ({ runId }) => executeRun(runId, runDeps()),
});

export const resumeRunsJob = defineJob({
  name: "delivery.resume-runs",
  description: "Sends runs whose worker stopped (killed, restarted) back to a worker; they continue at their first unfinished step.",
  schema: z.object({}).passthrough(),
  schedule: { cron: "* * * * *", data: {} },
  retryLimit: 1,
  handler: async () => {
    const ids = await staleRuns(db());
    for (const runId of ids) await sendJob(runJob, { runId }, { singletonKey: `${runId}:${Math.floor(Date.now() / 30_000)}` });
    return { resumed: ids.length };
  },
});

export const driftScanJob = defineJob({
  name: "delivery.drift-scan",
  description: "Compares git with the GitOps engine; applications out of sync in environments set to reconcile automatically are synced back to git (audited).",
  schema: z.object({}).passthrough(),
  schedule: { cron: "*/5 * * * *", data: {} },
  retryLimit: 1,
  handler: () => scanDrift(db(), gitOpsEngine()),
});

export const deliveryJobs = [runJob, resumeRunsJob, driftScanJob, createGitOpsRepositoryJob];
