// Load: 200 concurrent clients for 10 s, after 5 s of the same to warm up (autocannon,
// scripts/bench/load.ts) on a real web process
// (`next start` on the production build, with the heap bound `npm start` gives it) over the real
// PostgreSQL, going through the portal's main pages (signed in) and its busiest API reads. No
// errors (every answer 2xx, no timeout), p99 printed, and the process's resident memory sampled
// every 2 s does not keep climbing. `npm run bench -- --only load` runs the same for 60 s and
// records the figures in the bench table.
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { encode } from "next-auth/jwt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/core/db/client";
import { parseEnv } from "@/lib/core/env";
import { seedDemoHistory } from "@/prisma/seed/demo-history";
import { prepareSandbox, publishCatalog } from "@/scripts/lib/catalog";
import { describeLoad, describeMemory, loadMix, runLoad } from "@/scripts/bench/load";
import { createTestDatabase, useDatabase, useSharedDatabase, type TestDatabase } from "../support/database";
import { makeToken } from "../support/factory";
import { productionBuildStatus, startWebProcess, type WebProcess } from "../support/processes";

const build = await productionBuildStatus();
const CLIENTS = 200;
const SECONDS = Number(process.env.PAVED_LOAD_SECONDS ?? 10);
/** How much the web process may grow between warm-up and the end while rising at every sample. */
const GROWTH_BOUND_MB = 64;

describe.skipIf(!build.usable)(`${CLIENTS} clients for ${SECONDS} s on one web process (${build.reason})`, () => {
  let database: TestDatabase;
  let web: WebProcess;
  let auth: { token: string; cookie: string };

  beforeAll(async () => {
    database = await createTestDatabase({ seed: true });
    await useDatabase(database.url);
    // What `npm start` gives a newcomer: the demo organisation with its 90 days of history, the
    // shipped catalog and the sandbox's repositories and cluster.
    await seedDemoHistory(db());
    await publishCatalog(db(), () => {});
    const dataDir = mkdtempSync(path.join(tmpdir(), "paved-load-"));
    await prepareSandbox(dataDir, () => {}, db());
    const secret = randomBytes(32).toString("base64url");
    const alice = await db().user.findUniqueOrThrow({ where: { login: "alice" } });
    const session = await encode({ token: { uid: alice.id, sid: randomUUID() }, secret, salt: "authjs.session-token" });
    auth = { token: (await makeToken(alice.id)).token, cookie: `authjs.session-token=${session}` };
    web = await startWebProcess({ DATABASE_URL: database.url, AUTH_SECRET: secret, PAVED_DATA_DIR: dataDir, PAVED_WORKER: "false" });
    // Each page and route once, so that what is compiled or cached on first use is not counted as load.
    for (const m of loadMix(auth)) {
      const res = await fetch(`${web.url}${m.path}`, { headers: m.headers, redirect: "manual" });
      expect(res.status, `${m.path}: ${(await res.text()).slice(0, 300)}`).toBe(200);
    }
  }, 180_000);

  afterAll(async () => {
    await web?.stop();
    await useSharedDatabase();
    await database?.drop();
  });

  it("answers every request without an error, reports p99, and keeps its memory from climbing", async () => {
    // The heap grows to what this load needs first (V8 takes its time): 5 s of the same load, then the measured run.
    const warmUp = await runLoad({ baseUrl: web.url, mix: loadMix(auth), connections: CLIENTS, seconds: 5, pid: web.pid });
    expect(warmUp.failures).toEqual({});
    const result = await runLoad({ baseUrl: web.url, mix: loadMix(auth), connections: CLIENTS, seconds: SECONDS, pid: web.pid, sampleEverySeconds: 2 });
    console.log(`[load] ${CLIENTS} clients: ${describeLoad(result)}`);
    console.log(`[load] web process memory: ${describeMemory(result.memory)}; samples ${result.rss.map((s) => `${s.t}s ${s.mb}MB`).join(", ")}`);
    expect(result.failures).toEqual({});
    expect(result.errors).toBe(0);
    expect(result.timeouts).toBe(0);
    // Requests still under way when the time is up are not counted (nor failed); on a busy two-core
    // machine a page under 200 clients takes seconds, so only "some answered" is asserted here.
    expect(result.requests).toBeGreaterThan(0);
    expect(Number.isFinite(result.p99)).toBe(true);
    expect(web.child.exitCode ?? web.child.signalCode, web.output()).toBeNull();
    // Stable: not rising at every sample by more than the bound (a leak), and never near the heap's ceiling.
    expect(result.memory.monotonic && result.memory.growthMb > GROWTH_BOUND_MB, describeMemory(result.memory)).toBe(false);
    expect(result.memory.growthMb, describeMemory(result.memory)).toBeLessThan(2 * GROWTH_BOUND_MB);
    expect(result.memory.peakMb, describeMemory(result.memory)).toBeLessThan(parseEnv({}).webHeapMb + 256);
    // The web process still answers at once after the load.
    const after = await fetch(`${web.url}/api/health`);
    expect(after.status).toBe(200);
  });
});
