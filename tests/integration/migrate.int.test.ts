// The migration runner (lib/core/db/migrate.ts) on the real PostgreSQL: applies everything once,
// keeps Prisma's `_prisma_migrations` bookkeeping exactly, refuses a changed history, and rolls
// a failing migration back without recording it. Plus `npm run db:diff -- --check`, which proves
// that prisma/schema.prisma and the migrations agree.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { appendFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_MIGRATIONS_DIR, migrate, readMigrations } from "@/lib/core/db/migrate";
import { createTestDatabase, type TestDatabase } from "../support/database";

const databases: TestDatabase[] = [];
let scratchDir: string;

async function emptyDatabase(): Promise<string> {
  const database = await createTestDatabase({ empty: true });
  databases.push(database);
  return database.url;
}

async function query<T extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** A copy of the project's migrations that a test may change. */
async function migrationsCopy(): Promise<string> {
  const dir = path.join(scratchDir, `m-${Math.random().toString(36).slice(2)}`);
  await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
  return dir;
}

beforeAll(async () => {
  scratchDir = await mkdtemp(path.join(tmpdir(), "paved-migrations-"));
});

afterAll(async () => {
  await Promise.all(databases.map((d) => d.drop()));
  await rm(scratchDir, { recursive: true, force: true });
});

describe("migrate", () => {
  it("applies every migration to a fresh database, and none the second time", async () => {
    const url = await emptyDatabase();
    const names = (await readMigrations()).map((m) => m.name);
    expect(names.length).toBeGreaterThan(0);
    const lines: string[] = [];
    expect(await migrate(url, { log: (l) => lines.push(l) })).toEqual({ applied: names, alreadyApplied: 0 });
    expect(lines.filter((l) => l.startsWith("applied "))).toHaveLength(names.length);
    expect(await migrate(url)).toEqual({ applied: [], alreadyApplied: names.length });
    const tables = await query<{ tablename: string }>(url, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`);
    expect(tables.map((t) => t.tablename)).toEqual(
      expect.arrayContaining(["_prisma_migrations", "api_tokens", "audit_events", "environments", "memberships", "service_dependencies", "services", "teams", "users"]),
    );
  });

  it("keeps Prisma's exact _prisma_migrations table, with sha256 checksums of the files", async () => {
    const url = await emptyDatabase();
    await migrate(url);
    const columns = await query<{ column_name: string; data_type: string; max: number | null; nullable: string; default: string | null }>(
      url,
      `SELECT column_name, data_type, character_maximum_length AS max, is_nullable AS nullable, column_default AS default
         FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(columns).toEqual([
      { column_name: "id", data_type: "character varying", max: 36, nullable: "NO", default: null },
      { column_name: "checksum", data_type: "character varying", max: 64, nullable: "NO", default: null },
      { column_name: "finished_at", data_type: "timestamp with time zone", max: null, nullable: "YES", default: null },
      { column_name: "migration_name", data_type: "character varying", max: 255, nullable: "NO", default: null },
      { column_name: "logs", data_type: "text", max: null, nullable: "YES", default: null },
      { column_name: "rolled_back_at", data_type: "timestamp with time zone", max: null, nullable: "YES", default: null },
      { column_name: "started_at", data_type: "timestamp with time zone", max: null, nullable: "NO", default: "now()" },
      { column_name: "applied_steps_count", data_type: "integer", max: null, nullable: "NO", default: "0" },
    ]);
    const pk = await query<{ column_name: string }>(
      url,
      `SELECT a.attname AS column_name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
        WHERE i.indrelid = '"_prisma_migrations"'::regclass AND i.indisprimary`,
    );
    expect(pk).toEqual([{ column_name: "id" }]);

    const rows = await query<{ id: string; checksum: string; migration_name: string; finished_at: Date | null; rolled_back_at: Date | null; applied_steps_count: number; started_at: Date }>(
      url,
      `SELECT * FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    const files = (await readMigrations()).map((m) => m.name);
    expect(rows.map((r) => r.migration_name)).toEqual(files);
    for (const row of rows) {
      const sql = await readFile(path.join(DEFAULT_MIGRATIONS_DIR, row.migration_name, "migration.sql"));
      expect(row.checksum).toBe(createHash("sha256").update(sql).digest("hex"));
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.finished_at?.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
      expect(row.rolled_back_at).toBeNull();
      expect(row.applied_steps_count).toBe(1);
    }
  });

  it("refuses a migrations folder whose applied migration was modified", async () => {
    const url = await emptyDatabase();
    const dir = await migrationsCopy();
    await migrate(url, { dir });
    const [first] = await readMigrations(dir);
    if (!first) throw new Error("no migrations");
    await appendFile(path.join(dir, first.name, "migration.sql"), "\n-- an innocent-looking edit\n");
    await expect(migrate(url, { dir })).rejects.toThrow(`Migration ${first.name} was modified after it was applied`);
    const rows = await query<{ checksum: string }>(url, `SELECT checksum FROM "_prisma_migrations" WHERE migration_name = $1`, [first.name]);
    expect(rows).toEqual([{ checksum: first.checksum }]);
  });

  it("rolls a failing migration back entirely and records it nowhere, then applies it once fixed", async () => {
    const url = await emptyDatabase();
    const dir = await migrationsCopy();
    await migrate(url, { dir });
    const broken = path.join(dir, "99999999999999_broken");
    await mkdir(broken);
    await writeFile(
      path.join(broken, "migration.sql"),
      `CREATE TABLE "half_done" ("id" INTEGER PRIMARY KEY);\nINSERT INTO "half_done" VALUES (1);\nALTER TABLE "teams" ADD COLUMN "half_done" TEXT;\nSELECT * FROM "no_such_table";\n`,
    );
    await expect(migrate(url, { dir })).rejects.toThrow(/Migration 99999999999999_broken failed and was rolled back: .*no_such_table/);
    expect(await query(url, `SELECT to_regclass('public.half_done') AS t`)).toEqual([{ t: null }]);
    expect(await query(url, `SELECT column_name FROM information_schema.columns WHERE table_name = 'teams' AND column_name = 'half_done'`)).toEqual([]);
    expect(await query(url, `SELECT * FROM "_prisma_migrations" WHERE migration_name LIKE '%broken%'`)).toEqual([]);

    await writeFile(path.join(broken, "migration.sql"), `CREATE TABLE "half_done" ("id" INTEGER PRIMARY KEY);\n`);
    expect((await migrate(url, { dir })).applied).toEqual(["99999999999999_broken"]);
  });

  it("refuses to run after a migration that started but never finished", async () => {
    const url = await emptyDatabase();
    await migrate(url);
    await query(url, `INSERT INTO "_prisma_migrations" (id, checksum, migration_name) VALUES ('00000000-0000-4000-8000-000000000000', 'x', '99999999999999_interrupted')`);
    await expect(migrate(url)).rejects.toThrow(/99999999999999_interrupted started but did not finish/);
  });

  it("lets two instances start at once: each migration is applied exactly once", async () => {
    const url = await emptyDatabase();
    const names = (await readMigrations()).map((m) => m.name);
    const results = await Promise.all([migrate(url), migrate(url), migrate(url)]);
    expect(results.flatMap((r) => r.applied).sort()).toEqual(names);
    const rows = await query<{ n: number }>(url, `SELECT count(*)::int AS n FROM "_prisma_migrations"`);
    expect(rows[0]?.n).toBe(names.length);
  });
});

describe("npm run db:diff -- --check", () => {
  it("exits 0: prisma/schema.prisma matches the migrations", async () => {
    const child = spawn("npm", ["run", "--silent", "db:diff", "--", "--check"], { cwd: path.resolve(import.meta.dirname, "../.."), stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(output).toContain("schema.prisma matches the migrations.");
    expect(code).toBe(0);
  });
});
