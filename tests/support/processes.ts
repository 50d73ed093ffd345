// Real Paved processes for the resilience tests: a job worker (`npm run worker`, i.e.
// scripts/worker.ts) and a web server (`next start` on the existing production build, through
// scripts/lib/web-child.mjs as `npm start` runs it), each against a database the test chooses,
// with their output kept for failure messages. Tests kill them with real signals.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseEnv } from "../../lib/core/env.ts";
import { buildIsCurrent } from "../../scripts/lib/build.ts";
import { freePort } from "./servers";

export const ROOT = path.resolve(import.meta.dirname, "../..");

/** A production build exists (`next build` has run); the web processes need one. */
export function productionBuildExists(): boolean {
  return existsSync(path.join(ROOT, ".next/BUILD_ID"));
}

/**
 * Whether tests may start web processes: only on a production build of the current sources (tests
 * never build; `npm start`, `npm run build` or `npm test`'s browser flows make one). Set
 * PAVED_TEST_STALE_BUILD=1 to run them on whatever build exists while the sources change.
 */
export async function productionBuildStatus(): Promise<{ usable: boolean; reason: string }> {
  if (!productionBuildExists()) return { usable: false, reason: "no production build (.next/BUILD_ID): run `npm run build` (or `npm test`, whose browser flows build) first" };
  if (process.env.PAVED_TEST_STALE_BUILD === "1") return { usable: true, reason: "PAVED_TEST_STALE_BUILD=1: using the existing build as it is" };
  if (!(await buildIsCurrent(ROOT))) return { usable: false, reason: "the production build is older than the sources: run `npm run build` first (or set PAVED_TEST_STALE_BUILD=1)" };
  return { usable: true, reason: "current production build" };
}

export interface PavedProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  /** What it printed (stdout and stderr), the last 20,000 characters. */
  output(): string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends a signal (SIGKILL: the process dies at once, as on an OOM kill or a lost machine). */
  kill(signal?: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
  /** Resident memory in MB, from /proc (NaN when gone). */
  rssMb(): number;
}

/** The environment a Paved process gets: the test's database and data folder, nothing of the developer's. */
export function pavedEnv(overrides: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const keep = ["PATH", "HOME", "LANG", "TMPDIR", "TZ", "NODE_PATH"];
  const base: Record<string, string | undefined> = {};
  for (const k of keep) if (process.env[k] !== undefined) base[k] = process.env[k];
  const env: NodeJS.ProcessEnv = { ...base, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1", LOG_LEVEL: "warn", PAVED_SANDBOX: "true", PAVED_DATABASE_MODE: "external" };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

function track(child: ChildProcess, name: string): PavedProcess {
  let log = "";
  const append = (d: Buffer) => {
    log = (log + d.toString()).slice(-20_000);
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const alive = () => child.exitCode === null && child.signalCode === null;
  if (!child.pid) throw new Error(`${name} did not start`);
  const pid = child.pid;
  return {
    pid,
    child,
    output: () => log,
    exited,
    kill(signal = "SIGTERM") {
      if (alive()) child.kill(signal);
    },
    async stop(graceMs = 15_000) {
      if (!alive()) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => alive() && child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
    rssMb() {
      try {
        const status = readFileSync(`/proc/${pid}/status`, "utf8");
        return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
      } catch {
        return Number.NaN;
      }
    },
  };
}

async function waitUntil<T>(what: string, proc: PavedProcess, timeoutMs: number, check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void proc.exited.then(() => (exited = true));
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (exited) throw new Error(`${what}: the process exited before it was ready:\n${proc.output()}`);
    if (Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`${what}: not ready within ${timeoutMs} ms:\n${proc.output()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `npm run worker` (scripts/worker.ts) against `env.DATABASE_URL`; resolves once it polls for jobs. */
export async function startWorkerProcess(env: Record<string, string | undefined>, options: { timeoutMs?: number } = {}): Promise<PavedProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts"], { cwd: ROOT, env: pavedEnv({ NODE_ENV: "production", ...env }), stdio: ["ignore", "pipe", "pipe"] });
  const proc = track(child, "worker");
  await waitUntil("worker", proc, options.timeoutMs ?? 60_000, () => (/\[paved-worker\] running/.test(proc.output()) ? true : undefined));
  return proc;
}

export interface WebProcess extends PavedProcess {
  /** http://127.0.0.1:<port> */
  readonly url: string;
}

/**
 * `next start` on the existing production build (as `npm start` runs it, without the launcher's
 * build check: tests never build). Resolves once `/api/health?probe=live` answers.
 */
export async function startWebProcess(env: Record<string, string | undefined>, options: { timeoutMs?: number; heapMb?: number } = {}): Promise<WebProcess> {
  if (!productionBuildExists()) throw new Error("no production build (.next/BUILD_ID): run `npm run build` first");
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(ROOT, "scripts/lib/web-child.mjs"), "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: ROOT,
    env: pavedEnv({
      NODE_ENV: "production",
      AUTH_TRUST_HOST: "true",
      // The same bounds `npm start` gives its web server (scripts/start.ts).
      NODE_OPTIONS: `--max-old-space-size=${options.heapMb ?? parseEnv({}).webHeapMb} --max-semi-space-size=6`,
      MALLOC_ARENA_MAX: "2",
      ...env,
    }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const proc = track(child, "web");
  const url = `http://127.0.0.1:${port}`;
  await waitUntil("web server", proc, options.timeoutMs ?? 60_000, async () => {
    try {
      const res = await fetch(`${url}/api/health?probe=live`, { signal: AbortSignal.timeout(2000) });
      return res.ok ? true : undefined;
    } catch {
      return undefined;
    }
  });
  return { ...proc, url };
}
