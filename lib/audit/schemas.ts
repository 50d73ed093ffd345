// Shapes of the audit trail as the API and the pages see it.
import { z } from "zod";

export const AuditEventDto = z
  .object({
    seq: z.string().meta({ description: "Position in the chain (a decimal string: it can exceed 2^53)." }),
    createdAt: z.string().meta({ format: "date-time" }),
    actor: z.object({
      type: z.enum(["user", "token", "system"]),
      id: z.string().nullable(),
      login: z.string(),
      tokenId: z.string().nullable(),
    }),
    action: z.string(),
    target: z.object({ type: z.string(), id: z.string(), label: z.string().nullable() }),
    teamId: z.string().nullable(),
    payload: z.record(z.string(), z.unknown()),
    requestId: z.string().nullable(),
    prevHash: z.string(),
    hash: z.string(),
  })
  .meta({ id: "AuditEvent" });
export type AuditEventDto = z.infer<typeof AuditEventDto>;

const isoDate = z.iso.datetime({ offset: true }).or(z.iso.date());

export const AuditQuery = z.object({
  actor: z.string().max(100).optional().meta({ description: "Login of the actor." }),
  action: z
    .string()
    .max(100)
    .regex(/^[a-z0-9_.*-]+$/, "letters, digits, '.', '_', '-' and a trailing '*'")
    .optional()
    .meta({ description: "Exact action, or a prefix ending in `*` (e.g. `token.*`)." }),
  targetType: z.string().max(100).optional(),
  targetId: z.string().max(200).optional(),
  target: z.string().max(200).optional().meta({ description: "Matches the target's id or label." }),
  from: isoDate.optional().meta({ description: "Events at or after this time (ISO 8601)." }),
  to: isoDate.optional().meta({ description: "Events before this time (ISO 8601)." }),
  cursor: z
    .string()
    .regex(/^\d{1,18}$/, "a sequence number")
    .optional()
    .meta({ description: "The `nextCursor` of the previous page." }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

export const AuditPage = z
  .object({ items: z.array(AuditEventDto), nextCursor: z.string().nullable() })
  .meta({ id: "AuditPage" });
export type AuditPage = z.infer<typeof AuditPage>;

export const ChainVerification = z
  .discriminatedUnion("ok", [
    z.object({ ok: z.literal(true), count: z.number().int(), headSeq: z.string().nullable(), headHash: z.string().nullable() }),
    z.object({
      ok: z.literal(false),
      count: z.number().int().meta({ description: "Events checked before the broken link." }),
      brokenAt: z.object({
        seq: z.string(),
        reason: z.enum(["hash_mismatch", "prev_hash_mismatch", "missing_event"]),
        message: z.string(),
      }),
    }),
  ])
  .meta({ id: "ChainVerification" });
export type ChainVerification = z.infer<typeof ChainVerification>;
