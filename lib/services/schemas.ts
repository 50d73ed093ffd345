// Shapes of services, the dependency graph and deployment plans, as the API and pages see them.
import { z } from "zod";

export const StrategySchema = z.enum(["rolling", "blue_green", "canary"]).meta({ id: "DeploymentStrategy" });
export type Strategy = z.infer<typeof StrategySchema>;

/** Service names become path segments in the GitOps repository and Kubernetes names. */
export const SERVICE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const ServiceName = z
  .string()
  .regex(SERVICE_NAME, "Lower-case letters, digits and inner hyphens, at most 63 characters.")
  .meta({ description: "Service name, e.g. `backend-api`.", example: "backend-api" });

export const MAX_DEPENDENCIES = 200;
export const MAX_SERVICES_PER_IMPORT = 5000;

const TeamRef = z.object({ slug: z.string(), name: z.string(), color: z.string() });

export const ServiceDto = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    team: TeamRef,
    repository: z.string().nullable(),
    strategy: StrategySchema,
    healthCheckPath: z.string(),
    trafficSteps: z.array(z.number().int()),
    migrationScripts: z.array(z.string()),
    pathGlobs: z.array(z.string()),
    environments: z.array(z.string()),
    dependsOn: z.array(z.string()),
    dependents: z.array(z.string()),
    revision: z.number().int(),
    updatedAt: z.string(),
  })
  .meta({ id: "Service" });
export type ServiceDto = z.infer<typeof ServiceDto>;

export const SERVICE_SORTS = ["name", "-name", "team", "-team", "strategy", "-strategy", "updated", "-updated"] as const;

export const ListServicesQuery = z.object({
  team: z.string().max(40).optional().meta({ description: "Only this team's services (slug)." }),
  q: z.string().max(100).optional().meta({ description: "Name, description or the name of a dependency contains (case-insensitive)." }),
  strategy: StrategySchema.optional(),
  sort: z.enum(SERVICE_SORTS).default("name").meta({ description: "Sort key; a leading `-` sorts descending." }),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type ListServicesQuery = z.output<typeof ListServicesQuery>;

export const ServicePage = z.object({ items: z.array(ServiceDto), total: z.number().int(), limit: z.number().int(), offset: z.number().int() });
export type ServicePage = z.infer<typeof ServicePage>;

const HealthCheckPath = z.string().max(200).regex(/^\/[\x21-\x7e]*$/, "A path starting with `/`, without spaces.");
const Repository = z
  .string()
  .max(140)
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9._-]+$/, "`owner/name`.");
const PathGlob = z.string().min(1).max(300).regex(/^\S+$/, "A glob without spaces, e.g. `services/api/**`.");
const ScriptName = z.string().min(1).max(200);

/** Canary steps: percentages that rise strictly and end at 100. */
export const TrafficSteps = z
  .array(z.number().int().min(1).max(100))
  .max(20)
  .refine((steps) => steps.every((s, i) => i === 0 || s > (steps[i - 1] as number)), "Steps must rise strictly.")
  .refine((steps) => steps.length === 0 || steps[steps.length - 1] === 100, "The last step must be 100.");

const uniqueList = <T extends z.ZodType<string>>(item: T, max: number, what: string) =>
  z
    .array(item)
    .max(max)
    .refine((xs) => new Set(xs).size === xs.length, `${what} must not repeat.`);

const ServiceFields = {
  description: z.string().max(2000),
  repository: Repository.nullable(),
  strategy: StrategySchema,
  healthCheckPath: HealthCheckPath,
  trafficSteps: TrafficSteps,
  migrationScripts: uniqueList(ScriptName, 50, "Migration scripts"),
  pathGlobs: uniqueList(PathGlob, 50, "Path globs"),
  environments: uniqueList(z.string().min(1).max(63), 20, "Environments"),
};

export const CreateServiceBody = z
  .object({
    name: ServiceName,
    team: z.string().min(1).max(40).meta({ description: "Owning team (slug)." }),
    description: ServiceFields.description.default(""),
    repository: ServiceFields.repository.optional(),
    strategy: ServiceFields.strategy.default("rolling"),
    healthCheckPath: ServiceFields.healthCheckPath.default("/health"),
    trafficSteps: ServiceFields.trafficSteps.optional(),
    migrationScripts: ServiceFields.migrationScripts.default([]),
    pathGlobs: ServiceFields.pathGlobs.default([]),
    environments: ServiceFields.environments.optional().meta({ description: "Defaults to every environment." }),
    dependsOn: uniqueList(ServiceName, MAX_DEPENDENCIES, "Dependencies").default([]),
  })
  .strict();

export const PatchServiceBody = z
  .object({
    team: z.string().min(1).max(40).optional(),
    description: ServiceFields.description.optional(),
    repository: ServiceFields.repository.optional(),
    strategy: ServiceFields.strategy.optional(),
    healthCheckPath: ServiceFields.healthCheckPath.optional(),
    trafficSteps: ServiceFields.trafficSteps.optional(),
    migrationScripts: ServiceFields.migrationScripts.optional(),
    pathGlobs: ServiceFields.pathGlobs.optional(),
    environments: ServiceFields.environments.optional(),
    revision: z.number().int().min(1).optional().meta({ description: "The revision you edited; a stale one gets 409." }),
  })
  .strict();

export const ServiceParams = z.object({ name: ServiceName });

export const DeleteServiceQuery = z.object({
  force: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true")
    .meta({ description: "Also remove the dependencies of services that depend on this one." }),
  revision: z.coerce.number().int().min(1).optional().meta({ description: "The graph revision you saw; a stale one gets 409." }),
});

export const PutDependenciesBody = z
  .object({
    dependsOn: uniqueList(ServiceName, MAX_DEPENDENCIES, "Dependencies"),
    revision: z.number().int().min(1).optional().meta({ description: "The graph revision you saw; a stale one gets 409." }),
  })
  .strict();

export const GraphNodeDto = z.object({
  name: z.string(),
  team: z.string().meta({ description: "Team slug; see `teams`." }),
  strategy: StrategySchema,
  description: z.string(),
  environments: z.array(z.string()),
  dependsOn: z.array(z.string()),
});
export type GraphNodeDto = z.infer<typeof GraphNodeDto>;

export const GraphDto = z
  .object({
    revision: z.number().int(),
    updatedAt: z.string(),
    updatedBy: z.string().nullable(),
    teams: z.array(TeamRef),
    nodes: z.array(GraphNodeDto),
  })
  .meta({ id: "ServiceGraph" });
export type GraphDto = z.infer<typeof GraphDto>;

export const DependenciesResult = z.object({ service: z.string(), dependsOn: z.array(z.string()), added: z.array(z.string()), removed: z.array(z.string()), revision: z.number().int() });

export const DeleteServiceResult = z.object({ service: z.string(), removedDependents: z.array(z.string()), revision: z.number().int() });

export const IMPORT_FORMATS = ["auto", "deployment-config", "backstage"] as const;
export const ImportQuery = z.object({
  format: z.enum(IMPORT_FORMATS).default("auto").meta({ description: "`auto` recognises Backstage entities by their `apiVersion`." }),
  team: z.string().min(1).max(40).optional().meta({ description: "Owner (team slug) of services the file creates when it does not name one." }),
  dryRun: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true")
    .meta({ description: "Validate and report without writing." }),
  revision: z.coerce.number().int().min(1).optional().meta({ description: "The graph revision you saw; a stale one gets 409." }),
});

export const ImportResult = z
  .object({
    format: z.enum(["deployment-config", "backstage"]),
    dryRun: z.boolean(),
    created: z.array(z.string()),
    updated: z.array(z.string()),
    unchanged: z.array(z.string()),
    ignored: z.array(z.object({ entity: z.string(), reason: z.string() })),
    revision: z.number().int(),
  })
  .meta({ id: "GraphImportResult" });
export type ImportResult = z.infer<typeof ImportResult>;

export const ExportQuery = z.object({
  format: z.enum(["deployment-config"]).default("deployment-config"),
  services: z
    .string()
    .max(20_000)
    .optional()
    .transform((v) => (v ? v.split(",").map((s) => s.trim()).filter(Boolean) : undefined))
    .meta({ description: "Comma-separated names; default all." }),
  paved: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true")
    .meta({ description: "Also write Paved's own fields (owner, repository, paths, environments, description)." }),
});

export const PlanBody = z
  .object({
    environment: z.string().min(1).max(63),
    action: z.enum(["deploy", "rollback"]).default("deploy"),
    services: uniqueList(ServiceName, MAX_SERVICES_PER_IMPORT, "Services").optional().meta({ description: "Plan these; default every service of the environment." }),
    changedFiles: z
      .array(z.string().min(1).max(1000))
      .max(20_000)
      .optional()
      .meta({ description: "Changed file paths; the services whose path globs match are planned." }),
    includeDependents: z.boolean().default(false).meta({ description: "Also redeploy everything that depends on the planned services." }),
  })
  .strict();
export type PlanBody = z.output<typeof PlanBody>;

export const PlanDto = z
  .object({
    environment: z.string(),
    action: z.enum(["deploy", "rollback"]),
    revision: z.number().int(),
    waves: z.array(z.array(z.string())),
    blockedBy: z.record(z.string(), z.array(z.string())),
    requested: z.array(z.string()).meta({ description: "Services named or detected from changed files." }),
    dependents: z.array(z.string()).meta({ description: "Added because they depend on a requested service." }),
    skipped: z.array(z.object({ service: z.string(), reason: z.string() })),
    changes: z.object({ matches: z.record(z.string(), z.array(z.string())), unmatched: z.array(z.string()) }).nullable(),
  })
  .meta({ id: "DeploymentPlan" });
export type PlanDto = z.infer<typeof PlanDto>;
