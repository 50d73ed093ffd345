// Promotions: asking for services at versions to reach an environment, with the diff (the overlay
// lines the promotion will commit), the plan (dependency waves, strategy and migrations per
// service) and the gates; approving, rejecting, and starting the run. The run itself is run.ts.
import { createTwoFilesPatch } from "diff";
import type { z } from "zod";
import type { Actor } from "../core/auth/actor.ts";
import { can, canOnTeam, requirePermission } from "../core/auth/actor.ts";
import { recordAudit } from "../core/audit/record.ts";
import { db, isUniqueViolation, transaction, type Db, type Tx } from "../core/db/client.ts";
import type { Prisma } from "../core/db/generated/client.ts";
import { ConflictError, ForbiddenError, NotFoundError, RuleViolationError, ValidationError } from "../core/errors.ts";
import { prepareJob, sendJob } from "../core/jobs/sender.ts";
import { applicationName } from "../core/ports/gitops-engine.ts";
import { roleFromDb } from "../core/permissions.ts";
import type { GitHost } from "../core/ports/git-host.ts";
import { gitHost } from "../integrations/git-host.ts";
import { integrationCheckOf, type IntegrationCheck } from "../gitops/environments.ts";
import { overlayKustomizationPath, renderApp, setImageTag } from "../gitops/repository.ts";
import { evaluate, evaluateAll } from "../policies/service.ts";
import type { Subject } from "../policies/format.ts";
import { loadDependencyGraph } from "../services/read.ts";
import { planWaves } from "../services/graph.ts";
import { gitOpsEngine } from "./engine.ts";
import { evaluateGates, gatesOpen, type Gate, type GateInputs, type PolicyFinding } from "./gates.ts";
import { environmentSnapshots, knownVersions, requireEnvironmentSnapshot, versionIn, type GitOpsSnapshot } from "./gitops-state.ts";
import { errorBudgets, type ErrorBudgets } from "./error-budget.ts";
import { runJob } from "./run-job.ts";
import { buildSteps } from "./steps.ts";
import type { ApproveBody, CreatePromotionBody, PromotionDto, RunDto, ServiceDiffDto } from "./schemas.ts";

const PROMOTION_INCLUDE = {
  items: true,
  approvals: { orderBy: { createdAt: "asc" } },
  run: { include: { steps: { orderBy: { position: "asc" } } } },
} satisfies Prisma.PromotionInclude;
type PromotionRow = Prisma.PromotionGetPayload<{ include: typeof PROMOTION_INCLUDE }>;

function toRunDto(run: NonNullable<PromotionRow["run"]>): RunDto {
  return {
    id: run.id,
    status: run.status,
    message: run.message,
    startedBy: run.startedBy,
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    steps: run.steps.map((s) => ({
      position: s.position,
      wave: s.wave,
      service: s.service,
      kind: s.kind,
      status: s.status,
      detail: (s.detail ?? {}) as Record<string, unknown>,
      attempts: s.attempts,
      startedAt: s.startedAt?.toISOString() ?? null,
      finishedAt: s.finishedAt?.toISOString() ?? null,
    })),
  };
}

export function toPromotionDto(row: PromotionRow): PromotionDto {
  const gates = row.gates as unknown as Gate[];
  return {
    id: row.id,
    number: row.number,
    environment: row.environment,
    sourceEnvironment: row.sourceEnvironment,
    kind: row.kind === "rollback" ? "rollback" : "promotion",
    status: row.status,
    requestedBy: row.requestedBy,
    reason: row.reason,
    budgetOverride: row.budgetOverride,
    services: row.items.map((i) => ({ name: i.service, fromVersion: i.fromVersion, toVersion: i.toVersion })).sort((a, b) => a.name.localeCompare(b.name)),
    plan: row.plan as PromotionDto["plan"],
    gates,
    ready: gatesOpen(gates),
    diff: row.diff as unknown as ServiceDiffDto[],
    requiredApprovals: row.requiredApprovals,
    approvals: row.approvals.map((a) => ({ login: a.login, decision: a.decision, comment: a.comment, createdAt: a.createdAt.toISOString() })),
    run: row.run ? toRunDto(row.run) : null,
    createdAt: row.createdAt.toISOString(),
  };
}

export async function getPromotion(client: Db | Tx, id: string): Promise<PromotionDto> {
  const row = await client.promotion.findUnique({ where: { id }, include: PROMOTION_INCLUDE });
  if (!row) throw new NotFoundError("Promotion", id);
  return toPromotionDto(row);
}

export async function listPromotions(client: Db, query: { environment?: string; status?: string; limit: number }): Promise<PromotionDto[]> {
  const rows = await client.promotion.findMany({
    where: { ...(query.environment ? { environment: query.environment } : {}), ...(query.status ? { status: query.status as PromotionRow["status"] } : {}) },
    orderBy: { createdAt: "desc" },
    take: query.limit,
    include: PROMOTION_INCLUDE,
  });
  return rows.map(toPromotionDto);
}

interface Context {
  /** The target environment's overlays, read on its branch (branch-per-environment repositories) or the default one. */
  snapshot: GitOpsSnapshot;
  /** The source environment's, read on its branch; null without a source. */
  sourceSnapshot: GitOpsSnapshot | null;
  /** Every environment's, each on its branch (for the versions git knows). */
  snapshots: Map<string, GitOpsSnapshot | null>;
  environment: { name: string; position: number; protected: boolean; requiredApprovals: number; integrationTests: IntegrationCheck | null };
  source: string | null;
  services: Map<string, { name: string; strategy: string; trafficSteps: number[]; migrationScripts: string[]; environments: string[]; team: string }>;
}

async function loadContext(client: Db, environment: string, sourceEnvironment: string | undefined, host: GitHost): Promise<Context> {
  const envs = await client.environment.findMany({ orderBy: { position: "asc" } });
  const target = envs.find((e) => e.name === environment);
  if (!target) throw new NotFoundError("Environment", environment);
  const before = envs.filter((e) => e.position < target.position).at(-1) ?? null;
  const source = sourceEnvironment ?? before?.name ?? null;
  if (sourceEnvironment && !envs.some((e) => e.name === sourceEnvironment)) throw new NotFoundError("Environment", sourceEnvironment);
  const rows = await client.service.findMany({ select: { name: true, strategy: true, trafficSteps: true, migrationScripts: true, environments: true, team: { select: { slug: true } } } });
  const snapshots = await environmentSnapshots(host, envs);
  const snapshot = requireEnvironmentSnapshot(snapshots.get(target.name) ?? null, target);
  const sourceRow = source ? envs.find((e) => e.name === source)! : null;
  return {
    snapshot,
    sourceSnapshot: sourceRow ? requireEnvironmentSnapshot(snapshots.get(sourceRow.name) ?? null, sourceRow) : null,
    snapshots,
    environment: {
      name: target.name,
      position: target.position,
      protected: target.protected,
      requiredApprovals: target.requiredApprovals,
      integrationTests: integrationCheckOf(target.integrationTests),
    },
    source,
    services: new Map(rows.map((r) => [r.name, { ...r, team: r.team.slug }])),
  };
}

/** The overlay file before and after, and what it renders, for one service. */
function currentObjects(ctx: Context, service: string): Subject[] {
  try {
    return renderApp(ctx.snapshot.files, service, ctx.environment.name).map((r) => r.object as unknown as Subject);
  } catch {
    return [];
  }
}

function diffFor(ctx: Context, service: string, toVersion: string): { patch: string; file: string; image: string; objects: Subject[] } {
  const { files } = ctx.snapshot;
  const file = overlayKustomizationPath(service, ctx.environment.name);
  const next = setImageTag(files, service, ctx.environment.name, toVersion);
  const patch = createTwoFilesPatch(`a/${file}`, `b/${file}`, files[file] ?? "", next, "", "", { context: 3 });
  const objects = renderApp({ ...files, [file]: next }, service, ctx.environment.name).map((r) => r.object as unknown as Subject);
  const image = ctx.snapshot.images.get(service)?.get(ctx.environment.name)?.name ?? service;
  return { patch, file, image: `${image}:${toVersion}`, objects };
}

async function approverRoles(client: Db | Tx, userIds: string[]): Promise<Map<string, string[]>> {
  const memberships = await client.membership.findMany({ where: { userId: { in: userIds } }, select: { userId: true, role: true } });
  const out = new Map<string, string[]>();
  for (const m of memberships) out.set(m.userId, [...(out.get(m.userId) ?? []), roleFromDb(m.role)]);
  return out;
}

interface GateRequest {
  ctx: Context;
  requester: string;
  items: { service: string; toVersion: string }[];
  objects: { service: string; objects: Subject[]; current: Subject[] }[];
  approvals: { login: string; roles: string[]; decision: string }[];
  budgetOverride: string | null;
  promotionName: string;
}

async function gatherGates(client: Db, req: GateRequest): Promise<Gate[]> {
  const engine = gitOpsEngine();
  const { ctx } = req;
  let sourceHealth: GateInputs["sourceHealth"] = null;
  if (ctx.source) {
    sourceHealth = await Promise.all(
      req.items.map(async (i) => {
        try {
          const app = await engine.getApplication(applicationName(i.service, ctx.source!));
          return { service: i.service, health: app?.health.status ?? "Missing", message: app ? app.health.message : `no application ${applicationName(i.service, ctx.source!)}` };
        } catch (e) {
          return { service: i.service, health: "Unknown", message: (e as Error).message };
        }
      }),
    );
  }
  // The budget left per service from its SLOs on the target environment; an unreadable metrics
  // source leaves the gate without data (it says so) rather than failing the promotion.
  let budgets: ErrorBudgets | null = null;
  let budgetError: string | null = null;
  try {
    budgets = await errorBudgets(
      client,
      req.items.map((i) => i.service),
      ctx.environment.name,
    );
  } catch (e) {
    budgetError = e instanceof Error ? e.message : String(e);
  }
  const subject = {
    apiVersion: "paved.dev/v1",
    kind: "Promotion",
    metadata: { name: req.promotionName },
    spec: {
      services: req.items.map((i) => ({ name: i.service, version: i.toVersion, team: ctx.services.get(i.service)?.team ?? "" })),
      from: ctx.source,
      to: ctx.environment.name,
      toProtected: ctx.environment.protected,
      requester: req.requester,
      approvals: req.approvals.filter((a) => a.decision === "approve").map((a) => ({ login: a.login, roles: a.roles })),
      sourceHealthy: sourceHealth ? sourceHealth.every((s) => s.health === "Healthy") : true,
      errorBudgetRemaining: Object.fromEntries((budgets?.remaining ?? []).map((b) => [b.service, b.remaining])),
      override: req.budgetOverride,
      time: new Date().toISOString(),
    },
  } as unknown as Subject;
  const promotionEval = await evaluate(client, subject);
  const promotionPolicies: PolicyFinding[] = promotionEval.results.map((r) => ({ policy: r.policy, action: r.action, message: r.message, waived: Boolean(r.exception) }));
  // Findings the environment already has (the same policy, object and message before the change)
  // are not this promotion's doing: they warn rather than block, and compliance tracks them.
  const manifestPolicies: PolicyFinding[] = [];
  const label = (service: string, object: Subject) => {
    const meta = object as unknown as { kind?: string; metadata?: { name?: string } };
    return `${service}: ${meta.kind} ${meta.metadata?.name ?? ""}`.trim();
  };
  // Every object, before and after, evaluated against one read of the exceptions in force.
  const all = req.objects.flatMap(({ service, objects, current }) => [...current.map((o) => ({ service, o, before: true })), ...objects.map((o) => ({ service, o, before: false }))]);
  const evaluations = await evaluateAll(client, all.map((x) => x.o));
  const before = new Set<string>();
  all.forEach((x, i) => {
    if (x.before) for (const r of evaluations[i]!.results) before.add(`${label(x.service, x.o)}|${r.policy}|${r.message}`);
  });
  all.forEach((x, i) => {
    if (x.before) return;
    const subject = label(x.service, x.o);
    for (const r of evaluations[i]!.results) {
      const existing = before.has(`${subject}|${r.policy}|${r.message}`);
      manifestPolicies.push({
        policy: r.policy,
        action: existing && r.action === "Deny" ? "Warn" : r.action,
        message: existing ? `${r.message} (already so in ${ctx.environment.name}; not introduced by this promotion)` : r.message,
        waived: Boolean(r.exception),
        subject,
      });
    }
  });
  return evaluateGates({
    promotionPolicies,
    manifestPolicies,
    sourceHealth,
    sourceEnvironment: ctx.source,
    errorBudget: budgets ? budgets.remaining.map((b) => ({ service: b.service, remaining: b.remaining })) : null,
    errorBudgetUnknown: [
      ...(budgets?.unknown.map((u) => `${u.service} (${u.slo}): ${u.reason}`) ?? []),
      ...(budgetError ? [`The error budgets could not be read: ${budgetError}`] : []),
    ],
    budgetOverride: req.budgetOverride,
    requiredApprovals: ctx.environment.requiredApprovals,
    approvals: req.approvals,
    requester: req.requester,
    integrationTests: ctx.environment.integrationTests,
  });
}

export async function createPromotion(actor: Actor, input: CreatePromotionBody, requestId?: string, host: GitHost = gitHost()): Promise<PromotionDto> {
  const client = db();
  const ctx = await loadContext(client, input.environment, input.sourceEnvironment, host);
  const unknown = input.services.filter((s) => !ctx.services.has(s.name)).map((s) => s.name);
  if (unknown.length) throw new ValidationError(`Unknown service${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}.`, [{ path: ["services"], message: `Unknown: ${unknown.join(", ")}.` }]);
  // Developers ask for their own team's services; organisation-wide roles for any.
  const teams = await client.team.findMany({ where: { slug: { in: [...new Set(input.services.map((x) => ctx.services.get(x.name)!.team))] } }, select: { id: true, slug: true } });
  const notMine = input.services.filter((x) => {
    const team = teams.find((t) => t.slug === ctx.services.get(x.name)!.team);
    return !team || !canOnTeam(actor, "promotions.request", team.id);
  });
  if (notMine.length) {
    throw new ForbiddenError(`You may ask to promote your own team's services only: ${notMine.map((x) => x.name).join(", ")} belong to another team.`, { permission: "promotions.request", services: notMine.map((x) => x.name) });
  }
  const notHere = input.services.filter((s) => !ctx.services.get(s.name)!.environments.includes(ctx.environment.name) || !ctx.snapshot.images.get(s.name)?.has(ctx.environment.name));
  if (notHere.length) {
    throw new ValidationError(`${notHere.map((s) => s.name).join(", ")} ${notHere.length > 1 ? "do" : "does"} not deploy to ${ctx.environment.name} (no overlay or not one of its environments).`, [{ path: ["services"], message: "Not deployed to this environment." }]);
  }
  // A version is known when git pins it in an environment (read on that environment's branch) or it was deployed before.
  const deployed = await client.deployment.findMany({ where: { OR: input.services.map((s) => ({ service: s.name, version: s.version })) }, select: { service: true, version: true } });
  const issues = input.services.flatMap((s, i) => {
    const pinned = knownVersions(ctx.snapshots, s.name);
    const known = pinned.includes(s.version) || deployed.some((d) => d.service === s.name && d.version === s.version);
    return known ? [] : [{ path: ["services", i, "version"], message: `${s.name} has no version ${s.version} (known: ${pinned.join(", ") || "none"}).` }];
  });
  if (issues.length) throw new ValidationError(`Unknown version: ${issues[0]!.message}`, issues);
  const same = input.services.filter((s) => versionIn(ctx.snapshot, s.name, ctx.environment.name) === s.version);
  if (same.length) throw new ValidationError(`${same.map((s) => `${s.name} already runs ${s.version}`).join(", ")} in ${ctx.environment.name}.`, [{ path: ["services"], message: "Nothing to promote." }]);
  // Skipping an environment: the version has not run in the source environment.
  if (ctx.source && ctx.sourceSnapshot) {
    const sourceSnapshot = ctx.sourceSnapshot;
    const skipping = input.services.filter((s) => versionIn(sourceSnapshot, s.name, ctx.source!) !== s.version);
    if (skipping.length && !can(actor, "promotions.skip")) {
      throw new ForbiddenError(
        `${skipping.map((s) => `${s.name} ${s.version}`).join(", ")} ${skipping.length > 1 ? "have" : "has"} not run in ${ctx.source}: promoting past an environment needs the "promotions.skip" permission.`,
        { permission: "promotions.skip", services: skipping.map((s) => s.name) },
      );
    }
  }

  const { graph } = await loadDependencyGraph(client);
  const plan = planWaves(graph, input.services.map((s) => s.name));
  const diffs = input.services.map((s) => ({ s, d: diffFor(ctx, s.name, s.version) }));
  const diff: ServiceDiffDto[] = diffs.map(({ s, d }) => {
    const svc = ctx.services.get(s.name)!;
    return { service: s.name, fromVersion: versionIn(ctx.snapshot, s.name, ctx.environment.name), toVersion: s.version, image: d.image, strategy: svc.strategy, trafficSteps: svc.trafficSteps, migrationScripts: svc.migrationScripts, file: d.file, patch: d.patch };
  });
  const gates = await gatherGates(client, {
    ctx,
    requester: actor.login,
    items: input.services.map((s) => ({ service: s.name, toVersion: s.version })),
    objects: diffs.map(({ s, d }) => ({ service: s.name, objects: d.objects, current: currentObjects(ctx, s.name) })),
    approvals: [],
    budgetOverride: input.budgetOverride ?? null,
    promotionName: "new",
  });
  return transaction(async (tx) => {
    const row = await tx.promotion.create({
      data: {
        environment: ctx.environment.name,
        sourceEnvironment: ctx.source,
        status: gatesOpen(gates) ? "approved" : "pending_approval",
        requestedById: actor.userId ?? "00000000-0000-0000-0000-000000000000",
        requestedBy: actor.login,
        reason: input.reason,
        budgetOverride: input.budgetOverride ?? null,
        plan: plan as unknown as Prisma.InputJsonValue,
        gates: gates as unknown as Prisma.InputJsonValue,
        diff: diff as unknown as Prisma.InputJsonValue,
        requiredApprovals: ctx.environment.requiredApprovals,
        items: { create: diff.map((d) => ({ service: d.service, fromVersion: d.fromVersion, toVersion: d.toVersion })) },
      },
    });
    await recordAudit(tx, actor, {
      action: "promotion.requested",
      target: { type: "promotion", id: row.id, label: `#${row.number} to ${ctx.environment.name}` },
      payload: { environment: ctx.environment.name, from: ctx.source, services: diff.map((d) => ({ name: d.service, from: d.fromVersion, to: d.toVersion })), budgetOverride: input.budgetOverride ?? null, gates: gates.map((g) => ({ id: g.id, status: g.status })) },
      requestId,
    });
    return getPromotion(tx, row.id);
  });
}

/** Re-evaluates a promotion's gates with its approvals, as they stand now. */
async function refreshGates(client: Db, row: PromotionRow, host: GitHost): Promise<Gate[]> {
  const ctx = await loadContext(client, row.environment, row.sourceEnvironment ?? undefined, host);
  const roles = await approverRoles(client, row.approvals.map((a) => a.userId));
  const objects = row.items.map((i) => {
    try {
      return { service: i.service, objects: diffFor(ctx, i.service, i.toVersion).objects, current: currentObjects(ctx, i.service) };
    } catch {
      return { service: i.service, objects: [], current: [] };
    }
  });
  return gatherGates(client, {
    ctx,
    requester: row.requestedBy,
    items: row.items.map((i) => ({ service: i.service, toVersion: i.toVersion })),
    objects,
    approvals: row.approvals.map((a) => ({ login: a.login, roles: roles.get(a.userId) ?? [], decision: a.decision })),
    budgetOverride: row.budgetOverride,
    promotionName: `promotion-${row.number}`,
  });
}

export async function decidePromotion(actor: Actor, id: string, decision: "approve" | "reject", input: z.output<typeof ApproveBody>, requestId?: string, host: GitHost = gitHost()): Promise<PromotionDto> {
  const client = db();
  const row = await client.promotion.findUnique({ where: { id }, include: PROMOTION_INCLUDE });
  if (!row) throw new NotFoundError("Promotion", id);
  if (row.requestedById === actor.userId || row.requestedBy.toLowerCase() === actor.login.toLowerCase()) {
    throw new ForbiddenError(`You asked for promotion #${row.number}: someone else must ${decision} it.`, { permission: "promotions.approve" });
  }
  if (row.status !== "pending_approval" && row.status !== "approved") {
    throw new ConflictError(`Promotion #${row.number} is ${row.status.replace("_", " ")}; it can no longer be ${decision === "approve" ? "approved" : "rejected"}.`, { status: row.status });
  }
  const existing = row.approvals.find((a) => a.userId === actor.userId);
  if (existing && existing.decision === decision) return toPromotionDto(row);
  await client.promotionApproval.upsert({
    where: { promotionId_userId: { promotionId: id, userId: actor.userId! } },
    create: { promotionId: id, userId: actor.userId!, login: actor.login, decision, comment: input.comment },
    update: { decision, comment: input.comment, createdAt: new Date() },
  });
  const fresh = await client.promotion.findUniqueOrThrow({ where: { id }, include: PROMOTION_INCLUDE });
  const gates = await refreshGates(client, fresh, host);
  return transaction(async (tx) => {
    const status = decision === "reject" ? "rejected" : gatesOpen(gates) ? "approved" : "pending_approval";
    await tx.promotion.update({ where: { id }, data: { gates: gates as unknown as Prisma.InputJsonValue, status } });
    await recordAudit(tx, actor, {
      action: decision === "approve" ? "promotion.approved" : "promotion.rejected",
      target: { type: "promotion", id, label: `#${row.number} to ${row.environment}` },
      payload: { comment: input.comment, status },
      requestId,
    });
    return getPromotion(tx, id);
  });
}

export async function executePromotion(actor: Actor, id: string, requestId?: string, host: GitHost = gitHost()): Promise<PromotionDto> {
  requirePermission(actor, "promotions.execute");
  const client = db();
  const row = await client.promotion.findUnique({ where: { id }, include: PROMOTION_INCLUDE });
  if (!row) throw new NotFoundError("Promotion", id);
  if (row.run) throw new ConflictError(`Promotion #${row.number} has already run (${row.run.status}).`, { runId: row.run.id });
  if (row.status !== "approved" && row.status !== "pending_approval") throw new ConflictError(`Promotion #${row.number} is ${row.status.replace("_", " ")}.`, { status: row.status });
  const gates = await refreshGates(client, row, host);
  if (!gatesOpen(gates)) {
    await client.promotion.update({ where: { id }, data: { gates: gates as unknown as Prisma.InputJsonValue, status: "pending_approval" } });
    const closed = gates.filter((g) => g.status === "blocked" || g.status === "pending");
    throw new RuleViolationError(`Promotion #${row.number} cannot run yet: ${closed.map((g) => `${g.title}: ${g.message}`).join(" ")}`, { gates: closed });
  }
  const ctx = await loadContext(client, row.environment, row.sourceEnvironment ?? undefined, host);
  const plan = row.plan as { waves: string[][] };
  const steps = buildSteps(
    plan.waves,
    new Map(row.items.map((i) => [i.service, { migrationScripts: ctx.services.get(i.service)?.migrationScripts ?? [], strategy: ctx.services.get(i.service)?.strategy ?? "rolling" }])),
    { integrationTests: ctx.environment.integrationTests },
  );
  await prepareJob(runJob);
  return transaction(async (tx) => {
    const run = await tx.deliveryRun.create({ data: { promotionId: id, environment: row.environment, startedBy: actor.login, status: "queued" } });
    // One active run per service and environment: the primary key refuses a second.
    const held = await tx.deliveryLock.findMany({ where: { environment: row.environment, service: { in: row.items.map((i) => i.service) } } });
    if (held.length) {
      throw new ConflictError(`${held.map((h) => h.service).join(", ")} ${held.length > 1 ? "are" : "is"} already being deployed to ${row.environment} by another run; wait for it to finish.`, {
        services: held.map((h) => h.service),
        runIds: [...new Set(held.map((h) => h.runId))],
      });
    }
    try {
      await tx.deliveryLock.createMany({ data: row.items.map((i) => ({ service: i.service, environment: row.environment, runId: run.id })) });
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError(`Another run started deploying these services to ${row.environment} at the same moment; wait for it to finish.`);
      throw e;
    }
    await tx.runStep.createMany({ data: steps.map((s) => ({ ...s, runId: run.id, detail: s.detail as Prisma.InputJsonValue })) });
    await tx.promotion.update({ where: { id }, data: { status: "running", gates: gates as unknown as Prisma.InputJsonValue } });
    await sendJob(runJob, { runId: run.id }, { tx, singletonKey: run.id });
    await recordAudit(tx, actor, {
      action: "promotion.started",
      target: { type: "promotion", id, label: `#${row.number} to ${row.environment}` },
      payload: { runId: run.id, waves: plan.waves },
      requestId,
    });
    return getPromotion(tx, id);
  });
}
