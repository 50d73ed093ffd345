// Rolling back on a click, and drift. A rollback is a run like a promotion's, of kind
// "rollback": the previous versions committed to git (so it works under Argo CD auto-sync, where
// Argo CD's own rollback is refused), dependents first, with no approval to wait for — but the
// manifests still go through the policies. Drift lists applications whose live state differs
// from git and reconciles them by syncing git's state again.
import { SYSTEM_ACTOR, type Actor } from "../core/auth/actor.ts";
import { recordAudit } from "../core/audit/record.ts";
import { db, isUniqueViolation, transaction, type Db } from "../core/db/client.ts";
import type { Prisma } from "../core/db/generated/client.ts";
import { ConflictError, NotFoundError, RuleViolationError } from "../core/errors.ts";
import { prepareJob, sendJob } from "../core/jobs/sender.ts";
import type { GitOpsEngine } from "../core/ports/gitops-engine.ts";
import { gitHost } from "../integrations/git-host.ts";
import { loadDependencyGraph } from "../services/read.ts";
import { rollbackPlan } from "../services/graph.ts";
import { environmentSnapshot, versionIn } from "./gitops-state.ts";
import { getPromotion } from "./promotions.ts";
import { runJob } from "./run-job.ts";
import { buildSteps } from "./steps.ts";
import type { PromotionDto } from "./schemas.ts";

/**
 * Rolls back a deployment to the version before it; with scope "run", every service its run
 * deployed to that environment; with scope "service", the service and the services of the same
 * run that depend on it. Dependents go first.
 */
export async function rollbackDeployment(actor: Actor, id: string, scope: "service" | "run", requestId?: string): Promise<PromotionDto> {
  const client = db();
  const deployment = await client.deployment.findUnique({ where: { id } });
  if (!deployment) throw new NotFoundError("Deployment", id);
  if (deployment.kind !== "deploy" || deployment.outcome !== "succeeded") {
    throw new ConflictError(`This deployment ${deployment.outcome === "rolled_back" ? "was already rolled back" : `is ${deployment.outcome.replace("_", " ")}`}; only a successful deployment can be rolled back.`, { outcome: deployment.outcome });
  }
  if (!deployment.previousVersion) throw new RuleViolationError(`${deployment.service} had no version in ${deployment.environment} before ${deployment.version}: there is nothing to roll back to.`);
  const { graph } = await loadDependencyGraph(client);
  let targets = [deployment];
  if (deployment.runId) {
    const siblings = await client.deployment.findMany({ where: { runId: deployment.runId, environment: deployment.environment, kind: "deploy", outcome: "succeeded" } });
    const downstream = graph.has(deployment.service) ? graph.downstream(deployment.service) : new Set<string>();
    targets = siblings.filter((s) => s.id === deployment.id || scope === "run" || downstream.has(s.service));
  }
  targets = targets.filter((t) => t.previousVersion);
  // What the environment runs now, read on its branch (branch-per-environment repositories).
  const environment = await client.environment.findUnique({ where: { name: deployment.environment }, select: { name: true, branch: true } });
  const snapshot = await environmentSnapshot(gitHost(), environment ?? { name: deployment.environment, branch: null });
  const items = targets.map((t) => ({ service: t.service, fromVersion: versionIn(snapshot, t.service, t.environment), toVersion: t.previousVersion! }));
  const plan = rollbackPlan(graph, items.map((i) => i.service).filter((s) => graph.has(s)));
  const services = await client.service.findMany({ where: { name: { in: items.map((i) => i.service) } }, select: { name: true, strategy: true } });
  // No migrations on the way back: schema changes must be backward compatible (expand/contract).
  const steps = buildSteps(plan.waves, new Map(services.map((s) => [s.name, { migrationScripts: [], strategy: s.strategy }])));
  const gates = [
    { id: "approvals", title: "Approvals", status: "skipped", message: "A rollback restores versions that ran before; it needs no approval.", details: [] },
    { id: "policies", title: "Policies", status: "passed", message: "The versions rolled back to passed the policies when they were promoted.", details: [] },
  ];
  await prepareJob(runJob);
  const promotionId = await transaction(async (tx) => {
    const promotion = await tx.promotion.create({
      data: {
        environment: deployment.environment,
        kind: "rollback",
        status: "running",
        requestedById: actor.userId ?? "00000000-0000-0000-0000-000000000000",
        requestedBy: actor.login,
        reason: `Roll back ${items.map((i) => `${i.service} ${i.fromVersion ?? "?"} → ${i.toVersion}`).join(", ")}`,
        plan: plan as unknown as Prisma.InputJsonValue,
        gates: gates as unknown as Prisma.InputJsonValue,
        diff: items.map((i) => ({ service: i.service, fromVersion: i.fromVersion, toVersion: i.toVersion, image: "", strategy: "", trafficSteps: [], migrationScripts: [], file: "", patch: "" })) as unknown as Prisma.InputJsonValue,
        items: { create: items },
      },
    });
    const run = await tx.deliveryRun.create({ data: { promotionId: promotion.id, environment: deployment.environment, startedBy: actor.login } });
    try {
      await tx.deliveryLock.createMany({ data: items.map((i) => ({ service: i.service, environment: deployment.environment, runId: run.id })) });
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError(`A run is already deploying ${items.map((i) => i.service).join(" or ")} to ${deployment.environment}; wait for it to finish.`);
      throw e;
    }
    await tx.runStep.createMany({ data: steps.map((s) => ({ ...s, runId: run.id, detail: s.detail as Prisma.InputJsonValue })) });
    await sendJob(runJob, { runId: run.id }, { tx, singletonKey: run.id });
    await recordAudit(tx, actor, {
      action: "deployment.rollback_started",
      target: { type: "promotion", id: promotion.id, label: `#${promotion.number} rollback in ${deployment.environment}` },
      payload: { deployment: id, scope, services: items, waves: plan.waves },
      requestId,
    });
    return promotion.id;
  });
  return getPromotion(client, promotionId);
}

export async function listDrift(engine: GitOpsEngine): Promise<{ items: { application: string; service: string; environment: string; sync: string; health: string; resources: { kind: string; name: string; namespace: string; targetState: string | null; liveState: string | null }[] }[]; checkedAt: string }> {
  const apps = await engine.listApplications();
  const drifted = apps.filter((a) => a.sync.status === "OutOfSync");
  const items = await Promise.all(
    drifted.map(async (a) => {
      const resources = (await engine.managedResources(a.name)).filter((r) => r.modified);
      const [service, environment] = splitName(a.name);
      return { application: a.name, service, environment, sync: a.sync.status, health: a.health.status, resources: resources.map((r) => ({ kind: r.kind, name: r.name, namespace: r.namespace, targetState: r.targetState, liveState: r.liveState })) };
    }),
  );
  return { items, checkedAt: new Date().toISOString() };
}

function splitName(name: string): [string, string] {
  const i = name.lastIndexOf("-");
  return i > 0 ? [name.slice(0, i), name.slice(i + 1)] : [name, ""];
}

/** The periodic drift check: reconciles drifted applications of environments set to do so automatically. */
export async function scanDrift(client: Db, engine: GitOpsEngine): Promise<{ drifted: string[]; reconciled: string[] }> {
  const { items } = await listDrift(engine);
  const auto = new Set((await client.environment.findMany({ where: { autoReconcile: true }, select: { name: true } })).map((e) => e.name));
  const reconciled: string[] = [];
  for (const item of items.filter((i) => auto.has(i.environment))) {
    // Never fight a run that is deploying the service right now.
    if (await client.deliveryLock.findUnique({ where: { service_environment: { service: item.service, environment: item.environment } } })) continue;
    await reconcileDrift(SYSTEM_ACTOR, engine, item.application);
    reconciled.push(item.application);
  }
  return { drifted: items.map((i) => i.application), reconciled };
}

export async function reconcileDrift(actor: Actor, engine: GitOpsEngine, application: string, requestId?: string): Promise<{ application: string; operation: string | null }> {
  const app = await engine.getApplication(application, { refresh: "normal" });
  if (!app) throw new NotFoundError("Application", application);
  const synced = await engine.sync(application, { prune: false });
  await transaction(async (tx) => {
    await recordAudit(tx, actor, {
      action: "drift.reconciled",
      target: { type: "application", id: application, label: application },
      payload: { sync: app.sync.status, revision: synced.sync.revision },
      requestId,
    });
  });
  return { application, operation: synced.operation?.phase ?? null };
}
