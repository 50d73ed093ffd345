// The guardrails' settings: one row, created with the defaults on first use. Decisions lock it
// (SELECT … FOR UPDATE) for the length of their transaction, so two alerts for one service decided
// at the same moment see each other's actions (the rate limit and cooldown cannot be raced past).
import type { Actor } from "../core/auth/actor.ts";
import { recordAudit } from "../core/audit/record.ts";
import { transaction, type Db, type Tx } from "../core/db/client.ts";
import type { RemediationSettings } from "../core/db/generated/client.ts";
import { ConflictError, ForbiddenError, ValidationError, type FieldIssue } from "../core/errors.ts";
import { ROLE_DEFINITIONS, type Permission } from "../core/permissions.ts";
import type { z } from "zod";
import type { GuardrailSettings } from "./guardrails.ts";
import type { AutoApproveRule, PatchRemediationSettingsBody, RemediationSettingsDto } from "./schemas.ts";

const ID = "global";

export function settingsDto(row: RemediationSettings): RemediationSettingsDto {
  return {
    killSwitch: row.killSwitch,
    dryRun: row.dryRun,
    maxActionsPerHour: row.maxActionsPerHour,
    cooldownMinutes: row.cooldownMinutes,
    maxReplicas: row.maxReplicas,
    autoApprove: row.autoApprove as AutoApproveRule[],
    revision: row.revision,
    updatedBy: row.updatedBy,
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function guardrailSettings(row: RemediationSettings): GuardrailSettings {
  return { killSwitch: row.killSwitch, dryRun: row.dryRun, maxActionsPerHour: row.maxActionsPerHour, cooldownMinutes: row.cooldownMinutes, autoApprove: row.autoApprove as AutoApproveRule[] };
}

/** The settings row, locked until the transaction ends (created with the defaults if missing). */
export async function lockSettings(tx: Tx): Promise<RemediationSettings> {
  await tx.$executeRaw`INSERT INTO "remediation_settings" ("id", "updated_at") VALUES (${ID}, now()) ON CONFLICT ("id") DO NOTHING`;
  await tx.$queryRaw`SELECT "id" FROM "remediation_settings" WHERE "id" = ${ID} FOR UPDATE`;
  return tx.remediationSettings.findUniqueOrThrow({ where: { id: ID } });
}

export async function getRemediationSettings(db: Db | Tx): Promise<RemediationSettingsDto> {
  const row = await db.remediationSettings.findUnique({ where: { id: ID } });
  if (row) return settingsDto(row);
  // Not written yet: the defaults, as the table declares them.
  await db.$executeRaw`INSERT INTO "remediation_settings" ("id", "updated_at") VALUES (${ID}, now()) ON CONFLICT ("id") DO NOTHING`;
  return settingsDto(await db.remediationSettings.findUniqueOrThrow({ where: { id: ID } }));
}

type Patch = z.output<typeof PatchRemediationSettingsBody>;

/**
 * The guardrails are organisation-wide: changing them needs `slos.write` from an
 * organisation-wide role (SRE, platform admin), not a developer's, which holds for one team only.
 */
export function requireOrganisationWide(actor: Actor, permission: Permission): void {
  const ok = actor.grants.some((g) => ROLE_DEFINITIONS[g.role].scope === "organisation" && (ROLE_DEFINITIONS[g.role].permissions as readonly Permission[]).includes(permission));
  if (!ok) throw new ForbiddenError(`Self-healing's guardrails apply to every team: changing them needs "${permission}" from an organisation-wide role (sre, platform-admin), not one team's.`, { permission });
}

/** Changes the settings (SREs and platform admins), audited with what changed; a stale `revision` is 409. */
export async function patchRemediationSettings(db: Db, actor: Actor, patch: Patch, requestId?: string): Promise<RemediationSettingsDto> {
  requireOrganisationWide(actor, "slos.write");
  if (patch.autoApprove) {
    const environments = new Set((await db.environment.findMany({ select: { name: true } })).map((e) => e.name));
    const named = [...new Set(patch.autoApprove.flatMap((r) => r.services ?? []))];
    const services = new Set((await db.service.findMany({ where: { name: { in: named } }, select: { name: true } })).map((s) => s.name));
    const issues: FieldIssue[] = [];
    patch.autoApprove.forEach((rule, i) => {
      if (!environments.has(rule.environment)) issues.push({ path: ["autoApprove", i, "environment"], message: `There is no environment "${rule.environment}".` });
      (rule.services ?? []).forEach((s, j) => {
        if (!services.has(s)) issues.push({ path: ["autoApprove", i, "services", j], message: `There is no service "${s}".` });
      });
    });
    if (issues.length) throw new ValidationError(`Invalid body: ${issues[0]!.path.join(".")}: ${issues[0]!.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ""}`, issues);
  }
  return transaction(async (tx) => {
    const before = await lockSettings(tx);
    if (patch.revision !== undefined && patch.revision !== before.revision) {
      throw new ConflictError(`The settings changed since you read them (revision ${before.revision}, you sent ${patch.revision}): read them again.`, { revision: before.revision });
    }
    const { revision: _, ...fields } = patch;
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    const current = settingsDto(before) as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(fields)) if (JSON.stringify(current[k]) !== JSON.stringify(v)) changes[k] = { from: current[k], to: v };
    const row = await tx.remediationSettings.update({
      where: { id: ID },
      data: { ...fields, ...(fields.autoApprove ? { autoApprove: fields.autoApprove } : {}), revision: { increment: 1 }, updatedBy: actor.login },
    });
    await recordAudit(tx, actor, { action: "remediation_settings.updated", target: { type: "remediation-settings", id: ID, label: "Self-healing guardrails" }, payload: { changes, revision: row.revision }, requestId: requestId ?? null });
    return settingsDto(row);
  });
}
