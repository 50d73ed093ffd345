// What the sandbox cluster knows of manifests: the service's workload in a rendered overlay, the
// live objects (a synced revision's objects with the simulated drift applied), and the diff
// between the desired state at the repository's head and the live state (Argo CD's
// managed-resources and sync status). Pure functions of rendered objects.
import YAML from "yaml";
import type { ResourceDiff, ResourceRef, SyncStatusCode } from "../../core/ports/gitops-engine.ts";
import type { KubernetesObject } from "../../gitops/kustomize.ts";
import type { DriftPatch } from "./model.ts";

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "Rollout"]);

/** A render of an overlay at some revision, or why it could not be rendered. */
export type RenderOutcome = { ok: true; objects: KubernetesObject[] } | { ok: false; message: string };

export interface Container {
  name: string;
  image: string;
}

/** The service's own workload: the one named after the service, or the only one (as lib/gitops/repository.ts decides). */
export function mainWorkload(objects: readonly KubernetesObject[], service: string): KubernetesObject | null {
  const workloads = objects.filter((o) => WORKLOAD_KINDS.has(o.kind));
  return workloads.find((o) => o.metadata.name === service) ?? (workloads.length === 1 ? workloads[0]! : null);
}

interface PodSpecHolder {
  replicas?: unknown;
  template?: { metadata?: unknown; spec?: { containers?: unknown } };
}

export function containersOf(o: KubernetesObject): Container[] {
  const list = (o.spec as PodSpecHolder | undefined)?.template?.spec?.containers;
  return Array.isArray(list) ? list.filter((c): c is Container => typeof c?.name === "string" && typeof c?.image === "string") : [];
}

/** The service's main container: the one named after it, or the first. */
export function mainContainer(o: KubernetesObject, service: string): Container | null {
  const containers = containersOf(o);
  return containers.find((c) => c.name === service) ?? containers[0] ?? null;
}

/** spec.replicas (Kubernetes' default of 1 when absent; a DaemonSet counts as 1). */
export function replicasOf(o: KubernetesObject): number {
  const r = (o.spec as PodSpecHolder | undefined)?.replicas;
  return typeof r === "number" && Number.isInteger(r) && r >= 0 ? r : 1;
}

/** What the service's workload runs at a revision: its image and its pod template (canonical JSON, which changes when the pods must be replaced). */
export function workloadSummary(objects: readonly KubernetesObject[], service: string): { image: string | null; podTemplate: string | null } {
  const w = mainWorkload(objects, service);
  if (!w) return { image: null, podTemplate: null };
  return { image: mainContainer(w, service)?.image ?? null, podTemplate: canonicalJson((w.spec as PodSpecHolder | undefined)?.template ?? null) };
}

/** The live objects: the synced revision's objects, with the drift applied to the service's workload. */
export function liveObjects(objects: readonly KubernetesObject[], service: string, drift: DriftPatch | null): KubernetesObject[] {
  const copy = structuredClone(objects) as KubernetesObject[];
  if (!drift) return copy;
  const w = mainWorkload(copy, service);
  if (!w) return copy;
  if (drift.replicas !== undefined) w.spec = { ...(w.spec as object), replicas: drift.replicas };
  if (drift.labels) w.metadata.labels = { ...w.metadata.labels, ...drift.labels };
  if (drift.annotations) w.metadata.annotations = { ...w.metadata.annotations, ...drift.annotations };
  return copy;
}

/** JSON with object keys sorted, so that equal objects give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export function refOf(o: KubernetesObject, defaultNamespace: string | null): ResourceRef {
  const [group, version] = o.apiVersion.includes("/") ? (o.apiVersion.split("/", 2) as [string, string]) : ["", o.apiVersion];
  return { group, version, kind: o.kind, namespace: o.metadata.namespace ?? defaultNamespace ?? "", name: o.metadata.name };
}

function keyOf(ref: ResourceRef): string {
  return `${ref.group}/${ref.kind}/${ref.namespace}/${ref.name}`;
}

type Pair = { ref: ResourceRef; target: KubernetesObject | null; live: KubernetesObject | null };

/** Desired and live objects paired by group, kind, namespace and name: desired order first, then live-only objects. */
function pairResources(target: readonly KubernetesObject[] | null, live: readonly KubernetesObject[], defaultNamespace: string | null): Pair[] {
  const out = new Map<string, Pair>();
  for (const o of target ?? []) {
    const ref = refOf(o, defaultNamespace);
    out.set(keyOf(ref), { ref, target: o, live: null });
  }
  for (const o of live) {
    const ref = refOf(o, defaultNamespace);
    const entry = out.get(keyOf(ref));
    if (entry) entry.live = o;
    else out.set(keyOf(ref), { ref, target: null, live: o });
  }
  return [...out.values()];
}

const modified = (p: Pair) => !p.target || !p.live || canonicalJson(p.target) !== canonicalJson(p.live);

/**
 * Argo CD's managed resources: every object desired at the head revision or live, with both
 * states as YAML; `modified` when they differ (or one side is missing, as for an object a sync
 * with prune would delete).
 */
export function diffResources(target: readonly KubernetesObject[] | null, live: readonly KubernetesObject[], defaultNamespace: string | null): ResourceDiff[] {
  return pairResources(target, live, defaultNamespace).map((p) => ({
    ...p.ref,
    targetState: p.target ? YAML.stringify(p.target, { lineWidth: 0 }) : null,
    liveState: p.live ? YAML.stringify(p.live, { lineWidth: 0 }) : null,
    modified: modified(p),
  }));
}

/** Synced when the head revision renders to exactly the live objects; Unknown when either cannot be rendered. */
export function syncStatusOf(target: RenderOutcome, live: readonly KubernetesObject[] | null, defaultNamespace: string | null): SyncStatusCode {
  if (!target.ok || live === null) return "Unknown";
  return pairResources(target.objects, live, defaultNamespace).some(modified) ? "OutOfSync" : "Synced";
}
