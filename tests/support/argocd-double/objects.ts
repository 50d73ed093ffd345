// The Argo CD double's state (one record per application, as the application controller would keep
// it) and the JSON it answers with, shaped as Argo CD 3.x serialises its Go types: encoding/json
// with `omitempty`, so empty fields are left out (no empty group, no `modified: false`), times are
// RFC 3339 to the second, and an absent side of a diff is the text "null". The server checks every
// answer against the Swagger (strict mode) before sending it.
import { createHash } from "node:crypto";

export type Json = Record<string, unknown>;

export type HealthWord = "Healthy" | "Progressing" | "Degraded" | "Suspended" | "Missing" | "Unknown";

/** What a test seeds: an application as Paved creates them ("<service>-<environment>"). */
export interface ApplicationSeed {
  name: string;
  project?: string;
  labels?: Record<string, string>;
  source: { repoURL: string; path: string; targetRevision?: string };
  destination: { server: string; namespace: string };
  /** The images the live workload runs (and that git holds, until `setHead` says otherwise). */
  images: string[];
  /** The revision that is synced and live (default: a made-up commit). */
  revision?: string;
  /** The workload's name (Deployment or Rollout; default: the application's name). */
  workload?: string;
  replicas?: number;
  /** An Argo Rollouts canary instead of a Deployment: `true` for steps [20, 50, 100], or the set weights. */
  rollout?: boolean | { steps: number[] };
}

export interface Outcome {
  /** How the next sync ends. Default Succeeded. */
  phase?: "Succeeded" | "Failed" | "Error";
  /** The workload's health once it has rolled out. Default Healthy. */
  health?: "Healthy" | "Degraded";
  message?: string;
}

export interface RolloutState {
  steps: number[];
  /** 1-based; `steps.length` when complete. */
  step: number;
  weight: number;
  paused: boolean;
  aborted: boolean;
}

/** Where the application is in a sync: queued (requested), syncing (the controller runs it), rolling (applied, workload not settled). */
export type Stage = "idle" | "queued" | "syncing" | "rolling";

export interface AppRecord {
  name: string;
  namespace: string;
  uid: string;
  project: string;
  labels: Record<string, string>;
  source: { repoURL: string; path: string; targetRevision: string };
  destination: { server: string; namespace: string };
  workload: string;
  replicas: number;
  createdAt: string;
  resourceVersion: number;
  /** What git holds at the target revision. */
  head: { revision: string; images: string[] };
  /** What is applied. */
  synced: { revision: string; images: string[] };
  /** What ran before the last sync (a canary's stable side). */
  previousImages: string[];
  /** Revisions git knows, with the images each deploys. */
  revisions: Map<string, string[]>;
  health: { status: HealthWord; message?: string; since: string };
  drift: boolean;
  stage: Stage;
  /** The application's `operation` field: set by a sync request, cleared when it completes. */
  operation: Json | null;
  operationState: Json | null;
  outcome: Required<Pick<Outcome, "phase" | "health">> & { message?: string };
  history: Json[];
  reconciledAt: string;
  /** The workload's revision (deployment.kubernetes.io/revision, rollout.argoproj.io/revision). */
  workloadRevision: number;
  rollout: RolloutState | null;
  paused: boolean;
  restarts: number;
  podsSince: string;
}

/** Argo CD's times: RFC 3339 in UTC to the second. */
export function argoTime(date: Date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function hash(...parts: (string | number)[]): string {
  return createHash("sha1").update(parts.join("\0")).digest("hex");
}

export function uid(...parts: (string | number)[]): string {
  const h = hash("uid", ...parts);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function isSha(value: string): boolean {
  return /^[0-9a-f]{40}$/.test(value);
}

export function newRecord(seed: ApplicationSeed, resourceVersion: number): AppRecord {
  const revision = seed.revision ?? hash("seed", seed.name);
  const created = argoTime(new Date(Date.now() - 86_400_000));
  const steps = seed.rollout === true ? [20, 50, 100] : seed.rollout ? seed.rollout.steps : null;
  return {
    name: seed.name,
    namespace: "argocd",
    uid: uid("app", seed.name),
    project: seed.project ?? "default",
    labels: seed.labels ?? {},
    source: { repoURL: seed.source.repoURL, path: seed.source.path, targetRevision: seed.source.targetRevision ?? "HEAD" },
    destination: { ...seed.destination },
    workload: seed.workload ?? seed.name,
    replicas: seed.replicas ?? 2,
    createdAt: created,
    resourceVersion,
    head: { revision, images: [...seed.images] },
    synced: { revision, images: [...seed.images] },
    previousImages: [...seed.images],
    revisions: new Map([[revision, [...seed.images]]]),
    health: { status: "Healthy", since: created },
    drift: false,
    stage: "idle",
    operation: null,
    operationState: null,
    outcome: { phase: "Succeeded", health: "Healthy" },
    history: [
      {
        revision,
        deployedAt: created,
        id: 0,
        source: sourceJson(seed.source.repoURL, seed.source.path, seed.source.targetRevision ?? "HEAD"),
        deployStartedAt: created,
        initiatedBy: { username: "admin" },
      },
    ],
    reconciledAt: created,
    workloadRevision: 1,
    rollout: steps ? { steps, step: steps.length, weight: 100, paused: false, aborted: false } : null,
    paused: false,
    restarts: 0,
    podsSince: created,
  };
}

function sourceJson(repoURL: string, path: string, targetRevision: string): Json {
  return { repoURL, path, targetRevision };
}

function sameImages(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Synced when the live manifests are what git holds and nobody changed them by hand. */
export function syncStatus(app: AppRecord): "Synced" | "OutOfSync" {
  return !app.drift && sameImages(app.head.images, app.synced.images) ? "Synced" : "OutOfSync";
}

// ---- resources ---------------------------------------------------------------------------------

interface Resource {
  group: string;
  version: string;
  kind: string;
  name: string;
}

/** The resources the application's manifests declare (managed): a Service and the workload. */
export function managedKinds(app: AppRecord): Resource[] {
  return [
    { group: "", version: "v1", kind: "Service", name: app.workload },
    app.rollout
      ? { group: "argoproj.io", version: "v1alpha1", kind: "Rollout", name: app.workload }
      : { group: "apps", version: "v1", kind: "Deployment", name: app.workload },
  ];
}

function manifest(app: AppRecord, r: Resource, images: string[], replicas: number, live: boolean): Json {
  const metadata: Json = {
    name: r.name,
    namespace: app.destination.namespace,
    labels: { "app.kubernetes.io/instance": app.name, "app.kubernetes.io/name": app.workload },
  };
  if (live) Object.assign(metadata, { uid: uid(r.kind, app.name, r.name), resourceVersion: String(app.resourceVersion), creationTimestamp: app.createdAt });
  const apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
  if (r.kind === "Service") {
    return { apiVersion, kind: r.kind, metadata, spec: { selector: { "app.kubernetes.io/name": app.workload }, ports: [{ port: 80, targetPort: 8080 }] } };
  }
  const spec: Json = {
    replicas,
    selector: { matchLabels: { "app.kubernetes.io/name": app.workload } },
    template: {
      metadata: { labels: { "app.kubernetes.io/name": app.workload } },
      spec: { containers: images.map((image, i) => ({ name: i === 0 ? app.workload : `sidecar-${i}`, image })) },
    },
  };
  if (app.rollout) {
    const steps = app.rollout.steps;
    spec.strategy = { canary: { steps: steps.flatMap((w, i) => (i < steps.length - 1 ? [{ setWeight: w }, { pause: {} }] : [{ setWeight: w }])) } };
  }
  return { apiVersion, kind: r.kind, metadata, spec };
}

/** GET …/managed-resources: desired (git) against live state, per managed resource. */
export function managedResourcesJson(app: AppRecord): Json {
  return {
    items: managedKinds(app).map((r) => {
      const target = manifest(app, r, app.head.images, app.replicas, false);
      const live = manifest(app, r, app.synced.images, app.drift && r.kind !== "Service" ? app.replicas + 3 : app.replicas, true);
      const modified = r.kind !== "Service" && (app.drift || !sameImages(app.head.images, app.synced.images));
      const item: Json = { kind: r.kind, namespace: app.destination.namespace, name: r.name };
      if (r.group) item.group = r.group;
      item.targetState = JSON.stringify(target);
      item.liveState = JSON.stringify(live);
      item.normalizedLiveState = JSON.stringify(live);
      item.predictedLiveState = JSON.stringify(target);
      item.resourceVersion = String(app.resourceVersion);
      if (modified) item.modified = true;
      return item;
    }),
  };
}

interface NodeSpec {
  group: string;
  version: string;
  kind: string;
  name: string;
  parent?: { group: string; kind: string; name: string };
  health?: { status: HealthWord; message?: string };
  info?: [string, string][];
  images?: string[];
  createdAt: string;
}

function node(app: AppRecord, n: NodeSpec): Json {
  const out: Json = { version: n.version, kind: n.kind, namespace: app.destination.namespace, name: n.name, uid: uid(n.kind, app.name, n.name) };
  if (n.group) out.group = n.group;
  if (n.parent) {
    const ref: Json = { kind: n.parent.kind, namespace: app.destination.namespace, name: n.parent.name, uid: uid(n.parent.kind, app.name, n.parent.name) };
    if (n.parent.group) ref.group = n.parent.group;
    out.parentRefs = [ref];
  }
  if (n.info?.length) out.info = n.info.map(([name, value]) => ({ name, value }));
  if (n.images?.length) out.images = n.images;
  if (n.health) out.health = n.health.message ? { status: n.health.status, message: n.health.message } : { status: n.health.status };
  out.resourceVersion = String(app.resourceVersion);
  out.createdAt = n.createdAt;
  return out;
}

function podNodes(app: AppRecord, rs: string, count: number, images: string[], settling: boolean, degraded: boolean): Json[] {
  return Array.from({ length: count }, (_, i) => {
    const reason = degraded ? "CrashLoopBackOff" : settling ? "ContainerCreating" : "Running";
    const info: [string, string][] = [
      ["Status Reason", reason],
      ["Node", `worker-${(i % 3) + 1}`],
      ["Containers", degraded || settling ? `0/${images.length}` : `${images.length}/${images.length}`],
    ];
    if (degraded) info.push(["Restart Count", "4"]);
    return node(app, {
      group: "",
      version: "v1",
      kind: "Pod",
      name: `${rs}-${hash(rs, app.restarts, i).slice(0, 5)}`,
      parent: { group: "apps", kind: "ReplicaSet", name: rs },
      info,
      images,
      health: degraded
        ? { status: "Degraded", message: `back-off 5m0s restarting failed container=${app.workload}` }
        : settling
          ? { status: "Progressing" }
          : { status: "Healthy" },
      createdAt: app.podsSince,
    });
  });
}

/** GET …/resource-tree: the workload, its ReplicaSets and Pods, and the Service. */
export function resourceTreeJson(app: AppRecord): Json {
  const settling = app.stage === "rolling" && app.health.status === "Progressing";
  const degraded = app.health.status === "Degraded";
  const nodes: Json[] = [
    node(app, { group: "", version: "v1", kind: "Service", name: app.workload, health: { status: "Healthy" }, createdAt: app.createdAt }),
  ];
  const rsName = (revision: number) => `${app.workload}-${hash(app.name, revision).slice(0, 10)}`;
  if (app.rollout) {
    const r = app.rollout;
    const info: [string, string][] = [["Revision", `Rev:${app.workloadRevision}`]];
    // As an installation with Argo Rollouts' resource customisation shows a canary's progress.
    if (!r.aborted) info.push(["Step", `${r.step}/${r.steps.length}`], ["SetWeight", String(r.weight)]);
    nodes.push(node(app, { group: "argoproj.io", version: "v1alpha1", kind: "Rollout", name: app.workload, info, health: { status: app.health.status, message: app.health.message }, createdAt: app.createdAt }));
    const canaryPods = r.aborted ? 0 : Math.min(app.replicas, Math.ceil((app.replicas * r.weight) / 100));
    const current = rsName(app.workloadRevision);
    nodes.push(node(app, { group: "apps", version: "v1", kind: "ReplicaSet", name: current, parent: { group: "argoproj.io", kind: "Rollout", name: app.workload }, info: [["Revision", `Rev:${app.workloadRevision}`]], health: { status: "Healthy" }, createdAt: app.podsSince }));
    nodes.push(...podNodes(app, current, canaryPods, app.synced.images, false, degraded && !r.aborted));
    if (canaryPods < app.replicas && app.workloadRevision > 1) {
      const stable = rsName(app.workloadRevision - 1);
      nodes.push(node(app, { group: "apps", version: "v1", kind: "ReplicaSet", name: stable, parent: { group: "argoproj.io", kind: "Rollout", name: app.workload }, info: [["Revision", `Rev:${app.workloadRevision - 1}`]], health: { status: "Healthy" }, createdAt: app.createdAt }));
      nodes.push(...podNodes(app, stable, app.replicas - canaryPods, app.previousImages, false, false));
    }
  } else {
    const current = rsName(app.workloadRevision);
    nodes.push(node(app, { group: "apps", version: "v1", kind: "Deployment", name: app.workload, info: [["Revision", `Rev:${app.workloadRevision}`]], health: { status: app.health.status, message: app.health.message }, createdAt: app.createdAt }));
    nodes.push(node(app, { group: "apps", version: "v1", kind: "ReplicaSet", name: current, parent: { group: "apps", kind: "Deployment", name: app.workload }, info: [["Revision", `Rev:${app.workloadRevision}`]], health: { status: settling ? "Progressing" : degraded ? "Degraded" : "Healthy" }, createdAt: app.podsSince }));
    nodes.push(...podNodes(app, current, app.replicas, app.synced.images, settling, degraded));
  }
  return { nodes };
}

/** The resource a node names, for resource actions: undefined when the tree has none. */
export function findNode(app: AppRecord, ref: { group: string; kind: string; namespace: string; name: string }): Json | undefined {
  const nodes = resourceTreeJson(app).nodes as Json[];
  return nodes.find((n) => (n.group ?? "") === ref.group && n.kind === ref.kind && n.namespace === ref.namespace && n.name === ref.name);
}

// ---- the application ---------------------------------------------------------------------------

function resourceStatuses(app: AppRecord): Json[] {
  const status = syncStatus(app);
  return managedKinds(app).map((r) => {
    const out: Json = { version: r.version, kind: r.kind, namespace: app.destination.namespace, name: r.name, status: r.kind === "Service" ? "Synced" : status };
    if (r.group) out.group = r.group;
    out.health = r.kind === "Service" ? { status: "Healthy" } : app.health.message ? { status: app.health.status, message: app.health.message } : { status: app.health.status };
    return out;
  });
}

/** A v1alpha1Application, as GET /api/v1/applications/{name} answers it. */
export function applicationJson(app: AppRecord): Json {
  const source = sourceJson(app.source.repoURL, app.source.path, app.source.targetRevision);
  const metadata: Json = {
    name: app.name,
    namespace: app.namespace,
    uid: app.uid,
    resourceVersion: String(app.resourceVersion),
    generation: 1 + app.history.length,
    creationTimestamp: app.createdAt,
  };
  if (Object.keys(app.labels).length) metadata.labels = { ...app.labels };
  // Argo CD answers with the object's managedFields, fieldsV1 being the raw field set (see spec.ts, AS_SERIALISED).
  metadata.managedFields = [
    {
      manager: "argocd-server",
      operation: "Update",
      apiVersion: "argoproj.io/v1alpha1",
      time: app.createdAt,
      fieldsType: "FieldsV1",
      fieldsV1: { "f:spec": { ".": {}, "f:destination": { ".": {}, "f:namespace": {}, "f:server": {} }, "f:project": {}, "f:source": { ".": {}, "f:path": {}, "f:repoURL": {}, "f:targetRevision": {} } } },
    },
    {
      manager: "argocd-application-controller",
      operation: "Update",
      apiVersion: "argoproj.io/v1alpha1",
      time: app.reconciledAt,
      fieldsType: "FieldsV1",
      fieldsV1: { "f:status": { "f:controllerNamespace": {}, "f:health": {}, "f:history": {}, "f:reconciledAt": {}, "f:resources": {}, "f:sync": {} } },
    },
  ];
  const status: Json = {
    resources: resourceStatuses(app),
    sync: { status: syncStatus(app), comparedTo: { source, destination: { ...app.destination } }, revision: app.head.revision },
    health: app.health.message
      ? { status: app.health.status, message: app.health.message, lastTransitionTime: app.health.since }
      : { status: app.health.status, lastTransitionTime: app.health.since },
    history: app.history,
    reconciledAt: app.reconciledAt,
  };
  if (app.operationState) status.operationState = app.operationState;
  Object.assign(status, {
    sourceType: "Directory",
    summary: app.synced.images.length ? { images: [...app.synced.images] } : {},
    resourceHealthSource: "appTree",
    controllerNamespace: "argocd",
    sourceHydrator: {},
  });
  const out: Json = {
    metadata,
    spec: { source, destination: { ...app.destination }, project: app.project },
    status,
  };
  if (app.operation) out.operation = app.operation;
  return out;
}

export function syncResultResources(app: AppRecord, status: "Synced" | "SyncFailed", message?: string): Json[] {
  // ResourceResult's group has no omitempty: "" for the core group.
  return managedKinds(app).map((r) => {
    const out: Json = { group: r.group };
    Object.assign(out, {
      version: r.version,
      kind: r.kind,
      namespace: app.destination.namespace,
      name: r.name,
      status,
      message: message ?? `${r.kind.toLowerCase()}${r.group ? `.${r.group}` : ""}/${r.name} configured`,
      hookPhase: status === "Synced" ? "Running" : "Failed",
      syncPhase: "Sync",
    });
    return out;
  });
}
