// The load figure of issue 9: many concurrent clients (autocannon) on Paved's main pages and API
// routes for a while, with the web process's resident memory sampled every few seconds. Used by
// `npm run bench -- --only load` (200 clients for 60 s) and by the resilience suite
// (tests/resilience/load.res.test.ts: the same for 10 s, asserting no errors and stable memory).
// Runs inside `npm run bench` (section "load", after the bench made sure the production build is
// current), or alone on whatever build exists: node --import tsx scripts/bench/load.ts
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { encode } from "next-auth/jwt";
import { parseEnv } from "../../lib/core/env.ts";
import { createBenchDatabase } from "./database.ts";

/** What the clients ask for, in turn: the portal's main pages (signed in) and its busiest API reads. */
export function loadMix(auth: { token: string; cookie: string }): { path: string; headers: Record<string, string> }[] {
  const page = { cookie: auth.cookie };
  const api = { authorization: `Bearer ${auth.token}` };
  return [
    { path: "/", headers: page },
    { path: "/catalog", headers: page },
    { path: "/services", headers: page },
    { path: "/delivery", headers: page },
    { path: "/governance", headers: page },
    { path: "/api/v1/services?limit=50", headers: api },
    { path: "/api/v1/templates", headers: api },
    { path: "/api/v1/environments/matrix", headers: api },
    { path: "/api/v1/deployments?limit=50", headers: api },
    { path: "/api/v1/teams", headers: api },
    { path: "/api/v1/audit?limit=50", headers: api },
    { path: "/api/health", headers: {} },
  ];
}

export interface RssSample {
  /** Seconds since the load started. */
  t: number;
  mb: number;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Connection errors (timeouts included), answers that were not 2xx, and pages that rendered the error boundary. */
  errors: number;
  timeouts: number;
  /** Answers that were not 2xx or were the error page, by path and status. */
  failures: Record<string, number>;
  rss: RssSample[];
  memory: MemoryVerdict;
}

export interface MemoryVerdict {
  /** After the first quarter of the run (caches filled, code loaded). */
  warmMb: number;
  endMb: number;
  peakMb: number;
  /** endMb − warmMb */
  growthMb: number;
  /** Every sample after warm-up at least as high as the one before it. */
  monotonic: boolean;
}

export function residentMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
  } catch {
    return Number.NaN;
  }
}

/** Whether memory kept climbing after warm-up, and by how much. */
export function memoryVerdict(samples: readonly RssSample[]): MemoryVerdict {
  const values = samples.map((s) => s.mb).filter((v) => Number.isFinite(v));
  if (!values.length) return { warmMb: NaN, endMb: NaN, peakMb: NaN, growthMb: NaN, monotonic: false };
  const warmIndex = Math.min(values.length - 1, Math.floor(values.length / 4));
  const after = values.slice(warmIndex);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    warmMb: round(values[warmIndex]!),
    endMb: round(values.at(-1)!),
    peakMb: round(Math.max(...values)),
    growthMb: round(values.at(-1)! - values[warmIndex]!),
    monotonic: after.length > 2 && after.every((v, i) => i === 0 || v >= after[i - 1]!),
  };
}

/**
 * `connections` clients for `seconds` against `baseUrl`, each going through `mix` in turn; the
 * process `pid` (the web server) sampled every `sampleEverySeconds`.
 */
export async function runLoad(options: {
  baseUrl: string;
  mix: { path: string; headers: Record<string, string> }[];
  connections: number;
  seconds: number;
  pid: number;
  sampleEverySeconds?: number;
}): Promise<LoadResult> {
  const failures: Record<string, number> = {};
  const rss: RssSample[] = [];
  const started = Date.now();
  const sample = () => rss.push({ t: Math.round((Date.now() - started) / 100) / 10, mb: Math.round(residentMb(options.pid) * 10) / 10 });
  sample();
  const timer = setInterval(sample, (options.sampleEverySeconds ?? 2) * 1000);
  let result: autocannon.Result;
  try {
    result = await autocannon({
      url: options.baseUrl,
      connections: options.connections,
      duration: options.seconds,
      // A page under 200 clients on two cores can take seconds; only a real stall is a timeout.
      timeout: 30,
      requests: options.mix.map((m) => ({
        method: "GET" as const,
        path: m.path,
        headers: m.headers,
        onResponse: (status: number, body: string) => {
          // A page whose rendering failed after its headers went out still answers 200, with the
          // portal's error boundary (app/(portal)/error.tsx) in its HTML.
          const failed = status < 200 || status >= 300 ? String(status) : body.includes('data-testid="page-error"') ? "200 with the error page" : null;
          if (failed) failures[`${m.path} ${failed}`] = (failures[`${m.path} ${failed}`] ?? 0) + 1;
        },
      })),
    });
  } finally {
    clearInterval(timer);
  }
  sample();
  return {
    requests: result.requests.total,
    seconds: result.duration,
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    errors: result.errors + result.non2xx + Object.entries(failures).filter(([k]) => k.endsWith("with the error page")).reduce((n, [, v]) => n + v, 0),
    timeouts: result.timeouts,
    failures,
    rss,
    memory: memoryVerdict(rss),
  };
}

export function describeLoad(r: LoadResult): string {
  return `${r.requests.toLocaleString("en-US")} requests in ${r.seconds} s (${r.rps} req/s), p50 ${r.p50} ms, p90 ${r.p90} ms, p99 ${r.p99} ms, max ${r.max} ms, ${r.errors} errors`;
}

export function describeMemory(m: MemoryVerdict): string {
  return `${m.warmMb} MB after warm-up → ${m.endMb} MB at the end (peak ${m.peakMb} MB, ${m.growthMb >= 0 ? "+" : ""}${m.growthMb} MB${m.monotonic ? ", rising at every sample" : ""})`;
}

// ---- the bench section ----------------------------------------------------------------------

type RecordRow = (figure: string, target: string, result: string, ok: boolean | null) => void;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** The web server's heap bound, as `npm start` gives it (PAVED_WEB_HEAP_MB, or its default). */
function heapMb(): number {
  return parseEnv({ PAVED_WEB_HEAP_MB: process.env.PAVED_WEB_HEAP_MB }).webHeapMb;
}

/** `next start` on the existing build with the bounds `npm start` gives its web server (scripts/start.ts). */
export async function startWeb(env: Record<string, string>): Promise<{ proc: ChildProcess; url: string }> {
  const port = await freePort();
  const proc = spawn(process.execPath, [path.resolve("scripts/lib/web-child.mjs"), "start", "-p", String(port), "-H", "127.0.0.1"], {
    env: { ...process.env, ...env, NODE_ENV: "production", AUTH_TRUST_HOST: "true", NEXT_TELEMETRY_DISABLED: "1", LOG_LEVEL: "warn", NODE_OPTIONS: `--max-old-space-size=${heapMb()} --max-semi-space-size=6`, MALLOC_ARENA_MAX: "2" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) return { proc, url };
    } catch {
      // not yet
    }
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error("the web server did not start");
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * 200 clients for 60 s (BENCH_LOAD_SECONDS) on one web process over the real PostgreSQL with the
 * demo organisation, its 90 days of history, the template catalog and the sandbox's repositories;
 * then the same clients for 10 s on a route that does nothing, as the framework's own floor.
 */
export async function benchLoad(adminUrl: string, record: RecordRow): Promise<void> {
  const seconds = Number(process.env.BENCH_LOAD_SECONDS ?? 60);
  const clients = 200;
  const database = await createBenchDatabase(adminUrl, "load");
  const url = database.url;
  const dataDir = mkdtempSync(path.join(tmpdir(), "paved-bench-load-"));
  let web: ChildProcess | undefined;
  try {
    const { migrate } = await import("../../lib/core/db/migrate.ts");
    const { createClient } = await import("../../lib/core/db/client.ts");
    const { seedDemoOrganisation } = await import("../../prisma/seed/demo-organisation.ts");
    const { seedDemoHistory } = await import("../../prisma/seed/demo-history.ts");
    const { prepareSandbox, publishCatalog } = await import("../lib/catalog.ts");
    const { issueTokenFromCli } = await import("../../lib/org/tokens.ts");
    await migrate(url.toString());
    const client = createClient(url.toString(), 2);
    const secret = randomBytes(32).toString("base64url");
    let auth: { token: string; cookie: string };
    try {
      await seedDemoOrganisation(client);
      await seedDemoHistory(client);
      await publishCatalog(client, () => {});
      await prepareSandbox(dataDir, () => {}, client);
      const { token } = await issueTokenFromCli(client, { login: "alice", name: "bench", expiresInDays: 1 });
      const alice = await client.user.findUniqueOrThrow({ where: { login: "alice" } });
      const session = await encode({ token: { uid: alice.id, sid: randomUUID() }, secret, salt: "authjs.session-token" });
      auth = { token, cookie: `authjs.session-token=${session}` };
    } finally {
      await client.$disconnect();
    }
    const started = await startWeb({ DATABASE_URL: url.toString(), PAVED_DATABASE_MODE: "external", PAVED_SANDBOX: "true", PAVED_DATA_DIR: dataDir, AUTH_SECRET: secret, PAVED_WORKER: "false" });
    web = started.proc;
    const mix = loadMix(auth);
    for (const m of mix) {
      const res = await fetch(`${started.url}${m.path}`, { headers: m.headers, redirect: "manual" });
      if (res.status !== 200) throw new Error(`${m.path} answered ${res.status} before the load`);
      await res.arrayBuffer();
    }
    console.log(`  (${clients} clients for ${seconds} s: warming up done, loading…)`);
    let crashed: string | null = null;
    web.once("exit", (code, signal) => (crashed = `the web server exited (${signal ?? code}) during the load`));
    const result = await runLoad({ baseUrl: started.url, mix, connections: clients, seconds, pid: web.pid!, sampleEverySeconds: 5 });
    const failed = Object.entries(result.failures).map(([k, n]) => `${n} × ${k}`).join(", ");
    record(
      `load: ${clients} concurrent clients for ${seconds} s on the main pages and API routes (${mix.length} paths, one web process)`,
      "no errors; p99 reported",
      `${crashed ? `${crashed}: ` : ""}${describeLoad(result)}${failed ? ` (${failed})` : ""}`,
      result.errors === 0 && !crashed,
    );
    console.log(`  RSS samples: ${result.rss.map((x) => `${x.t}s ${x.mb}MB`).join(", ")}`);
    if (crashed) return;
    record(
      `web server memory across that load (RSS every 5 s; heap bound ${heapMb()} MB, PAVED_WEB_HEAP_MB)`,
      `stable: not rising at every sample by 64 MB or more, peak < heap + 256 MB`,
      describeMemory(result.memory),
      !(result.memory.monotonic && result.memory.growthMb >= 64) && result.memory.peakMb < heapMb() + 256,
    );
    const floor = await runLoad({ baseUrl: started.url, mix: [{ path: "/api/v1/no-such-route", headers: { authorization: `Bearer ${auth.token}` } }], connections: clients, seconds: 10, pid: web.pid! });
    record(`baseline: the same ${clients} clients on a route that does nothing (JSON 404), 10 s`, "(baseline)", `${floor.rps} req/s, p50 ${floor.p50} ms, p99 ${floor.p99} ms`, null);
  } finally {
    if (web && web.exitCode === null && web.signalCode === null) {
      const exited = new Promise((r) => web!.once("exit", r));
      web.kill("SIGTERM");
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
    await database.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const record: RecordRow = (figure, target, result, ok) => console.log(`  ${ok === null ? "·" : ok ? "✓" : "✗"} ${figure}: ${result} (target ${target})`);
  await benchLoad(process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres", record);
}
