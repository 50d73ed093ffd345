// The sandbox cluster's state machine with a fake clock: each strategy's progression at speed 1
// (and scaled), canary pauses and the Rollout actions, bad versions, error rates, history.
import { describe, expect, it } from "vitest";
import { EngineRequestError } from "../../core/ports/gitops-engine.ts";
import {
  BASE_ERROR_RATE,
  BASE_TIMINGS,
  HISTORY_LIMIT,
  applyAction,
  applySync,
  canarySteps,
  errorRateAt,
  historyAt,
  operationOf,
  rolloutStatus,
  speedFromEnv,
  timingsFor,
  workloadHealth,
  type AppState,
  type BadVersionMode,
  type ClusterContext,
  type Strategy,
} from "./model.ts";

const T0 = Date.parse("2026-01-05T10:00:00.000Z");
const V1 = "ghcr.io/acme/frontend:1.0.0";
const V2 = "ghcr.io/acme/frontend:2.0.0";
const V3 = "ghcr.io/acme/frontend:3.0.0";

function initial(strategy: Strategy, trafficSteps: number[] = strategy === "canary" ? [10, 50, 100] : []): AppState {
  return {
    name: "frontend-staging",
    service: "frontend",
    environment: "staging",
    revision: "a".repeat(40),
    image: V1,
    previousImage: null,
    strategy,
    trafficSteps,
    syncStartedAt: T0 - 1000,
    stepStartedAt: null,
    pausedStep: null,
    aborted: false,
    drift: null,
    history: [{ id: 0, revision: "a".repeat(40), image: V1, deployedAt: new Date(T0).toISOString(), deployStartedAt: new Date(T0 - 1000).toISOString() }],
    restartedAt: null,
  };
}

function ctxAt(now: number, options: { speed?: number; bad?: Record<string, BadVersionMode>; replicas?: number } = {}): ClusterContext {
  return { now, timings: timingsFor(options.speed ?? 1), badVersions: new Map(Object.entries(options.bad ?? {})), healthCheckPath: "/health", replicas: options.replicas ?? 3 };
}

function syncTo(state: AppState, image: string, at: number, options: Parameters<typeof ctxAt>[1] = {}, revision = image.endsWith("2.0.0") ? "b".repeat(40) : "c".repeat(40)): AppState {
  return applySync(state, { revision, image, podTemplate: image, currentPodTemplate: state.image, strategy: state.strategy, trafficSteps: state.trafficSteps }, ctxAt(at, options));
}

/** Health status and message at a time. */
function healthAt(state: AppState, at: number, options: Parameters<typeof ctxAt>[1] = {}) {
  return workloadHealth(state, ctxAt(at, options));
}

describe("timings", () => {
  it("scales every duration by the speed, and reads PAVED_SANDBOX_SPEED", () => {
    expect(timingsFor(1)).toEqual(BASE_TIMINGS);
    expect(timingsFor(0.1)).toEqual({ applyMs: 100, rollingMs: 300, previewMs: 200, canaryStepMs: 100, unhealthyAfterMs: 200, restartMs: 300 });
    expect(timingsFor(0).rollingMs).toBe(0);
    expect(speedFromEnv(undefined)).toBe(1);
    expect(speedFromEnv("")).toBe(1);
    expect(speedFromEnv("0.05")).toBe(0.05);
    expect(() => speedFromEnv("fast")).toThrow(/PAVED_SANDBOX_SPEED/);
    expect(() => speedFromEnv("-1")).toThrow(/PAVED_SANDBOX_SPEED/);
  });

  it("normalises canary steps to increasing weights ending at 100", () => {
    expect(canarySteps([])).toEqual([10, 50, 100]);
    expect(canarySteps([50, 10])).toEqual([10, 50, 100]);
    expect(canarySteps([5, 25, 100])).toEqual([5, 25, 100]);
    expect(canarySteps([0, 150, 20, 20])).toEqual([20, 100]);
  });
});

describe("a rolling update", () => {
  it("applies in 1 s, replaces the pods over 3 s, then is Healthy with a history entry", () => {
    const s = syncTo(initial("rolling"), V2, T0);
    expect(s).toMatchObject({ image: V2, previousImage: V1, syncStartedAt: T0, stepStartedAt: T0 + 1000 });

    expect(operationOf(s, ctxAt(T0 + 500))).toMatchObject({ phase: "Running", finishedAt: null });
    expect(healthAt(s, T0 + 500).status).toBe("Progressing");
    expect(rolloutStatus(s, ctxAt(T0 + 500)).phase).toBe("applying");

    expect(operationOf(s, ctxAt(T0 + 1000))).toMatchObject({ phase: "Succeeded", finishedAt: new Date(T0 + 1000).toISOString() });
    expect(healthAt(s, T0 + 1000)).toEqual({ status: "Progressing", message: "Waiting for rollout to finish: 0 out of 3 new replicas have been updated..." });
    expect(healthAt(s, T0 + 3000)).toEqual({ status: "Progressing", message: "Waiting for rollout to finish: 2 out of 3 new replicas have been updated..." });
    expect(rolloutStatus(s, ctxAt(T0 + 3000))).toMatchObject({ phase: "progressing", newReady: 2, newStarting: 1, stableRunning: 1 });
    expect(rolloutStatus(s, ctxAt(T0 + 3000)).actualWeight).toBeCloseTo(66.67, 2);
    expect(historyAt(s, ctxAt(T0 + 3999))).toHaveLength(1);

    expect(healthAt(s, T0 + 4000)).toEqual({ status: "Healthy", message: null });
    const history = historyAt(s, ctxAt(T0 + 4000));
    expect(history).toHaveLength(2);
    expect(history[1]).toEqual({ id: 1, revision: "b".repeat(40), image: V2, deployStartedAt: new Date(T0).toISOString(), deployedAt: new Date(T0 + 4000).toISOString() });
    // The entry keeps the time the rollout completed, however late it is read.
    expect(historyAt(s, ctxAt(T0 + 60_000))[1]?.deployedAt).toBe(new Date(T0 + 4000).toISOString());
  });

  it("is faster at a lower speed", () => {
    const options = { speed: 0.1 };
    const s = syncTo(initial("rolling"), V2, T0, options);
    expect(s.stepStartedAt).toBe(T0 + 100);
    expect(healthAt(s, T0 + 399, options).status).toBe("Progressing");
    expect(healthAt(s, T0 + 400, options).status).toBe("Healthy");
    // At speed 0 everything happens at once.
    const instant = syncTo(initial("rolling"), V2, T0, { speed: 0 });
    expect(healthAt(instant, T0, { speed: 0 }).status).toBe("Healthy");
    expect(operationOf(instant, ctxAt(T0, { speed: 0 }))?.phase).toBe("Succeeded");
  });

  it("rolls nothing when the pods do not change, and records the sync once applied", () => {
    const s = applySync(initial("rolling"), { revision: "d".repeat(40), image: V1, podTemplate: "same", currentPodTemplate: "same", strategy: "rolling", trafficSteps: [] }, ctxAt(T0));
    expect(s).toMatchObject({ revision: "d".repeat(40), image: V1, stepStartedAt: null });
    expect(healthAt(s, T0 + 100).status).toBe("Healthy");
    expect(historyAt(s, ctxAt(T0 + 999))).toHaveLength(1);
    expect(historyAt(s, ctxAt(T0 + 1000)).at(-1)).toMatchObject({ revision: "d".repeat(40), deployedAt: new Date(T0 + 1000).toISOString() });
  });

  it("rolls the pods when only the pod template changes", () => {
    const s = applySync(initial("rolling"), { revision: "d".repeat(40), image: V1, podTemplate: "new env", currentPodTemplate: "old env", strategy: "rolling", trafficSteps: [] }, ctxAt(T0));
    expect(healthAt(s, T0 + 2000).status).toBe("Progressing");
    expect(healthAt(s, T0 + 4000).status).toBe("Healthy");
  });

  it("restarts: Progressing for 3 s, then Healthy, without a history entry", () => {
    const s = applyAction(initial("rolling"), "restart", ctxAt(T0));
    expect(s.restartedAt).toBe(T0);
    expect(healthAt(s, T0 + 1500)).toEqual({ status: "Progressing", message: "Waiting for rollout to finish: pods are restarting..." });
    expect(healthAt(s, T0 + 3000).status).toBe("Healthy");
    expect(historyAt(s, ctxAt(T0 + 3000))).toHaveLength(1);
  });

  it("offers only restart on a Deployment", () => {
    expect(() => applyAction(initial("rolling"), "resume", ctxAt(T0))).toThrow(EngineRequestError);
    expect(() => applyAction(initial("rolling"), "scale-to-zero", ctxAt(T0))).toThrow(/no action "scale-to-zero" on Deployment frontend \(available: restart\)/);
    try {
      applyAction(initial("rolling"), "abort", ctxAt(T0));
    } catch (e) {
      expect((e as EngineRequestError).status).toBe(400);
    }
  });
});

describe("a blue-green rollout", () => {
  it("brings up the preview for 2 s, then switches traffic to it", () => {
    const s = syncTo(initial("blue_green"), V2, T0);
    expect(rolloutStatus(s, ctxAt(T0 + 1000))).toMatchObject({ phase: "progressing", actualWeight: 0, stableImage: V1, newStarting: 3 });
    expect(rolloutStatus(s, ctxAt(T0 + 2000))).toMatchObject({ phase: "progressing", actualWeight: 0, newReady: 1, newStarting: 2 });
    expect(healthAt(s, T0 + 2999).status).toBe("Progressing");
    expect(rolloutStatus(s, ctxAt(T0 + 3000))).toMatchObject({ phase: "complete", actualWeight: 100, stableImage: V2, completedAt: T0 + 3000 });
    expect(healthAt(s, T0 + 3000).status).toBe("Healthy");
    expect(historyAt(s, ctxAt(T0 + 3000))).toHaveLength(2);
  });

  it("can be aborted while the preview comes up: Degraded, traffic stays on the active version", () => {
    const s = applyAction(syncTo(initial("blue_green"), V2, T0), "abort", ctxAt(T0 + 1500));
    expect(healthAt(s, T0 + 10_000)).toEqual({ status: "Degraded", message: "Rollout aborted" });
    expect(rolloutStatus(s, ctxAt(T0 + 10_000))).toMatchObject({ stableImage: V1, actualWeight: 0 });
    expect(() => applyAction(s, "resume", ctxAt(T0 + 10_000))).toThrow(/not paused/);
  });
});

describe("a canary rollout", () => {
  const paused = (s: AppState, at: number) => rolloutStatus(s, ctxAt(at));

  it("moves through 10 → 50 → 100 %, pausing at each step until resumed", () => {
    let s = syncTo(initial("canary"), V2, T0);
    expect(paused(s, T0 + 500)).toMatchObject({ phase: "applying", actualWeight: 0 });
    expect(paused(s, T0 + 1500)).toMatchObject({ phase: "progressing", canary: { step: 1, steps: 3, setWeight: 10 }, actualWeight: 0 });
    expect(healthAt(s, T0 + 2000)).toEqual({ status: "Suspended", message: "Rollout is paused at step 1/3 (weight 10%)" });
    expect(paused(s, T0 + 60_000)).toMatchObject({ phase: "paused", canary: { step: 1, setWeight: 10 }, actualWeight: 10, stableImage: V1 });
    expect(historyAt(s, ctxAt(T0 + 60_000))).toHaveLength(1);

    s = applyAction(s, "resume", ctxAt(T0 + 60_000));
    expect(paused(s, T0 + 60_500)).toMatchObject({ phase: "progressing", canary: { step: 2, setWeight: 50 }, actualWeight: 10 });
    expect(healthAt(s, T0 + 61_000)).toEqual({ status: "Suspended", message: "Rollout is paused at step 2/3 (weight 50%)" });
    expect(paused(s, T0 + 61_000).actualWeight).toBe(50);

    s = applyAction(s, "resume", ctxAt(T0 + 70_000));
    expect(paused(s, T0 + 70_500)).toMatchObject({ phase: "progressing", canary: { step: 3, setWeight: 100 }, actualWeight: 50 });
    expect(healthAt(s, T0 + 71_000).status).toBe("Healthy");
    expect(paused(s, T0 + 71_000)).toMatchObject({ phase: "complete", actualWeight: 100, stableImage: V2 });
    expect(historyAt(s, ctxAt(T0 + 71_000)).at(-1)).toMatchObject({ image: V2, deployedAt: new Date(T0 + 71_000).toISOString(), deployStartedAt: new Date(T0).toISOString() });
    // Nothing left to resume, promote or abort.
    for (const action of ["resume", "promote-full", "abort"]) expect(() => applyAction(s, action, ctxAt(T0 + 72_000))).toThrow(EngineRequestError);
  });

  it("goes straight to 100 % on promote-full", () => {
    let s = syncTo(initial("canary"), V2, T0);
    s = applyAction(s, "promote-full", ctxAt(T0 + 5000));
    expect(paused(s, T0 + 5500)).toMatchObject({ phase: "progressing", canary: { step: 3, setWeight: 100 } });
    expect(healthAt(s, T0 + 6000).status).toBe("Healthy");
  });

  it("sends the traffic back to the stable version on abort", () => {
    let s = syncTo(initial("canary"), V2, T0);
    s = applyAction(applyAction(s, "resume", ctxAt(T0 + 5000)), "abort", ctxAt(T0 + 8000));
    expect(healthAt(s, T0 + 8000)).toEqual({ status: "Degraded", message: "Rollout aborted" });
    expect(paused(s, T0 + 8000)).toMatchObject({ phase: "aborted", actualWeight: 0, stableImage: V1, stableRunning: 3, newReady: 0 });
    expect(historyAt(s, ctxAt(T0 + 100_000))).toHaveLength(1);
    expect(() => applyAction(s, "resume", ctxAt(T0 + 9000))).toThrow(/not paused/);

    // `retry` starts again from the first step.
    const retried = applyAction(s, "retry", ctxAt(T0 + 9000));
    expect(paused(retried, T0 + 10_000)).toMatchObject({ phase: "paused", canary: { step: 1, setWeight: 10 } });
  });

  it("rolls back at once when synced back to the stable version after an abort", () => {
    let s = syncTo(initial("canary"), V2, T0);
    s = applyAction(s, "abort", ctxAt(T0 + 5000));
    s = syncTo(s, V1, T0 + 6000, {}, "e".repeat(40));
    expect(s).toMatchObject({ image: V1, previousImage: V2, aborted: false, stepStartedAt: null, pausedStep: null });
    expect(healthAt(s, T0 + 6000).status).toBe("Healthy");
    expect(operationOf(s, ctxAt(T0 + 6000))?.phase).toBe("Running");
    expect(historyAt(s, ctxAt(T0 + 7000)).at(-1)).toMatchObject({ revision: "e".repeat(40), image: V1 });
  });

  it("keeps the stable version when a new version replaces a paused canary", () => {
    let s = syncTo(initial("canary"), V2, T0);
    s = syncTo(s, V3, T0 + 5000);
    expect(s).toMatchObject({ image: V3, previousImage: V1, pausedStep: 1 });
    expect(healthAt(s, T0 + 7000).message).toBe("Rollout is paused at step 1/3 (weight 10%)");
  });

  it("uses the service's own steps", () => {
    let s = syncTo(initial("canary", [5, 25, 100]), V2, T0);
    expect(healthAt(s, T0 + 2000).message).toBe("Rollout is paused at step 1/3 (weight 5%)");
    s = applyAction(s, "resume", ctxAt(T0 + 2000));
    expect(healthAt(s, T0 + 3000).message).toBe("Rollout is paused at step 2/3 (weight 25%)");
  });
});

describe("bad versions", () => {
  const unhealthy = { bad: { "2.0.0": "unhealthy" as const } };

  it("an unhealthy version never becomes ready: Degraded 2 s after its pods start, with the probe's path", () => {
    const s = syncTo(initial("rolling"), V2, T0, unhealthy);
    expect(healthAt(s, T0 + 2999, unhealthy).status).toBe("Progressing");
    expect(healthAt(s, T0 + 3000, unhealthy)).toEqual({ status: "Degraded", message: "frontend:2.0.0: readiness probe failed on /health (HTTP 503)" });
    expect(healthAt(s, T0 + 600_000, unhealthy).status).toBe("Degraded");
    expect(rolloutStatus(s, ctxAt(T0 + 5000, unhealthy))).toMatchObject({ phase: "failing", stableImage: V1, stableRunning: 3, newStarting: 1, actualWeight: 0 });
    expect(historyAt(s, ctxAt(T0 + 600_000, unhealthy))).toHaveLength(1);
    expect(errorRateAt(s, ctxAt(T0 + 5000, unhealthy))).toBe(BASE_ERROR_RATE);
  });

  it("an unhealthy canary goes Degraded at its first step instead of pausing", () => {
    const s = syncTo(initial("canary"), V2, T0, unhealthy);
    expect(healthAt(s, T0 + 2000, unhealthy).status).toBe("Progressing");
    expect(healthAt(s, T0 + 3000, unhealthy)).toEqual({ status: "Degraded", message: "frontend:2.0.0: readiness probe failed on /health (HTTP 503)" });
    expect(rolloutStatus(s, ctxAt(T0 + 3000, unhealthy))).toMatchObject({ phase: "failing", canary: { step: 1 } });
    expect(() => applyAction(s, "resume", ctxAt(T0 + 3000, unhealthy))).toThrow(/not paused/);
    // Abort is what is left (and the rollback afterwards).
    expect(applyAction(s, "abort", ctxAt(T0 + 3000, unhealthy)).aborted).toBe(true);
  });

  it("an unhealthy blue-green preview never takes the traffic", () => {
    const s = syncTo(initial("blue_green"), V2, T0, unhealthy);
    expect(healthAt(s, T0 + 3000, unhealthy).status).toBe("Degraded");
    expect(rolloutStatus(s, ctxAt(T0 + 3000, unhealthy))).toMatchObject({ actualWeight: 0, stableImage: V1 });
  });

  it("an errors version stays Healthy, but fails a quarter of the requests it serves, weighted by its traffic", () => {
    const errors = { bad: { "2.0.0": "errors" as const } };
    expect(errorRateAt(initial("canary"), ctxAt(T0, errors))).toBe(BASE_ERROR_RATE);
    let s = syncTo(initial("canary"), V2, T0, errors);
    expect(errorRateAt(s, ctxAt(T0 + 1500, errors))).toBe(BASE_ERROR_RATE); // canary pods not ready yet
    expect(healthAt(s, T0 + 2000, errors).status).toBe("Suspended");
    expect(errorRateAt(s, ctxAt(T0 + 2000, errors))).toBeCloseTo(0.9 * BASE_ERROR_RATE + 0.1 * 0.25, 6);
    s = applyAction(s, "resume", ctxAt(T0 + 2000, errors));
    expect(errorRateAt(s, ctxAt(T0 + 3000, errors))).toBeCloseTo(0.5 * BASE_ERROR_RATE + 0.5 * 0.25, 6);
    const aborted = applyAction(s, "abort", ctxAt(T0 + 3000, errors));
    expect(errorRateAt(aborted, ctxAt(T0 + 3000, errors))).toBe(BASE_ERROR_RATE);
    s = applyAction(s, "promote-full", ctxAt(T0 + 3000, errors));
    expect(healthAt(s, T0 + 4000, errors).status).toBe("Healthy");
    expect(errorRateAt(s, ctxAt(T0 + 4000, errors))).toBe(0.25);

    const rolling = syncTo(initial("rolling"), V2, T0, errors);
    expect(errorRateAt(rolling, ctxAt(T0 + 3000, errors))).toBeCloseTo((1 / 3) * BASE_ERROR_RATE + (2 / 3) * 0.25, 3);
  });

  it("a steady version marked unhealthy is Degraded and serves nothing", () => {
    const bad = { bad: { "1.0.0": "unhealthy" as const } };
    expect(healthAt(initial("rolling"), T0, bad)).toEqual({ status: "Degraded", message: "frontend:1.0.0: readiness probe failed on /health (HTTP 503)" });
    expect(errorRateAt(initial("rolling"), ctxAt(T0, bad))).toBe(1);
  });
});

describe("history", () => {
  it("keeps the last ten syncs, with increasing ids", () => {
    let s = initial("rolling");
    for (let i = 1; i <= 12; i++) {
      s = applySync(s, { revision: String(i).padStart(40, "0"), image: `ghcr.io/acme/frontend:1.0.${i}`, podTemplate: String(i), currentPodTemplate: String(i - 1), strategy: "rolling", trafficSteps: [] }, ctxAt(T0 + i * 10_000));
    }
    const history = historyAt(s, ctxAt(T0 + 200_000));
    expect(history).toHaveLength(HISTORY_LIMIT);
    expect(history.map((h) => h.id)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(history.at(-1)?.image).toBe("ghcr.io/acme/frontend:1.0.12");
  });
});
