// The catalog's jobs. Handlers live in run.ts; each is safe to retry.
import { z } from "zod";
import { defineJob } from "../core/jobs/define.ts";
import { runAdoptionScan, runInstantiation, runUpgrade } from "./run.ts";

const RETRIES = 4;

export const instantiateTemplateJob = defineJob({
  name: "templates.instantiate",
  description: "Writes a template instance into its repository: a pull request, or a new repository.",
  schema: z.object({ instanceId: z.uuid() }),
  retryLimit: RETRIES,
  retryDelaySeconds: 5,
  handler: ({ instanceId }, ctx) => runInstantiation(instanceId, { attempt: ctx.attempt, retriesLeft: RETRIES - ctx.attempt, log: ctx.log }),
});

export const upgradeTemplateJob = defineJob({
  name: "templates.upgrade",
  description: "Opens the pull request that moves a template instance to a newer version.",
  schema: z.object({ upgradeId: z.uuid() }),
  retryLimit: RETRIES,
  retryDelaySeconds: 5,
  handler: ({ upgradeId }, ctx) => runUpgrade(upgradeId, { attempt: ctx.attempt, retriesLeft: RETRIES - ctx.attempt, log: ctx.log }),
});

export const scanAdoptionJob = defineJob({
  name: "templates.scan-adoption",
  description: "Finds which repositories use which catalog templates, at which version.",
  schema: z.object({}).passthrough(),
  schedule: { cron: "23 */6 * * *", data: {} },
  retryLimit: 2,
  handler: (_data, ctx) => runAdoptionScan({ attempt: ctx.attempt, retriesLeft: 2 - ctx.attempt, log: ctx.log }),
});

export const templateJobs = [instantiateTemplateJob, upgradeTemplateJob, scanAdoptionJob];
