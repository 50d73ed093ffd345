// The durable jobs of incidents and self-healing: processing an alert the webhook stored,
// running a remediation the guardrails (or an approval) allowed, and, in sandbox mode, evaluating
// the SLOs' burn-rate alerts in place of Prometheus and Alertmanager (sandbox-alerts.ts).
import { z } from "zod";
import { db } from "../core/db/client.ts";
import { defineJob } from "../core/jobs/define.ts";
import { gitOpsEngine } from "../delivery/engine.ts";
import { gitHost } from "../integrations/git-host.ts";
import { runRemediation } from "./playbooks.ts";
import { processAlertEvent } from "./process.ts";
import { sandboxAlertsTick } from "./sandbox-alerts.ts";

export const processAlertJob = defineJob({
  name: "incidents.process-alert",
  description: "Opens or closes the incident of an alert Alertmanager sent, and lets the guardrails decide what its playbook may do.",
  schema: z.object({ alertEventId: z.uuid() }),
  retryLimit: 5,
  retryDelaySeconds: 2,
  retryBackoff: true,
  expireInSeconds: 5 * 60,
  handler: ({ alertEventId }) => processAlertEvent(db(), alertEventId),
});

export const remediateJob = defineJob({
  name: "incidents.remediate",
  description: "Runs a self-healing playbook (roll back, scale up, restart) once; a failure is recorded on the incident, never retried.",
  schema: z.object({ remediationId: z.uuid() }),
  // Never act twice: the handler claims the remediation before acting, and a failed attempt is
  // recorded for people rather than tried again.
  retryLimit: 0,
  expireInSeconds: 15 * 60,
  handler: ({ remediationId }) => runRemediation(remediationId, { db: db(), engine: gitOpsEngine(), host: gitHost() }),
});

export const sandboxAlertsJob = defineJob({
  name: "incidents.sandbox-alerts",
  description:
    "Sandbox metrics and no Alertmanager only: evaluates the SLOs' burn-rate alerts every 10 s (windows compressed by PAVED_SANDBOX_ALERT_COMPRESSION) and sends what changed through the Alertmanager webhook's code path; each run queues the next, and the per-minute run restarts the chain if it was lost.",
  // `chained`: sent by the previous run for the next 10-second slot (the scheduled run has none).
  schema: z.object({ chained: z.boolean().optional() }),
  // Never retried: the next run, 10 s later, evaluates again. A run lost with its worker expires
  // after a minute, and the next scheduled run starts a new chain.
  retryLimit: 0,
  expireInSeconds: 60,
  // Six runs a minute: an hour of them is enough to look at on the Jobs page.
  keepSeconds: 3600,
  schedule: { cron: "* * * * *", data: {} },
  handler: (data, ctx) => sandboxAlertsTick(data, ctx),
});

export const incidentJobs = [processAlertJob, remediateJob, sandboxAlertsJob];
