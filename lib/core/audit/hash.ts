// The audit hash chain. Each event's hash covers its content and the previous event's hash, so
// changing, removing or reordering any past event breaks every link after it.
import { createHash } from "node:crypto";

export const GENESIS_HASH = "0".repeat(64);

/** JSON with object keys sorted at every level and no whitespace: one text per value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) return "null";
    if (typeof value === "bigint") return JSON.stringify(value.toString());
    return JSON.stringify(value) ?? "null";
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

export interface ChainedFields {
  seq: bigint;
  createdAt: Date;
  actorType: string;
  actorId: string | null;
  actorTokenId: string | null;
  actorLogin: string;
  action: string;
  targetType: string;
  targetId: string;
  targetLabel: string | null;
  teamId: string | null;
  payload: unknown;
  requestId: string | null;
  prevHash: string;
}

export function hashEvent(e: ChainedFields): string {
  const body = canonicalJson({
    seq: e.seq.toString(),
    createdAt: e.createdAt.toISOString(),
    actorType: e.actorType,
    actorId: e.actorId,
    actorTokenId: e.actorTokenId,
    actorLogin: e.actorLogin,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    targetLabel: e.targetLabel,
    teamId: e.teamId,
    payload: e.payload,
    requestId: e.requestId,
    prevHash: e.prevHash,
  });
  return createHash("sha256").update(body).digest("hex");
}
