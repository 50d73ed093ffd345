// The sandbox cluster's resource tree (Argo CD's …/resource-tree): the live objects as nodes, and
// under the service's workload (a Deployment, or an Argo Rollouts Rollout for blue-green and
// canary) its ReplicaSets and their Pods as the rollout's state has them at `ctx.now`. Names,
// uids and pod suffixes are derived from the state, so every read of the same state at the same
// time gives the same tree.
import { createHash } from "node:crypto";
import type { ResourceNode, ResourceRef } from "../../core/ports/gitops-engine.ts";
import type { KubernetesObject } from "../../gitops/kustomize.ts";
import { canonicalJson, containersOf, mainContainer, mainWorkload, refOf, replicasOf } from "./manifests.ts";
import { canarySteps, historyAt, iso, restartInProgress, rolloutStatus, workloadHealth, workloadKindOf, type AppState, type ClusterContext, type Health, type RolloutStatus } from "./model.ts";

/** Pods shown per ReplicaSet at most (a drifted `replicas: 500` should not flood the page). */
const MAX_PODS = 50;

const ROLLOUT_API = { group: "argoproj.io", version: "v1alpha1" } as const;

/** Kinds Argo CD assesses the health of (others have none). */
const ASSESSED_KINDS = new Set(["Service", "Ingress", "PersistentVolumeClaim", "PodDisruptionBudget", "HorizontalPodAutoscaler", "StatefulSet", "DaemonSet", "Deployment", "Job"]);

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

function uidOf(...parts: string[]): string {
  const h = digest(parts.join("\0")).toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

// Kubernetes' pod-template-hash and pod name suffixes use this alphabet (no vowels, no 0/1/3).
const SAFE = "bcdfghjklmnpqrstvwxz2456789";

function safeString(text: string, length: number): string {
  const bytes = digest(text);
  let out = "";
  for (let i = 0; i < length; i++) out += SAFE[bytes[i]! % SAFE.length];
  return out;
}

/** ReplicaSet names by salt, then workload and image: every read names every application's ReplicaSets. */
const replicaSetNames = new Map<string, Map<string, string>>();

/** A ReplicaSet's name: the workload's and a hash of what its pods run. */
export function replicaSetName(workload: string, image: string | null, salt: string): string {
  let bySalt = replicaSetNames.get(salt);
  if (!bySalt) {
    if (replicaSetNames.size >= 4096) replicaSetNames.clear();
    bySalt = new Map();
    replicaSetNames.set(salt, bySalt);
  }
  const key = `${workload}\0${image ?? ""}`;
  let name = bySalt.get(key);
  if (name === undefined) {
    name = `${workload}-${safeString(`${image ?? ""}\0${salt}`, 10)}`;
    bySalt.set(key, name);
  }
  return name;
}

interface PodGroup {
  count: number;
  health: Health;
  reason: string;
  ready: boolean;
  /** Salt of the pods' names (a restart gives them new ones). */
  generation: string;
}

function node(ref: ResourceRef, extra: Partial<ResourceNode> & Pick<ResourceNode, "health">, uidSeed: string): ResourceNode {
  return { ...ref, uid: uidOf(uidSeed, ref.kind, ref.namespace, ref.name), parentRefs: [], info: [], images: [], createdAt: null, ...extra };
}

function podNodes(rs: ResourceRef, groups: PodGroup[], images: string[], containers: number, createdAt: string | null, uidSeed: string): ResourceNode[] {
  const out: ResourceNode[] = [];
  let index = 0;
  for (const g of groups) {
    for (let i = 0; i < g.count && out.length < MAX_PODS; i++, index++) {
      const ref: ResourceRef = { group: "", version: "v1", kind: "Pod", namespace: rs.namespace, name: `${rs.name}-${safeString(`${rs.name}\0${index}\0${g.generation}`, 5)}` };
      out.push(
        node(
          ref,
          {
            parentRefs: [rs],
            health: g.health,
            info: [
              { name: "Status Reason", value: g.reason },
              { name: "Containers", value: `${g.ready ? containers : 0}/${containers}` },
            ],
            images,
            createdAt,
          },
          uidSeed,
        ),
      );
    }
  }
  return out;
}

const POD_READY: Omit<PodGroup, "count" | "generation"> = { health: { status: "Healthy", message: null }, reason: "Running", ready: true };
const POD_STARTING: Omit<PodGroup, "count" | "generation"> = { health: { status: "Progressing", message: null }, reason: "ContainerCreating", ready: false };
const POD_NOT_READY: Omit<PodGroup, "count" | "generation"> = {
  health: { status: "Degraded", message: "Readiness probe failed: HTTP probe failed with statuscode: 503" },
  reason: "Running",
  ready: false,
};

/** The ready pods of a ReplicaSet, with a restart in progress replacing them one by one. */
function readyPods(count: number, state: AppState, ctx: ClusterContext): PodGroup[] {
  const generation = state.restartedAt === null ? "0" : String(state.restartedAt);
  if (!restartInProgress(state, ctx) || count === 0) return [{ ...POD_READY, count, generation }];
  const p = ctx.timings.restartMs > 0 ? (ctx.now - state.restartedAt!) / ctx.timings.restartMs : 1;
  const restarted = Math.min(count - 1, Math.floor(p * count));
  const before = state.restartedAt === null ? "0" : `before-${state.restartedAt}`;
  return [
    { ...POD_READY, count: restarted, generation },
    { ...POD_STARTING, count: 1, generation: `${generation}-starting` },
    { ...POD_READY, count: count - restarted - 1, generation: before },
  ];
}

/** Images of a version's pods: the workload's containers, with the main one running `image`. */
function imagesFor(workload: KubernetesObject, service: string, image: string | null): string[] {
  const main = mainContainer(workload, service);
  return [...new Set(containersOf(workload).map((c) => (c === main && image ? image : c.image)))].sort();
}

function imagesOf(workload: KubernetesObject): string[] {
  return [...new Set(containersOf(workload).map((c) => c.image))].sort();
}

function rsHealth(pods: PodGroup[]): Health {
  if (pods.some((p) => p.count > 0 && p.health.status === "Degraded")) return { status: "Degraded", message: pods.find((p) => p.health.status === "Degraded")?.health.message ?? null };
  if (pods.some((p) => p.count > 0 && !p.ready)) return { status: "Progressing", message: "Waiting for pods to become ready" };
  return { status: "Healthy", message: null };
}

function workloadInfo(state: AppState, rollout: RolloutStatus, n: number, names: { active: string | null; preview: string | null }): { name: string; value: string }[] {
  switch (state.strategy) {
    case "rolling":
      return [{ name: "Replicas", value: `${rollout.phase === "steady" || rollout.phase === "complete" ? n : rollout.newReady}/${n} updated` }];
    case "blue_green":
      return [
        { name: "Strategy", value: "BlueGreen" },
        { name: "Active", value: names.active ?? "-" },
        { name: "Preview", value: names.preview ?? names.active ?? "-" },
      ];
    case "canary": {
      const steps = canarySteps(state.trafficSteps);
      const c = rollout.canary ?? { step: steps.length, steps: steps.length, setWeight: 100 };
      return [
        { name: "Strategy", value: "Canary" },
        { name: "Step", value: `${c.step}/${c.steps}` },
        { name: "SetWeight", value: String(rollout.phase === "aborted" ? 0 : c.setWeight) },
        { name: "ActualWeight", value: String(rollout.actualWeight) },
      ];
    }
  }
}

/** The resource tree of the live objects at `ctx.now`. */
export function resourceTreeOf(state: AppState, live: readonly KubernetesObject[], ctx: ClusterContext, defaultNamespace: string | null): ResourceNode[] {
  const nodes: ResourceNode[] = [];
  const seed = state.name;
  const main = mainWorkload(live, state.service);
  const rollout = rolloutStatus(state, ctx);
  const history = historyAt(state, ctx, rollout);
  const firstDeployed = history[0]?.deployStartedAt ?? (state.syncStartedAt !== null ? iso(state.syncStartedAt) : null);

  for (const o of live) {
    const ref = refOf(o, defaultNamespace);
    if (o === main) {
      nodes.push(...workloadNodes(state, o, ref, rollout, history.length, firstDeployed, ctx));
      continue;
    }
    const isWorkload = containersOf(o).length > 0;
    const health: Health | null = ASSESSED_KINDS.has(o.kind) ? { status: "Healthy", message: null } : null;
    nodes.push(node(ref, { health, images: isWorkload ? imagesOf(o) : [], createdAt: firstDeployed }, seed));
    if (isWorkload && o.kind !== "Job") {
      // Another workload of the app (a StatefulSet next to the service): steady, its pods ready.
      const pods: PodGroup[] = [{ ...POD_READY, count: replicasOf(o), generation: "0" }];
      nodes.push(...podNodes(ref, pods, imagesOf(o), containersOf(o).length, firstDeployed, seed));
    }
  }
  return nodes;
}

/** What the service's workload runs at `ctx.now`: its new and old ReplicaSets and their pods. */
interface WorkloadPlan {
  ref: ResourceRef;
  newName: string;
  oldName: string | null;
  oldImage: string | null | undefined;
  oldRevisionEntry: AppState["history"][number] | undefined;
  newPods: PodGroup[];
  stablePods: PodGroup[];
  showNew: boolean;
  showOld: boolean;
  inFlight: boolean;
}

/** Canonical JSON of pod templates, by template object (live objects are shared and frozen, see application.ts). */
const templateJson = new WeakMap<object, string>();

function templateKey(workload: KubernetesObject): string {
  const template = (workload.spec as { template?: unknown } | undefined)?.template ?? null;
  if (template === null || typeof template !== "object") return canonicalJson(template);
  let json = templateJson.get(template);
  if (json === undefined) {
    json = canonicalJson(template);
    templateJson.set(template, json);
  }
  return json;
}

function workloadPlan(state: AppState, workload: KubernetesObject, gitRef: ResourceRef, rollout: RolloutStatus, ctx: ClusterContext): WorkloadPlan {
  const kind = workloadKindOf(state.strategy);
  const ref: ResourceRef = kind === "Rollout" ? { ...ROLLOUT_API, kind: "Rollout", namespace: gitRef.namespace, name: gitRef.name } : gitRef;
  const rolledOut = state.stepStartedAt !== null;
  const inFlight = rollout.phase !== "steady" && rollout.phase !== "complete";

  // Named after its pod template, as Kubernetes' pod-template-hash: a sync that changes no pod keeps it.
  const newName = replicaSetName(ref.name, state.image, templateKey(workload));
  const stable = rollout.stableImage;
  const oldImage = state.image === stable ? state.previousImage : stable;
  const oldRevisionEntry = [...state.history].reverse().find((h) => h.image === oldImage && h.revision !== state.revision);
  const oldName = oldImage !== null && oldImage !== undefined ? replicaSetName(ref.name, oldImage, oldRevisionEntry?.revision ?? "previous") : null;

  // Pods of the new version (absent until the sync has applied it) and of the stable one.
  const failing = rollout.health.status === "Degraded" && rollout.phase !== "aborted";
  const newPods: PodGroup[] =
    rollout.phase === "applying"
      ? []
      : [...readyPods(rollout.newReady, state, ctx), { ...(failing ? POD_NOT_READY : POD_STARTING), count: rollout.newStarting, generation: "starting" }].filter((g) => g.count > 0);
  const stablePods: PodGroup[] = stable !== state.image ? readyPods(rollout.stableRunning, state, ctx).filter((g) => g.count > 0) : [];

  const showNew = rollout.phase !== "applying" || !rolledOut;
  const showOld = oldName !== null && oldName !== newName && (rolledOut || stablePods.length > 0);
  return { ref, newName, oldName, oldImage, oldRevisionEntry, newPods, stablePods, showNew, showOld, inFlight };
}

/** Whether pod groups make at least one pod node. */
const hasPods = (groups: readonly PodGroup[]) => groups.some((g) => g.count > 0);

/**
 * The images of the resource tree's pods at `ctx.now`, sorted: what `resourceTreeOf` would show
 * on its Pod nodes, without building (and hashing the names of) every node.
 */
export function podImagesOf(state: AppState, live: readonly KubernetesObject[], ctx: ClusterContext, rollout: RolloutStatus = rolloutStatus(state, ctx)): string[] {
  const images = new Set<string>();
  const main = mainWorkload(live, state.service);
  for (const o of live) {
    if (o === main) {
      const plan = workloadPlan(state, o, refOf(o, null), rollout, ctx);
      if (plan.showNew && hasPods(plan.newPods)) for (const i of imagesFor(o, state.service, state.image)) images.add(i);
      if (plan.showOld && plan.oldName && hasPods(plan.stablePods)) for (const i of imagesFor(o, state.service, plan.oldImage ?? null)) images.add(i);
      continue;
    }
    if (containersOf(o).length > 0 && o.kind !== "Job" && replicasOf(o) > 0) for (const i of imagesOf(o)) images.add(i);
  }
  return [...images].sort();
}

function workloadNodes(
  state: AppState,
  workload: KubernetesObject,
  gitRef: ResourceRef,
  rollout: RolloutStatus,
  revisions: number,
  firstDeployed: string | null,
  ctx: ClusterContext,
): ResourceNode[] {
  const seed = state.name;
  const n = replicasOf(workload);
  const containers = containersOf(workload).length || 1;
  const { ref, newName, oldName, oldImage, oldRevisionEntry, newPods, stablePods, showNew, showOld, inFlight } = workloadPlan(state, workload, gitRef, rollout, ctx);
  const stable = rollout.stableImage;
  const newRevision = Math.max(1, revisions + (inFlight ? 1 : 0));
  const newCreated = state.stepStartedAt !== null ? iso(Math.min(state.stepStartedAt, ctx.now)) : state.syncStartedAt !== null ? iso(state.syncStartedAt) : firstDeployed;

  const active = state.strategy === "blue_green" ? (rollout.phase === "complete" || rollout.phase === "steady" ? newName : (oldName ?? newName)) : null;
  const preview = state.strategy === "blue_green" && (rollout.phase === "progressing" || rollout.phase === "failing") ? newName : null;

  const images = new Set<string>();
  if (newPods.length || rollout.phase === "steady" || rollout.phase === "complete") for (const i of imagesFor(workload, state.service, state.image)) images.add(i);
  if (stablePods.length || images.size === 0) for (const i of imagesFor(workload, state.service, stablePods.length ? stable : (stable ?? state.image))) images.add(i);
  const out: ResourceNode[] = [
    node(ref, { health: workloadHealth(state, ctx, rollout), info: workloadInfo(state, rollout, n, { active, preview }), images: [...images].sort(), createdAt: firstDeployed }, seed),
  ];
  const rsNodes = (name: string, image: string | null, pods: PodGroup[], revision: number, createdAt: string | null) => {
    const rs: ResourceRef = { group: "apps", version: "v1", kind: "ReplicaSet", namespace: ref.namespace, name };
    const images = imagesFor(workload, state.service, image);
    return [
      node(rs, { parentRefs: [ref], health: rsHealth(pods), info: [{ name: "Revision", value: `Rev:${revision}` }], images, createdAt }, seed),
      ...podNodes(rs, pods, images, containers, createdAt, seed),
    ];
  };
  if (showNew) out.push(...rsNodes(newName, state.image, newPods, newRevision, newCreated));
  if (showOld && oldName) out.push(...rsNodes(oldName, oldImage ?? null, stablePods, Math.max(0, newRevision - 1), oldRevisionEntry?.deployStartedAt ?? firstDeployed));
  return out;
}
