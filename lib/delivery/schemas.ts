// Shapes of promotions, runs, deployments and the environments matrix, as the API and pages see them.
import { z } from "zod";
import { ServiceName } from "../services/schemas.ts";

const Version = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "An image tag: letters, digits, '_', '.' and '-'.");

export const CreatePromotionBody = z
  .object({
    environment: z.string().min(1).max(63),
    services: z
      .array(z.object({ name: ServiceName, version: Version }).strict())
      .min(1)
      .max(200)
      .refine((s) => new Set(s.map((x) => x.name)).size === s.length, "Each service at most once."),
    sourceEnvironment: z.string().min(1).max(63).optional().meta({ description: "Defaults to the environment before the target." }),
    reason: z.string().max(500).default(""),
    budgetOverride: z.string().min(10).max(500).optional().meta({ description: "Why to promote despite an exhausted error budget (audited)." }),
  })
  .strict();
export type CreatePromotionBody = z.output<typeof CreatePromotionBody>;

export const GateDto = z.object({
  id: z.string(),
  title: z.string(),
  /** scheduled: checked by the run itself before its first wave (integration tests). */
  status: z.enum(["passed", "blocked", "pending", "warning", "skipped", "scheduled"]),
  message: z.string(),
  details: z.array(z.string()),
});

export const ServiceDiffDto = z.object({
  service: z.string(),
  fromVersion: z.string().nullable(),
  toVersion: z.string(),
  image: z.string(),
  strategy: z.string(),
  trafficSteps: z.array(z.number()),
  migrationScripts: z.array(z.string()),
  file: z.string(),
  /** Unified diff of the overlay file the promotion commits. */
  patch: z.string(),
});
export type ServiceDiffDto = z.infer<typeof ServiceDiffDto>;

export const StepDto = z.object({
  position: z.number().int(),
  wave: z.number().int(),
  service: z.string(),
  kind: z.string(),
  status: z.string(),
  detail: z.record(z.string(), z.unknown()),
  attempts: z.number().int(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type StepDto = z.infer<typeof StepDto>;

export const RunDto = z.object({
  id: z.string(),
  status: z.string(),
  message: z.string().nullable(),
  startedBy: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  steps: z.array(StepDto),
});
export type RunDto = z.infer<typeof RunDto>;

export const PromotionDto = z
  .object({
    id: z.string(),
    number: z.number().int(),
    environment: z.string(),
    sourceEnvironment: z.string().nullable(),
    kind: z.enum(["promotion", "rollback"]),
    status: z.string(),
    requestedBy: z.string(),
    reason: z.string(),
    budgetOverride: z.string().nullable(),
    services: z.array(z.object({ name: z.string(), fromVersion: z.string().nullable(), toVersion: z.string() })),
    plan: z.object({ waves: z.array(z.array(z.string())), blockedBy: z.record(z.string(), z.array(z.string())) }),
    gates: z.array(GateDto),
    ready: z.boolean(),
    diff: z.array(ServiceDiffDto),
    requiredApprovals: z.number().int(),
    approvals: z.array(z.object({ login: z.string(), decision: z.string(), comment: z.string(), createdAt: z.string() })),
    run: RunDto.nullable(),
    createdAt: z.string(),
  })
  .meta({ id: "Promotion" });
export type PromotionDto = z.infer<typeof PromotionDto>;

export const PromotionParams = z.object({ id: z.uuid() });
export const ApproveBody = z.object({ comment: z.string().max(500).default("") }).strict();

export const ListPromotionsQuery = z.object({
  environment: z.string().max(63).optional(),
  // The column's own values (enum PromotionStatus): anything else is bad input, not a query the database refuses.
  status: z.enum(["pending_approval", "approved", "rejected", "running", "succeeded", "failed", "rolled_back", "cancelled"]).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const DeploymentDto = z
  .object({
    id: z.string(),
    service: z.string(),
    environment: z.string(),
    version: z.string(),
    previousVersion: z.string().nullable(),
    strategy: z.string(),
    kind: z.string(),
    outcome: z.string(),
    actor: z.string(),
    runId: z.string().nullable(),
    promotionNumber: z.number().int().nullable(),
    commitSha: z.string().nullable(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: "Deployment" });
export type DeploymentDto = z.infer<typeof DeploymentDto>;

/** A page cursor: the start time and id of the last deployment of the previous page ("<ISO time>_<uuid>"). */
const DeploymentCursor = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, "A cursor from a previous page's `next`.")
  .refine((c) => !Number.isNaN(Date.parse(c.slice(0, c.lastIndexOf("_")))), "A cursor from a previous page's `next`.");

export const ListDeploymentsQuery = z.object({
  service: z.string().max(63).optional(),
  environment: z.string().max(63).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  before: DeploymentCursor.optional().meta({ description: "The `next` of the previous page: the page after it (older deployments)." }),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
});

export const DeploymentPage = z.object({
  items: z.array(DeploymentDto),
  from: z.string(),
  to: z.string(),
  next: z.string().nullable().meta({ description: "Cursor of the next (older) page, for `before`; null on the last page." }),
});

export const DeploymentParams = z.object({ id: z.uuid() });

export const MatrixCell = z.object({
  /** What git pins. */
  version: z.string().nullable(),
  /** What the engine reports running. */
  liveImage: z.string().nullable(),
  sync: z.string(),
  health: z.string(),
  healthMessage: z.string().nullable(),
  lastDeployment: z.object({ version: z.string(), outcome: z.string(), at: z.string(), actor: z.string() }).nullable(),
  drift: z.boolean(),
  pendingPromotion: z.object({ id: z.string(), number: z.number().int(), toVersion: z.string(), status: z.string() }).nullable(),
  deploys: z.boolean(),
});
export type MatrixCell = z.infer<typeof MatrixCell>;

export const MatrixDto = z
  .object({
    environments: z.array(
      z.object({
        name: z.string(),
        displayName: z.string(),
        protected: z.boolean(),
        /** Branch-per-environment repositories: the branch its overlays are read from (null: the default branch). */
        branch: z.string().nullable(),
        /** The commit its overlays were read at. */
        revision: z.string().nullable(),
      }),
    ),
    services: z.array(z.object({ name: z.string(), team: z.string(), teamColor: z.string(), strategy: z.string(), cells: z.record(z.string(), MatrixCell) })),
    revision: z.string().nullable(),
    engine: z.string(),
  })
  .meta({ id: "EnvironmentsMatrix" });
export type MatrixDto = z.infer<typeof MatrixDto>;

export const MatrixQuery = z.object({ team: z.string().max(40).optional() });

export const DriftDto = z.object({
  items: z.array(
    z.object({
      application: z.string(),
      service: z.string(),
      environment: z.string(),
      sync: z.string(),
      health: z.string(),
      resources: z.array(z.object({ kind: z.string(), name: z.string(), namespace: z.string(), targetState: z.string().nullable(), liveState: z.string().nullable() })),
    }),
  ),
  checkedAt: z.string(),
});

export const DriftParams = z.object({ application: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,126}[a-z0-9])?$/) });

export const BadVersionBody = z
  .object({ service: ServiceName, version: Version, mode: z.enum(["unhealthy", "errors"]).default("unhealthy"), bad: z.boolean().default(true) })
  .strict();

export const WorkflowOutcomeBody = z
  .object({
    repository: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/, "A repository: owner/name."),
    workflow: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.ya?ml$/, "A workflow file name under .github/workflows, such as integration-tests.yml."),
    conclusion: z.enum(["success", "failure", "cancelled", "timed_out"]).nullable().meta({ description: "How its next runs end (null: back to the default, success)." }),
    durationSeconds: z.number().int().min(0).max(3600).default(3),
  })
  .strict();
