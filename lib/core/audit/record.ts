// Recording an audit event: always inside the transaction that makes the change, and last in it
// (it takes a lock that serialises writers of the chain until the transaction commits).
import type { Tx } from "../db/client.ts";
import type { Actor } from "../auth/actor.ts";
import { GENESIS_HASH, hashEvent } from "./hash.ts";

export interface AuditTarget {
  type: string;
  id: string;
  label?: string;
}

export interface AuditEntry {
  /** `<noun>.<past-tense verb>`, e.g. "token.created", "membership.removed". */
  action: string;
  target: AuditTarget;
  teamId?: string | null;
  payload?: Record<string, unknown>;
  requestId?: string | null;
}

export interface RecordedAuditEvent {
  seq: bigint;
  hash: string;
}

/** JSON columns come back as JSON: hash exactly what will be stored. */
function asStoredJson(payload: Record<string, unknown> | undefined): Record<string, unknown> {
  return JSON.parse(JSON.stringify(payload ?? {}, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))) as Record<string, unknown>;
}

export async function recordAudit(tx: Tx, actor: Actor, entry: AuditEntry): Promise<RecordedAuditEvent> {
  // SHARE ROW EXCLUSIVE conflicts with itself and not with readers: concurrent writers queue
  // here, so each one links to the event committed just before it.
  await tx.$executeRawUnsafe(`LOCK TABLE "audit_events" IN SHARE ROW EXCLUSIVE MODE`);
  const last = await tx.auditEvent.findFirst({ orderBy: { seq: "desc" }, select: { seq: true, hash: true } });
  const fields = {
    seq: (last?.seq ?? 0n) + 1n,
    createdAt: new Date(),
    actorType: actor.kind,
    actorId: actor.userId,
    actorTokenId: actor.tokenId ?? null,
    actorLogin: actor.login,
    action: entry.action,
    targetType: entry.target.type,
    targetId: entry.target.id,
    targetLabel: entry.target.label ?? null,
    teamId: entry.teamId ?? null,
    payload: asStoredJson(entry.payload),
    requestId: entry.requestId ?? null,
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  const hash = hashEvent(fields);
  await tx.auditEvent.create({ data: { ...fields, payload: fields.payload as object, hash } });
  return { seq: fields.seq, hash };
}
