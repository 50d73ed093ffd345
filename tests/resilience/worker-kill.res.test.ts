// A worker killed in the middle of a promotion run: a real `npm run worker` process picks the run
// up, is SIGKILLed while the canary rolls out, and another worker started afterwards finds the
// run's heartbeat stale and finishes it from its first unfinished step, without committing,
// deploying or migrating twice (lib/delivery/run.ts: owner + heartbeat; lib/worker/index.ts
// looks for such runs as soon as a worker starts).
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/core/db/client";
import { setGitOpsEngine } from "@/lib/delivery/engine";
import { gitOpsRepositoryOf } from "@/lib/gitops/repository";
import type { LocalGitHost } from "@/lib/integrations/localgit/git-host";
import { prepareSandbox } from "@/scripts/lib/catalog";
import { useSandboxGit } from "../support/catalog";
import { TEST_AUTH_SECRET } from "../support/context";
import { createTestDatabase, useDatabase, useSharedDatabase, type TestDatabase } from "../support/database";
import { makePerson, type TestPerson } from "../support/factory";
import { callJson } from "../support/http";
import { startWorkerProcess, type PavedProcess } from "../support/processes";

let database: TestDatabase;
let dataDir: string;
let host: LocalGitHost;
let carol: TestPerson;
const workers: PavedProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase({ seed: true });
  await useDatabase(database.url);
  const git = await useSandboxGit([]);
  dataDir = git.dataDir;
  host = git.host as LocalGitHost;
  setGitOpsEngine(undefined);
  await prepareSandbox(dataDir, () => {}, db());
  const platform = await db().team.findUniqueOrThrow({ where: { slug: "platform" } });
  carol = await makePerson(["release-manager"], { team: { id: platform.id, slug: platform.slug }, prefix: "carol" });
}, 180_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  setGitOpsEngine(undefined);
  await useSharedDatabase();
  await database?.drop();
});

const workerEnv = () => ({
  DATABASE_URL: database.url,
  PAVED_DATA_DIR: dataDir,
  AUTH_SECRET: TEST_AUTH_SECRET,
  // Real timings of the sandbox cluster: a canary step takes a second, its analysis 1.5 s.
  PAVED_SANDBOX_SPEED: "1",
  PAVED_WORKER_CONCURRENCY: "2",
});

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | null | undefined | false>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${workers.map((w) => w.output()).join("\n---\n")}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const steps = (runId: string) => db().runStep.findMany({ where: { runId }, orderBy: { position: "asc" } });

function commitsTouching(file: string): string[] {
  const dir = host.gitDir(gitOpsRepositoryOf(host));
  return execFileSync("git", ["--git-dir", dir, "log", "--format=%s", "--all", "--", file], { encoding: "utf8" }).trim().split("\n").filter(Boolean);
}

describe("a worker killed mid-run", () => {
  it("leaves the run to another worker, which resumes at the first unfinished step and repeats nothing", async () => {
    const created = await callJson<{ id: string; status: string }>("POST", "/api/v1/promotions", {
      body: { environment: "staging", services: [{ name: "frontend", version: "3.3.0-rc.2" }], reason: "resilience: kill the worker" },
      token: carol.token,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.status).toBe("approved");
    const overlay = "apps/frontend/overlays/staging/kustomization.yaml";
    const commitsBefore = commitsTouching(overlay).length;

    const first = await startWorkerProcess(workerEnv());
    workers.push(first);
    const started = await callJson<{ run: { id: string } }>("POST", "/api/v1/promotions/{id}/execute", { params: { id: created.body.id }, token: carol.token });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const runId = started.body.run.id;

    // The first worker commits, syncs and starts following the canary; kill it there.
    await until("the canary rollout to be under way in the first worker", 60_000, async () => {
      const s = await steps(runId);
      const commit = s.find((x) => x.kind === "commit");
      const rollout = s.find((x) => x.kind === "rollout");
      return commit?.status === "succeeded" && rollout?.status === "running" && ((rollout.detail as { weights?: number[] }).weights?.length ?? 0) >= 1;
    });
    const owner = (await db().deliveryRun.findUniqueOrThrow({ where: { id: runId } })).owner;
    expect(owner).not.toBeNull();
    first.kill("SIGKILL");
    const exit = await first.exited;
    expect(exit.signal).toBe("SIGKILL");
    const atKill = await steps(runId);
    expect(atKill.map((s) => `${s.kind}:${s.status}`)).toEqual(["commit:succeeded", "sync:succeeded", "rollout:running"]);
    expect(commitsTouching(overlay).length).toBe(commitsBefore + 1);

    // Nobody moves the run while no worker runs; its heartbeat goes stale (20 s).
    const run = await until("the dead worker's heartbeat to go stale", 40_000, async () => {
      const r = await db().deliveryRun.findUniqueOrThrow({ where: { id: runId } });
      return r.heartbeatAt && Date.now() - r.heartbeatAt.getTime() > 21_000 ? r : null;
    });
    expect(run.status).toBe("running");
    expect(run.owner).toBe(owner);

    // Another worker starts, finds the run and finishes it.
    const second = await startWorkerProcess(workerEnv());
    workers.push(second);
    const done = await until("the run to finish on the second worker", 90_000, async () => {
      const r = await db().deliveryRun.findUniqueOrThrow({ where: { id: runId } });
      return r.finishedAt ? r : null;
    });
    expect(done.status, done.message ?? "").toBe("succeeded");
    expect(done.owner).toBeNull();
    const final = await steps(runId);
    expect(final.map((s) => `${s.kind}:${s.status}`)).toEqual(["commit:succeeded", "sync:succeeded", "rollout:succeeded"]);
    // Finished steps were not run again; the one under way was taken up once more.
    expect(final.find((s) => s.kind === "commit")?.attempts).toBe(1);
    expect(final.find((s) => s.kind === "sync")?.attempts).toBe(1);
    expect(final.find((s) => s.kind === "rollout")?.attempts).toBe(2);
    expect(final.find((s) => s.kind === "rollout")?.startedAt).toEqual(atKill.find((s) => s.kind === "rollout")?.startedAt);
    expect((final.find((s) => s.kind === "rollout")?.detail as { weights?: number[] }).weights?.at(-1)).toBe(100);
    // One commit, one deployment, and the version is live.
    expect(commitsTouching(overlay).length).toBe(commitsBefore + 1);
    const deployments = await db().deployment.findMany({ where: { runId } });
    expect(deployments.map((d) => `${d.service}:${d.version}:${d.outcome}`)).toEqual(["frontend:3.3.0-rc.2:succeeded"]);
    expect((await db().promotion.findUniqueOrThrow({ where: { id: created.body.id } })).status).toBe("succeeded");
    expect(await db().deliveryLock.count({ where: { runId } })).toBe(0);
  });
});
