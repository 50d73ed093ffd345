// Several instances on one PostgreSQL: two web processes (`next start` on the production build)
// and two job workers (`npm run worker`), all real processes on the real PostgreSQL. No job runs
// twice (counted from the workers' own logs, job id by job id), a session signed in on one web
// process works on the other (and signing out on one ends it on both), and both answer exactly
// what one instance answers, including right after a write made through the other (the graph is
// cached per process and per revision).
//
// Needs a production build of the current sources (tests never build): skipped otherwise, saying
// why. `npm test` leaves one behind (its browser flows start `npm start`, which builds).
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/core/db/client";
import { sendJob } from "@/lib/core/jobs/sender";
import { resumeRunsJob } from "@/lib/delivery/run-job";
import { prepareSandbox } from "@/scripts/lib/catalog";
import { seedTestCatalog } from "../support/catalog";
import { createTestDatabase, useDatabase, useSharedDatabase, type TestDatabase } from "../support/database";
import { makeToken, unique } from "../support/factory";
import { callRoute } from "../support/http";
import { productionBuildStatus, startWebProcess, startWorkerProcess, type PavedProcess, type WebProcess } from "../support/processes";
import { until } from "./support/wait";

const build = await productionBuildStatus();
const JOBS = 200;

describe.skipIf(!build.usable)(`two web processes and two workers on one PostgreSQL (${build.reason})`, () => {
  let database: TestDatabase;
  let webs: WebProcess[] = [];
  let workers: PavedProcess[] = [];
  let token: string;
  const authSecret = randomBytes(32).toString("base64url");

  beforeAll(async () => {
    database = await createTestDatabase({ seed: true });
    await useDatabase(database.url);
    await seedTestCatalog(db());
    const dataDir = mkdtempSync(path.join(tmpdir(), "paved-instances-"));
    await prepareSandbox(dataDir, () => {}, db());
    const alice = await db().user.findUniqueOrThrow({ where: { login: "alice" } });
    token = (await makeToken(alice.id)).token;
    // What every instance shares: the database, the session secret and the data folder (the sandbox's git).
    const env = { DATABASE_URL: database.url, AUTH_SECRET: authSecret, PAVED_DATA_DIR: dataDir, PAVED_WORKER: "false" };
    webs = await Promise.all([startWebProcess(env), startWebProcess(env)]);
    workers = await Promise.all([startWorkerProcess({ ...env, LOG_LEVEL: "info", PAVED_WORKER_CONCURRENCY: "4" }), startWorkerProcess({ ...env, LOG_LEVEL: "info", PAVED_WORKER_CONCURRENCY: "4" })]);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([...webs, ...workers].map((p) => p.stop()));
    await useSharedDatabase();
    await database?.drop();
  });

  const [a, b] = [() => webs[0]!, () => webs[1]!];

  async function get(web: WebProcess, p: string, headers: Record<string, string> = { authorization: `Bearer ${token}` }) {
    const res = await fetch(`${web.url}${p}`, { headers, redirect: "manual" });
    const text = await res.text();
    return { status: res.status, text, headers: res.headers };
  }

  it(`runs each of ${JOBS} jobs exactly once between the two workers, and both take their share`, async () => {
    const ids: string[] = [];
    for (let i = 0; i < JOBS; i++) {
      const id = await sendJob(resumeRunsJob, {}, { singletonKey: randomUUID() });
      expect(id).toBeTruthy();
      ids.push(id!);
    }
    await until(`${JOBS} jobs to complete`, 90_000, async () => {
      const rows = await db().$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM pgboss.job WHERE id = ANY($1::uuid[]) AND state = 'completed'`, ids);
      return rows[0]!.n === JOBS;
    });
    // Each worker logs "job completed" with the job's id once per execution it finished.
    const executions = new Map<string, string[]>();
    const failures: string[] = [];
    for (const [i, w] of workers.entries()) {
      for (const line of w.output().split("\n")) {
        if (!line.startsWith("{")) continue;
        let entry: { msg?: string; jobId?: string };
        try {
          entry = JSON.parse(line) as typeof entry;
        } catch {
          continue;
        }
        if (!entry.jobId) continue;
        if (entry.msg === "job completed") executions.set(entry.jobId, [...(executions.get(entry.jobId) ?? []), `worker ${i + 1}`]);
        if (entry.msg === "job attempt failed") failures.push(entry.jobId);
      }
    }
    const mine = ids.map((id) => executions.get(id) ?? []);
    expect(mine.filter((e) => e.length !== 1), "jobs not run exactly once").toEqual([]);
    expect(failures.filter((id) => ids.includes(id))).toEqual([]);
    const byWorker = mine.flat().reduce<Record<string, number>>((acc, w) => ({ ...acc, [w]: (acc[w] ?? 0) + 1 }), {});
    expect(Object.keys(byWorker).sort()).toEqual(["worker 1", "worker 2"]);
  });

  it("keeps a session signed in on one web process valid on the other, and a sign-out on the other ends it", async () => {
    const cookiesOf = (res: Response) => res.headers.getSetCookie().map((c) => c.split(";")[0] ?? "");
    const csrf = await fetch(`${a().url}/api/auth/csrf`);
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const signedIn = await fetch(`${a().url}/api/auth/callback/demo`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookiesOf(csrf).join("; "), origin: a().url },
      body: new URLSearchParams({ login: "carol", csrfToken, callbackUrl: "/" }).toString(),
    });
    const session = cookiesOf(signedIn).find((c) => c.startsWith("authjs.session-token="));
    expect(session, `sign-in answered ${signedIn.status}`).toBeDefined();

    for (const web of [a(), b()]) {
      const me = await get(web, "/api/v1/me", { cookie: session! });
      expect(me.status, me.text).toBe(200);
      expect(JSON.parse(me.text)).toMatchObject({ user: { login: "carol" }, via: "session" });
      const page = await get(web, "/services", { cookie: session! });
      expect(page.status).toBe(200);
      expect(page.text).toContain("frontend");
    }

    // Signing out on B revokes the session for A too (revoked sessions live in the database).
    const csrfB = await fetch(`${b().url}/api/auth/csrf`, { headers: { cookie: session! } });
    const { csrfToken: tokenB } = (await csrfB.json()) as { csrfToken: string };
    const out = await fetch(`${b().url}/api/auth/signout`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: [session!, ...cookiesOf(csrfB)].join("; "), origin: b().url },
      body: new URLSearchParams({ csrfToken: tokenB, callbackUrl: "/signin" }).toString(),
    });
    expect(out.status).toBeLessThan(400);
    expect((await get(a(), "/api/v1/me", { cookie: session! })).status).toBe(401);
  });

  it("answers exactly as one instance does, and reads on one what was just written through the other", async () => {
    const paths = ["/api/v1/teams", "/api/v1/services?limit=200", "/api/v1/graph", "/api/v1/environments", "/api/v1/templates", "/api/v1/policies", "/api/v1/users", "/api/v1/graph/export"];
    for (const p of paths) {
      const [ra, rb] = await Promise.all([get(a(), p), get(b(), p)]);
      expect(ra.status, `${p}: ${ra.text.slice(0, 200)}`).toBe(200);
      expect(rb.text, p).toBe(ra.text);
      // The same route called in this process (one instance) gives the same answer.
      const [route, query] = p.split("?");
      const single = await callRoute("GET", route!, { token, query: Object.fromEntries(new URLSearchParams(query ?? "")) });
      expect(ra.text, p).toBe(await single.text());
    }

    // B has the graph cached; a service created through A shows in B's graph at once.
    await get(b(), "/api/v1/graph");
    const name = unique("via-a");
    const created = await fetch(`${a().url}/api/v1/services`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ name, team: "payments", dependsOn: ["database"] }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const graph = JSON.parse((await get(b(), "/api/v1/graph")).text) as { nodes: { name?: string; id?: string }[] };
    expect(JSON.stringify(graph.nodes)).toContain(name);
    expect((await get(b(), `/api/v1/services/${name}`)).status).toBe(200);
    const [ga, gb] = await Promise.all([get(a(), "/api/v1/graph"), get(b(), "/api/v1/graph")]);
    expect(gb.text).toBe(ga.text);
  });
});
