// The GitOps engine port: what Paved needs from the system that applies the GitOps repository
// to clusters (Argo CD in production, the sandbox cluster in sandbox mode). Git stays the
// source of truth: Paved commits, then asks the engine to sync a revision and follows the
// application's sync status, health and resource tree until the change is live (or is not).
//
// Names follow Argo CD's API (applications named "<service>-<environment>", sync/health status
// words, resource tree nodes, resource actions) so that the Argo CD adapter is a thin mapping and
// the sandbox adapter behaves the way a real installation would.

export type SyncStatusCode = "Synced" | "OutOfSync" | "Unknown";
export type HealthStatusCode = "Healthy" | "Progressing" | "Degraded" | "Suspended" | "Missing" | "Unknown";
export type OperationPhase = "Running" | "Succeeded" | "Failed" | "Error" | "Terminating";

export interface EngineApplication {
  /** Argo CD application name: "<service>-<environment>". */
  name: string;
  project: string;
  source: { repoURL: string; path: string; targetRevision: string };
  destination: { server: string | null; namespace: string | null };
  sync: { status: SyncStatusCode; revision: string | null };
  health: { status: HealthStatusCode; message: string | null };
  /** Images the live resources run (Argo CD's status.summary.images). */
  images: string[];
  /** The last (or current) sync operation. */
  operation: {
    phase: OperationPhase;
    message: string | null;
    revision: string | null;
    startedAt: string;
    finishedAt: string | null;
  } | null;
  /** Earlier syncs, oldest first (Argo CD's status.history). */
  history: { id: number; revision: string; deployedAt: string; deployStartedAt: string | null }[];
  reconciledAt: string | null;
}

export interface ResourceRef {
  group: string;
  version: string;
  kind: string;
  namespace: string;
  name: string;
}

export interface ResourceNode extends ResourceRef {
  uid: string | null;
  parentRefs: ResourceRef[];
  health: { status: HealthStatusCode; message: string | null } | null;
  /** Argo CD's node info (e.g. a Rollout's "Step": "1/3", "SetWeight": "10"). */
  info: { name: string; value: string }[];
  images: string[];
  createdAt: string | null;
}

export interface ResourceDiff extends ResourceRef {
  /** YAML/JSON text as the engine reports it, null when absent on that side. */
  targetState: string | null;
  liveState: string | null;
  modified: boolean;
}

export interface SyncOptions {
  /** The git revision (commit sha) to sync to; the application's target revision if absent. */
  revision?: string;
  prune?: boolean;
}

export interface GitOpsEngine {
  readonly kind: "argocd" | "sandbox";
  /** Applications, optionally filtered by a label selector ("paved.dev/service=frontend"). */
  listApplications(filter?: { selector?: string; projects?: string[] }): Promise<EngineApplication[]>;
  /** One application, or null when the engine has none of that name. `refresh` asks the engine to re-read git first. */
  getApplication(name: string, options?: { refresh?: "normal" | "hard" }): Promise<EngineApplication | null>;
  /** Starts a sync (Argo CD: POST …/sync); returns the application with its operation started. */
  sync(name: string, options?: SyncOptions): Promise<EngineApplication>;
  /** The live resources and their health (Argo CD: …/resource-tree). */
  resourceTree(name: string): Promise<ResourceNode[]>;
  /** Desired against live state per managed resource (Argo CD: …/managed-resources), for drift. */
  managedResources(name: string): Promise<ResourceDiff[]>;
  /** Runs a resource action: "restart" on a Deployment, "resume"/"promote-full"/"abort" on a Rollout. */
  runResourceAction(name: string, resource: ResourceRef, action: string): Promise<void>;
}

/** The engine could not be reached or answered 5xx/429: the caller should pause and retry later. */
export class EngineUnavailableError extends Error {
  constructor(
    message: string,
    readonly status: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "EngineUnavailableError";
  }
}

/** The engine refused the request (4xx other than 429): retrying will not help. */
export class EngineRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "EngineRequestError";
  }
}

/** Argo CD application name for a service in an environment. */
export function applicationName(service: string, environment: string): string {
  return `${service}-${environment}`;
}
