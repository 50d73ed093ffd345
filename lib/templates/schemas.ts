// Shapes of the catalog as the API, the pages and the tests see it.
import { z } from "zod";
import { LIFECYCLES, TEMPLATE_TYPES } from "./manifest.ts";

export const TemplateTypeSchema = z.enum(TEMPLATE_TYPES).meta({ id: "TemplateType" });
export const LifecycleSchema = z.enum(LIFECYCLES).meta({ id: "Lifecycle" });

const RepoName = z
  .string()
  .max(140)
  .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, "owner/name, e.g. demo/backend-api")
  .refine((s) => !s.split("/").some((p) => p === "." || p === ".."), "owner/name, e.g. demo/backend-api");

export const VersionSummaryDto = z
  .object({
    version: z.string(),
    lifecycle: LifecycleSchema,
    publishedAt: z.string(),
    digest: z.string(),
    migration: z.string().nullable(),
    lifecycleNote: z.string().nullable(),
  })
  .meta({ id: "TemplateVersionSummary" });
export type VersionSummaryDto = z.infer<typeof VersionSummaryDto>;

export const TemplateSummaryDto = z
  .object({
    name: z.string(),
    title: z.string(),
    description: z.string(),
    type: TemplateTypeSchema,
    tags: z.array(z.string()),
    owner: z.string(),
    latestVersion: z.string().nullable(),
    latestLifecycle: LifecycleSchema.nullable(),
    versionCount: z.number().int(),
    instanceCount: z.number().int(),
    allowedTeams: z.array(z.string()),
    updatedAt: z.string(),
  })
  .meta({ id: "TemplateSummary" });
export type TemplateSummaryDto = z.infer<typeof TemplateSummaryDto>;

export const ParameterDto = z.object({
  name: z.string(),
  title: z.string().nullable(),
  type: z.string(),
  required: z.boolean(),
  default: z.unknown(),
  enum: z.array(z.unknown()).nullable(),
  pattern: z.string().nullable(),
  description: z.string().nullable(),
});
export type ParameterDto = z.infer<typeof ParameterDto>;

export const TemplateVersionDto = VersionSummaryDto.extend({
  parameterSchema: z.record(z.string(), z.unknown()),
  parameters: z.array(ParameterDto),
  files: z.array(z.object({ source: z.string(), target: z.string(), when: z.string().nullable() })),
  outputs: z.array(z.object({ name: z.string(), value: z.string(), description: z.string().nullable() })),
  tests: z.array(z.object({ name: z.string(), description: z.string().nullable() })),
  readme: z.string(),
  changelog: z.string(),
}).meta({ id: "TemplateVersion" });
export type TemplateVersionDto = z.infer<typeof TemplateVersionDto>;

export const TemplateDetailDto = TemplateSummaryDto.extend({
  versions: z.array(VersionSummaryDto),
  /** The version shown by default: the newest stable one (else the newest not retired). */
  current: TemplateVersionDto.nullable(),
}).meta({ id: "TemplateDetail" });
export type TemplateDetailDto = z.infer<typeof TemplateDetailDto>;

export const ListTemplatesQuery = z.object({
  q: z.string().trim().max(200).optional().meta({ description: "Words to find in the name, title, description or tags." }),
  type: TemplateTypeSchema.optional(),
  lifecycle: LifecycleSchema.optional().meta({ description: "Lifecycle of the latest version." }),
  tag: z.string().max(60).optional(),
  owner: z.string().max(60).optional(),
  sort: z.enum(["name", "updated", "usage"]).default("name"),
  limit: z.coerce.number().int().min(1).max(500).default(200),
});
export type ListTemplatesQuery = z.infer<typeof ListTemplatesQuery>;

export const TemplateParams = z.object({ name: z.string().min(1).max(63) });
export const TemplateVersionParams = z.object({ name: z.string().min(1).max(63), version: z.string().min(1).max(64) });

export const Target = z
  .object({
    repo: RepoName.meta({ description: "owner/name; in the sandbox the owner is `demo`." }),
    create: z.boolean().default(false).meta({ description: "Create the repository (files go to its default branch) instead of opening a pull request." }),
  })
  .strict();

export const PreviewBody = z
  .object({
    version: z.string().max(64).optional(),
    parameters: z.record(z.string(), z.unknown()).default({}),
    target: Target.optional(),
  })
  .strict();
export type PreviewBody = z.infer<typeof PreviewBody>;

export const PreviewFileDto = z.object({
  path: z.string(),
  source: z.string(),
  content: z.string(),
  status: z.enum(["added", "modified", "unchanged"]),
  /** Unified diff against the file already in the repository (modified files). */
  diff: z.string().nullable(),
});

export const PreviewDto = z
  .object({
    template: z.string(),
    version: z.string(),
    lifecycle: LifecycleSchema,
    parameters: z.record(z.string(), z.unknown()),
    files: z.array(PreviewFileDto),
    warnings: z.array(z.string()),
    target: z.object({ repo: z.string(), exists: z.boolean(), defaultBranch: z.string().nullable() }).nullable(),
  })
  .meta({ id: "TemplatePreview" });
export type PreviewDto = z.infer<typeof PreviewDto>;

export const InstantiateBody = z
  .object({
    version: z.string().max(64).optional(),
    parameters: z.record(z.string(), z.unknown()).default({}),
    target: Target,
    team: z.string().max(40).optional().meta({ description: "Team the instance belongs to; defaults to your team." }),
  })
  .strict();
export type InstantiateBody = z.infer<typeof InstantiateBody>;

export const InstanceDto = z
  .object({
    id: z.string(),
    template: z.string(),
    templateTitle: z.string(),
    version: z.string(),
    lifecycle: LifecycleSchema,
    repo: z.string(),
    team: z.string(),
    parameters: z.record(z.string(), z.unknown()),
    createdRepo: z.boolean(),
    status: z.enum(["queued", "running", "pull_request_open", "completed", "failed"]),
    branch: z.string().nullable(),
    pullRequestNumber: z.number().int().nullable(),
    pullRequestUrl: z.string().nullable(),
    repoUrl: z.string().nullable(),
    error: z.string().nullable(),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
    completedAt: z.string().nullable(),
    /** A newer version than this instance's, not retired (an upgrade is possible). */
    upgradeAvailable: z.string().nullable(),
    upgrades: z.array(
      z.object({
        id: z.string(),
        fromVersion: z.string(),
        toVersion: z.string(),
        status: z.enum(["queued", "running", "pull_request_open", "completed", "failed"]),
        pullRequestUrl: z.string().nullable(),
        pullRequestNumber: z.number().int().nullable(),
        error: z.string().nullable(),
        createdAt: z.string(),
      }),
    ),
  })
  .meta({ id: "TemplateInstance" });
export type InstanceDto = z.infer<typeof InstanceDto>;

export const ListInstancesQuery = z.object({
  template: z.string().max(63).optional(),
  repo: z.string().max(140).optional(),
  team: z.string().max(40).optional(),
  status: z.enum(["queued", "running", "pull_request_open", "completed", "failed"]).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const LifecycleBody = z
  .object({
    lifecycle: LifecycleSchema,
    note: z.string().trim().max(2000).optional().meta({ description: "Why; shown with the version (e.g. the migration path when deprecating)." }),
  })
  .strict();

export const UpgradeBody = z
  .object({ version: z.string().max(64).optional().meta({ description: "Target version; default: the newest version not retired." }) })
  .strict();

export const BulkUpgradeDto = z.object({ requested: z.number().int(), skipped: z.number().int(), upgrades: z.array(z.object({ instanceId: z.string(), repo: z.string(), upgradeId: z.string() })) });

export const InstanceParams = z.object({ id: z.uuid("an instance id") });

export const AdoptionDto = z
  .object({
    scannedAt: z.string().nullable(),
    repositories: z.number().int(),
    adopting: z.number().int(),
    records: z.array(
      z.object({ repo: z.string(), team: z.string().nullable(), template: z.string(), version: z.string().nullable(), source: z.string(), path: z.string() }),
    ),
  })
  .meta({ id: "Adoption" });
