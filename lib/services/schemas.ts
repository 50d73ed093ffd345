// Shapes of services as the API and pages see them (the graph issue adds writes and planning).
import { z } from "zod";

export const StrategySchema = z.enum(["rolling", "blue_green", "canary"]).meta({ id: "DeploymentStrategy" });

export const ServiceDto = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    team: z.object({ slug: z.string(), name: z.string(), color: z.string() }),
    repository: z.string().nullable(),
    strategy: StrategySchema,
    healthCheckPath: z.string(),
    trafficSteps: z.array(z.number().int()),
    migrationScripts: z.array(z.string()),
    pathGlobs: z.array(z.string()),
    dependsOn: z.array(z.string()),
    dependents: z.array(z.string()),
    updatedAt: z.string(),
  })
  .meta({ id: "Service" });
export type ServiceDto = z.infer<typeof ServiceDto>;

export const ListServicesQuery = z.object({
  team: z.string().max(40).optional().meta({ description: "Only this team's services (slug)." }),
  q: z.string().max(100).optional().meta({ description: "Name or description contains." }),
});
