// Databases for tests that need one to themselves (exact row counts, the last platform admin,
// a tampered audit chain, migrations): a copy of the run's migrated template, on the real
// PostgreSQL (CREATE DATABASE … TEMPLATE) or as a fresh embedded PGlite (a copied data folder).
import { randomBytes } from "node:crypto";
import { cp, mkdir, rm } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { inject } from "vitest";
import { createClient, db, disconnectDb } from "@/lib/core/db/client";
import { startEmbeddedDatabase } from "@/lib/core/db/embedded";
import { resetEnvCache } from "@/lib/core/env";
import { stopJobClient } from "@/lib/core/jobs/sender";
import { seedDemoOrganisation } from "@/prisma/seed/demo-organisation";
import { withDatabase } from "./context";

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

async function onServer<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A database of its own: migrated (unless `empty`), seeded with the demo organisation if asked.
 * `empty` (no migrations) exists only on the real PostgreSQL.
 */
export async function createTestDatabase(options: { seed?: boolean; empty?: boolean } = {}): Promise<TestDatabase> {
  const info = inject("testDatabase");
  let database: TestDatabase;
  if (info.mode === "external") {
    const name = `${info.prefix}_${randomBytes(4).toString("hex")}`;
    const from = options.empty ? "template0" : `"${info.templateName}"`;
    // Two files copying the template at the same instant can collide ("being accessed by other users").
    for (let attempt = 0; ; attempt++) {
      try {
        await onServer(info.adminUrl, (c) => c.query(`CREATE DATABASE "${name}" TEMPLATE ${from}`));
        break;
      } catch (e) {
        if (attempt >= 10 || !/being accessed by other users/.test((e as Error).message)) throw e;
        await new Promise((r) => setTimeout(r, 200 + Math.random() * 300));
      }
    }
    database = {
      url: withDatabase(info.adminUrl, name),
      drop: () => onServer(info.adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}),
    };
  } else {
    if (options.empty) throw new Error("An empty database is only available on the real PostgreSQL.");
    const dir = path.join(info.prefix, `fresh-${randomBytes(4).toString("hex")}`);
    await mkdir(dir, { recursive: true });
    await cp(info.templateDir, dir, { recursive: true });
    const embedded = await startEmbeddedDatabase({ dataDir: dir, maxConnections: 24 });
    database = {
      url: embedded.url,
      async drop() {
        await embedded.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  if (options.seed) {
    const client = createClient(database.url, 2);
    try {
      await seedDemoOrganisation(client);
    } finally {
      await client.$disconnect();
    }
  }
  return database;
}

/** Points Paved's own code (env(), db(), the job client) at another database. */
export async function useDatabase(url: string): Promise<void> {
  await stopJobClient();
  await disconnectDb();
  process.env.DATABASE_URL = url;
  resetEnvCache();
}

/** Points Paved back at the run's shared database. */
export async function useSharedDatabase(): Promise<void> {
  await useDatabase(inject("testDatabase").url);
}

export const COUNTED_TABLES = ["teams", "users", "memberships", "api_tokens", "audit_events"] as const;
export type RowCounts = Record<(typeof COUNTED_TABLES)[number], number>;

/** Row counts of the organisation's tables, to show a refused request changed nothing. */
export async function rowCounts(): Promise<RowCounts> {
  const select = COUNTED_TABLES.map((t) => `(SELECT count(*) FROM "${t}")::int AS "${t}"`).join(", ");
  const rows = await db().$queryRawUnsafe<RowCounts[]>(`SELECT ${select}`);
  const row = rows[0];
  if (!row) throw new Error("no counts");
  return row;
}
