// A fingerprint of the whole database: every table of the public schema with its row count and a
// hash of its rows, in one statement. Two equal fingerprints mean nothing was inserted, deleted or
// changed in between, except in what is excluded below because it changes by itself or is meant to
// change on a refused request:
//
// - the job queue (pg-boss's own schema, `pgboss`): not in `public` at all; the queue's
//   maintenance rows move while nothing happens;
// - `rate_limit_counters`: counting a request is what a rate limit does, refused or not (the
//   counter is bumped before the body is even read: lib/core/http/rate-limit.ts);
// - `sandbox_applications` and `sandbox_traffic_series`: the sandbox's simulation state, which
//   reads advance as the simulated clock moves (lib/integrations/sandbox-cluster,
//   lib/metrics/sandbox-traffic.ts);
// - the columns `api_tokens.last_used_at` and `users.last_seen_at`: stamped by authenticating
//   the request itself, before anything is validated;
// - `_prisma_migrations`: the migration runner's own table.
import type { Db } from "@/lib/core/db/client";

export const EXCLUDED_TABLES = ["_prisma_migrations", "rate_limit_counters", "sandbox_applications", "sandbox_traffic_series"] as const;
export const EXCLUDED_COLUMNS: Record<string, readonly string[]> = {
  api_tokens: ["last_used_at"],
  users: ["last_seen_at"],
};

export type Fingerprint = Record<string, { rows: number; hash: string }>;

let statement: string | undefined;

async function buildStatement(db: Db): Promise<string> {
  const tables = await db.$queryRawUnsafe<{ table_name: string }[]>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
  );
  const parts = tables
    .map((t) => t.table_name)
    .filter((t) => !(EXCLUDED_TABLES as readonly string[]).includes(t))
    .map((t) => {
      const drop = (EXCLUDED_COLUMNS[t] ?? []).map((c) => ` - '${c}'`).join("");
      const row = `md5((to_jsonb(x)${drop})::text)`;
      return `SELECT '${t}' AS t, count(*)::int AS n, md5(coalesce(string_agg(${row}, ',' ORDER BY ${row}), '')) AS h FROM "${t}" x`;
    });
  return parts.join(" UNION ALL ");
}

/** Row count and row hash of every table (but the exclusions above). */
export async function fingerprint(db: Db): Promise<Fingerprint> {
  statement ??= await buildStatement(db);
  const rows = await db.$queryRawUnsafe<{ t: string; n: number; h: string }[]>(statement);
  return Object.fromEntries(rows.map((r) => [r.t, { rows: r.n, hash: r.h }]));
}

/** The tables whose rows differ between two fingerprints, with their counts before and after. */
export function changedTables(before: Fingerprint, after: Fingerprint): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((t) => before[t]?.hash !== after[t]?.hash).map((t) => `${t} (${before[t]?.rows ?? 0} → ${after[t]?.rows ?? 0} rows)`);
}
