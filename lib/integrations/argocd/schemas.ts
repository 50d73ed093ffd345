// The parts of Argo CD's answers Paved reads (Argo CD 3.x REST API, the grpc-gateway in front of
// argocd-server; the published Swagger is tests/support/specs/argocd-swagger.json), parsed so that
// an answer of another shape fails here with the field that is wrong (STYLE habit 9).
//
// Lenient on purpose: Argo CD serialises its Go types with encoding/json, which omits every empty
// field tagged `omitempty` (an empty group, no parentRefs, `modified: false`…), so nearly every
// field is optional, and fields Paved does not read pass through untouched. Only what a mapping
// cannot do without is required. These types never leave lib/integrations/argocd.
import { z } from "zod";

/** metav1.Time: RFC 3339, seconds precision ("2026-05-04T12:00:00Z"). */
const Time = z.string();

export const ArgoSource = z.looseObject({
  repoURL: z.string().optional(),
  path: z.string().optional(),
  targetRevision: z.string().optional(),
  chart: z.string().optional(),
});

export const ArgoDestination = z.looseObject({
  server: z.string().optional(),
  namespace: z.string().optional(),
  name: z.string().optional(),
});

const SyncOperation = z.looseObject({
  revision: z.string().optional(),
  revisions: z.array(z.string()).optional(),
  prune: z.boolean().optional(),
});

/** `operation` (on the application) and `status.operationState.operation`. */
const Operation = z.looseObject({ sync: SyncOperation.optional() });

export const ArgoOperationState = z.looseObject({
  phase: z.string(),
  message: z.string().optional(),
  operation: Operation.optional(),
  syncResult: z.looseObject({ revision: z.string().optional(), revisions: z.array(z.string()).optional() }).optional(),
  startedAt: Time,
  finishedAt: Time.optional(),
});
export type ArgoOperationState = z.infer<typeof ArgoOperationState>;

const RevisionHistory = z.looseObject({
  id: z.number().int(),
  revision: z.string().optional(),
  revisions: z.array(z.string()).optional(),
  deployedAt: Time,
  deployStartedAt: Time.optional(),
});

const HealthStatus = z.looseObject({ status: z.string().optional(), message: z.string().optional() });

export const ArgoApplication = z.looseObject({
  metadata: z.looseObject({ name: z.string(), labels: z.record(z.string(), z.string()).optional() }),
  spec: z.looseObject({
    project: z.string().optional(),
    source: ArgoSource.optional(),
    /** Multi-source applications have `sources` instead of `source`. */
    sources: z.array(ArgoSource).optional(),
    destination: ArgoDestination.optional(),
  }),
  /** Set while a requested operation has not finished; the controller clears it when it completes. */
  operation: Operation.optional(),
  status: z
    .looseObject({
      sync: z.looseObject({ status: z.string().optional(), revision: z.string().optional(), revisions: z.array(z.string()).optional() }).optional(),
      health: HealthStatus.optional(),
      summary: z.looseObject({ images: z.array(z.string()).optional() }).optional(),
      operationState: ArgoOperationState.optional(),
      history: z.array(RevisionHistory).optional(),
      reconciledAt: Time.optional(),
    })
    .optional(),
});
export type ArgoApplication = z.infer<typeof ArgoApplication>;

export const ArgoApplicationList = z.looseObject({ items: z.array(ArgoApplication).nullish() });

const ResourceRef = z.looseObject({
  group: z.string().optional(),
  version: z.string().optional(),
  kind: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
  uid: z.string().optional(),
});

export const ArgoResourceNode = ResourceRef.extend({
  parentRefs: z.array(ResourceRef).optional(),
  health: HealthStatus.optional(),
  info: z.array(z.looseObject({ name: z.string().optional(), value: z.string().optional() })).optional(),
  images: z.array(z.string()).optional(),
  createdAt: Time.optional(),
});
export type ArgoResourceNode = z.infer<typeof ArgoResourceNode>;

export const ArgoApplicationTree = z.looseObject({ nodes: z.array(ArgoResourceNode).nullish() });

export const ArgoResourceDiff = z.looseObject({
  group: z.string().optional(),
  kind: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
  targetState: z.string().optional(),
  liveState: z.string().optional(),
  modified: z.boolean().optional(),
});
export type ArgoResourceDiff = z.infer<typeof ArgoResourceDiff>;

export const ArgoManagedResources = z.looseObject({ items: z.array(ArgoResourceDiff).nullish() });

/** applicationApplicationResponse: an empty message. */
export const ArgoEmptyResponse = z.looseObject({});

/** runtimeError, the body of every failed call (grpc-gateway v1). */
export const ArgoRuntimeError = z.looseObject({
  error: z.string().optional(),
  code: z.number().optional(),
  message: z.string().optional(),
});
