// npm run db:diff -- <name>     writes prisma/migrations/<timestamp>_<name>/migration.sql
// npm run db:diff -- --check    exits 1 if schema.prisma has changes no migration covers
//
// Offline: Prisma's wasm schema engine diffs the schema as of the last migration
// (prisma/migrations/schema.snapshot.prisma, kept by this script) against prisma/schema.prisma.
// The engine wants a reachable Postgres at start-up; an in-memory PGlite serves it.
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import { SchemaEngine } from "@prisma/schema-engine-wasm";
import { installProtocolAwareQueue } from "../lib/core/db/pglite-queue.ts";

const SCHEMA = path.resolve("prisma/schema.prisma");
const MIGRATIONS = path.resolve("prisma/migrations");
const SNAPSHOT = path.join(MIGRATIONS, "schema.snapshot.prisma");

const args = process.argv.slice(2);
const check = args.includes("--check");
const name = args.find((a) => !a.startsWith("--"));
if (!check && (!name || !/^[a-z0-9_]+$/.test(name))) {
  console.error("usage: npm run db:diff -- <name>   (lower-case letters, digits and _)\n       npm run db:diff -- --check");
  process.exit(2);
}

const schema = await readFile(SCHEMA, "utf8");
const snapshot = existsSync(SNAPSHOT) ? await readFile(SNAPSHOT, "utf8") : undefined;

const pglite = await PGlite.create();
const server = new PGLiteSocketServer({ db: pglite, host: "127.0.0.1", port: 0, maxConnections: 4 });
installProtocolAwareQueue(server, pglite);
await server.start();
let sql: string;
try {
  const url = `postgresql://postgres@${server.getServerConn()}/postgres?sslmode=disable`;
  const factory = bindMigrationAwareSqlAdapterFactory(new PrismaPg({ connectionString: url }));
  const engine = await SchemaEngine.new({ datamodels: [["schema.prisma", schema]] }, () => {}, factory);
  const result = await engine.diff({
    from: snapshot === undefined ? { tag: "empty" } : { tag: "schemaDatamodel", files: [{ path: "schema.prisma", content: snapshot }] },
    to: { tag: "schemaDatamodel", files: [{ path: "schema.prisma", content: schema }] },
    script: true,
    exitCode: null,
    filters: { externalTables: [], externalEnums: [] },
  });
  sql = result.stdout ?? "";
} finally {
  await server.stop();
  await pglite.close();
}

const empty = sql.trim() === "" || sql.includes("This is an empty migration");
if (check) {
  if (empty) {
    console.log("schema.prisma matches the migrations.");
    process.exit(0);
  }
  console.error("schema.prisma has changes that no migration covers. Run `npm run db:diff -- <name>`:\n");
  console.error(sql);
  process.exit(1);
}
if (empty) {
  console.log("No schema changes: nothing written.");
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14);
const dir = path.join(MIGRATIONS, `${stamp}_${name}`);
await mkdir(dir, { recursive: true });
await writeFile(path.join(dir, "migration.sql"), sql);
await writeFile(SNAPSHOT, schema);
if (!existsSync(path.join(MIGRATIONS, "migration_lock.toml"))) {
  await writeFile(path.join(MIGRATIONS, "migration_lock.toml"), 'provider = "postgresql"\n');
}
console.log(`Wrote ${path.relative(process.cwd(), dir)}/migration.sql:\n\n${sql}`);
