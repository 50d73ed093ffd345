// Exceptions (waivers): granted by platform admins for a policy and a target, with a reason and an
// expiry; they stop applying the moment they expire (every evaluation reads them afresh).
import type { z } from "zod";
import { transaction, type Db } from "../core/db/client.ts";
import { recordAudit } from "../core/audit/record.ts";
import type { Actor } from "../core/auth/actor.ts";
import { ConflictError, NotFoundError, ValidationError } from "../core/errors.ts";
import type { CreateExceptionBody, ExceptionDto } from "./schemas.ts";
import { policySet } from "./service.ts";
import { env } from "../core/env.ts";

type Row = { id: string; policy: string; targetKind: string | null; targetNamespace: string | null; targetName: string | null; reason: string; approver: string; expiresAt: Date; createdAt: Date; revokedAt: Date | null };

export function toExceptionDto(r: Row, now = new Date()): ExceptionDto {
  return {
    id: r.id,
    policy: r.policy,
    target: { kind: r.targetKind, namespace: r.targetNamespace, name: r.targetName },
    reason: r.reason,
    approver: r.approver,
    expiresAt: r.expiresAt.toISOString(),
    createdAt: r.createdAt.toISOString(),
    revokedAt: r.revokedAt?.toISOString() ?? null,
    status: r.revokedAt ? "revoked" : r.expiresAt <= now ? "expired" : "active",
  };
}

export async function listExceptions(db: Db, filter: { policy?: string } = {}): Promise<ExceptionDto[]> {
  const rows = await db.policyException.findMany({ where: filter.policy ? { policy: filter.policy } : {}, orderBy: { createdAt: "desc" }, take: 500 });
  return rows.map((r) => toExceptionDto(r));
}

const YEAR_MS = 366 * 86_400_000;

export async function createException(actor: Actor, input: z.output<typeof CreateExceptionBody>, requestId?: string): Promise<ExceptionDto> {
  const { policies } = await policySet();
  const opa = env().opa;
  // The organisation's Rego rules are waived as one policy, "opa:<package>".
  if (!policies.some((p) => p.name === input.policy) && input.policy !== (opa ? `opa:${opa.package}` : null)) throw new NotFoundError("Policy", input.policy);
  const expiresAt = new Date(input.expiresAt);
  const now = Date.now();
  if (expiresAt.getTime() <= now) throw new ValidationError("The exception would already have expired.", [{ path: ["expiresAt"], message: "Must be in the future." }]);
  if (expiresAt.getTime() - now > YEAR_MS) throw new ValidationError("Exceptions last at most a year.", [{ path: ["expiresAt"], message: "At most a year ahead." }]);
  const blank = (s: string | undefined) => (s === undefined || s === "" || s === "*" ? null : s);
  const target = { targetKind: blank(input.target.kind), targetNamespace: blank(input.target.namespace), targetName: blank(input.target.name) };
  if (!target.targetKind && !target.targetName) throw new ValidationError("Name a target: at least its kind or its name.", [{ path: ["target"], message: "Give a kind or a name." }]);
  return transaction(async (tx) => {
    const duplicate = await tx.policyException.findFirst({ where: { policy: input.policy, ...target, revokedAt: null, expiresAt: { gt: new Date() } } });
    if (duplicate) throw new ConflictError(`An active exception for this policy and target already exists (until ${duplicate.expiresAt.toISOString()}).`, { id: duplicate.id });
    const row = await tx.policyException.create({ data: { policy: input.policy, ...target, reason: input.reason, approver: actor.login, expiresAt } });
    await recordAudit(tx, actor, {
      action: "policy_exception.granted",
      target: { type: "policy_exception", id: row.id, label: `${input.policy} for ${[target.targetKind, target.targetNamespace, target.targetName].filter(Boolean).join("/")}` },
      payload: { policy: input.policy, target: input.target, reason: input.reason, expiresAt: expiresAt.toISOString() },
      requestId,
    });
    return toExceptionDto(row);
  });
}

export async function revokeException(actor: Actor, id: string, requestId?: string): Promise<ExceptionDto> {
  return transaction(async (tx) => {
    const row = await tx.policyException.findUnique({ where: { id } });
    if (!row) throw new NotFoundError("Policy exception", id);
    if (row.revokedAt) return toExceptionDto(row);
    const updated = await tx.policyException.update({ where: { id }, data: { revokedAt: new Date() } });
    await recordAudit(tx, actor, { action: "policy_exception.revoked", target: { type: "policy_exception", id, label: row.policy }, payload: { policy: row.policy }, requestId });
    return toExceptionDto(updated);
  });
}
