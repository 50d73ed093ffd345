// Shapes of the sandbox's metrics endpoint and chaos switch.
import { z } from "zod";
import { ServiceName } from "../services/schemas.ts";

export const ChaosBody = z
  .object({
    service: ServiceName,
    environment: z.string().min(1).max(63),
    mode: z.enum(["errors", "latency", "clear"]).meta({ description: "errors: a quarter of the running version's requests fail (a rollback cures it); latency: its requests are slow (a restart or more replicas cure it); clear: remove what was set." }),
  })
  .strict();

export const ChaosDto = z
  .object({
    service: z.string(),
    environment: z.string(),
    mode: z.enum(["errors", "latency", "clear"]),
    image: z.string().nullable().meta({ description: "The version the fault belongs to." }),
    active: z.boolean().meta({ description: "Whether it still applies (its cure has not happened)." }),
    since: z.string().nullable(),
  })
  .meta({ id: "SandboxChaos" });
