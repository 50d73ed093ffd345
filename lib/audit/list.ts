// Reading the audit trail: newest first, filtered, paged by sequence number.
import type { Db } from "../core/db/client.ts";
import type { Prisma } from "../core/db/generated/client.ts";
import type { AuditEventDto, AuditPage, AuditQuery } from "./schemas.ts";

type Row = Awaited<ReturnType<Db["auditEvent"]["findFirstOrThrow"]>>;

export function toAuditEventDto(row: Row): AuditEventDto {
  return {
    seq: row.seq.toString(),
    createdAt: row.createdAt.toISOString(),
    actor: { type: row.actorType as AuditEventDto["actor"]["type"], id: row.actorId, login: row.actorLogin, tokenId: row.actorTokenId },
    action: row.action,
    target: { type: row.targetType, id: row.targetId, label: row.targetLabel },
    teamId: row.teamId,
    payload: (row.payload ?? {}) as Record<string, unknown>,
    requestId: row.requestId,
    prevHash: row.prevHash,
    hash: row.hash,
  };
}

export async function listAuditEvents(db: Db, q: AuditQuery): Promise<AuditPage> {
  const where: Prisma.AuditEventWhereInput = {};
  if (q.actor) where.actorLogin = q.actor.toLowerCase();
  if (q.action) where.action = q.action.endsWith("*") ? { startsWith: q.action.slice(0, -1) } : q.action;
  if (q.targetType) where.targetType = q.targetType;
  if (q.targetId) where.targetId = q.targetId;
  if (q.target) where.OR = [{ targetId: q.target }, { targetLabel: { contains: q.target, mode: "insensitive" } }];
  if (q.from || q.to) where.createdAt = { ...(q.from ? { gte: new Date(q.from) } : {}), ...(q.to ? { lt: new Date(q.to) } : {}) };
  if (q.cursor) where.seq = { lt: BigInt(q.cursor) };
  const rows = await db.auditEvent.findMany({ where, orderBy: { seq: "desc" }, take: q.limit + 1 });
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return { items: page.map(toAuditEventDto), nextCursor: rows.length > q.limit && last ? last.seq.toString() : null };
}

/** Distinct actions and actor logins, for the filter menus. */
export async function auditFacets(db: Db): Promise<{ actions: string[]; actors: string[] }> {
  const [actions, actors] = await Promise.all([
    db.auditEvent.findMany({ distinct: ["action"], select: { action: true }, orderBy: { action: "asc" } }),
    db.auditEvent.findMany({ distinct: ["actorLogin"], select: { actorLogin: true }, orderBy: { actorLogin: "asc" } }),
  ]);
  return { actions: actions.map((a) => a.action), actors: actors.map((a) => a.actorLogin) };
}
