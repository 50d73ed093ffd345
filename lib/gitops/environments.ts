// Environments in promotion order, and their delivery settings (changed by platform admins,
// audited): protection and approvals, how promotions land in git, automatic rollback and drift
// reconciliation, the branch for branch-per-environment repositories, and the cross-service
// integration tests a promotion waits for.
import { z } from "zod";
import type { Actor } from "../core/auth/actor.ts";
import { recordAudit } from "../core/audit/record.ts";
import { canonicalJson } from "../core/audit/hash.ts";
import { Prisma, transaction, type Db } from "../core/db/client.ts";
import { NotFoundError } from "../core/errors.ts";
import { defineContract } from "../core/http/contract.ts";
import { repositoryContracts } from "./create-repository.ts";

/**
 * The cross-service integration tests a promotion into the environment waits for, before its
 * first wave: a GitHub Actions workflow run in a repository (dispatched through the GitHost port
 * and awaited), or an HTTP check (a GET that must answer the expected status in time).
 */
export const IntegrationCheck = z
  .discriminatedUnion("kind", [
    z
      .object({
        kind: z.literal("workflow"),
        repository: z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/, "A repository: owner/name.")
          .meta({ description: "The repository whose workflow runs the tests (owner/name)." }),
        workflow: z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.ya?ml$/, "A workflow file name under .github/workflows, such as integration-tests.yml.")
          .meta({ description: "The workflow's file under .github/workflows; it must have a workflow_dispatch trigger." }),
        ref: z
          .string()
          .regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/, "A git branch name.")
          .nullable()
          .default(null)
          .meta({ description: "The branch it runs on (null: the repository's default branch)." }),
        timeoutSeconds: z.number().int().min(60).max(6 * 3600).default(1800).meta({ description: "How long the run may take before the gate blocks." }),
      })
      .strict(),
    z
      .object({
        kind: z.literal("http"),
        url: z.url({ protocol: /^https?$/, error: "An http:// or https:// URL." }).max(2000).meta({ description: "Answered with a GET." }),
        expectedStatus: z.number().int().min(100).max(599).default(200),
        timeoutSeconds: z.number().int().min(1).max(300).default(10).meta({ description: "How long to wait for the answer (each of up to three attempts)." }),
      })
      .strict(),
  ])
  .meta({ id: "IntegrationCheck" });
export type IntegrationCheck = z.output<typeof IntegrationCheck>;

/** The check stored with an environment (a JSON column, parsed on the way out: null when unset or unreadable). */
export function integrationCheckOf(stored: unknown): IntegrationCheck | null {
  if (stored === null || stored === undefined) return null;
  const parsed = IntegrationCheck.safeParse(stored);
  return parsed.success ? parsed.data : null;
}

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
    integrationTests: IntegrationCheck.nullable(),
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
    integrationTests: integrationCheckOf(e.integrationTests),
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
    integrationTests: IntegrationCheck.nullable()
      .optional()
      .meta({ description: "Cross-service integration tests a promotion into this environment waits for before its first wave (null: none)." }),
  })
  .strict();

export async function patchEnvironment(actor: Actor, name: string, input: z.output<typeof PatchEnvironmentBody>, requestId?: string): Promise<EnvironmentDto> {
  return transaction(async (tx) => {
    const row = await tx.environment.findUnique({ where: { name } });
    if (!row) throw new NotFoundError("Environment", name);
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    const { integrationTests, ...plain } = input;
    for (const [k, v] of Object.entries(plain)) {
      if (v !== undefined && (row as Record<string, unknown>)[k] !== v) changes[k] = { from: (row as Record<string, unknown>)[k], to: v };
    }
    const currentCheck = integrationCheckOf(row.integrationTests);
    if (integrationTests !== undefined && canonicalJson(integrationTests) !== canonicalJson(currentCheck)) changes.integrationTests = { from: currentCheck, to: integrationTests };
    if (!Object.keys(changes).length) return toDto(row);
    const updated = await tx.environment.update({
      where: { name },
      data: {
        ...plain,
        ...(integrationTests === undefined ? {} : { integrationTests: integrationTests === null ? Prisma.DbNull : (integrationTests as Prisma.InputJsonValue) }),
      },
    });
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
  summary: "Change an environment's delivery settings (approvals, pull requests or direct commits, automatic rollback and reconciliation, branch, integration tests)",
  access: "environments.manage",
  params: z.object({ name: z.string().min(1).max(63) }),
  body: PatchEnvironmentBody,
  response: EnvironmentDto,
  errors: ["not_found"],
});

export const gitopsContracts = [listEnvironmentsContract, patchEnvironmentContract, ...repositoryContracts];
