// Environments in promotion order, and their delivery settings (changed by platform admins,
// audited): protection and approvals, how promotions land in git, automatic rollback and drift
// reconciliation, and the branch for branch-per-environment repositories.
import { z } from "zod";
import type { Actor } from "../core/auth/actor.ts";
import { recordAudit } from "../core/audit/record.ts";
import { transaction, type Db } from "../core/db/client.ts";
import { NotFoundError } from "../core/errors.ts";
import { defineContract } from "../core/http/contract.ts";

export const EnvironmentDto = z
  .object({
    id: z.string(),
    name: z.string(),
    displayName: z.string(),
    position: z.number().int(),
    protected: z.boolean(),
    requiredApprovals: z.number().int(),
    promotionMode: z.enum(["direct", "pull_request"]),
    autoRollback: z.boolean(),
    autoReconcile: z.boolean(),
    branch: z.string().nullable(),
  })
  .meta({ id: "Environment" });
export type EnvironmentDto = z.infer<typeof EnvironmentDto>;

type EnvironmentRow = Awaited<ReturnType<Db["environment"]["findMany"]>>[number];

function toDto(e: EnvironmentRow): EnvironmentDto {
  return {
    id: e.id,
    name: e.name,
    displayName: e.displayName,
    position: e.position,
    protected: e.protected,
    requiredApprovals: e.requiredApprovals,
    promotionMode: e.promotionMode === "pull_request" ? "pull_request" : "direct",
    autoRollback: e.autoRollback,
    autoReconcile: e.autoReconcile,
    branch: e.branch,
  };
}

export async function listEnvironments(db: Db): Promise<EnvironmentDto[]> {
  return (await db.environment.findMany({ orderBy: { position: "asc" } })).map(toDto);
}

export const PatchEnvironmentBody = z
  .object({
    protected: z.boolean().optional(),
    requiredApprovals: z.number().int().min(0).max(5).optional(),
    promotionMode: z.enum(["direct", "pull_request"]).optional(),
    autoRollback: z.boolean().optional(),
    autoReconcile: z.boolean().optional(),
    branch: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/, "A git branch name.")
      .nullable()
      .optional()
      .meta({ description: "Branch-per-environment repositories: where this environment's overlays live (null: the default branch)." }),
  })
  .strict();

export async function patchEnvironment(actor: Actor, name: string, input: z.output<typeof PatchEnvironmentBody>, requestId?: string): Promise<EnvironmentDto> {
  return transaction(async (tx) => {
    const row = await tx.environment.findUnique({ where: { name } });
    if (!row) throw new NotFoundError("Environment", name);
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const [k, v] of Object.entries(input)) {
      if (v !== undefined && (row as Record<string, unknown>)[k] !== v) changes[k] = { from: (row as Record<string, unknown>)[k], to: v };
    }
    if (!Object.keys(changes).length) return toDto(row);
    const updated = await tx.environment.update({ where: { name }, data: input });
    await recordAudit(tx, actor, { action: "environment.updated", target: { type: "environment", id: row.id, label: name }, payload: { changes }, requestId });
    return toDto(updated);
  });
}

export const listEnvironmentsContract = defineContract({
  method: "GET",
  path: "/api/v1/environments",
  tag: "Delivery",
  summary: "List environments in promotion order, with their delivery settings",
  access: "delivery.read",
  response: z.object({ items: z.array(EnvironmentDto) }),
});

export const patchEnvironmentContract = defineContract({
  method: "PATCH",
  path: "/api/v1/environments/{name}",
  tag: "Delivery",
  summary: "Change an environment's delivery settings (approvals, pull requests or direct commits, automatic rollback and reconciliation, branch)",
  access: "environments.manage",
  params: z.object({ name: z.string().min(1).max(63) }),
  body: PatchEnvironmentBody,
  response: EnvironmentDto,
  errors: ["not_found"],
});

export const gitopsContracts = [listEnvironmentsContract, patchEnvironmentContract];
