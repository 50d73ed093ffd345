// The embedded database: PGlite (Postgres compiled to WebAssembly) in a data folder, served on
// loopback by pglite-socket so that the app reaches it with the same postgresql:// URL and the
// same Prisma adapter as a real PostgreSQL. Only one process may own a PGlite data folder: the
// owner writes runtime.json, and other processes (npm run token, npm run worker) connect to the
// URL it names instead of opening the folder themselves.
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile, rename } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { installProtocolAwareQueue } from "./pglite-queue.ts";

export interface EmbeddedDatabase {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

export interface RuntimeInfo {
  pid: number;
  databaseUrl: string;
  startedAt: string;
  webUrl?: string;
}

const RUNTIME_FILE = "runtime.json";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** What a running `npm start` published about itself, or undefined if none is running. */
export async function readRuntime(dataDir: string): Promise<RuntimeInfo | undefined> {
  const file = path.join(dataDir, RUNTIME_FILE);
  if (!existsSync(file)) return undefined;
  try {
    const info = JSON.parse(await readFile(file, "utf8")) as RuntimeInfo;
    return isAlive(info.pid) && info.pid !== process.pid ? info : undefined;
  } catch {
    return undefined;
  }
}

export async function writeRuntime(dataDir: string, info: RuntimeInfo): Promise<void> {
  const file = path.join(dataDir, RUNTIME_FILE);
  await writeFile(`${file}.tmp`, JSON.stringify(info, null, 2));
  await rename(`${file}.tmp`, file);
}

export async function startEmbeddedDatabase(options: {
  dataDir: string;
  port?: number;
  maxConnections?: number;
  /** Publish runtime.json so other processes can reach this database (the launcher does). */
  publish?: boolean;
}): Promise<EmbeddedDatabase> {
  const { dataDir } = options;
  const running = await readRuntime(dataDir);
  if (running) {
    throw new Error(
      `The embedded database in ${dataDir} is already open by process ${running.pid} (${running.databaseUrl}). Stop it first, or connect to that URL.`,
    );
  }
  const pgDir = path.join(dataDir, "pglite");
  await mkdir(pgDir, { recursive: true });
  const db = await PGlite.create(pgDir);
  const server = new PGLiteSocketServer({
    db,
    host: "127.0.0.1",
    port: options.port ?? 0,
    maxConnections: options.maxConnections ?? 32,
  });
  installProtocolAwareQueue(server, db);
  await server.start();
  const url = `postgresql://postgres@${server.getServerConn()}/postgres?sslmode=disable`;
  if (options.publish) {
    await writeRuntime(dataDir, { pid: process.pid, databaseUrl: url, startedAt: new Date().toISOString() });
  }
  let stopped = false;
  return {
    url,
    dataDir,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await db.close();
      if (options.publish) await rm(path.join(dataDir, RUNTIME_FILE), { force: true });
    },
  };
}

/**
 * A URL for scripts that need the database: DATABASE_URL, else the running embedded database,
 * else open the embedded database in this process for the duration of the script.
 */
export async function connectForScript(options: {
  databaseUrl?: string;
  dataDir: string;
}): Promise<{ url: string; close(): Promise<void>; source: "external" | "running" | "opened" }> {
  if (options.databaseUrl) return { url: options.databaseUrl, close: async () => {}, source: "external" };
  const running = await readRuntime(options.dataDir);
  if (running) return { url: running.databaseUrl, close: async () => {}, source: "running" };
  // Publish while we hold the folder, so that an `npm start` meanwhile refuses instead of opening it twice.
  const embedded = await startEmbeddedDatabase({ dataDir: options.dataDir, maxConnections: 8, publish: true });
  return { url: embedded.url, close: () => embedded.stop(), source: "opened" };
}
