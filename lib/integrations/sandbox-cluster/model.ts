// The sandbox cluster's state machine, as pure functions: an application's state (one row of
// sandbox_applications) and the time give its rollout status, health, operation and history;
// an event (a sync, a resource action, drift) and the time give its next state. Nothing here
// reads git, the database or the clock, so every progression is unit-tested with a fake clock.
//
// Time is never "ticked": a rollout's progress is a function of when it (or its current canary
// step) started, so every process that reads the row sees the same cluster. Only events write.
//
// Strategies behave as Argo CD + Argo Rollouts would:
// - rolling (a Deployment): the pods are replaced one by one over `rollingMs`, then Healthy;
// - blue_green (a Rollout): a preview ReplicaSet comes up over `previewMs`, then traffic switches;
// - canary (a Rollout): per traffic step, the canary ReplicaSet scales (`canaryStepMs`) and the
//   Rollout pauses (Suspended) until `resume`, `promote-full` or `abort`; the step at 100 %
//   completes it.
// A version marked "unhealthy" never becomes ready: Degraded `unhealthyAfterMs` after its pods
// start. A version marked "errors" is healthy but fails a quarter of the requests it serves.
import { EngineRequestError, type HealthStatusCode, type OperationPhase } from "../../core/ports/gitops-engine.ts";

export type Strategy = "rolling" | "blue_green" | "canary";
export type BadVersionMode = "unhealthy" | "errors";

export const STRATEGIES: readonly Strategy[] = ["rolling", "blue_green", "canary"];
export const BAD_VERSION_MODES: readonly BadVersionMode[] = ["unhealthy", "errors"];

/** A canary with no traffic steps of its own moves through these (as Paved's services default to). */
export const DEFAULT_CANARY_STEPS: readonly number[] = [10, 50, 100];

/** Argo CD keeps the last ten syncs (its default revisionHistoryLimit). */
export const HISTORY_LIMIT = 10;

/**
 * Fraction of requests that fail normally (0.005 %: a healthy service spends a small part of a
 * 99.9 % budget and about half of a 99.99 % one), and while an "errors" version serves them.
 */
export const BASE_ERROR_RATE = 0.00005;
export const BAD_VERSION_ERROR_RATE = 0.25;

// ---------------------------------------------------------------------------------------------
// Timings

/** Durations at speed 1, in milliseconds. */
export const BASE_TIMINGS = {
  /** A sync operation: Running until the manifests are applied, then Succeeded. */
  applyMs: 1000,
  /** Rolling update: every pod replaced. Also a restart. */
  rollingMs: 3000,
  /** Blue-green: the preview ReplicaSet becomes ready, then traffic switches. */
  previewMs: 2000,
  /** Canary: the canary ReplicaSet scales to a step's weight, then the Rollout pauses (or completes at 100 %). */
  canaryStepMs: 1000,
  /** A version marked unhealthy: its pods fail their readiness probe this long after they start, and the rollout is Degraded. */
  unhealthyAfterMs: 2000,
  /** `restart`: pods are recreated one by one. */
  restartMs: 3000,
} as const satisfies Record<string, number>;

export type Timings = { -readonly [K in keyof typeof BASE_TIMINGS]: number };

/** Every duration multiplied by `speed` (0.1: ten times faster; 0: everything at once). */
export function timingsFor(speed: number): Timings {
  if (!Number.isFinite(speed) || speed < 0) throw new Error(`The sandbox cluster's speed must be a number ≥ 0, not ${speed}.`);
  const out = {} as Timings;
  for (const [k, v] of Object.entries(BASE_TIMINGS)) out[k as keyof Timings] = v * speed;
  return out;
}

/** PAVED_SANDBOX_SPEED: a duration multiplier ≥ 0, default 1. */
export function speedFromEnv(value: string | undefined): number {
  if (value === undefined || value.trim() === "") return 1;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`PAVED_SANDBOX_SPEED must be a number ≥ 0 (a multiplier of the sandbox cluster's durations: 0.1 is ten times faster), not "${value}".`);
  return n;
}

// ---------------------------------------------------------------------------------------------
// State

export interface HistoryEntry {
  id: number;
  revision: string;
  image: string | null;
  deployedAt: string;
  deployStartedAt: string | null;
}

/** Live changes made outside git (as `kubectl scale`, `kubectl label`, `kubectl annotate` would), to the service's workload. */
export interface DriftPatch {
  replicas?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** One application, as stored (times in epoch milliseconds). */
export interface AppState {
  name: string;
  service: string;
  environment: string;
  /** The revision last synced, and the image the service's workload has at it. */
  revision: string | null;
  image: string | null;
  /** The stable image when the current rollout started (what it shifts traffic away from). */
  previousImage: string | null;
  strategy: Strategy;
  trafficSteps: number[];
  /** When the last sync operation started (null: never synced). */
  syncStartedAt: number | null;
  /**
   * When the current rollout's pods started (rolling, blue-green), or its current step
   * (canary); null when the last sync replaced no pods. May lie in the future while the sync
   * operation is still applying the manifests.
   */
  stepStartedAt: number | null;
  /** Canary: the 1-based traffic step the rollout is at. */
  pausedStep: number | null;
  aborted: boolean;
  drift: DriftPatch | null;
  /** Completed syncs, oldest first. */
  history: HistoryEntry[];
  restartedAt: number | null;
}

export interface Health {
  status: HealthStatusCode;
  message: string | null;
}

/** What a view of an application needs besides its state. */
export interface ClusterContext {
  now: number;
  timings: Timings;
  /** The service's bad versions, by image tag. */
  badVersions: ReadonlyMap<string, BadVersionMode>;
  /** The readiness probe's path, for the message of an unhealthy version. */
  healthCheckPath: string;
  /** Replicas of the live workload (drift included). */
  replicas: number;
}

/** Timestamps as text, kept: the same few (when applications were created, synced) come back in every read of every application. */
const isoTexts = new Map<number, string>();

export function iso(ms: number): string {
  let text = isoTexts.get(ms);
  if (text === undefined) {
    text = new Date(ms).toISOString();
    if (isoTexts.size >= 10_000) isoTexts.clear();
    isoTexts.set(ms, text);
  }
  return text;
}

/** "ghcr.io/acme/frontend:2.0.0" → "2.0.0" (null without a tag). */
export function imageTag(image: string | null): string | null {
  if (!image) return null;
  const beforeDigest = image.split("@")[0]!;
  const colon = beforeDigest.indexOf(":", beforeDigest.lastIndexOf("/") + 1);
  return colon < 0 ? null : beforeDigest.slice(colon + 1);
}

export function badModeOf(image: string | null, ctx: Pick<ClusterContext, "badVersions">): BadVersionMode | null {
  const tag = imageTag(image);
  return tag === null ? null : (ctx.badVersions.get(tag) ?? null);
}

/** Increasing weights in 1..100 ending at 100; the default steps when there are none. */
export function canarySteps(steps: readonly number[]): number[] {
  const valid = [...new Set(steps.filter((n) => Number.isInteger(n) && n > 0 && n <= 100))].sort((a, b) => a - b);
  if (valid.length === 0) return [...DEFAULT_CANARY_STEPS];
  if (valid.at(-1) !== 100) valid.push(100);
  return valid;
}

// ---------------------------------------------------------------------------------------------
// Rollout status

export type RolloutPhase =
  /** No rollout since the last sync: the workload runs `image`. */
  | "steady"
  /** The sync operation has not applied the new manifests yet. */
  | "applying"
  /** Pods are being replaced, a preview or a canary step is coming up. */
  | "progressing"
  /** Canary: paused at a step below 100 %, waiting for resume / promote-full / abort. */
  | "paused"
  /** The new version's pods never became ready. */
  | "failing"
  | "aborted"
  | "complete";

export interface RolloutStatus {
  phase: RolloutPhase;
  /** The workload's health. */
  health: Health;
  /** The image of the pods that serve whatever traffic the new version does not get. */
  stableImage: string | null;
  /** Share (0–100) of the traffic that the new version (`state.image`) serves. */
  actualWeight: number;
  /** Canary: the current step (1-based), the number of steps, and the step's weight. */
  canary: { step: number; steps: number; setWeight: number } | null;
  /** Pods of the new version that are ready, and those still starting (or failing). */
  newReady: number;
  newStarting: number;
  /** Pods of the stable version still running (when it is not the new one). */
  stableRunning: number;
  /** When the rollout finished (≤ now); null while it has not. */
  completedAt: number | null;
}

const HEALTHY: Health = { status: "Healthy", message: null };

export function readinessMessage(state: Pick<AppState, "service" | "image">, ctx: Pick<ClusterContext, "healthCheckPath">): string {
  return `${state.service}:${imageTag(state.image) ?? state.image ?? "?"}: readiness probe failed on ${ctx.healthCheckPath} (HTTP 503)`;
}

function progress(elapsed: number, duration: number): number {
  return duration <= 0 ? 1 : Math.max(0, Math.min(1, elapsed / duration));
}

/** Where the application's current rollout is at `ctx.now`. */
export function rolloutStatus(state: AppState, ctx: ClusterContext): RolloutStatus {
  const { now, timings: T } = ctx;
  const n = Math.max(0, ctx.replicas);
  const s = state.stepStartedAt;
  const bad = badModeOf(state.image, ctx);
  const base = { stableImage: state.previousImage ?? state.image, canary: null, completedAt: null } as const;

  if (s === null) {
    if (bad === "unhealthy") {
      return { ...base, phase: "steady", stableImage: state.image, health: { status: "Degraded", message: readinessMessage(state, ctx) }, actualWeight: 0, newReady: 0, newStarting: n, stableRunning: 0 };
    }
    return { ...base, phase: "steady", stableImage: state.image, health: HEALTHY, actualWeight: 100, newReady: n, newStarting: 0, stableRunning: 0 };
  }

  const canary = state.strategy === "canary" ? canaryAt(state) : null;
  const waiting = (message: string | null, extra: Partial<RolloutStatus> = {}): RolloutStatus => ({
    ...base,
    phase: "progressing",
    canary,
    health: { status: "Progressing", message },
    actualWeight: 0,
    newReady: 0,
    newStarting: 0,
    stableRunning: n,
    ...extra,
  });

  if (state.aborted) {
    return { ...base, phase: "aborted", canary, health: { status: "Degraded", message: "Rollout aborted" }, actualWeight: 0, newReady: 0, newStarting: 0, stableRunning: n };
  }
  if (now < s) {
    const previousWeight = canary && canary.step > 1 ? canaryWeight(state, canary.step - 1) : 0;
    return { ...waiting(null, { actualWeight: previousWeight }), phase: "applying" };
  }
  const elapsed = now - s;

  if (bad === "unhealthy") {
    // Rolling: one surge pod at a time (maxUnavailable 0); blue-green: the whole preview; canary: the step's pods.
    const starting = state.strategy === "rolling" ? Math.min(1, n) : state.strategy === "blue_green" ? n : canaryPods(n, canary!.setWeight);
    if (elapsed < T.unhealthyAfterMs) return waiting(`Waiting for rollout to finish: 0 of ${starting} updated replicas are available...`, { newStarting: starting });
    return { ...base, phase: "failing", canary, health: { status: "Degraded", message: readinessMessage(state, ctx) }, actualWeight: 0, newReady: 0, newStarting: starting, stableRunning: n };
  }

  switch (state.strategy) {
    case "rolling": {
      const p = progress(elapsed, T.rollingMs);
      if (p >= 1 || n === 0) return complete(state, s + T.rollingMs, n);
      const ready = Math.min(n - 1, Math.floor(p * n));
      return waiting(`Waiting for rollout to finish: ${ready} out of ${n} new replicas have been updated...`, {
        actualWeight: n ? (ready / n) * 100 : 0,
        newReady: ready,
        newStarting: 1,
        stableRunning: n - ready,
      });
    }
    case "blue_green": {
      const p = progress(elapsed, T.previewMs);
      if (p >= 1) return complete(state, s + T.previewMs, n);
      const ready = Math.min(n, Math.floor(p * n));
      return waiting(`Waiting for the preview ReplicaSet to become available (${ready}/${n} ready)`, { newReady: ready, newStarting: n - ready });
    }
    case "canary": {
      const c = canary!;
      const previousWeight = c.step > 1 ? canaryWeight(state, c.step - 1) : 0;
      if (elapsed < T.canaryStepMs) {
        const target = canaryPods(n, c.setWeight);
        const ready = canaryPods(n, previousWeight);
        return waiting(`Setting the canary's weight to ${c.setWeight}%: waiting for its pods to become available`, {
          actualWeight: previousWeight,
          newReady: ready,
          newStarting: Math.max(0, target - ready),
          stableRunning: n - Math.floor((n * previousWeight) / 100),
        });
      }
      if (c.setWeight >= 100) return complete(state, s + T.canaryStepMs, n);
      const pods = canaryPods(n, c.setWeight);
      return {
        ...base,
        phase: "paused",
        canary: c,
        health: { status: "Suspended", message: `Rollout is paused at step ${c.step}/${c.steps} (weight ${c.setWeight}%)` },
        actualWeight: c.setWeight,
        newReady: pods,
        newStarting: 0,
        stableRunning: n - Math.floor((n * c.setWeight) / 100),
      };
    }
  }
}

function complete(state: AppState, at: number, n: number): RolloutStatus {
  const canary = state.strategy === "canary" ? canaryAt(state) : null;
  return { phase: "complete", health: HEALTHY, stableImage: state.image, actualWeight: 100, canary, newReady: n, newStarting: 0, stableRunning: 0, completedAt: at };
}

function canaryAt(state: AppState): { step: number; steps: number; setWeight: number } {
  const steps = canarySteps(state.trafficSteps);
  const step = Math.min(Math.max(state.pausedStep ?? 1, 1), steps.length);
  return { step, steps: steps.length, setWeight: steps[step - 1]! };
}

function canaryWeight(state: AppState, step: number): number {
  return canarySteps(state.trafficSteps)[step - 1] ?? 0;
}

/** Argo Rollouts without a traffic router approximates a weight with replicas: ceil(n × weight). */
export function canaryPods(replicas: number, weight: number): number {
  return weight <= 0 ? 0 : Math.max(1, Math.ceil((replicas * weight) / 100));
}

// ---------------------------------------------------------------------------------------------
// The application's health, operation and history

const WORSE: readonly HealthStatusCode[] = ["Healthy", "Suspended", "Progressing", "Missing", "Degraded", "Unknown"];

/** Argo CD's rule: an application is as unhealthy as its unhealthiest resource. */
export function worstHealth(...healths: Health[]): Health {
  return healths.reduce((a, b) => (WORSE.indexOf(b.status) > WORSE.indexOf(a.status) ? b : a), HEALTHY);
}

export function restartInProgress(state: Pick<AppState, "restartedAt">, ctx: Pick<ClusterContext, "now" | "timings">): boolean {
  return state.restartedAt !== null && ctx.now >= state.restartedAt && ctx.now < state.restartedAt + ctx.timings.restartMs;
}

/** The workload's health: its rollout, and a restart in progress. */
export function workloadHealth(state: AppState, ctx: ClusterContext, rollout = rolloutStatus(state, ctx)): Health {
  if (!restartInProgress(state, ctx)) return rollout.health;
  return worstHealth(rollout.health, { status: "Progressing", message: "Waiting for rollout to finish: pods are restarting..." });
}

export interface OperationView {
  phase: OperationPhase;
  message: string | null;
  revision: string | null;
  startedAt: string;
  finishedAt: string | null;
}

export function operationOf(state: AppState, ctx: Pick<ClusterContext, "now" | "timings">): OperationView | null {
  if (state.syncStartedAt === null) return null;
  const end = state.syncStartedAt + ctx.timings.applyMs;
  const running = ctx.now < end;
  return {
    phase: running ? "Running" : "Succeeded",
    message: running ? "one or more tasks are running" : "successfully synced (all tasks run)",
    revision: state.revision,
    startedAt: iso(state.syncStartedAt),
    finishedAt: running ? null : iso(end),
  };
}

/** When the last sync finished: its operation applied and its rollout complete (null while not, or never). */
export function syncCompletedAt(state: AppState, ctx: ClusterContext, rollout = rolloutStatus(state, ctx)): number | null {
  if (state.syncStartedAt === null) return null;
  const applied = state.syncStartedAt + ctx.timings.applyMs;
  if (ctx.now < applied) return null;
  if (rollout.phase === "steady") return applied;
  if (rollout.phase === "complete" && rollout.completedAt !== null) return Math.max(applied, rollout.completedAt);
  return null;
}

/** The history with the last sync's entry once it has completed (an entry is keyed by its sync's start and revision). */
export function historyAt(state: AppState, ctx: ClusterContext, rollout = rolloutStatus(state, ctx)): HistoryEntry[] {
  const done = syncCompletedAt(state, ctx, rollout);
  if (done === null || state.syncStartedAt === null || state.revision === null) return state.history;
  const started = iso(state.syncStartedAt);
  if (state.history.some((h) => h.deployStartedAt === started && h.revision === state.revision)) return state.history;
  const id = state.history.length ? Math.max(...state.history.map((h) => h.id)) + 1 : 0;
  return [...state.history, { id, revision: state.revision, image: state.image, deployedAt: iso(done), deployStartedAt: started }].slice(-HISTORY_LIMIT);
}

/** Writes down what time has done (the completed sync's history entry) before an event changes the state. */
export function settle(state: AppState, ctx: ClusterContext): AppState {
  const history = historyAt(state, ctx);
  return history === state.history ? state : { ...state, history };
}

/** Fraction of the service's requests that fail: each version's error rate weighted by the traffic it serves. */
export function errorRateAt(state: AppState, ctx: ClusterContext, rollout = rolloutStatus(state, ctx)): number {
  const rateOf = (image: string | null) => (badModeOf(image, ctx) === "errors" ? BAD_VERSION_ERROR_RATE : BASE_ERROR_RATE);
  // Nothing is ready to serve: every request fails.
  if (rollout.phase === "steady" && rollout.actualWeight === 0 && badModeOf(state.image, ctx) === "unhealthy") return 1;
  const share = rollout.actualWeight / 100;
  const rate = share * rateOf(state.image) + (1 - share) * rateOf(rollout.stableImage);
  return Math.round(rate * 1e6) / 1e6;
}

// ---------------------------------------------------------------------------------------------
// Events

export interface SyncInput {
  revision: string;
  /** The image the service's workload has at `revision` (null: it has none). */
  image: string | null;
  /** The workload's pod template at `revision`, and at the revision synced now (canonical JSON): a change rolls the pods. */
  podTemplate: string | null;
  currentPodTemplate: string | null;
  strategy: Strategy;
  trafficSteps: number[];
}

/** A sync: the new revision's manifests are applied after `applyMs`, then its rollout starts (when the pods change). */
export function applySync(state: AppState, input: SyncInput, ctx: ClusterContext): AppState {
  const settled = settle(state, ctx);
  const rollout = rolloutStatus(settled, ctx);
  const now = ctx.now;
  const synced = { ...settled, revision: input.revision, syncStartedAt: now, drift: null };
  const podsChange = input.image !== settled.image || input.podTemplate !== input.currentPodTemplate;
  if (!podsChange) {
    // The same pods: a rollout under way goes on (an aborted one stays aborted, as in Argo Rollouts).
    return synced;
  }
  const stable = rollout.stableImage;
  if (input.image !== null && input.image === stable && settled.image !== stable) {
    // Back to the version the stable pods run (a rollback): Argo Rollouts skips the steps and
    // moves traffic back at once; a Deployment scales its old ReplicaSet back up.
    return { ...synced, image: input.image, previousImage: settled.image, strategy: input.strategy, trafficSteps: input.trafficSteps, stepStartedAt: null, pausedStep: null, aborted: false };
  }
  return {
    ...synced,
    image: input.image,
    previousImage: stable,
    strategy: input.strategy,
    trafficSteps: input.trafficSteps,
    stepStartedAt: now + ctx.timings.applyMs,
    pausedStep: input.strategy === "canary" ? 1 : null,
    aborted: false,
  };
}

export type WorkloadKind = "Deployment" | "Rollout";

/** The kind of the service's workload in the resource tree: a Rollout for blue-green and canary. */
export function workloadKindOf(strategy: Strategy): WorkloadKind {
  return strategy === "rolling" ? "Deployment" : "Rollout";
}

/** Resource actions per kind, as Argo CD offers them. */
export const ACTIONS: Record<WorkloadKind, readonly string[]> = {
  Deployment: ["restart"],
  Rollout: ["restart", "resume", "promote-full", "abort", "retry"],
};

function refuse(message: string): never {
  throw new EngineRequestError(message, 400);
}

/** A resource action on the service's workload; throws EngineRequestError (400) when it is unknown or not available now. */
export function applyAction(state: AppState, action: string, ctx: ClusterContext): AppState {
  const kind = workloadKindOf(state.strategy);
  const name = `${kind} ${state.service}`;
  if (!ACTIONS[kind].includes(action)) refuse(`There is no action "${action}" on ${name} (available: ${ACTIONS[kind].join(", ")}).`);
  const settled = settle(state, ctx);
  const rollout = rolloutStatus(settled, ctx);
  const now = ctx.now;
  const inProgress = rollout.phase === "applying" || rollout.phase === "progressing" || rollout.phase === "paused" || rollout.phase === "failing";
  switch (action) {
    case "restart":
      return { ...settled, restartedAt: now };
    case "resume": {
      if (rollout.phase !== "paused" || !rollout.canary) refuse(`${name} is not paused (it is ${describePhase(rollout)}): there is nothing to resume.`);
      return { ...settled, pausedStep: rollout.canary.step + 1, stepStartedAt: now };
    }
    case "promote-full": {
      if (!inProgress) refuse(`${name} has no rollout to promote (it is ${describePhase(rollout)}).`);
      if (settled.strategy !== "canary") return settled; // blue-green switches as soon as the preview is ready
      const last = canarySteps(settled.trafficSteps).length;
      if (rollout.phase === "applying") return { ...settled, pausedStep: last };
      return { ...settled, pausedStep: last, stepStartedAt: now };
    }
    case "abort":
      if (!inProgress) refuse(`${name} has no rollout to abort (it is ${describePhase(rollout)}).`);
      return { ...settled, aborted: true };
    case "retry":
      if (rollout.phase !== "aborted") refuse(`${name} was not aborted (it is ${describePhase(rollout)}): there is nothing to retry.`);
      return { ...settled, aborted: false, pausedStep: settled.strategy === "canary" ? 1 : null, stepStartedAt: now };
    default:
      return refuse(`There is no action "${action}" on ${name}.`);
  }
}

function describePhase(r: RolloutStatus): string {
  switch (r.phase) {
    case "steady":
    case "complete":
      return "fully rolled out";
    case "applying":
      return "waiting for its sync to apply";
    case "paused":
      return `paused at step ${r.canary?.step}/${r.canary?.steps}`;
    case "failing":
      return "Degraded";
    default:
      return r.phase;
  }
}

/** Merges a drift patch into the current drift (later values win). */
export function mergeDrift(current: DriftPatch | null, patch: DriftPatch): DriftPatch {
  const out: DriftPatch = { ...current };
  if (patch.replicas !== undefined) out.replicas = patch.replicas;
  if (patch.labels) out.labels = { ...current?.labels, ...patch.labels };
  if (patch.annotations) out.annotations = { ...current?.annotations, ...patch.annotations };
  return out;
}
