// Argo CD's objects → the GitOps engine port's. Pure functions: what they need beyond the answer
// (the time it arrived) is passed in.
import type {
  EngineApplication,
  HealthStatusCode,
  OperationPhase,
  ResourceDiff,
  ResourceNode,
  ResourceRef,
  SyncStatusCode,
} from "../../core/ports/gitops-engine.ts";
import type { ArgoApplication, ArgoOperationState, ArgoResourceDiff, ArgoResourceNode } from "./schemas.ts";

const SYNC_STATUSES: readonly SyncStatusCode[] = ["Synced", "OutOfSync", "Unknown"];
const HEALTH_STATUSES: readonly HealthStatusCode[] = ["Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown"];
const PHASES: readonly OperationPhase[] = ["Running", "Succeeded", "Failed", "Error", "Terminating"];

/** A sync status word; anything Paved does not know (or none) is "Unknown". */
export function syncStatus(value: string | undefined): SyncStatusCode {
  return SYNC_STATUSES.find((s) => s === value) ?? "Unknown";
}

/** A health status word; anything Paved does not know (or none) is "Unknown". */
export function healthStatus(value: string | undefined): HealthStatusCode {
  return HEALTH_STATUSES.find((s) => s === value) ?? "Unknown";
}

/** An operation phase; an unknown word counts as running until the operation has finished, then as an error. */
function operationPhase(state: ArgoOperationState): OperationPhase {
  return PHASES.find((p) => p === state.phase) ?? (state.finishedAt ? "Error" : "Running");
}

function finished(state: ArgoOperationState): boolean {
  return Boolean(state.finishedAt) || ["Succeeded", "Failed", "Error"].includes(state.phase);
}

/** The revision an operation synced (its result) or is syncing (what was asked). First source of a multi-source app. */
function operationRevision(state: ArgoOperationState): string | null {
  return (
    state.syncResult?.revision || state.syncResult?.revisions?.[0] || state.operation?.sync?.revision || state.operation?.sync?.revisions?.[0] || null
  );
}

/**
 * The application's current (or last) operation.
 *
 * Argo CD's Sync call only records the request in `operation`; the application controller then
 * starts it (a `status.operationState` in phase Running, without `finishedAt`) and clears
 * `operation` when it completes. Until the controller has picked it up, `status.operationState`
 * still describes the previous operation. Like Argo CD's own UI (getAppOperationState in
 * ui/src/app/applications/components/utils.tsx), a requested operation therefore counts as
 * Running, "waiting to start" — dated `receivedAt`, since it has not started yet.
 */
export function mapOperation(app: ArgoApplication, receivedAt: string): EngineApplication["operation"] {
  const state = app.status?.operationState;
  if (app.operation) {
    const current = state && !finished(state) ? state : undefined;
    if (current) {
      return { phase: operationPhase(current), message: current.message ?? null, revision: operationRevision(current), startedAt: current.startedAt, finishedAt: null };
    }
    const sync = app.operation.sync;
    return { phase: "Running", message: "waiting to start", revision: sync?.revision || sync?.revisions?.[0] || null, startedAt: receivedAt, finishedAt: null };
  }
  if (!state) return null;
  return {
    phase: operationPhase(state),
    message: state.message ?? null,
    revision: operationRevision(state),
    startedAt: state.startedAt,
    finishedAt: state.finishedAt ?? null,
  };
}

/**
 * An Argo CD Application as the port's EngineApplication. Multi-source applications are read
 * through their first source. Argo CD's defaults fill what it leaves out: project "default",
 * target revision "HEAD".
 */
export function toEngineApplication(app: ArgoApplication, receivedAt: string): EngineApplication {
  const source = app.spec.source ?? app.spec.sources?.[0];
  const status = app.status;
  return {
    name: app.metadata.name,
    project: app.spec.project || "default",
    source: { repoURL: source?.repoURL ?? "", path: source?.path ?? "", targetRevision: source?.targetRevision || "HEAD" },
    destination: { server: app.spec.destination?.server || null, namespace: app.spec.destination?.namespace || null },
    sync: { status: syncStatus(status?.sync?.status), revision: status?.sync?.revision || status?.sync?.revisions?.[0] || null },
    health: { status: healthStatus(status?.health?.status), message: status?.health?.message || null },
    images: status?.summary?.images ?? [],
    operation: mapOperation(app, receivedAt),
    history: [...(status?.history ?? [])]
      .sort((a, b) => a.id - b.id)
      .map((h) => ({ id: h.id, revision: h.revision || h.revisions?.[0] || "", deployedAt: h.deployedAt, deployStartedAt: h.deployStartedAt ?? null })),
    reconciledAt: status?.reconciledAt ?? null,
  };
}

function toResourceRef(ref: { group?: string; version?: string; kind: string; namespace?: string; name: string }): ResourceRef {
  // Argo CD omits empty fields: the core API group is "", a cluster-scoped resource has no namespace.
  return { group: ref.group ?? "", version: ref.version ?? "", kind: ref.kind, namespace: ref.namespace ?? "", name: ref.name };
}

export function toResourceNode(node: ArgoResourceNode): ResourceNode {
  return {
    ...toResourceRef(node),
    uid: node.uid || null,
    parentRefs: (node.parentRefs ?? []).map(toResourceRef),
    health: node.health ? { status: healthStatus(node.health.status), message: node.health.message || null } : null,
    info: (node.info ?? []).map((i) => ({ name: i.name ?? "", value: i.value ?? "" })),
    images: node.images ?? [],
    createdAt: node.createdAt ?? null,
  };
}

/** Argo CD writes an absent side as the JSON text "null" (a nil object marshalled); omitted when empty. */
function state(text: string | undefined): string | null {
  return text === undefined || text === "" || text.trim() === "null" ? null : text;
}

/**
 * The API version of a resource, which Argo CD's ResourceDiff does not carry: read from the
 * `apiVersion` of either state ("apps/v1" → "v1", "v1" → "v1"); "" when neither says.
 */
export function versionOf(...states: (string | null)[]): string {
  for (const text of states) {
    if (!text) continue;
    try {
      const apiVersion = (JSON.parse(text) as { apiVersion?: unknown } | null)?.apiVersion;
      if (typeof apiVersion === "string" && apiVersion) return apiVersion.slice(apiVersion.lastIndexOf("/") + 1);
    } catch {
      // Not JSON (Argo CD writes JSON; a YAML state would be someone else's): try the other side.
    }
  }
  return "";
}

export function toResourceDiff(diff: ArgoResourceDiff): ResourceDiff {
  const targetState = state(diff.targetState);
  const liveState = state(diff.liveState);
  return {
    group: diff.group ?? "",
    version: versionOf(targetState, liveState),
    kind: diff.kind,
    namespace: diff.namespace ?? "",
    name: diff.name,
    targetState,
    liveState,
    modified: diff.modified ?? false,
  };
}
