// What the sandbox cluster reports over the demo GitOps repository's real manifests: the declared
// applications and label selectors, drift and the sync status, the managed resources' diff, the
// resource tree per strategy and state, and the application as Argo CD would describe it.
import { describe, expect, it } from "vitest";
import { EngineRequestError } from "../../core/ports/gitops-engine.ts";
import { createKustomizer, type KubernetesObject } from "../../gitops/kustomize.ts";
import { appOverlay, overlayKustomizationPath, setImageTag } from "../../gitops/repository.ts";
import { DEMO_SERVICES } from "../../../prisma/seed/demo-organisation.ts";
import { demoGitOpsFiles } from "../localgit/gitops-seed.ts";
import { declaredApplications, describeApplication, liveOf, parseSelector, type AppSnapshot } from "./application.ts";
import { diffResources, liveObjects, syncStatusOf, workloadSummary } from "./manifests.ts";
import { applyAction, applySync, timingsFor, type AppState, type BadVersionMode, type ClusterContext, type Strategy } from "./model.ts";
import { resourceTreeOf } from "./tree.ts";

const SERVICES = DEMO_SERVICES.filter((s) => ["frontend", "backend-api", "worker-service", "notification-service"].includes(s.name));
const FILES = demoGitOpsFiles(SERVICES, ["dev", "staging", "production"]);
const T0 = Date.parse("2026-01-05T10:00:00.000Z");
const REV1 = "1".repeat(40);
const REV2 = "2".repeat(40);

function render(files: Record<string, string>, service: string, environment = "staging"): KubernetesObject[] {
  return createKustomizer(files).render(appOverlay(service, environment)).map((r) => r.object);
}

function stateOf(service: string, strategy: Strategy, image = workloadSummary(render(FILES, service), service).image): AppState {
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

function base(now: number, bad: Record<string, BadVersionMode> = {}): Omit<ClusterContext, "replicas"> {
  return { now, timings: timingsFor(1), badVersions: new Map(Object.entries(bad)), healthCheckPath: "/health" };
}

const ctx = (now: number, replicas: number, bad: Record<string, BadVersionMode> = {}): ClusterContext => ({ ...base(now, bad), replicas });

/** The head of the repository with the service's staging overlay pinning `tag`. */
function withTag(service: string, tag: string): Record<string, string> {
  return { ...FILES, [overlayKustomizationPath(service, "staging")]: setImageTag(FILES, service, "staging", tag) };
}

function sync(state: AppState, files: Record<string, string>, at: number, revision = REV2): AppState {
  const target = workloadSummary(render(files, state.service), state.service);
  const current = workloadSummary(render(FILES, state.service), state.service);
  return applySync(state, { revision, image: target.image, podTemplate: target.podTemplate, currentPodTemplate: current.podTemplate, strategy: state.strategy, trafficSteps: state.trafficSteps }, ctx(at, 2));
}

const info = (node: { info: { name: string; value: string }[] } | undefined, name: string) => node?.info.find((i) => i.name === name)?.value;

describe("declared applications", () => {
  const apps = declaredApplications(FILES);

  it("are the argocd/ Applications of app overlays, with their project, destination and labels", () => {
    expect(apps.map((a) => a.name)).toHaveLength(12);
    expect(apps.find((a) => a.name === "frontend-staging")).toEqual({
      name: "frontend-staging",
      service: "frontend",
      environment: "staging",
      project: "storefront",
      repoURL: "https://github.com/demo/gitops.git",
      path: "apps/frontend/overlays/staging",
      targetRevision: "main",
      server: "https://kubernetes.default.svc",
      namespace: "frontend-staging",
      labels: { "paved.dev/service": "frontend", "paved.dev/environment": "staging", team: "storefront", service: "frontend", environment: "staging" },
    });
  });

  it("are filtered by equality-based label selectors", () => {
    const pick = (selector: string) => apps.filter((a) => parseSelector(selector)(a.labels)).map((a) => a.name);
    expect(pick("paved.dev/service=frontend")).toEqual(["frontend-dev", "frontend-production", "frontend-staging"]);
    expect(pick("team==payments, environment!=dev")).toEqual(["backend-api-production", "backend-api-staging", "worker-service-production", "worker-service-staging"]);
    expect(pick("team,!nothing")).toHaveLength(12);
    expect(pick("!team")).toEqual([]);
    expect(() => parseSelector("environment in (dev,staging)")).toThrow(EngineRequestError);
  });
});

describe("drift and the sync status", () => {
  const objects = render(FILES, "worker-service");

  it("is Synced when the head renders to what runs, OutOfSync after a commit or a drift", () => {
    expect(syncStatusOf({ ok: true, objects }, liveObjects(objects, "worker-service", null), "worker-service-staging")).toBe("Synced");
    expect(syncStatusOf({ ok: true, objects: render(withTag("worker-service", "9.9.9"), "worker-service") }, objects, null)).toBe("OutOfSync");
    expect(syncStatusOf({ ok: true, objects }, liveObjects(objects, "worker-service", { replicas: 5 }), null)).toBe("OutOfSync");
    expect(syncStatusOf({ ok: false, message: "broken" }, objects, null)).toBe("Unknown");
  });

  it("shows drift as a modified Deployment in the managed resources, and a sync clears it", () => {
    const diff = diffResources(objects, liveObjects(objects, "worker-service", { replicas: 5, labels: { hotfix: "true" } }), null);
    expect(diff.map((d) => [d.kind, d.name, d.modified])).toEqual([
      ["Service", "worker-service", false],
      ["Deployment", "worker-service", true],
    ]);
    const deployment = diff.find((d) => d.kind === "Deployment")!;
    expect(deployment).toMatchObject({ group: "apps", version: "v1", namespace: "worker-service-staging" });
    expect(deployment.targetState).toContain("replicas: 2\n");
    expect(deployment.liveState).toContain("replicas: 5\n");
    expect(deployment.liveState).toContain("hotfix: \"true\"");

    const drifted = { ...stateOf("worker-service", "rolling"), drift: { replicas: 5 } };
    const synced = sync(drifted, FILES, T0, REV1);
    expect(synced.drift).toBeNull();
    expect(diffResources(objects, liveObjects(objects, "worker-service", synced.drift), null).some((d) => d.modified)).toBe(false);
  });

  it("lists objects added to or removed from git on one side only", () => {
    const extra: KubernetesObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: "worker-service-staging" }, data: { a: "1" } };
    const diff = diffResources([...objects, extra], objects, null);
    expect(diff.find((d) => d.kind === "ConfigMap")).toMatchObject({ liveState: null, modified: true });
    expect(diffResources(objects, [...objects, extra], null).find((d) => d.kind === "ConfigMap")).toMatchObject({ targetState: null, modified: true });
  });
});

describe("the resource tree", () => {
  it("rolling: a Deployment replacing the old ReplicaSet's pods with the new one's", () => {
    const s = sync(stateOf("worker-service", "rolling"), withTag("worker-service", "2.0.0"), T0);
    const live = render(withTag("worker-service", "2.0.0"), "worker-service");
    const tree = resourceTreeOf(s, live, ctx(T0 + 2500, 2), null);
    const deployment = tree.find((n) => n.kind === "Deployment");
    expect(deployment).toMatchObject({ group: "apps", version: "v1", namespace: "worker-service-staging", name: "worker-service", health: { status: "Progressing" } });
    expect(info(deployment, "Replicas")).toBe("1/2 updated");
    expect(deployment?.images).toEqual(["ghcr.io/acme/worker-service:1.8.1", "ghcr.io/acme/worker-service:2.0.0"]);

    const sets = tree.filter((n) => n.kind === "ReplicaSet");
    expect(sets.map((n) => [info(n, "Revision"), n.images])).toEqual([
      ["Rev:2", ["ghcr.io/acme/worker-service:2.0.0"]],
      ["Rev:1", ["ghcr.io/acme/worker-service:1.8.1"]],
    ]);
    expect(sets.every((n) => n.parentRefs[0]?.kind === "Deployment" && n.name.startsWith("worker-service-"))).toBe(true);
    const podsOf = (rs: string) => tree.filter((n) => n.kind === "Pod" && n.parentRefs[0]?.name === rs).map((n) => n.health?.status);
    expect(podsOf(sets[0]!.name)).toEqual(["Healthy", "Progressing"]);
    expect(podsOf(sets[1]!.name)).toEqual(["Healthy"]);
    expect(tree.find((n) => n.kind === "Service")).toMatchObject({ name: "worker-service", health: { status: "Healthy" }, parentRefs: [] });
    // The same state at the same time gives the same tree.
    expect(resourceTreeOf(s, live, ctx(T0 + 2500, 2), null)).toEqual(tree);

    const done = resourceTreeOf(s, live, ctx(T0 + 4000, 2), null);
    expect(info(done.find((n) => n.kind === "Deployment"), "Replicas")).toBe("2/2 updated");
    expect(done.filter((n) => n.kind === "Pod").map((n) => n.images[0])).toEqual(["ghcr.io/acme/worker-service:2.0.0", "ghcr.io/acme/worker-service:2.0.0"]);
  });

  it("rolling with an unhealthy version: the new pod fails its readiness probe", () => {
    const s = sync(stateOf("worker-service", "rolling"), withTag("worker-service", "2.0.0"), T0);
    const tree = resourceTreeOf(s, render(withTag("worker-service", "2.0.0"), "worker-service"), { ...ctx(T0 + 5000, 2, { "2.0.0": "unhealthy" }), healthCheckPath: "/worker/health" }, null);
    expect(tree.find((n) => n.kind === "Deployment")?.health).toEqual({ status: "Degraded", message: "worker-service:2.0.0: readiness probe failed on /worker/health (HTTP 503)" });
    const failing = tree.filter((n) => n.kind === "Pod" && n.health?.status === "Degraded");
    expect(failing).toHaveLength(1);
    expect(info(failing[0], "Containers")).toBe("0/1");
    expect(tree.filter((n) => n.kind === "Pod" && n.health?.status === "Healthy").map((n) => n.images[0])).toEqual(["ghcr.io/acme/worker-service:1.8.1", "ghcr.io/acme/worker-service:1.8.1"]);
  });

  it("canary: a Rollout paused at a step, with its weights, the canary and the stable pods", () => {
    const s = sync(stateOf("frontend", "canary"), withTag("frontend", "3.3.0"), T0);
    const live = render(withTag("frontend", "3.3.0"), "frontend");
    const tree = resourceTreeOf(s, live, ctx(T0 + 2000, 2), null);
    const rollout = tree.find((n) => n.kind === "Rollout");
    expect(rollout).toMatchObject({ group: "argoproj.io", version: "v1alpha1", name: "frontend", namespace: "frontend-staging", health: { status: "Suspended", message: "Rollout is paused at step 1/3 (weight 10%)" } });
    expect(rollout?.info).toEqual([
      { name: "Strategy", value: "Canary" },
      { name: "Step", value: "1/3" },
      { name: "SetWeight", value: "10" },
      { name: "ActualWeight", value: "10" },
    ]);
    expect(tree.some((n) => n.kind === "Deployment")).toBe(false);
    const [canary, stable] = tree.filter((n) => n.kind === "ReplicaSet");
    expect(canary?.images).toEqual(["ghcr.io/acme/frontend:3.3.0"]);
    expect(stable?.images).toEqual(["ghcr.io/acme/frontend:3.2.0"]);
    expect(tree.filter((n) => n.kind === "Pod" && n.parentRefs[0]?.name === canary?.name)).toHaveLength(1);
    expect(tree.filter((n) => n.kind === "Pod" && n.parentRefs[0]?.name === stable?.name)).toHaveLength(2);

    const resumed = applyAction(s, "resume", ctx(T0 + 2000, 2));
    const step2 = resourceTreeOf(resumed, live, ctx(T0 + 2500, 2), null).find((n) => n.kind === "Rollout");
    expect([info(step2, "Step"), info(step2, "SetWeight"), info(step2, "ActualWeight"), step2?.health?.status]).toEqual(["2/3", "50", "10", "Progressing"]);
    const aborted = resourceTreeOf(applyAction(resumed, "abort", ctx(T0 + 3000, 2)), live, ctx(T0 + 3000, 2), null);
    expect(aborted.find((n) => n.kind === "Rollout")?.health).toEqual({ status: "Degraded", message: "Rollout aborted" });
    expect(aborted.filter((n) => n.kind === "Pod").map((n) => n.images[0])).toEqual(["ghcr.io/acme/frontend:3.2.0", "ghcr.io/acme/frontend:3.2.0"]);
  });

  it("blue-green: the preview ReplicaSet comes up next to the active one, then becomes active", () => {
    const s = sync(stateOf("backend-api", "blue_green"), withTag("backend-api", "1.6.0"), T0);
    const live = render(withTag("backend-api", "1.6.0"), "backend-api");
    const during = resourceTreeOf(s, live, ctx(T0 + 2000, 2), null);
    const rollout = during.find((n) => n.kind === "Rollout");
    const [preview, active] = during.filter((n) => n.kind === "ReplicaSet");
    expect(info(rollout, "Strategy")).toBe("BlueGreen");
    expect([info(rollout, "Active"), info(rollout, "Preview")]).toEqual([active?.name, preview?.name]);
    expect(preview?.images).toEqual(["ghcr.io/acme/backend-api:1.6.0"]);
    expect(preview?.health?.status).toBe("Progressing");

    const after = resourceTreeOf(s, live, ctx(T0 + 3000, 2), null);
    const switched = after.find((n) => n.kind === "Rollout");
    expect([info(switched, "Active"), info(switched, "Preview"), switched?.health?.status]).toEqual([preview?.name, preview?.name, "Healthy"]);
  });

  it("shows every container's image, sidecars included", () => {
    const s = stateOf("notification-service", "rolling");
    const pods = resourceTreeOf(s, render(FILES, "notification-service"), ctx(T0, 1), null).filter((n) => n.kind === "Pod");
    expect(pods[0]?.images).toEqual(["ghcr.io/acme/notification-service:1.1.0", "ghcr.io/acme/smtp-relay:2.3.1"]);
    expect(info(pods[0], "Containers")).toBe("2/2");
  });
});

describe("an application as Argo CD describes it", () => {
  const declared = declaredApplications(FILES).find((a) => a.name === "frontend-staging")!;

  it("reports sync status, health, images, operation and history over a canary", () => {
    const head = withTag("frontend", "3.3.0");
    const before: AppSnapshot = { declared, state: stateOf("frontend", "canary"), target: { ok: true, objects: render(head, "frontend") }, synced: { ok: true, objects: render(FILES, "frontend") } };
    expect(describeApplication(before, base(T0))).toMatchObject({
      name: "frontend-staging",
      project: "storefront",
      source: { path: "apps/frontend/overlays/staging", targetRevision: "main" },
      destination: { namespace: "frontend-staging" },
      sync: { status: "OutOfSync", revision: REV1 },
      health: { status: "Healthy", message: null },
      images: ["ghcr.io/acme/frontend:3.2.0"],
      operation: { phase: "Succeeded" },
      history: [{ id: 0, revision: REV1 }],
    });

    const after: AppSnapshot = { ...before, state: sync(before.state, head, T0), synced: before.target };
    expect(describeApplication(after, base(T0 + 500))).toMatchObject({ sync: { status: "Synced", revision: REV2 }, operation: { phase: "Running" }, health: { status: "Progressing" } });
    expect(describeApplication(after, base(T0 + 2000))).toMatchObject({
      health: { status: "Suspended", message: "Rollout is paused at step 1/3 (weight 10%)" },
      images: ["ghcr.io/acme/frontend:3.2.0", "ghcr.io/acme/frontend:3.3.0"],
      operation: { phase: "Succeeded", finishedAt: new Date(T0 + 1000).toISOString() },
    });
    const promoted = { ...after, state: applyAction(after.state, "promote-full", ctx(T0 + 2000, 2)) };
    const done = describeApplication(promoted, base(T0 + 3000));
    expect(done).toMatchObject({ health: { status: "Healthy" }, images: ["ghcr.io/acme/frontend:3.3.0"] });
    expect(done.history.map((h) => h.revision)).toEqual([REV1, REV2]);
    expect(liveOf(promoted)).toEqual(render(head, "frontend"));
  });

  it("is Unknown when its synced revision does not render", () => {
    const app: AppSnapshot = { declared, state: stateOf("frontend", "canary"), target: { ok: false, message: "x" }, synced: { ok: false, message: "apps/frontend/base/kustomization.yaml: broken" } };
    expect(describeApplication(app, base(T0))).toMatchObject({ sync: { status: "Unknown" }, health: { status: "Unknown", message: "apps/frontend/base/kustomization.yaml: broken" }, images: [] });
  });
});
