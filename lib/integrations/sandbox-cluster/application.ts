// The applications the GitOps repository declares (argocd/*.yaml), label selectors over them, and
// an application as Argo CD would report it: pure functions of the declaration, the row's state,
// the head and live renders and the time.
import YAML from "yaml";
import { EngineRequestError, type EngineApplication, type SyncStatusCode } from "../../core/ports/gitops-engine.ts";
import { listApplications } from "../../gitops/repository.ts";
import type { FileMap, KubernetesObject } from "../../gitops/kustomize.ts";
import { canonicalJson, liveObjects, mainWorkload, replicasOf, syncStatusOf, type RenderOutcome } from "./manifests.ts";
import { historyAt, operationOf, rolloutStatus, workloadHealth, type AppState, type ClusterContext } from "./model.ts";
import { podImagesOf } from "./tree.ts";

export const IN_CLUSTER_SERVER = "https://kubernetes.default.svc";

/** An Argo CD Application the repository declares for an app overlay of its layout. */
export interface DeclaredApp {
  name: string;
  service: string;
  environment: string;
  project: string;
  repoURL: string;
  path: string;
  targetRevision: string;
  server: string;
  namespace: string | null;
  /**
   * The manifest's labels, plus `paved.dev/service` and `paved.dev/environment` (from its
   * source path) where it does not set them, so that Paved's selectors work on any repository.
   */
  labels: Record<string, string>;
}

function stringRecord(v: unknown): Record<string, string> {
  if (!v || typeof v !== "object" || Array.isArray(v)) return {};
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === "string"));
}

/** The Applications under argocd/ whose source is an app overlay (`apps/<service>/overlays/<environment>`). */
export function declaredApplications(files: FileMap): DeclaredApp[] {
  const out: DeclaredApp[] = [];
  const manifests = new Map<string, { labels: Record<string, string>; server: string | null }>();
  for (const app of listApplications(files).applications) {
    if (!app.service || !app.environment) continue;
    if (!manifests.has(`${app.file}\0${app.name}`)) {
      for (const doc of YAML.parseAllDocuments(files[app.file] ?? "")) {
        const o = doc.errors.length ? null : (doc.toJS() as { kind?: unknown; metadata?: { name?: unknown; labels?: unknown }; spec?: { destination?: { server?: unknown } } } | null);
        if (o?.kind !== "Application" || typeof o.metadata?.name !== "string") continue;
        const server = o.spec?.destination?.server;
        manifests.set(`${app.file}\0${o.metadata.name}`, { labels: stringRecord(o.metadata.labels), server: typeof server === "string" ? server : null });
      }
    }
    const manifest = manifests.get(`${app.file}\0${app.name}`);
    if (out.some((a) => a.name === app.name)) continue; // Argo CD would refuse the second one
    out.push({
      name: app.name,
      service: app.service,
      environment: app.environment,
      project: app.project ?? "default",
      repoURL: app.repoURL ?? "",
      path: app.path ?? "",
      targetRevision: app.targetRevision ?? "HEAD",
      server: manifest?.server ?? IN_CLUSTER_SERVER,
      namespace: app.destinationNamespace,
      labels: { "paved.dev/service": app.service, "paved.dev/environment": app.environment, ...manifest?.labels },
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

const LABEL_KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const LABEL_VALUE = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?)?$/;

/** A Kubernetes equality-based label selector ("a=b,c!=d,e,!f"); set-based ones ("in", "notin") are refused. */
export function parseSelector(selector: string): (labels: Record<string, string>) => boolean {
  const tests: ((labels: Record<string, string>) => boolean)[] = [];
  for (const raw of selector.split(",")) {
    const term = raw.trim();
    if (term === "") continue;
    const eq = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    const exists = /^(!?)\s*([^=!\s]+)$/.exec(term);
    if (eq && LABEL_KEY.test(eq[1]!) && LABEL_VALUE.test(eq[3]!)) {
      const [, key, op, value] = eq as unknown as [string, string, string, string];
      tests.push(op === "!=" ? (l) => l[key] !== value : (l) => l[key] === value);
    } else if (exists && LABEL_KEY.test(exists[2]!)) {
      const negate = exists[1] === "!";
      const key = exists[2]!;
      tests.push((l) => Object.hasOwn(l, key) !== negate);
    } else {
      throw new EngineRequestError(`"${term}" is not a label selector term this engine understands (key=value, key!=value, key or !key).`, 400);
    }
  }
  return (labels) => tests.every((t) => t(labels));
}

/** The view's context with the live workload's replicas. */
export function contextFor(base: Omit<ClusterContext, "replicas">, live: readonly KubernetesObject[] | null, service: string): ClusterContext {
  const w = live ? mainWorkload(live, service) : null;
  return { ...base, replicas: w ? replicasOf(w) : 0 };
}

export interface AppSnapshot {
  declared: DeclaredApp;
  state: AppState;
  /** The overlay at the repository's head (what the app should run). */
  target: RenderOutcome;
  /** The overlay at the synced revision (what it runs, before drift). */
  synced: RenderOutcome;
}

/**
 * Live objects per synced render, service and drift: a render is shared by every read of every
 * application synced to it (see snapshot.ts), so its live objects are made once, and frozen,
 * since every reader shares them.
 */
const lives = new WeakMap<RenderOutcome, Map<string, readonly KubernetesObject[]>>();
/** Sync statuses per head render and live objects (both shared), by namespace. */
const syncStatuses = new WeakMap<RenderOutcome, WeakMap<readonly KubernetesObject[], Map<string, SyncStatusCode>>>();

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** The live objects of an application (null when its synced revision cannot be rendered). Shared and frozen: copy before changing them. */
export function liveOf(app: AppSnapshot): KubernetesObject[] | null {
  if (!app.synced.ok) return null;
  const byKey = lives.get(app.synced) ?? new Map<string, readonly KubernetesObject[]>();
  lives.set(app.synced, byKey);
  const key = `${app.state.service}\0${app.state.drift ? canonicalJson(app.state.drift) : ""}`;
  let live = byKey.get(key);
  if (!live) {
    live = deepFreeze(liveObjects(app.synced.objects, app.state.service, app.state.drift));
    byKey.set(key, live);
  }
  return live as KubernetesObject[];
}

/** `syncStatusOf` for an application, kept per head render and live objects (comparing them is a read's most expensive part). */
function syncStatusFor(target: RenderOutcome, live: readonly KubernetesObject[] | null, defaultNamespace: string | null): SyncStatusCode {
  if (live === null) return syncStatusOf(target, live, defaultNamespace);
  const byLive = syncStatuses.get(target) ?? new WeakMap<readonly KubernetesObject[], Map<string, SyncStatusCode>>();
  syncStatuses.set(target, byLive);
  const byNamespace = byLive.get(live) ?? new Map<string, SyncStatusCode>();
  byLive.set(live, byNamespace);
  const key = defaultNamespace ?? "\0";
  let status = byNamespace.get(key);
  if (status === undefined) {
    status = syncStatusOf(target, live, defaultNamespace);
    byNamespace.set(key, status);
  }
  return status;
}

/** The application as Argo CD reports it at `base.now`. */
export function describeApplication(app: AppSnapshot, base: Omit<ClusterContext, "replicas">): EngineApplication {
  const { declared, state } = app;
  const live = liveOf(app);
  const ctx = contextFor(base, live, state.service);
  const rollout = rolloutStatus(state, ctx);
  let health: EngineApplication["health"];
  let images: string[] = [];
  if (!app.synced.ok) {
    health = { status: "Unknown", message: app.synced.message };
  } else {
    const hasWorkload = live !== null && mainWorkload(live, state.service) !== null;
    health = hasWorkload ? workloadHealth(state, ctx, rollout) : { status: "Healthy", message: null };
    // The images of the resource tree's pods, without building the tree.
    images = podImagesOf(state, live ?? [], ctx, rollout);
  }
  return {
    name: declared.name,
    project: declared.project,
    source: { repoURL: declared.repoURL, path: declared.path, targetRevision: declared.targetRevision },
    destination: { server: declared.server, namespace: declared.namespace },
    sync: { status: syncStatusFor(app.target, live, declared.namespace), revision: state.revision },
    health,
    images,
    operation: operationOf(state, ctx),
    history: historyAt(state, ctx, rollout).map((h) => ({ id: h.id, revision: h.revision, deployedAt: h.deployedAt, deployStartedAt: h.deployStartedAt })),
    reconciledAt: new Date(ctx.now).toISOString(),
  };
}
