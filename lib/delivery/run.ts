// Executing a promotion's run: the environment's integration tests first (integration-tests.ts;
// failing, they halt the run before anything is deployed), then wave by wave (services of a wave
// side by side, at most WAVE_PARALLELISM at once), each service through its steps: migrations,
// the commit to its overlay (directly, or through a pull request Paved merges), the sync, and
// following its strategy until healthy (canary: at each pause Paved checks health and error
// rate, then resumes or aborts). A failure halts the run and rolls back, dependents first, what
// this run changed, by committing the previous version (a git revert in effect, so it works under
// auto-sync).
//
// Durable: every step's state is a row. A run is held by one executor at a time (owner +
// heartbeat); a restarted worker picks up a run whose heartbeat went stale and continues at its
// first unfinished step. Commits and syncs look before they act, so nothing happens twice.
// Engine or git unreachable: the run pauses with the reason, retries with backoff, resumes.
import { randomUUID } from "node:crypto";
import type { Db } from "../core/db/client.ts";
import type { Prisma } from "../core/db/generated/client.ts";
import { logger } from "../core/logger.ts";
import { EngineUnavailableError, applicationName, type GitOpsEngine, type ResourceNode } from "../core/ports/gitops-engine.ts";
import { GitHostError, type GitHost } from "../core/ports/git-host.ts";
import { overlayKustomizationPath, setImageTag } from "../gitops/repository.ts";
import { integrationCheckOf } from "../gitops/environments.ts";
import { describeCheck, integrationTestsResult, type Gate } from "./gates.ts";
import { environmentSnapshot, versionIn } from "./gitops-state.ts";
import { runIntegrationCheck, type CheckProgress } from "./integration-tests.ts";
import { buildRollbackSteps } from "./steps.ts";

export const WAVE_PARALLELISM = 4;
const HEARTBEAT_STALE_MS = 20_000;
const MAX_PAUSE_MS = 15 * 60_000;
const ROLLOUT_TIMEOUT_MS = 20 * 60_000;
/** Error rate above which a canary step's analysis fails. */
export const MAX_ERROR_RATE = 0.05;

export interface RunDeps {
  db: Db;
  engine: GitOpsEngine;
  host: GitHost;
  /** Milliseconds between polls of the engine. */
  pollMs: number;
  /** How long a canary step is watched before it is resumed. */
  analysisMs: number;
  sleep?: (ms: number) => Promise<void>;
  /** Error rate of a service in an environment (the sandbox cluster, or Prometheus); null when unknown. */
  errorRate?: (service: string, environment: string) => Promise<number | null>;
}

class StepFailed extends Error {}

type StepRow = Prisma.RunStepGetPayload<object>;

interface RunContext {
  deps: RunDeps;
  runId: string;
  owner: string;
  environment: string;
  promotionId: string;
  promotionNumber: number;
  mode: string;
  branch: string | null;
  actor: string;
  items: Map<string, { fromVersion: string | null; toVersion: string }>;
  strategies: Map<string, { strategy: string; trafficSteps: number[] }>;
  autoRollback: boolean;
  /** A rollback run (of kind "rollback"): its deployments are recorded as rollbacks, and it does not roll itself back. */
  isRollback: boolean;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// Commits to one branch from one process go one at a time (the git host also refuses a commit on
// a moved branch; this keeps the services of one wave from tripping over each other).
const commitQueues = new Map<string, Promise<unknown>>();
function serially<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = commitQueues.get(key) ?? Promise.resolve();
  const next = previous.then(fn, fn);
  commitQueues.set(
    key,
    next.catch(() => undefined),
  );
  return next;
}

async function claim(db: Db, runId: string, owner: string): Promise<boolean> {
  const stale = new Date(Date.now() - HEARTBEAT_STALE_MS);
  const claimed = await db.deliveryRun.updateMany({
    where: { id: runId, status: { in: ["queued", "running", "paused", "rolling_back"] }, OR: [{ owner: null }, { owner }, { heartbeatAt: null }, { heartbeatAt: { lt: stale } }] },
    data: { owner, heartbeatAt: new Date() },
  });
  return claimed.count === 1;
}

async function heartbeat(ctx: RunContext, patch: Prisma.DeliveryRunUpdateManyMutationInput = {}): Promise<void> {
  const done = await ctx.deps.db.deliveryRun.updateMany({ where: { id: ctx.runId, owner: ctx.owner }, data: { ...patch, heartbeatAt: new Date() } });
  if (done.count === 0) throw new Error(`run ${ctx.runId} was taken over by another executor`);
}

async function setStep(ctx: RunContext, step: StepRow, data: { status?: string; detail?: Record<string, unknown>; started?: boolean; finished?: boolean; attempt?: boolean }): Promise<StepRow> {
  const detail = data.detail ? ({ ...(step.detail as object), ...data.detail } as Prisma.InputJsonValue) : undefined;
  const updated = await ctx.deps.db.runStep.update({
    where: { id: step.id },
    data: {
      ...(data.status ? { status: data.status } : {}),
      ...(detail ? { detail } : {}),
      ...(data.started ? { startedAt: new Date() } : {}),
      ...(data.finished ? { finishedAt: new Date() } : {}),
      ...(data.attempt ? { attempts: { increment: 1 } } : {}),
    },
  });
  await heartbeat(ctx);
  return updated;
}

/** Runs (or resumes) a run. Returns when it has ended or another executor holds it. */
export async function executeRun(runId: string, deps: RunDeps): Promise<void> {
  const owner = randomUUID();
  if (!(await claim(deps.db, runId, owner))) return;
  const run = await deps.db.deliveryRun.findUniqueOrThrow({ where: { id: runId }, include: { promotion: { include: { items: true } } } });
  const env = await deps.db.environment.findUniqueOrThrow({ where: { name: run.environment } });
  const services = await deps.db.service.findMany({ where: { name: { in: run.promotion.items.map((i) => i.service) } }, select: { name: true, strategy: true, trafficSteps: true } });
  const ctx: RunContext = {
    deps,
    runId,
    owner,
    environment: run.environment,
    promotionId: run.promotionId,
    promotionNumber: run.promotion.number,
    mode: env.promotionMode,
    branch: env.branch,
    actor: run.startedBy,
    items: new Map(run.promotion.items.map((i) => [i.service, { fromVersion: i.fromVersion, toVersion: i.toVersion }])),
    strategies: new Map(services.map((s) => [s.name, { strategy: s.strategy, trafficSteps: s.trafficSteps }])),
    autoRollback: env.autoRollback && run.promotion.kind !== "rollback",
    isRollback: run.promotion.kind === "rollback",
  };
  try {
    if (run.status !== "rolling_back") {
      await heartbeat(ctx, { status: "running", message: null });
      const failure = await deployPhase(ctx);
      if (!failure) {
        await finish(ctx, "succeeded", "succeeded", null);
        return;
      }
      await deps.db.promotion.update({ where: { id: ctx.promotionId }, data: { status: "failed" } });
      // The integration tests failed before the first wave: nothing was deployed, nothing to roll back.
      if (await deps.db.runStep.count({ where: { runId, kind: "integration_tests", status: "failed" } })) {
        await deps.db.runStep.updateMany({ where: { runId, status: "pending" }, data: { status: "skipped" } });
        await finish(ctx, "failed", "failed", `${failure} Nothing was deployed.`);
        return;
      }
      if (!ctx.autoRollback) {
        await finish(ctx, "failed", "failed", `${failure} Roll back from the run's page.`);
        return;
      }
      await startRollback(ctx, failure);
    }
    await rollbackPhase(ctx);
    const message = (await deps.db.deliveryRun.findUniqueOrThrow({ where: { id: runId } })).message;
    await finish(ctx, "rolled_back", "rolled_back", message);
  } catch (e) {
    logger.error({ err: e, runId }, "delivery run stopped unexpectedly");
    await deps.db.deliveryRun.updateMany({ where: { id: runId, owner }, data: { owner: null, heartbeatAt: null, message: `Stopped unexpectedly: ${(e as Error).message}. It resumes when a worker picks it up again.` } });
    throw e;
  }
}

async function finish(ctx: RunContext, runStatus: string, promotionStatus: "succeeded" | "failed" | "rolled_back", message: string | null): Promise<void> {
  const { db } = ctx.deps;
  await db.$transaction([
    db.deliveryRun.update({ where: { id: ctx.runId }, data: { status: runStatus, message, finishedAt: new Date(), owner: null, heartbeatAt: null } }),
    db.promotion.update({ where: { id: ctx.promotionId }, data: { status: promotionStatus } }),
    db.deliveryLock.deleteMany({ where: { runId: ctx.runId } }),
  ]);
}

async function startRollback(ctx: RunContext, failure: string): Promise<void> {
  const { db } = ctx.deps;
  const steps = await db.runStep.findMany({ where: { runId: ctx.runId }, orderBy: { position: "asc" } });
  const changed = new Set(steps.filter((s) => s.kind === "commit" && s.status === "succeeded" && !(s.detail as { alreadyPinned?: boolean }).alreadyPinned).map((s) => s.service));
  const waves: string[][] = [];
  for (const s of steps.filter((x) => x.kind === "commit")) {
    const wave = (waves[s.wave - 1] ??= []);
    if (!wave.includes(s.service)) wave.push(s.service);
  }
  const rollback = buildRollbackSteps(waves, changed, steps.length);
  await db.$transaction([
    db.runStep.updateMany({ where: { runId: ctx.runId, status: { in: ["pending"] } }, data: { status: "skipped" } }),
    db.runStep.createMany({ data: rollback.map((s) => ({ ...s, runId: ctx.runId, detail: s.detail as Prisma.InputJsonValue })) }),
    db.deliveryRun.update({ where: { id: ctx.runId }, data: { status: "rolling_back", message: `${failure} Rolling back ${changed.size ? [...changed].join(", ") : "nothing (no service was changed)"}, dependents first.` } }),
  ]);
}

/** Runs the deploy steps; returns why it failed, or null. */
async function deployPhase(ctx: RunContext): Promise<string | null> {
  const steps = await ctx.deps.db.runStep.findMany({ where: { runId: ctx.runId, kind: { in: ["integration_tests", "migrate", "commit", "sync", "rollout"] } }, orderBy: { position: "asc" } });
  const waves = [...new Set(steps.map((s) => s.wave))].sort((a, b) => a - b);
  for (const wave of waves) {
    const byService = new Map<string, StepRow[]>();
    for (const s of steps.filter((x) => x.wave === wave)) byService.set(s.service, [...(byService.get(s.service) ?? []), s]);
    const failures = await inParallel([...byService.entries()], WAVE_PARALLELISM, ([service, list]) => runServiceSteps(ctx, service, list));
    const failed = failures.filter((f): f is string => f !== null);
    if (failed.length) return failed.join(" ");
  }
  return null;
}

async function rollbackPhase(ctx: RunContext): Promise<void> {
  const steps = await ctx.deps.db.runStep.findMany({ where: { runId: ctx.runId, kind: { in: ["rollback_commit", "rollback_sync", "rollback_rollout"] } }, orderBy: { position: "asc" } });
  const waves = [...new Set(steps.map((s) => s.wave))].sort((a, b) => a - b);
  for (const wave of waves) {
    const byService = new Map<string, StepRow[]>();
    for (const s of steps.filter((x) => x.wave === wave)) byService.set(s.service, [...(byService.get(s.service) ?? []), s]);
    await inParallel([...byService.entries()], WAVE_PARALLELISM, ([service, list]) => runServiceSteps(ctx, service, list));
  }
}

async function inParallel<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** One service's steps in order; returns why it failed, or null. */
async function runServiceSteps(ctx: RunContext, service: string, steps: StepRow[]): Promise<string | null> {
  let sha: string | null = null;
  for (let step of steps) {
    if (step.status === "succeeded" || step.status === "skipped") {
      sha = ((step.detail as { sha?: string }).sha ?? sha) as string | null;
      continue;
    }
    if (step.status === "failed") return (step.detail as { error?: string }).error ?? `${service}: ${step.kind} failed.`;
    step = await setStep(ctx, step, { status: "running", started: step.startedAt === null, attempt: true });
    const pausedSince = Date.now();
    // Waits between retries of this step double: 1 s, 2 s, 4 s … up to 30 s.
    let retries = 0;
    for (;;) {
      try {
        const result = await runStep(ctx, step, sha);
        if (result.sha) sha = result.sha;
        step = await setStep(ctx, step, { status: "succeeded", finished: true, detail: result.detail });
        break;
      } catch (e) {
        if (e instanceof StepFailed) {
          await setStep(ctx, step, { status: "failed", finished: true, detail: { error: e.message } });
          if (step.kind === "rollout" || step.kind === "sync" || step.kind === "commit") await closeDeployment(ctx, service, ctx.isRollback ? "rollback" : "deploy", "failed");
          return e.message;
        }
        const retryable = e instanceof EngineUnavailableError || (e instanceof GitHostError && e.retryable);
        if (!retryable || Date.now() - pausedSince > MAX_PAUSE_MS) {
          const message = `${service}: ${step.kind} failed: ${(e as Error).message}`;
          await setStep(ctx, step, { status: "failed", finished: true, detail: { error: message } });
          return message;
        }
        const what = e instanceof EngineUnavailableError ? "The GitOps engine is unreachable" : "The git host is unreachable";
        await heartbeat(ctx, { status: "paused", message: `${what} (${(e as Error).message}); retrying ${service} ${step.kind}…` });
        await (ctx.deps.sleep ?? defaultSleep)(Math.min(30_000, 1000 * 2 ** Math.min(5, retries++)));
        await heartbeat(ctx, { status: step.kind.startsWith("rollback") ? "rolling_back" : "running", message: null });
      }
    }
  }
  return null;
}

async function runStep(ctx: RunContext, step: StepRow, sha: string | null): Promise<{ sha?: string; detail: Record<string, unknown> }> {
  const item = ctx.items.get(step.service)!;
  switch (step.kind) {
    case "integration_tests":
      return awaitIntegrationTests(ctx, step);
    case "migrate":
      // Migrations ride on the sync as the overlay's PreSync hook (a Job the engine runs before
      // the new version); recording them first keeps the run's story in order.
      return { detail: { scripts: (step.detail as { scripts?: string[] }).scripts ?? [], mode: "PreSync hook of the sync" } };
    case "commit":
      return commitVersion(ctx, step.service, item.toVersion, ctx.isRollback ? "rollback" : "deploy");
    case "rollback_commit":
      if (!item.fromVersion) throw new StepFailed(`${step.service} had no earlier version in ${ctx.environment} to roll back to.`);
      return commitVersion(ctx, step.service, item.fromVersion, "rollback");
    case "sync":
    case "rollback_sync": {
      const app = applicationName(step.service, ctx.environment);
      const current = await ctx.deps.engine.getApplication(app, { refresh: "normal" });
      if (!current) throw new StepFailed(`The GitOps engine has no application ${app}.`);
      if (sha && current.sync.revision === sha && current.operation?.phase !== "Failed") return { sha, detail: { application: app, revision: sha, alreadySynced: true } };
      const synced = await ctx.deps.engine.sync(app, sha ? { revision: sha } : {});
      return { ...(sha ? { sha } : {}), detail: { application: app, revision: sha, operation: synced.operation?.phase ?? null } };
    }
    case "rollout":
    case "rollback_rollout":
      return followRollout(ctx, step, sha, step.kind === "rollback_rollout" || ctx.isRollback);
    default:
      throw new StepFailed(`Unknown step ${step.kind}.`);
  }
}

/**
 * The environment's integration tests, before the first wave: runs (or, for a run taken over,
 * goes on awaiting) the check the step was planned with, records the outcome in the promotion's
 * integration-tests gate, and fails the step when it blocks.
 */
async function awaitIntegrationTests(ctx: RunContext, step: StepRow): Promise<{ detail: Record<string, unknown> }> {
  const { db } = ctx.deps;
  // Read again: the progress saved by an earlier attempt (the dispatched workflow run) is awaited, never dispatched twice.
  let detail = ((await db.runStep.findUniqueOrThrow({ where: { id: step.id } })).detail ?? {}) as Record<string, unknown>;
  const check = integrationCheckOf(detail.check);
  if (!check) throw new StepFailed("The integration tests this run was planned with are not readable.");
  const what = describeCheck(check);
  const outcome = await runIntegrationCheck(check, detail as CheckProgress, {
    host: ctx.deps.host,
    sleep: ctx.deps.sleep ?? defaultSleep,
    pollMs: ctx.deps.pollMs,
    save: async (progress) => {
      detail = { ...detail, ...progress };
      await db.runStep.update({ where: { id: step.id }, data: { detail: detail as Prisma.InputJsonValue } });
      await heartbeat(ctx, { message: `Waiting for the integration tests before the first wave: ${what}${progress.phase ? ` (${progress.phase})` : ""}.` });
    },
  });
  const promotion = await db.promotion.findUniqueOrThrow({ where: { id: ctx.promotionId }, select: { gates: true } });
  const gates = ((promotion.gates ?? []) as unknown as Gate[]).filter((g) => g.id !== "integration-tests");
  await db.promotion.update({ where: { id: ctx.promotionId }, data: { gates: [...gates, integrationTestsResult(check, outcome)] as unknown as Prisma.InputJsonValue } });
  await heartbeat(ctx, { message: null });
  if (!outcome.passed) throw new StepFailed(`Integration tests failed: ${outcome.reason}`);
  return { detail: { ...detail, passed: true, reason: outcome.reason, url: outcome.url, phase: "passed" } };
}

async function commitVersion(ctx: RunContext, service: string, version: string, kind: "deploy" | "rollback"): Promise<{ sha: string; detail: Record<string, unknown> }> {
  const { host } = ctx.deps;
  const snapshot = await environmentSnapshot(host, { name: ctx.environment, branch: ctx.branch });
  const branch = ctx.branch ?? snapshot.branch;
  const file = overlayKustomizationPath(service, ctx.environment);
  const previous = versionIn(snapshot, service, ctx.environment);
  if (previous === version) {
    await openDeployment(ctx, service, version, previous, kind, snapshot.sha);
    return { sha: snapshot.sha, detail: { file, version, sha: snapshot.sha, alreadyPinned: true } };
  }
  const content = setImageTag(snapshot.files, service, ctx.environment, version);
  const verb = kind === "rollback" ? "Roll back" : "Promote";
  const message = `${verb} ${service} to ${version} in ${ctx.environment}\n\nPaved promotion #${ctx.promotionNumber}, run ${ctx.runId}, by ${ctx.actor}.`;
  const sha = await serially(`${snapshot.repo.owner}/${snapshot.repo.name}@${branch}`, async () => {
    if (ctx.mode !== "pull_request") return host.commitFiles(snapshot.repo, branch, [{ path: file, content }], message);
    const head = `paved/promotion-${ctx.promotionNumber}-${kind}-${service}`;
    await host.createBranch(snapshot.repo, head, branch);
    await host.commitFiles(snapshot.repo, head, [{ path: file, content }], message);
    const pr =
      (await host.findPullRequest(snapshot.repo, head)) ??
      (await host.openPullRequest(snapshot.repo, { head, base: branch, title: `${verb} ${service} to ${version} in ${ctx.environment}`, body: `${message}\n\nOpened and merged by Paved.` }));
    const merged = await host.mergePullRequest(snapshot.repo, pr.number, `${verb} ${service} to ${version} in ${ctx.environment} (#${pr.number})`);
    await host.deleteBranch(snapshot.repo, head);
    return merged.sha;
  });
  await openDeployment(ctx, service, version, previous, kind, sha);
  return { sha, detail: { file, version, from: previous, sha, via: ctx.mode === "pull_request" ? "pull request" : "commit" } };
}

async function openDeployment(ctx: RunContext, service: string, version: string, previous: string | null, kind: "deploy" | "rollback", sha: string): Promise<void> {
  const { db } = ctx.deps;
  const existing = await db.deployment.findFirst({ where: { runId: ctx.runId, service, kind } });
  if (existing) return;
  await db.deployment.create({
    data: {
      service,
      environment: ctx.environment,
      version,
      previousVersion: previous,
      strategy: ctx.strategies.get(service)?.strategy ?? "rolling",
      kind,
      actor: ctx.actor,
      runId: ctx.runId,
      promotionNumber: ctx.promotionNumber,
      commitSha: sha,
    },
  });
}

async function closeDeployment(ctx: RunContext, service: string, kind: "deploy" | "rollback", outcome: string): Promise<void> {
  const { db } = ctx.deps;
  await db.deployment.updateMany({ where: { runId: ctx.runId, service, kind, outcome: "in_progress" }, data: { outcome, finishedAt: new Date() } });
  if (kind === "rollback" && outcome === "succeeded") {
    // What was rolled back: this run's own deployment of the service (a run that failed), or the
    // deployment of the version this rollback replaced (a rollback on a click).
    const item = ctx.items.get(service);
    const versions = ctx.isRollback && item?.fromVersion ? [item.fromVersion] : [];
    await db.deployment.updateMany({
      where: { service, environment: ctx.environment, kind: "deploy", outcome: { in: ["succeeded", "in_progress"] }, OR: [{ runId: ctx.runId }, { version: { in: versions } }] },
      data: { outcome: "rolled_back", finishedAt: new Date() },
    });
  }
}

function rolloutOf(tree: ResourceNode[]): ResourceNode | null {
  return tree.find((n) => n.kind === "Rollout") ?? null;
}

const info = (node: ResourceNode | null, name: string) => node?.info.find((i) => i.name === name)?.value ?? null;

/** Follows the service's strategy until it is healthy at the new revision; throws StepFailed when it is not. */
async function followRollout(ctx: RunContext, step: StepRow, sha: string | null, rollback: boolean): Promise<{ detail: Record<string, unknown> }> {
  const { engine } = ctx.deps;
  const sleep = ctx.deps.sleep ?? defaultSleep;
  const app = applicationName(step.service, ctx.environment);
  const started = Date.now();
  const weights: number[] = ((step.detail as { weights?: number[] }).weights ?? []).slice();
  let lastPhase = "";
  for (;;) {
    const current = await engine.getApplication(app);
    if (!current) throw new StepFailed(`The GitOps engine has no application ${app}.`);
    const tree = await engine.resourceTree(app);
    const rollout = rolloutOf(tree);
    const health = current.health.status;
    const atRevision = !sha || current.sync.revision === sha;
    if (current.operation?.phase === "Failed" || current.operation?.phase === "Error") throw new StepFailed(`${step.service}: the sync failed: ${current.operation.message ?? "no message"}.`);
    if (health === "Degraded") {
      throw new StepFailed(`${step.service} is Degraded in ${ctx.environment}${current.health.message ? `: ${current.health.message}` : ""}.`);
    }
    if (atRevision && health === "Healthy" && current.operation?.phase !== "Running") {
      // A canary that finished its steps serves all traffic.
      if (weights.length && weights.at(-1) !== 100) weights.push(100);
      await closeDeployment(ctx, step.service, rollback ? "rollback" : "deploy", "succeeded");
      return { detail: { health, weights, phase: "Healthy", message: current.health.message } };
    }
    if (health === "Suspended" && rollout) {
      const weight = Number(info(rollout, "SetWeight") ?? info(rollout, "ActualWeight") ?? NaN);
      const stepInfo = info(rollout, "Step");
      if (Number.isFinite(weight) && weights.at(-1) !== weight) weights.push(weight);
      const ref = { group: rollout.group, version: rollout.version, kind: rollout.kind, namespace: rollout.namespace, name: rollout.name };
      if (rollback) {
        // Going back to a known good version: no need to walk the steps again.
        await engine.runResourceAction(app, ref, "promote-full");
      } else {
        await ctx.deps.db.runStep.update({ where: { id: step.id }, data: { detail: { ...(step.detail as object), weights, phase: `paused at step ${stepInfo ?? "?"} (${weight}% of traffic): analysing`, analysisStartedAt: new Date().toISOString() } } });
        await heartbeat(ctx);
        await sleep(ctx.deps.analysisMs);
        const after = await engine.getApplication(app);
        if (after?.health.status === "Degraded") throw new StepFailed(`${step.service} went Degraded at ${weight}% of traffic: ${after.health.message ?? "no message"}.`);
        const rate = ctx.deps.errorRate ? await ctx.deps.errorRate(step.service, ctx.environment) : null;
        if (rate !== null && rate > MAX_ERROR_RATE) {
          await engine.runResourceAction(app, ref, "abort");
          throw new StepFailed(`${step.service}: analysis at ${weight}% of traffic failed: error rate ${(rate * 100).toFixed(1)}% is over ${(MAX_ERROR_RATE * 100).toFixed(0)}%; the canary was aborted.`);
        }
        await engine.runResourceAction(app, ref, "resume");
      }
    }
    const phase = rollout ? `${health}${info(rollout, "Step") ? ` · step ${info(rollout, "Step")}` : ""}${info(rollout, "SetWeight") ? ` · ${info(rollout, "SetWeight")}%` : ""}` : health;
    if (phase !== lastPhase) {
      lastPhase = phase;
      await ctx.deps.db.runStep.update({ where: { id: step.id }, data: { detail: { ...(step.detail as object), weights, phase } } });
    }
    await heartbeat(ctx);
    if (Date.now() - started > ROLLOUT_TIMEOUT_MS) throw new StepFailed(`${step.service} did not become healthy within ${ROLLOUT_TIMEOUT_MS / 60_000} minutes (last: ${phase}).`);
    await sleep(ctx.deps.pollMs);
  }
}

/** Runs whose executor went quiet (a worker killed mid-run): they are sent to be resumed. */
export async function staleRuns(db: Db): Promise<string[]> {
  const stale = new Date(Date.now() - HEARTBEAT_STALE_MS);
  const rows = await db.deliveryRun.findMany({
    where: { status: { in: ["queued", "running", "paused", "rolling_back"] }, OR: [{ heartbeatAt: null }, { heartbeatAt: { lt: stale } }] },
    select: { id: true },
  });
  return rows.map((r) => r.id);
}
