// Verifying the hash chain from the first event to the last: every event must link to the one
// before it, carry the hash of its own content, and no sequence number may be missing.
import type { Db } from "../core/db/client.ts";
import { GENESIS_HASH, hashEvent } from "../core/audit/hash.ts";
import type { ChainVerification } from "./schemas.ts";

const BATCH = 2000;

export async function verifyAuditChain(db: Db): Promise<ChainVerification> {
  let expectedSeq = 1n;
  let prevHash = GENESIS_HASH;
  let count = 0;
  for (;;) {
    const rows = await db.auditEvent.findMany({ where: { seq: { gte: expectedSeq } }, orderBy: { seq: "asc" }, take: BATCH });
    if (rows.length === 0) break;
    for (const row of rows) {
      const seq = row.seq.toString();
      if (row.seq !== expectedSeq) {
        return {
          ok: false,
          count,
          brokenAt: { seq: expectedSeq.toString(), reason: "missing_event", message: `Event ${expectedSeq} is missing: the next one present is ${seq}.` },
        };
      }
      if (row.prevHash !== prevHash) {
        return {
          ok: false,
          count,
          brokenAt: { seq, reason: "prev_hash_mismatch", message: `Event ${seq} does not link to event ${row.seq - 1n}: an event was changed, removed or inserted.` },
        };
      }
      const actual = hashEvent({ ...row, payload: row.payload });
      if (actual !== row.hash) {
        return {
          ok: false,
          count,
          brokenAt: { seq, reason: "hash_mismatch", message: `Event ${seq} was altered after it was written: its content no longer matches its hash.` },
        };
      }
      prevHash = row.hash;
      expectedSeq = row.seq + 1n;
      count++;
    }
  }
  return { ok: true, count, headSeq: count ? (expectedSeq - 1n).toString() : null, headHash: count ? prevHash : null };
}
