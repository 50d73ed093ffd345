// The playbooks, run by the `incidents.remediate` job once the guardrails allowed an action:
//
// - auto-rollback: roll back the service's last successful deployment in the environment with the
//   delivery code (rollbackDeployment: the previous version committed to git, as a click on
//   "Roll back" would); or, when the incident was caused by a deployment run still in progress,
//   abort that run's rollout (an Argo Rollouts abort), which halts the run and lets it roll itself
//   back;
// - auto-scale: scale the service's workload up (doubling, at most the settings' maxReplicas) by a
//   commit to its overlay in the GitOps repository (through a pull request Paved merges where the
//   environment promotes through pull requests), then sync the application at that commit;
// - restart: the GitOps engine's `restart` resource action on the service's workload.
//
// An action runs at most once: the job claims the remediation (queued → running) before acting
// and is not retried; a failure is recorded with its reason on the incident for people to act on.
// The kill switch is checked again at that moment: switched on since the decision, nothing runs.
import { SYSTEM_ACTOR } from "../core/auth/actor.ts";
import { recordAudit } from "../core/audit/record.ts";
import { transaction, type Db } from "../core/db/client.ts";
import type { Prisma } from "../core/db/generated/client.ts";
import { applicationName, type GitOpsEngine, type ResourceNode } from "../core/ports/gitops-engine.ts";
import type { GitHost } from "../core/ports/git-host.ts";
import { logger } from "../core/logger.ts";
import { rollbackDeployment } from "../delivery/rollback.ts";
import { gitopsSnapshot, requireSnapshot } from "../delivery/gitops-state.ts";
import { recordDecision, rollbackTarget } from "./process.ts";
import { replicasIn, scaledUp, setReplicas } from "./scale.ts";
import type { Playbook } from "./schemas.ts";

export interface PlaybookDeps {
  db: Db;
  engine: GitOpsEngine;
  host: GitHost;
}

interface PlaybookContext extends PlaybookDeps {
  remediationId: string;
  incidentNumber: number;
  service: string;
  environment: string;
  maxReplicas: number;
  causeRunId: string | null;
}

/** What an action did, for the remediation's result and the timeline. */
interface ActionResult {
  summary: string;
  detail: Record<string, unknown>;
}

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "Rollout"]);

function workloadNode(tree: ResourceNode[], service: string, kinds = WORKLOAD_KINDS): ResourceNode | null {
  const workloads = tree.filter((n) => kinds.has(n.kind) && n.parentRefs.length === 0);
  return workloads.find((n) => n.name === service) ?? (workloads.length === 1 ? workloads[0]! : null) ?? tree.find((n) => kinds.has(n.kind) && n.name === service) ?? null;
}

const refOf = (n: ResourceNode) => ({ group: n.group, version: n.version, kind: n.kind, namespace: n.namespace, name: n.name });

async function autoRollback(ctx: PlaybookContext): Promise<ActionResult> {
  const app = applicationName(ctx.service, ctx.environment);
  if (ctx.causeRunId) {
    const lock = await ctx.db.deliveryLock.findUnique({ where: { service_environment: { service: ctx.service, environment: ctx.environment } } });
    if (lock?.runId === ctx.causeRunId) {
      const rollout = workloadNode(await ctx.engine.resourceTree(app), ctx.service, new Set(["Rollout"]));
      if (!rollout) {
        throw new Error(`The run deploying ${ctx.service} to ${ctx.environment} caused the incident, but ${ctx.service} is a rolling Deployment, which cannot be aborted mid-rollout: the run's own health checks decide.`);
      }
      await ctx.engine.runResourceAction(app, refOf(rollout), "abort");
      return { summary: `Aborted the rollout of ${ctx.service} by the run in progress that caused the incident; the run halts and rolls back what it changed.`, detail: { action: "abort", runId: ctx.causeRunId, application: app } };
    }
    // That run has finished since the decision: roll back what it deployed, as for any other.
  }
  const target = await rollbackTarget(ctx.db, ctx.service, ctx.environment);
  if (!target) throw new Error(`${ctx.service} has no successful deployment in ${ctx.environment} to roll back.`);
  const promotion = await rollbackDeployment(SYSTEM_ACTOR, target.deploymentId, "service", `remediation-${ctx.remediationId}`);
  return {
    summary: `Rolling back ${ctx.service} in ${ctx.environment} from ${target.version} to ${target.previousVersion ?? "?"} (rollback #${promotion.number}).`,
    detail: { action: "rollback", deploymentId: target.deploymentId, fromVersion: target.version, toVersion: target.previousVersion, promotionId: promotion.id, promotionNumber: promotion.number, runId: promotion.run?.id ?? null },
  };
}

async function autoScale(ctx: PlaybookContext): Promise<ActionResult> {
  const env = await ctx.db.environment.findUnique({ where: { name: ctx.environment } });
  const snapshot = requireSnapshot(await gitopsSnapshot(ctx.host, env?.branch ?? undefined));
  const current = replicasIn(snapshot.files, ctx.service, ctx.environment).replicas;
  const to = scaledUp(current, ctx.maxReplicas);
  if (to <= current) throw new Error(`${ctx.service} already runs ${current} replicas in ${ctx.environment}, the most auto-scale may set (maxReplicas ${ctx.maxReplicas}).`);
  const change = setReplicas(snapshot.files, ctx.service, ctx.environment, to);
  const title = `Scale ${ctx.service} to ${to} replicas in ${ctx.environment}`;
  const message = `${title}\n\nPaved self-healing (auto-scale) for incident #${ctx.incidentNumber}, remediation ${ctx.remediationId}.`;
  const files = [{ path: change.path, content: change.content }];
  let sha: string;
  if (env?.promotionMode === "pull_request") {
    const head = `paved/remediation-${ctx.remediationId.slice(0, 8)}-scale-${ctx.service}`;
    await ctx.host.createBranch(snapshot.repo, head, snapshot.branch);
    await ctx.host.commitFiles(snapshot.repo, head, files, message);
    const pr = (await ctx.host.findPullRequest(snapshot.repo, head)) ?? (await ctx.host.openPullRequest(snapshot.repo, { head, base: snapshot.branch, title, body: `${message}\n\nOpened and merged by Paved.` }));
    sha = (await ctx.host.mergePullRequest(snapshot.repo, pr.number, `${title} (#${pr.number})`)).sha;
    await ctx.host.deleteBranch(snapshot.repo, head);
  } else {
    sha = await ctx.host.commitFiles(snapshot.repo, snapshot.branch, files, message);
  }
  const app = applicationName(ctx.service, ctx.environment);
  const synced = await ctx.engine.sync(app, { revision: sha });
  return { summary: `Scaled ${ctx.service} in ${ctx.environment} from ${change.from} to ${to} replicas (commit ${sha.slice(0, 12)}, synced).`, detail: { action: "scale", from: change.from, to, file: change.path, sha, operation: synced.operation?.phase ?? null } };
}

async function restart(ctx: PlaybookContext): Promise<ActionResult> {
  const app = applicationName(ctx.service, ctx.environment);
  const workload = workloadNode(await ctx.engine.resourceTree(app), ctx.service);
  if (!workload) throw new Error(`${app} has no workload named ${ctx.service} to restart.`);
  await ctx.engine.runResourceAction(app, refOf(workload), "restart");
  return { summary: `Restarted ${workload.kind} ${workload.namespace ? `${workload.namespace}/` : ""}${workload.name} in ${ctx.environment}.`, detail: { action: "restart", application: app, resource: refOf(workload) } };
}

const RUN: Record<Playbook, (ctx: PlaybookContext) => Promise<ActionResult>> = {
  "auto-rollback": autoRollback,
  "auto-scale": autoScale,
  restart,
};

/** Runs a queued remediation once; returns its final status. */
export async function runRemediation(remediationId: string, deps: PlaybookDeps): Promise<string> {
  const { db } = deps;
  const claimed = await db.remediation.updateMany({ where: { id: remediationId, status: "queued" }, data: { status: "running", startedAt: new Date() } });
  const remediation = await db.remediation.findUnique({ where: { id: remediationId }, include: { incident: { select: { number: true } } } });
  if (!remediation) return "gone";
  if (claimed.count === 0) return remediation.status;
  const settings = await db.remediationSettings.findUnique({ where: { id: "global" } });
  const label = `#${remediation.incident.number} ${remediation.service} ${remediation.environment}`;
  const base = (remediation.result ?? {}) as Record<string, unknown>;

  if (settings?.killSwitch) {
    await transaction(async (tx) => {
      await tx.remediation.update({ where: { id: remediationId }, data: { status: "suppressed", guardrail: "kill_switch", finishedAt: new Date() } });
      await recordDecision(tx, { incidentId: remediation.incidentId, kind: "action_suppressed", outcome: "suppressed", playbook: remediation.playbook, guardrail: "kill_switch", remediationId, message: `The kill switch was turned on before ${remediation.playbook} started: nothing was done.` });
      await recordAudit(tx, SYSTEM_ACTOR, { action: "remediation.suppressed", target: { type: "remediation", id: remediationId, label }, payload: { playbook: remediation.playbook, guardrail: "kill_switch" } });
    });
    return "suppressed";
  }

  await transaction(async (tx) => {
    await recordDecision(tx, { incidentId: remediation.incidentId, kind: "action_started", outcome: "taken", playbook: remediation.playbook, remediationId, message: `Running ${remediation.playbook} of ${remediation.service} in ${remediation.environment}.` });
  });
  const ctx: PlaybookContext = {
    ...deps,
    remediationId,
    incidentNumber: remediation.incident.number,
    service: remediation.service,
    environment: remediation.environment,
    maxReplicas: settings?.maxReplicas ?? 10,
    causeRunId: typeof base.causeRunId === "string" ? base.causeRunId : null,
  };
  let status: "succeeded" | "failed";
  let summary: string;
  let detail: Record<string, unknown>;
  try {
    const result = await RUN[remediation.playbook as Playbook](ctx);
    status = "succeeded";
    summary = result.summary;
    detail = result.detail;
  } catch (e) {
    logger.warn({ err: e, remediationId, playbook: remediation.playbook }, "remediation failed");
    status = "failed";
    summary = `${remediation.playbook} of ${remediation.service} in ${remediation.environment} failed: ${(e as Error).message}`;
    detail = { error: (e as Error).message };
  }
  await transaction(async (tx) => {
    await tx.remediation.update({ where: { id: remediationId }, data: { status, finishedAt: new Date(), result: { ...base, ...detail, summary } as Prisma.InputJsonValue } });
    await recordDecision(tx, { incidentId: remediation.incidentId, kind: status === "succeeded" ? "action_succeeded" : "action_failed", outcome: status === "succeeded" ? "taken" : "failed", playbook: remediation.playbook, remediationId, message: summary, detail });
    await recordAudit(tx, SYSTEM_ACTOR, { action: `remediation.${status}`, target: { type: "remediation", id: remediationId, label }, payload: { playbook: remediation.playbook, ...detail } });
  });
  return status;
}
