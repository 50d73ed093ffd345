// `npm start` as an operator sees it: starts on a fresh data folder, answers, hands out tokens
// through the running server's database socket, stops cleanly on SIGTERM and SIGINT leaving no
// process behind, and comes back with its data — also after being killed with SIGKILL.
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";

test.describe.configure({ mode: "serial" });

const PORT = 3231;
const BASE = `http://127.0.0.1:${PORT}`;
const dataDir = mkdtempSync(path.join(tmpdir(), "paved-launcher-"));
test.afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

// A launcher a failed test left running would hold the port for the next one: stop it.
const running = new Set<ChildProcess>();
test.afterEach(async () => {
  for (const proc of running) {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill("SIGKILL");
      await new Promise((r) => proc.once("exit", r));
    }
  }
  running.clear();
});

/**
 * fetch, once more on a connection the server closed as it was reused: undici keeps the health
 * polls' keep-alive connection, and reusing it just as the server's keep-alive timeout ends (the
 * token CLI takes seconds to start) fails with "other side closed" — the client's race, not Paved's.
 */
async function get(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch {
    return fetch(url, init);
  }
}

function start(): { proc: ChildProcess; output: () => string } {
  let out = "";
  const proc = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    env: { ...process.env, PORT: String(PORT), PAVED_DATA_DIR: dataDir, LOG_LEVEL: "warn", DATABASE_URL: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(proc);
  proc.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  return { proc, output: () => out };
}

async function waitForHealth(timeoutMs = 120_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${BASE}/api/health`);
      if (res.ok) return (await res.json()) as Record<string, unknown>;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("launcher did not become healthy");
}

/** Every descendant pid of `pid` (the web server, tsx's esbuild service…). */
function descendants(pid: number): number[] {
  const out = execFileSync("ps", ["-e", "-o", "pid=,ppid="]).toString();
  const children = new Map<number, number[]>();
  for (const line of out.trim().split("\n")) {
    const [p, pp] = line.trim().split(/\s+/).map(Number);
    if (p === undefined || pp === undefined) continue;
    children.set(pp, [...(children.get(pp) ?? []), p]);
  }
  const all: number[] = [];
  const walk = (p: number) => (children.get(p) ?? []).forEach((c) => (all.push(c), walk(c)));
  walk(pid);
  return all;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function exited(proc: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (proc.exitCode !== null ? resolve(proc.exitCode) : proc.once("exit", (code) => resolve(code))));
}

async function waitGone(pids: number[], timeoutMs = 15_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && pids.some(alive)) await new Promise((r) => setTimeout(r, 100));
  return pids.filter(alive);
}

test("starts on a fresh data folder, serves tokens while running, and stops cleanly on SIGTERM", async () => {
  test.setTimeout(180_000);
  const { proc, output } = start();
  const health = await waitForHealth();
  expect(health).toMatchObject({ status: "ok", sandbox: true, database: { mode: "embedded", ok: true } });
  expect(output()).toContain("seeded the demo organisation");

  // npm run token reaches the running server's embedded database through its socket.
  const token = execFileSync(process.execPath, ["--import", "tsx", "scripts/token.ts", "--user", "dave", "--name", "launcher-test"], {
    env: { ...process.env, PAVED_DATA_DIR: dataDir, DATABASE_URL: "" },
  })
    .toString()
    .trim();
  const me = await get(`${BASE}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
  expect(me.status).toBe(200);
  expect(((await me.json()) as { user: { login: string } }).user.login).toBe("dave");

  const children = descendants(proc.pid as number);
  expect(children.length).toBeGreaterThan(0);
  proc.kill("SIGTERM");
  expect(await exited(proc)).toBe(0);
  expect(await waitGone(children)).toEqual([]);
  expect(existsSync(path.join(dataDir, "runtime.json"))).toBe(false);
  expect(output()).toContain("stopped");
});

test("restarts on the same data (nothing seeded twice, the token still works), then stops on SIGINT", async () => {
  test.setTimeout(120_000);
  const { proc, output } = start();
  await waitForHealth();
  expect(output()).not.toContain("seeded the demo organisation");
  const teams = execFileSync(process.execPath, ["--import", "tsx", "scripts/token.ts", "--user", "alice"], { env: { ...process.env, PAVED_DATA_DIR: dataDir, DATABASE_URL: "" } })
    .toString()
    .trim();
  const res = await get(`${BASE}/api/v1/teams`, { headers: { authorization: `Bearer ${teams}` } });
  expect(((await res.json()) as { items: unknown[] }).items).toHaveLength(3);
  const verify = await get(`${BASE}/api/v1/audit/verify`, { headers: { authorization: `Bearer ${teams}` } });
  expect(await verify.json()).toMatchObject({ ok: true });

  const children = descendants(proc.pid as number);
  proc.kill("SIGINT");
  expect(await exited(proc)).toBe(0);
  expect(await waitGone(children)).toEqual([]);
});

test("after SIGKILL nothing is left running and the next start finds its data intact", async () => {
  test.setTimeout(120_000);
  const first = start();
  await waitForHealth();
  const children = descendants(first.proc.pid as number);
  first.proc.kill("SIGKILL");
  await exited(first.proc);
  // The web server notices its launcher is gone and exits by itself.
  expect(await waitGone(children)).toEqual([]);

  const second = start();
  const health = await waitForHealth();
  expect(health).toMatchObject({ database: { ok: true } });
  const token = execFileSync(process.execPath, ["--import", "tsx", "scripts/token.ts", "--user", "alice"], { env: { ...process.env, PAVED_DATA_DIR: dataDir, DATABASE_URL: "" } })
    .toString()
    .trim();
  const verify = await get(`${BASE}/api/v1/audit/verify`, { headers: { authorization: `Bearer ${token}` } });
  expect(await verify.json()).toMatchObject({ ok: true });
  second.proc.kill("SIGTERM");
  expect(await exited(second.proc)).toBe(0);
});
