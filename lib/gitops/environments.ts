import { z } from "zod";
import type { Db } from "../core/db/client.ts";
import { defineContract } from "../core/http/contract.ts";

export const EnvironmentDto = z
  .object({
    id: z.string(),
    name: z.string(),
    displayName: z.string(),
    position: z.number().int(),
    protected: z.boolean(),
    requiredApprovals: z.number().int(),
  })
  .meta({ id: "Environment" });
export type EnvironmentDto = z.infer<typeof EnvironmentDto>;

export async function listEnvironments(db: Db): Promise<EnvironmentDto[]> {
  const rows = await db.environment.findMany({ orderBy: { position: "asc" } });
  return rows.map((e) => ({
    id: e.id,
    name: e.name,
    displayName: e.displayName,
    position: e.position,
    protected: e.protected,
    requiredApprovals: e.requiredApprovals,
  }));
}

export const listEnvironmentsContract = defineContract({
  method: "GET",
  path: "/api/v1/environments",
  tag: "Delivery",
  summary: "List environments in promotion order",
  access: "delivery.read",
  response: z.object({ items: z.array(EnvironmentDto) }),
});

export const gitopsContracts = [listEnvironmentsContract];
