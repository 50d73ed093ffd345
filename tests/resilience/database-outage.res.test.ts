// PostgreSQL going away and coming back. The machine's cluster is shared and stays up: a TCP proxy
// (tests/support/proxy.ts) stands between Paved and it and is cut (connections refused, or
// accepted and never answered) and restored. Meanwhile every route answers 503 `unavailable` in the
// error shape and writes nothing; afterwards the same process serves again without a restart. With
// a production build, the same holds for a real web server and a real worker, which survive the
// outage and go on working.
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/core/db/client";
import { resetIntegrationHealthCache } from "@/lib/integrations/health";
import { TEST_AUTH_SECRET } from "../support/context";
import { createTestDatabase, useDatabase, useSharedDatabase, type TestDatabase } from "../support/database";
import { makePerson, unique, type TestPerson } from "../support/factory";
import { callJson, expectErrorBody } from "../support/http";
import { productionBuildStatus, startWebProcess, startWorkerProcess, type PavedProcess } from "../support/processes";
import { startTcpProxy, type TcpProxy } from "../support/proxy";

const build = await productionBuildStatus();

let database: TestDatabase;
let proxy: TcpProxy;
let admin: TestPerson;
const processes: PavedProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase({ seed: true });
  const target = new URL(database.url);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  // Paved's own code (db(), the job client) reaches the database only through the proxy.
  await useDatabase(proxy.rewrite(database.url));
  admin = await makePerson(["platform-admin"], { prefix: "pg-outage" });
});

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop()));
  await proxy?.restore();
  await useSharedDatabase();
  await proxy?.close();
  await database?.drop();
});

/** Retries `fn` until it answers `status`; returns how long that took. */
async function recovers(fn: () => Promise<{ status: number }>, status: number, timeoutMs = 15_000): Promise<number> {
  const started = Date.now();
  let last = 0;
  while (Date.now() - started < timeoutMs) {
    last = (await fn()).status;
    if (last === status) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`still answering ${last} after ${timeoutMs} ms`);
}

describe("PostgreSQL unreachable, in process", () => {
  const teams = () => callJson<{ items: unknown[] }>("GET", "/api/v1/teams", { token: admin.token });

  it("answers 503 unavailable while it is refused, writes nothing, and serves again once it is back", async () => {
    expect((await teams()).status).toBe(200);
    await proxy.cut("refuse");

    const read = await teams();
    expect(expectErrorBody(read, 503, "unavailable").message).toMatch(/database/i);
    const slug = unique("outage");
    expectErrorBody(await callJson("POST", "/api/v1/teams", { body: { slug, name: "Written during the outage" }, token: admin.token }), 503, "unavailable");
    resetIntegrationHealthCache();
    const health = await callJson<{ status: string; database: { ok: boolean } }>("GET", "/api/health");
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: "down", database: { ok: false } });
    // Liveness does not depend on the database: an outage must not restart every instance.
    expect((await callJson("GET", "/api/health", { query: { probe: "live" } })).status).toBe(200);

    await proxy.restore();
    const took = await recovers(teams, 200);
    expect(took).toBeLessThan(5_000);
    expect((await callJson("GET", "/api/health")).status).toBe(200);
    expect(await db().team.count({ where: { slug } })).toBe(0);
    expect((await callJson("POST", "/api/v1/teams", { body: { slug, name: "Written after the outage" }, token: admin.token })).status).toBe(201);
  });

  it("answers 503 within the connection timeout when PostgreSQL accepts connections and never answers", async () => {
    await proxy.cut("blackhole");
    // The first requests may meet pooled connections that were just cut (503 at once); then new
    // connections are opened into the silence. lib/core/db/client.ts gives a connection 10 s.
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      expectErrorBody(await teams(), 503, "unavailable");
      times.push(Date.now() - started);
    }
    expect(proxy.attempts).toBeGreaterThan(0);
    expect(Math.max(...times)).toBeGreaterThan(5_000);
    expect(Math.max(...times)).toBeLessThan(15_000);
    await proxy.restore();
    await recovers(teams, 200);
  }, 60_000);

  it("answers 503 when the connections it holds are cut under it (a restarted server)", async () => {
    expect((await teams()).status).toBe(200);
    // Cut and back at once: every pooled connection is dead, the server is there again.
    await proxy.cut("reset");
    await proxy.restore();
    const first = await teams();
    expect([200, 503]).toContain(first.status);
    if (first.status === 503) expectErrorBody(first, 503, "unavailable");
    await recovers(teams, 200, 5_000);
  });
});

describe.skipIf(!build.usable)(`PostgreSQL unreachable, for a real web server and worker (${build.reason})`, () => {
  it("the web server answers 503 meanwhile, the worker survives, and both go on once it is back", async () => {
    const env = { DATABASE_URL: proxy.rewrite(database.url), AUTH_SECRET: TEST_AUTH_SECRET, PAVED_DATA_DIR: mkdtempSync(path.join(tmpdir(), "paved-outage-")) };
    const web = await startWebProcess(env);
    processes.push(web);
    const worker = await startWorkerProcess(env);
    processes.push(worker);
    const get = async (path: string) => {
      const res = await fetch(`${web.url}${path}`, { headers: { authorization: `Bearer ${admin.token}` } });
      return { status: res.status, body: (await res.json()) as { error?: { code: string } } };
    };
    expect((await get("/api/v1/teams")).status).toBe(200);

    await proxy.cut("refuse");
    const during = await get("/api/v1/teams");
    expect(during.status).toBe(503);
    expect(during.body.error?.code).toBe("unavailable");
    expect((await get("/api/health")).status).toBe(503);
    expect((await get("/api/health?probe=live")).status).toBe(200);
    // Long enough for the worker to fail several polls of the queue.
    await new Promise((r) => setTimeout(r, 5_000));
    expect(worker.child.exitCode, worker.output()).toBeNull();
    expect(web.child.exitCode, web.output()).toBeNull();

    await proxy.restore();
    await recovers(() => get("/api/v1/teams"), 200);
    // The worker takes up a job queued after the outage.
    const { sendJob } = await import("@/lib/core/jobs/sender");
    const { verifyAuditChainJob } = await import("@/lib/audit/jobs");
    const jobId = await sendJob(verifyAuditChainJob, {}, { singletonKey: randomUUID() });
    expect(jobId).toBeTruthy();
    const deadline = Date.now() + 30_000;
    let state = "";
    while (Date.now() < deadline) {
      const rows = await db().$queryRawUnsafe<{ state: string }[]>(`SELECT state::text FROM pgboss.job WHERE id = $1::uuid`, jobId);
      state = rows[0]?.state ?? "";
      if (state === "completed" || state === "failed") break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(state, worker.output()).toBe("completed");
  });
});
