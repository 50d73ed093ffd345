// A child process for the atomicity test: starts a Paved write (a team and its audit event, in
// one transaction through lib/core/db), says so on stdout, then hangs until it is killed.
// Usage: node --import tsx tests/support/hang-in-transaction.ts <team-slug>
import { transaction } from "../../lib/core/db/client.ts";
import { recordAudit } from "../../lib/core/audit/record.ts";
import { SYSTEM_ACTOR } from "../../lib/core/auth/actor.ts";

const slug = process.argv[2];
if (!slug) throw new Error("usage: hang-in-transaction.ts <team-slug>");

await transaction(
  async (tx) => {
    const team = await tx.team.create({ data: { slug, name: "Killed mid-write" } });
    await recordAudit(tx, SYSTEM_ACTOR, { action: "team.created", target: { type: "team", id: team.id, label: slug } });
    process.stdout.write(`inserted ${team.id}\n`);
    await new Promise(() => {});
  },
  { timeoutMs: 120_000 },
);
