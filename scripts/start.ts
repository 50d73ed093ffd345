// npm start: build if needed → embedded database (unless DATABASE_URL) → migrate → seed the demo
// organisation into an empty sandbox database → web server + job worker. SIGINT/SIGTERM stop
// everything in order (worker, web server, database) and leave no process behind.
//
//   npm start            production server (PORT, default 3000)
//   npm run dev          Next.js dev server instead (hot reload), same database and worker
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { env, resetEnvCache } from "../lib/core/env.ts";
import { startEmbeddedDatabase, writeRuntime, type EmbeddedDatabase } from "../lib/core/db/embedded.ts";
import { migrate } from "../lib/core/db/migrate.ts";
import { createClient } from "../lib/core/db/client.ts";
import { seedDemoOrganisation, DEMO_USERS } from "../prisma/seed/demo-organisation.ts";
import { seedDemoHistory } from "../prisma/seed/demo-history.ts";
import { ensureBuild } from "./lib/build.ts";
import { prepareSandbox, publishCatalog } from "./lib/catalog.ts";
import { loadOrCreateAuthSecret } from "./lib/secret.ts";

const dev = process.argv.includes("--dev");
const started = Date.now();
const say = (line: string) => console.log(`[paved] ${line}`);

const config = env();
let embedded: EmbeddedDatabase | undefined;
let web: ChildProcess | undefined;
let worker: { stop(): Promise<void> } | undefined;
let stopping = false;

async function shutdown(code: number, reason: string): Promise<never> {
  if (stopping) return new Promise<never>(() => {});
  stopping = true;
  say(`stopping (${reason})…`);
  const hardStop = setTimeout(() => {
    console.error("[paved] did not stop within 30 s; exiting");
    process.exit(code || 1);
  }, 30_000);
  hardStop.unref();
  try {
    await worker?.stop();
    const { stopJobClient } = await import("../lib/core/jobs/sender.ts");
    await stopJobClient();
  } catch (e) {
    console.error("[paved] worker stop:", (e as Error).message);
  }
  if (web && web.exitCode === null && web.signalCode === null) {
    const exited = new Promise<void>((resolve) => web?.once("exit", () => resolve()));
    web.kill("SIGTERM");
    const killTimer = setTimeout(() => web?.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(killTimer);
  }
  try {
    await embedded?.stop();
  } catch (e) {
    console.error("[paved] database stop:", (e as Error).message);
  }
  say("stopped");
  process.exit(code);
}

process.on("SIGINT", () => void shutdown(0, "SIGINT"));
// If whoever started us dies without a signal reaching us (kill -9 of npm), stop too.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) void shutdown(0, "parent process exited");
}, 1000).unref();
process.on("SIGTERM", () => void shutdown(0, "SIGTERM"));
process.on("uncaughtException", (e) => {
  console.error("[paved] fatal:", e);
  void shutdown(1, "error");
});
process.on("unhandledRejection", (e) => {
  console.error("[paved] fatal:", e);
  void shutdown(1, "error");
});

async function waitUntilReady(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) return;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`the web server did not answer ${url} within ${timeoutMs / 1000} s`);
}

async function main(): Promise<void> {
  if (!dev) await ensureBuild(process.cwd(), say);

  let url = config.databaseUrl;
  if (!url) {
    say(`opening the embedded database in ${path.relative(process.cwd(), config.dataDir) || "."}…`);
    embedded = await startEmbeddedDatabase({ dataDir: config.dataDir, port: config.embeddedDbPort, publish: true, maxConnections: 48 });
    url = embedded.url;
  }
  const mode = embedded ? "embedded" : "external";

  const result = await migrate(url, { log: (l) => say(`migrate: ${l}`) });
  say(`database ${mode}, schema up to date (${result.applied.length} applied, ${result.alreadyApplied} already)`);

  // From here on, this process and its children reach the database through `url`.
  process.env.DATABASE_URL = url;
  process.env.PAVED_DATABASE_MODE = mode;
  process.env.PAVED_SANDBOX = String(config.sandbox);
  const authSecret = config.authSecret ?? (await loadOrCreateAuthSecret(config.dataDir));
  process.env.AUTH_SECRET = authSecret;
  resetEnvCache();

  const client = createClient(url, 2);
  try {
    if (config.sandbox && (await seedDemoOrganisation(client))) say("seeded the demo organisation");
    if (config.sandbox && (await seedDemoHistory(client))) say("seeded 90 days of delivery history (deployments, incidents) for Insights");
    await publishCatalog(client, say);
    if (config.sandbox) await prepareSandbox(config.dataDir, say, client);
  } finally {
    await client.$disconnect();
  }

  const webChild = path.resolve("scripts/lib/web-child.mjs");
  const args = [webChild, dev ? "dev" : "start", "-p", String(config.port), ...(config.host ? ["-H", config.host] : [])];
  web = spawn(process.execPath, args, {
    stdio: "inherit",
    env: {
      ...process.env,
      AUTH_TRUST_HOST: "true",
      NEXT_TELEMETRY_DISABLED: "1",
      NODE_ENV: dev ? "development" : "production",
      // A bounded heap: V8 otherwise grows the web server to 400+ MB under load before collecting.
      NODE_OPTIONS: [process.env.NODE_OPTIONS, dev ? "" : `--max-old-space-size=${config.webHeapMb} --max-semi-space-size=6`].filter(Boolean).join(" "),
      // The admission gate in front of Next's handler (scripts/lib/admission.mjs).
      PAVED_WEB_CONCURRENCY: String(config.webConcurrency),
      PAVED_WEB_QUEUE: String(config.webQueue),
      // Fewer glibc malloc arenas: the native memory a busy server keeps after load stays smaller.
      MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? "2",
    },
  });
  web.on("exit", (code, signal) => {
    if (!stopping) void shutdown(code ?? 1, `web server exited (${signal ?? code})`);
  });

  if (config.worker) {
    const { startPavedWorker } = await import("../lib/worker/index.ts");
    worker = await startPavedWorker(url);
    say(`job worker running (${config.workerConcurrency} at a time)`);
    if (config.sandbox) {
      // So that a fresh demo shows compliance and adoption at once, not after the first scheduled scan.
      const { sendJob } = await import("../lib/core/jobs/sender.ts");
      const { complianceScanJob } = await import("../lib/policies/jobs.ts");
      const { scanAdoptionJob } = await import("../lib/templates/jobs.ts");
      await sendJob(complianceScanJob, {}, { singletonKey: "compliance-scan" });
      await sendJob(scanAdoptionJob, {}, { singletonKey: "adoption-scan" });
    }
  }

  const local = `http://localhost:${config.port}`;
  await waitUntilReady(`http://127.0.0.1:${config.port}/api/health`, dev ? 120_000 : 60_000);
  if (stopping) return;
  if (embedded) await writeRuntime(config.dataDir, { pid: process.pid, databaseUrl: url, startedAt: new Date(started).toISOString(), webUrl: local });
  say(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s → ${local}`);
  if (config.sandbox) {
    say(`sandbox mode: sign in as ${DEMO_USERS.map((u) => `${u.login} (${u.role})`).join(", ")}`);
  }
}

main().catch((e: unknown) => {
  console.error(`[paved] could not start: ${(e as Error).message}`);
  void shutdown(1, "start failed");
});
