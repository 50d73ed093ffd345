// What an alert does, once stored by the webhook (one job per alert event, safe to retry):
//
// - a *firing* alert labelled `severity=page` with a `service` label opens an incident (one per
//   fingerprint and start, whichever of its events is processed first), notes the deployment of
//   the service in that environment that preceded it, and then lets the guardrails decide what its
//   `automation` label's playbook may do (guardrails.ts); the decision, whatever it is, is stored
//   on the incident's timeline and audited, and an action that may run is queued as a job;
// - a *resolved* alert closes its incident with the time to recover (MTTR: from the alert's start
//   to its end) and cancels a remediation still waiting for an approval;
// - anything else (another severity, no service label) is recorded as ignored.
//
// Events of one alert may be processed in any order (a resolved one before its firing one): each
// job looks at every event received for the alert and brings the incident to what they say.
import { SYSTEM_ACTOR } from "../core/auth/actor.ts";
import { recordAudit } from "../core/audit/record.ts";
import { isUniqueViolation, transaction, type Db, type Tx } from "../core/db/client.ts";
import type { AlertEvent, Incident, Prisma } from "../core/db/generated/client.ts";
import { prepareJob, sendJob } from "../core/jobs/sender.ts";
import { decideRemediation, type DecisionOutcome, type GuardrailDecision, type RunInProgress } from "./guardrails.ts";
import { remediateJob } from "./jobs.ts";
import { PLAYBOOKS, type Playbook } from "./schemas.ts";
import { guardrailSettings, lockSettings } from "./settings.ts";

/** Remediation statuses that count as an action taken (for the rate limit and the cooldown). */
export const TAKEN_STATUSES = ["queued", "running", "succeeded", "failed"];

const STATUS_OF: Record<Exclude<DecisionOutcome, "no_action">, string> = {
  taken: "queued",
  suppressed: "suppressed",
  dry_run: "dry_run",
  pending_approval: "pending_approval",
};

let lastDecisionAt = 0;
/** Strictly increasing times for the timeline, even for decisions recorded in one millisecond. */
function decisionTime(): Date {
  lastDecisionAt = Math.max(Date.now(), lastDecisionAt + 1);
  return new Date(lastDecisionAt);
}

export interface DecisionInput {
  incidentId: string;
  kind: string;
  outcome: string;
  message: string;
  playbook?: string | null;
  guardrail?: string | null;
  detail?: Record<string, unknown>;
  remediationId?: string | null;
  actor?: string;
}

/** One entry of an incident's timeline (in the caller's transaction, with the caller's audit event). */
export function recordDecision(tx: Tx, d: DecisionInput) {
  return tx.incidentDecision.create({
    data: {
      incidentId: d.incidentId,
      at: decisionTime(),
      kind: d.kind,
      outcome: d.outcome,
      message: d.message,
      playbook: d.playbook ?? null,
      guardrail: d.guardrail ?? null,
      detail: (d.detail ?? {}) as Prisma.InputJsonValue,
      remediationId: d.remediationId ?? null,
      actor: d.actor ?? "paved",
    },
  });
}

const label = (labels: Record<string, string>, key: string): string | null => (labels[key] && labels[key]!.trim() !== "" ? labels[key]!.trim() : null);

export function playbookOf(automation: string | null): Playbook | null {
  return automation && (PLAYBOOKS as readonly string[]).includes(automation) ? (automation as Playbook) : null;
}

/** Processes one stored alert event; returns what it made of it (also stored on the event). */
export async function processAlertEvent(db: Db, alertEventId: string): Promise<string> {
  const event = await db.alertEvent.findUnique({ where: { id: alertEventId } });
  if (!event) return "gone";
  if (event.processedAt) return event.outcome ?? "processed";
  const labels = event.labels as Record<string, string>;
  const severity = label(labels, "severity");
  const service = label(labels, "service");
  let outcome: string;
  if (severity !== "page") {
    outcome = `ignored: severity ${severity ?? "(none)"} does not page`;
  } else if (!service) {
    outcome = "ignored: the alert has no service label";
  } else {
    const siblings = await db.alertEvent.findMany({ where: { fingerprint: event.fingerprint, startsAt: event.startsAt } });
    const incident = await ensureIncident(db, event, service, labels);
    const resolved = siblings.find((s) => s.status === "resolved");
    if (resolved && incident.status === "open") {
      await closeIncident(db, incident, resolved);
      outcome = `resolved incident #${incident.number}`;
    } else if (incident.status === "open" && !incident.decidedAt) {
      const decision = await decide(db, incident.id);
      outcome = `opened incident #${incident.number}${decision ? `: ${decision.outcome}` : ""}`;
    } else {
      outcome = `incident #${incident.number} is ${incident.status}`;
    }
  }
  await db.alertEvent.updateMany({ where: { id: event.id, processedAt: null }, data: { processedAt: new Date(), outcome } });
  return outcome;
}

/** The incident of an alert (fingerprint + start), opened now if it is not there yet. */
async function ensureIncident(db: Db, event: AlertEvent, service: string, labels: Record<string, string>): Promise<Incident> {
  const key = { fingerprint: event.fingerprint, startedAt: event.startsAt };
  const existing = await db.incident.findUnique({ where: { fingerprint_startedAt: key } });
  if (existing) return existing;
  const slo = label(labels, "slo");
  const environment = label(labels, "environment") ?? (await sloEnvironment(db, service, slo)) ?? "production";
  const preceding = await db.deployment.findFirst({ where: { service, environment, startedAt: { lte: event.startsAt } }, orderBy: { startedAt: "desc" }, select: { id: true, version: true, startedAt: true } });
  const annotations = event.annotations as Record<string, string>;
  const automation = label(labels, "automation") ?? "none";
  try {
    return await transaction(async (tx) => {
      const incident = await tx.incident.create({
        data: {
          ...key,
          alertname: event.alertname,
          service,
          environment,
          slo,
          severity: "page",
          automation,
          summary: annotations.summary ?? annotations.description ?? event.alertname,
          labels,
          precedingDeploymentId: preceding?.id ?? null,
          precedingDeploymentVersion: preceding?.version ?? null,
        },
      });
      await recordDecision(tx, {
        incidentId: incident.id,
        kind: "opened",
        outcome: "info",
        message: `${event.alertname} is paging for ${service} in ${environment}${slo ? ` (SLO ${slo})` : ""} since ${event.startsAt.toISOString()}.${preceding ? ` The last deployment before it: ${preceding.version}, at ${preceding.startedAt.toISOString()}.` : ""}`,
        detail: { alert: { fingerprint: event.fingerprint, generatorURL: event.generatorUrl, receiver: event.receiver }, automation },
        actor: "alertmanager",
      });
      await recordAudit(tx, SYSTEM_ACTOR, {
        action: "incident.opened",
        target: { type: "incident", id: incident.id, label: `#${incident.number} ${service} ${environment}` },
        payload: { alertname: event.alertname, fingerprint: event.fingerprint, startedAt: event.startsAt.toISOString(), slo, automation, precedingDeployment: preceding?.id ?? null },
      });
      return incident;
    });
  } catch (e) {
    // Another job opened it at the same moment (a duplicate, or the resolved event).
    if (isUniqueViolation(e)) return db.incident.findUniqueOrThrow({ where: { fingerprint_startedAt: key } });
    throw e;
  }
}

/** The environment an SLO watches, when the alert does not say (alerts generated by Paved carry the SLO's name). */
async function sloEnvironment(db: Db, service: string, slo: string | null): Promise<string | null> {
  if (!slo) return null;
  const row = await db.slo.findFirst({ where: { name: slo, service: { name: service } }, select: { environment: true } }).catch(() => null);
  return row?.environment ?? null;
}

async function closeIncident(db: Db, incident: Incident, resolved: AlertEvent): Promise<void> {
  const endedAt = resolved.endsAt && resolved.endsAt.getTime() >= incident.startedAt.getTime() ? resolved.endsAt : resolved.receivedAt;
  const mttrSeconds = Math.max(0, Math.round((endedAt.getTime() - incident.startedAt.getTime()) / 1000));
  await transaction(async (tx) => {
    const closed = await tx.incident.updateMany({ where: { id: incident.id, status: "open" }, data: { status: "resolved", resolvedAt: endedAt, mttrSeconds } });
    if (closed.count === 0) return;
    const waiting = await tx.remediation.findMany({ where: { incidentId: incident.id, status: "pending_approval" } });
    for (const r of waiting) {
      await tx.remediation.update({ where: { id: r.id }, data: { status: "cancelled", finishedAt: new Date() } });
      await recordDecision(tx, { incidentId: incident.id, kind: "cancelled", outcome: "info", playbook: r.playbook, remediationId: r.id, message: `The alert resolved before anyone approved ${r.playbook}: it will not run.` });
    }
    await recordDecision(tx, {
      incidentId: incident.id,
      kind: "resolved",
      outcome: "info",
      message: `The alert resolved at ${endedAt.toISOString()}: recovered in ${formatDuration(mttrSeconds)}.`,
      detail: { mttrSeconds },
      actor: "alertmanager",
    });
    await recordAudit(tx, SYSTEM_ACTOR, {
      action: "incident.resolved",
      target: { type: "incident", id: incident.id, label: `#${incident.number} ${incident.service} ${incident.environment}` },
      payload: { resolvedAt: endedAt.toISOString(), mttrSeconds, cancelled: waiting.map((r) => r.id) },
    });
  });
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min ${seconds % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** What the guardrails need to know about the service, read inside the deciding transaction. */
export async function guardrailContext(tx: Tx, service: string, environment: string, now: Date, windowMinutes: number) {
  const since = new Date(now.getTime() - Math.max(60, windowMinutes) * 60_000);
  const [env, actions, lock] = await Promise.all([
    tx.environment.findUnique({ where: { name: environment }, select: { protected: true } }),
    tx.remediation.findMany({ where: { service, status: { in: TAKEN_STATUSES }, OR: [{ startedAt: { gt: since } }, { approvedAt: { gt: since } }, { requestedAt: { gt: since } }] } }),
    tx.deliveryLock.findUnique({ where: { service_environment: { service, environment } } }),
  ]);
  let runInProgress: RunInProgress | null = null;
  if (lock) {
    const [run, deployment] = await Promise.all([
      tx.deliveryRun.findUnique({ where: { id: lock.runId }, include: { promotion: { select: { number: true } } } }),
      tx.deployment.findFirst({ where: { runId: lock.runId, service, environment }, orderBy: { startedAt: "asc" } }),
    ]);
    runInProgress = { runId: lock.runId, promotionNumber: run?.promotion.number ?? null, deployingSince: deployment?.startedAt ?? null };
  }
  return {
    environmentProtected: env?.protected ?? false,
    recentActions: actions.map((a) => ({ at: a.startedAt ?? a.approvedAt ?? a.requestedAt })),
    runInProgress,
  };
}

/**
 * Lets the guardrails decide about an open incident, once: records the decision (and a
 * remediation for any playbook, whatever the outcome), audits it, and queues the action when it
 * may run. The settings row stays locked meanwhile, so decisions about one service are serial.
 */
export async function decide(db: Db, incidentId: string, now = new Date()): Promise<GuardrailDecision | null> {
  await prepareJob(remediateJob);
  return transaction(async (tx) => {
    const settingsRow = await lockSettings(tx);
    const incident = await tx.incident.findUniqueOrThrow({ where: { id: incidentId } });
    if (incident.decidedAt || incident.status !== "open") return null;
    const playbook = playbookOf(incident.automation);
    const settings = guardrailSettings(settingsRow);
    const context = await guardrailContext(tx, incident.service, incident.environment, now, settings.cooldownMinutes);
    const decision = decideRemediation({
      playbook,
      automationLabel: incident.automation,
      service: incident.service,
      environment: incident.environment,
      alertStartedAt: incident.startedAt,
      now,
      settings,
      ...context,
    });
    let remediationId: string | null = null;
    if (decision.outcome !== "no_action" && playbook) {
      const target = playbook === "auto-rollback" && !decision.causeRunId ? await rollbackTarget(tx, incident.service, incident.environment) : null;
      const remediation = await tx.remediation.create({
        data: {
          incidentId,
          service: incident.service,
          environment: incident.environment,
          playbook,
          status: STATUS_OF[decision.outcome],
          guardrail: decision.guardrail,
          reason: decision.reason,
          result: { ...(decision.causeRunId ? { causeRunId: decision.causeRunId } : {}), ...(target ? { target } : {}) },
          requestedAt: now,
          ...(decision.outcome === "suppressed" || decision.outcome === "dry_run" ? { finishedAt: now } : {}),
        },
      });
      remediationId = remediation.id;
      if (decision.outcome === "taken") await sendJob(remediateJob, { remediationId }, { tx, singletonKey: remediationId });
    }
    await tx.incident.update({ where: { id: incidentId }, data: { decidedAt: now } });
    await recordDecision(tx, {
      incidentId,
      kind: "decided",
      outcome: decision.outcome,
      playbook,
      guardrail: decision.guardrail,
      message: decision.reason,
      detail: { settings: { killSwitch: settings.killSwitch, dryRun: settings.dryRun, maxActionsPerHour: settings.maxActionsPerHour, cooldownMinutes: settings.cooldownMinutes }, recentActions: context.recentActions.length, runInProgress: context.runInProgress?.runId ?? null },
      remediationId,
    });
    await recordAudit(tx, SYSTEM_ACTOR, {
      action: "remediation.decided",
      target: { type: "incident", id: incidentId, label: `#${incident.number} ${incident.service} ${incident.environment}` },
      payload: { playbook, outcome: decision.outcome, guardrail: decision.guardrail, reason: decision.reason, remediation: remediationId },
    });
    return decision;
  });
}

/** The deployment auto-rollback would roll back: the service's last successful one in the environment. */
export async function rollbackTarget(tx: Tx | Db, service: string, environment: string): Promise<{ deploymentId: string; version: string; previousVersion: string | null } | null> {
  const d = await tx.deployment.findFirst({ where: { service, environment, kind: "deploy", outcome: "succeeded" }, orderBy: { startedAt: "desc" } });
  return d ? { deploymentId: d.id, version: d.version, previousVersion: d.previousVersion } : null;
}
