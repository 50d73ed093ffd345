// An application's images are those of its resource tree's pods: `podImagesOf` gives them without
// building the tree, and must agree with it at every moment of every kind of rollout (rolling,
// blue-green, canary; good and bad versions; restarts, aborts, drifted replicas).
import { describe, expect, it } from "vitest";
import { createKustomizer, type KubernetesObject } from "../../gitops/kustomize.ts";
import { appOverlay, overlayKustomizationPath, setImageTag } from "../../gitops/repository.ts";
import { DEMO_SERVICES } from "../../../prisma/seed/demo-organisation.ts";
import { demoGitOpsFiles } from "../localgit/gitops-seed.ts";
import { describeApplication, liveOf, type AppSnapshot, type DeclaredApp } from "./application.ts";
import { liveObjects, workloadSummary } from "./manifests.ts";
import { applyAction, applySync, timingsFor, type AppState, type BadVersionMode, type ClusterContext, type Strategy } from "./model.ts";
import { podImagesOf, resourceTreeOf } from "./tree.ts";

const SERVICES = DEMO_SERVICES.filter((s) => ["frontend", "backend-api", "worker-service", "notification-service"].includes(s.name));
const FILES = demoGitOpsFiles(SERVICES, ["staging"]);
const T0 = Date.parse("2026-01-05T10:00:00.000Z");
const REV1 = "1".repeat(40);
const REV2 = "2".repeat(40);

function render(files: Record<string, string>, service: string): KubernetesObject[] {
  return createKustomizer(files).render(appOverlay(service, "staging")).map((r) => r.object);
}

const withTag = (service: string, tag: string) => ({ ...FILES, [overlayKustomizationPath(service, "staging")]: setImageTag(FILES, service, "staging", tag) });

function initial(service: string, strategy: Strategy): AppState {
  const image = workloadSummary(render(FILES, service), service).image;
  return {
    name: `${service}-staging`,
    service,
    environment: "staging",
    revision: REV1,
    image,
    previousImage: null,
    strategy,
    trafficSteps: strategy === "canary" ? [10, 50, 100] : [],
    syncStartedAt: T0 - 1000,
    stepStartedAt: null,
    pausedStep: null,
    aborted: false,
    drift: null,
    history: [{ id: 0, revision: REV1, image, deployedAt: new Date(T0).toISOString(), deployStartedAt: new Date(T0 - 1000).toISOString() }],
    restartedAt: null,
  };
}

const ctx = (now: number, replicas: number, bad: Record<string, BadVersionMode>): ClusterContext => ({ now, timings: timingsFor(1), badVersions: new Map(Object.entries(bad)), healthCheckPath: "/health", replicas });

function treeImages(state: AppState, live: KubernetesObject[], c: ClusterContext): string[] {
  return [...new Set(resourceTreeOf(state, live, c, null).filter((n) => n.kind === "Pod").flatMap((n) => n.images))].sort();
}

describe("the images of an application's pods", () => {
  for (const service of SERVICES.map((s) => s.name)) {
    for (const strategy of ["rolling", "blue_green", "canary"] as const) {
      for (const bad of [{}, { "9.9.9": "unhealthy" }, { "9.9.9": "errors" }] as Record<string, BadVersionMode>[]) {
        it(`${service}, ${strategy}, ${Object.values(bad)[0] ?? "good"}: agree with the resource tree at every moment`, () => {
          const files = withTag(service, "9.9.9");
          const target = workloadSummary(render(files, service), service);
          const current = workloadSummary(render(FILES, service), service);
          let state = initial(service, strategy);
          const states: [AppState, number][] = [[state, T0]];
          state = applySync(state, { revision: REV2, image: target.image, podTemplate: target.podTemplate, currentPodTemplate: current.podTemplate, strategy, trafficSteps: state.trafficSteps }, ctx(T0, 2, bad));
          for (let t = T0; t <= T0 + 20_000; t += 250) states.push([state, t]);
          for (const action of ["resume", "promote-full", "abort", "restart"]) {
            try {
              const acted = applyAction(state, action, ctx(T0 + 3000, 2, bad));
              for (let t = T0 + 3000; t <= T0 + 20_000; t += 500) states.push([acted, t]);
            } catch {
              // Not an action of this strategy.
            }
          }
          for (const [s, t] of states) {
            for (const drift of [null, { replicas: 5 }, { replicas: 0 }]) {
              const objects = render(s.revision === REV2 ? files : FILES, service);
              const live = liveObjects(objects, service, drift);
              const c = ctx(t, drift?.replicas ?? 2, bad);
              expect(podImagesOf({ ...s, drift }, live, c)).toEqual(treeImages({ ...s, drift }, live, c));
            }
          }
        });
      }
    }
  }

  it("are what the application reports, with its live objects shared and frozen", () => {
    const objects = render(FILES, "frontend");
    const declared = { name: "frontend-staging", service: "frontend", environment: "staging", namespace: "frontend-staging" } as DeclaredApp;
    const synced = { ok: true as const, objects };
    const app: AppSnapshot = { declared, state: { ...initial("frontend", "rolling"), drift: { replicas: 3 } }, target: synced, synced };
    const live = liveOf(app)!;
    expect(liveOf({ ...app })).toBe(live);
    expect(Object.isFrozen(live[0])).toBe(true);
    expect(liveOf({ ...app, state: { ...app.state, drift: null } })).not.toBe(live);
    const c = ctx(T0, 3, {});
    const described = describeApplication(app, c);
    expect(described.images).toEqual(treeImages(app.state, live, c));
    expect(described.sync.status).toBe("OutOfSync");
    expect(describeApplication({ ...app, state: { ...app.state, drift: null } }, c).sync.status).toBe("Synced");
  });
});
