// Argo CD objects → the port's: the operation as Argo CD's own UI reads it, defaults for what
// Argo CD omits, multi-source applications, resource versions that ResourceDiff does not carry.
import { describe, expect, it } from "vitest";
import { mapOperation, toEngineApplication, toResourceDiff, toResourceNode, versionOf } from "./mapping";
import { ArgoApplication, ArgoResourceNode } from "./schemas";

const RECEIVED = "2026-05-04T12:00:09Z";
const SHA_OLD = "1111111111111111111111111111111111111111";
const SHA_NEW = "2222222222222222222222222222222222222222";

function application(extra: Record<string, unknown> = {}, status: Record<string, unknown> = {}) {
  return ArgoApplication.parse({
    metadata: { name: "web-prod", namespace: "argocd" },
    spec: {
      project: "payments",
      source: { repoURL: "https://git.example.com/gitops.git", path: "apps/web/prod", targetRevision: "main" },
      destination: { server: "https://kubernetes.default.svc", namespace: "web" },
    },
    status: { sync: { status: "Synced", revision: SHA_OLD }, health: { status: "Healthy" }, ...status },
    ...extra,
  });
}

const succeeded = {
  phase: "Succeeded",
  message: "successfully synced (all tasks run)",
  operation: { sync: { revision: SHA_OLD } },
  syncResult: { revision: SHA_OLD },
  startedAt: "2026-05-04T11:00:00Z",
  finishedAt: "2026-05-04T11:00:05Z",
};

describe("toEngineApplication", () => {
  it("maps spec and status field for field", () => {
    const app = application(
      {},
      {
        summary: { images: ["registry.example.com/web:1.4.0"] },
        operationState: succeeded,
        history: [
          { id: 2, revision: SHA_OLD, deployedAt: "2026-05-04T11:00:05Z", deployStartedAt: "2026-05-04T11:00:00Z" },
          { id: 1, revision: "0000000000000000000000000000000000000000", deployedAt: "2026-05-03T10:00:00Z" },
        ],
        reconciledAt: "2026-05-04T11:59:00Z",
      },
    );
    expect(toEngineApplication(app, RECEIVED)).toEqual({
      name: "web-prod",
      project: "payments",
      source: { repoURL: "https://git.example.com/gitops.git", path: "apps/web/prod", targetRevision: "main" },
      destination: { server: "https://kubernetes.default.svc", namespace: "web" },
      sync: { status: "Synced", revision: SHA_OLD },
      health: { status: "Healthy", message: null },
      images: ["registry.example.com/web:1.4.0"],
      operation: { phase: "Succeeded", message: "successfully synced (all tasks run)", revision: SHA_OLD, startedAt: "2026-05-04T11:00:00Z", finishedAt: "2026-05-04T11:00:05Z" },
      // Oldest first, whatever order Argo CD sent.
      history: [
        { id: 1, revision: "0000000000000000000000000000000000000000", deployedAt: "2026-05-03T10:00:00Z", deployStartedAt: null },
        { id: 2, revision: SHA_OLD, deployedAt: "2026-05-04T11:00:05Z", deployStartedAt: "2026-05-04T11:00:00Z" },
      ],
      reconciledAt: "2026-05-04T11:59:00Z",
    });
  });

  it("fills in what Argo CD omits with its own defaults", () => {
    const app = ArgoApplication.parse({ metadata: { name: "bare" }, spec: { source: { repoURL: "https://git.example.com/r.git" } } });
    expect(toEngineApplication(app, RECEIVED)).toEqual({
      name: "bare",
      project: "default",
      source: { repoURL: "https://git.example.com/r.git", path: "", targetRevision: "HEAD" },
      destination: { server: null, namespace: null },
      sync: { status: "Unknown", revision: null },
      health: { status: "Unknown", message: null },
      images: [],
      operation: null,
      history: [],
      reconciledAt: null,
    });
  });

  it("reads a multi-source application through its first source", () => {
    const app = ArgoApplication.parse({
      metadata: { name: "multi" },
      spec: { sources: [{ repoURL: "https://git.example.com/a.git", path: "a", targetRevision: "v1" }, { repoURL: "https://charts.example.com", chart: "b" }] },
      status: { sync: { status: "OutOfSync", revisions: [SHA_NEW, "2.0.0"] }, history: [{ id: 1, revisions: [SHA_OLD, "1.0.0"], deployedAt: "2026-05-01T00:00:00Z" }] },
    });
    const mapped = toEngineApplication(app, RECEIVED);
    expect(mapped.source).toEqual({ repoURL: "https://git.example.com/a.git", path: "a", targetRevision: "v1" });
    expect(mapped.sync).toEqual({ status: "OutOfSync", revision: SHA_NEW });
    expect(mapped.history[0]?.revision).toBe(SHA_OLD);
  });

  it("says Unknown for status words Paved does not know", () => {
    const app = application({}, { sync: { status: "Drifting" }, health: { status: "Wobbly", message: "?" } });
    const mapped = toEngineApplication(app, RECEIVED);
    expect(mapped.sync.status).toBe("Unknown");
    expect(mapped.health).toEqual({ status: "Unknown", message: "?" });
  });
});

describe("mapOperation", () => {
  it("counts a requested operation the controller has not started as Running, waiting to start, since it arrived", () => {
    // What POST …/sync answers: `operation` set, operationState still the previous sync's.
    const app = application({ operation: { sync: { revision: SHA_NEW, prune: true }, initiatedBy: { username: "paved" }, retry: {} } }, { operationState: succeeded });
    expect(mapOperation(app, RECEIVED)).toEqual({ phase: "Running", message: "waiting to start", revision: SHA_NEW, startedAt: RECEIVED, finishedAt: null });
  });

  it("reports the running operation once the controller has started it", () => {
    const app = application(
      { operation: { sync: { revision: SHA_NEW } } },
      { operationState: { phase: "Running", message: "one or more tasks are running", operation: { sync: { revision: SHA_NEW } }, startedAt: "2026-05-04T12:00:01Z" } },
    );
    expect(mapOperation(app, RECEIVED)).toEqual({ phase: "Running", message: "one or more tasks are running", revision: SHA_NEW, startedAt: "2026-05-04T12:00:01Z", finishedAt: null });
  });

  it("takes the revision from the sync result, else from what was asked", () => {
    const failed = { phase: "Failed", message: "one or more objects failed to apply", operation: { sync: { revision: SHA_NEW } }, startedAt: "2026-05-04T12:00:01Z", finishedAt: "2026-05-04T12:00:03Z" };
    expect(mapOperation(application({}, { operationState: failed }), RECEIVED)).toMatchObject({ phase: "Failed", revision: SHA_NEW, finishedAt: "2026-05-04T12:00:03Z" });
    const withResult = { ...failed, phase: "Succeeded", syncResult: { revision: SHA_OLD } };
    expect(mapOperation(application({}, { operationState: withResult }), RECEIVED)?.revision).toBe(SHA_OLD);
  });

  it("is null when there never was an operation; an unknown phase is Running until finished, then Error", () => {
    expect(mapOperation(application(), RECEIVED)).toBeNull();
    const odd = { phase: "Pondering", startedAt: "2026-05-04T12:00:01Z" };
    expect(mapOperation(application({}, { operationState: odd }), RECEIVED)?.phase).toBe("Running");
    expect(mapOperation(application({}, { operationState: { ...odd, finishedAt: "2026-05-04T12:00:02Z" } }), RECEIVED)?.phase).toBe("Error");
  });
});

describe("toResourceNode", () => {
  it("fills the core group and absent lists, keeps a Rollout's info", () => {
    const node = ArgoResourceNode.parse({
      version: "v1alpha1",
      kind: "Rollout",
      namespace: "web",
      name: "web",
      uid: "u-1",
      group: "argoproj.io",
      info: [
        { name: "Step", value: "1/3" },
        { name: "SetWeight", value: "20" },
      ],
      health: { status: "Suspended", message: "Rollout is paused" },
      createdAt: "2026-05-04T11:00:00Z",
    });
    expect(toResourceNode(node)).toEqual({
      group: "argoproj.io",
      version: "v1alpha1",
      kind: "Rollout",
      namespace: "web",
      name: "web",
      uid: "u-1",
      parentRefs: [],
      health: { status: "Suspended", message: "Rollout is paused" },
      info: [
        { name: "Step", value: "1/3" },
        { name: "SetWeight", value: "20" },
      ],
      images: [],
      createdAt: "2026-05-04T11:00:00Z",
    });
    const pod = ArgoResourceNode.parse({ version: "v1", kind: "Pod", namespace: "web", name: "web-abc", parentRefs: [{ group: "apps", kind: "ReplicaSet", namespace: "web", name: "web-5d", uid: "u-2" }] });
    expect(toResourceNode(pod)).toMatchObject({ group: "", uid: null, health: null, parentRefs: [{ group: "apps", version: "", kind: "ReplicaSet", namespace: "web", name: "web-5d" }] });
  });
});

describe("toResourceDiff", () => {
  it('reads "null" as an absent side and the version from either state\'s apiVersion', () => {
    const live = JSON.stringify({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { replicas: 5 } });
    expect(toResourceDiff({ group: "apps", kind: "Deployment", namespace: "web", name: "web", targetState: "null", liveState: live, modified: true })).toEqual({
      group: "apps",
      version: "v1",
      kind: "Deployment",
      namespace: "web",
      name: "web",
      targetState: null,
      liveState: live,
      modified: true,
    });
    expect(toResourceDiff({ kind: "Service", name: "web", targetState: JSON.stringify({ apiVersion: "v1", kind: "Service" }) })).toMatchObject({ group: "", version: "v1", namespace: "", liveState: null, modified: false });
  });

  it("versionOf: '' when no side says, and past a side that is not JSON", () => {
    expect(versionOf(null, null)).toBe("");
    expect(versionOf("kind: Deployment", JSON.stringify({ apiVersion: "argoproj.io/v1alpha1" }))).toBe("v1alpha1");
  });
});
