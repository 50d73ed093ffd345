// Delivery at size for the bench, on a database of its own: the environments matrix for 500
// services × 3 environments (on the server: git through the GitHost, the sandbox cluster, the
// database), before and after 1,000,000 deployments, the timeline query over them (first page and
// a deep keyset page), and a wave of 50 services deployed by a real run with bounded parallelism.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createClient, type Db } from "../../lib/core/db/client.ts";
import { migrate } from "../../lib/core/db/migrate.ts";
import { SYSTEM_ACTOR } from "../../lib/core/auth/actor.ts";
import { applicationName, type GitOpsEngine } from "../../lib/core/ports/gitops-engine.ts";
import { LocalGitHost } from "../../lib/integrations/localgit/git-host.ts";
import { demoGitOpsRepo } from "../../lib/integrations/localgit/gitops-seed.ts";
import { seedSandboxRepos } from "../../lib/integrations/localgit/seed.ts";
import { SandboxCluster } from "../../lib/integrations/sandbox-cluster/index.ts";
import { gitOpsRepositoryOf, overlayKustomizationPath, setImageTag } from "../../lib/gitops/repository.ts";
import { environmentsMatrix, listDeployments } from "../../lib/delivery/read.ts";
import { gitopsSnapshot, requireSnapshot } from "../../lib/delivery/gitops-state.ts";
import { buildSteps } from "../../lib/delivery/steps.ts";
import { WAVE_PARALLELISM, executeRun } from "../../lib/delivery/run.ts";
import { DEMO_ENVIRONMENTS, seedDemoOrganisation } from "../../prisma/seed/demo-organisation.ts";
import { percentile, timeEach } from "./catalog.ts";
import { createBenchDatabase } from "./database.ts";

type Record = (figure: string, target: string, result: string, ok: boolean | null) => void;

export async function benchDelivery(adminUrl: string, record: Record): Promise<void> {
  const database = await createBenchDatabase(adminUrl, "delivery");
  const url = database.url;
  const dataDir = mkdtempSync(path.join(tmpdir(), "paved-bench-delivery-"));
  let client: Db | undefined;
  try {
    await migrate(url.toString());
    client = createClient(url.toString(), 6);
    await seedDemoOrganisation(client);
    const team = await client.team.findUniqueOrThrow({ where: { slug: "platform" } });
    const envs = DEMO_ENVIRONMENTS.map((e) => e.name);
    const names = Array.from({ length: 500 }, (_, i) => `svc-${String(i).padStart(3, "0")}`);
    // Only the bench's services in the matrix: the demo's 14 are removed.
    await client.service.deleteMany({});
    await client.service.createMany({ data: names.map((name) => ({ name, teamId: team.id, strategy: "rolling" as const, environments: envs, healthCheckPath: "/health" })) });

    let started = performance.now();
    await seedSandboxRepos(dataDir, [demoGitOpsRepo(names.map((name) => ({ name, team: "platform", healthCheckPath: "/health" })), envs)]);
    record("bench set-up: a GitOps repository of 500 services × 3 environments in local git", "(set-up)", `${((performance.now() - started) / 1000).toFixed(1)} s`, null);
    const host = new LocalGitHost({ dataDir });
    const cluster = new SandboxCluster({ db: client, host, speed: 0.02 });
    started = performance.now();
    await cluster.listApplications();
    record("sandbox cluster: first read of 1,500 applications (renders every overlay once)", "(no target)", `${((performance.now() - started) / 1000).toFixed(1)} s`, null);

    started = performance.now();
    const first = await environmentsMatrix(client, cluster, host);
    const cold = performance.now() - started;
    const warm = await timeEach(20, async () => {
      await environmentsMatrix(client!, cluster, host);
    });
    record(
      `environments matrix, ${first.services.length} services × ${first.environments.length} environments, on the server, p95`,
      "≤ 300 ms",
      `${percentile(warm, 95)} ms (p50 ${percentile(warm, 50)}; ${Math.round(cold)} ms right after a commit)`,
      percentile(warm, 95) <= 300,
    );

    // The timeline: 1,000,000 deployments over three years, the last 30 days asked for.
    started = performance.now();
    await client.$executeRawUnsafe(`
      INSERT INTO deployments (id, service, environment, version, previous_version, strategy, kind, outcome, actor, started_at, finished_at)
      SELECT gen_random_uuid(), 'svc-' || lpad((g % 500)::text, 3, '0'), (ARRAY['dev','staging','production'])[1 + g % 3], '1.' || (g % 97) || '.0', NULL, 'rolling', 'deploy',
             (ARRAY['succeeded','succeeded','succeeded','failed','rolled_back'])[1 + g % 5], 'bench',
             now() - (g::double precision / 1000000 * interval '1095 days'), now() - (g::double precision / 1000000 * interval '1095 days') + interval '3 minutes'
      FROM generate_series(1, 1000000) AS g`);
    await client.$executeRawUnsafe(`ANALYZE deployments`);
    record("bench set-up: 1,000,000 deployments inserted", "(set-up)", `${((performance.now() - started) / 1000).toFixed(1)} s`, null);
    const to = new Date();
    const from = new Date(to.getTime() - 30 * 86_400_000);
    let rows = 0;
    const timeline = await timeEach(30, async () => {
      rows = (await listDeployments(client!, { from: from.toISOString(), to: to.toISOString(), limit: 5000 })).items.length;
    });
    record(
      "timeline query: 30-day window over 1,000,000 deployments (up to 5,000 bars), p95",
      "≤ 100 ms",
      `${percentile(timeline, 95)} ms (p50 ${percentile(timeline, 50)}, ${rows.toLocaleString("en-US")} rows)`,
      percentile(timeline, 95) <= 100,
    );
    const oneService = await timeEach(30, async () => {
      await listDeployments(client!, { service: "svc-042", environment: "production", from: from.toISOString(), to: to.toISOString(), limit: 5000 });
    });
    record("timeline query: one service in one environment, 30 days, p95", "(no target)", `${percentile(oneService, 95)} ms`, null);
    // Keyset paging: a page deep in the window costs what the first one does.
    let cursor: string | null = null;
    for (let page = 0; page < 4; page++) cursor = (await listDeployments(client, { from: from.toISOString(), to: to.toISOString(), limit: 5000, ...(cursor ? { before: cursor } : {}) })).next;
    const deep = await timeEach(30, async () => {
      await listDeployments(client!, { from: from.toISOString(), to: to.toISOString(), limit: 5000, ...(cursor ? { before: cursor } : {}) });
    });
    record("timeline query: the fifth page of 5,000 (keyset, `before`), p95", "(no target)", `${percentile(deep, 95)} ms`, null);

    // The matrix again, now that every service × environment has a long history: one index probe per pair.
    const withHistory = await timeEach(20, async () => {
      await environmentsMatrix(client!, cluster, host);
    });
    record(
      `environments matrix, 500 services × 3 environments with 1,000,000 deployments, on the server, p95`,
      "≤ 300 ms",
      `${percentile(withHistory, 95)} ms (p50 ${percentile(withHistory, 50)})`,
      percentile(withHistory, 95) <= 300,
    );
    await client.deployment.deleteMany({ where: { actor: "bench" } });

    // A wave of 50 services: a real run against the sandbox cluster, counting how many roll out at once.
    const wave = names.slice(0, 50);
    const repo = gitOpsRepositoryOf(host);
    const snapshot = requireSnapshot(await gitopsSnapshot(host));
    await host.commitFiles(
      repo,
      snapshot.branch,
      wave.map((s) => ({ path: overlayKustomizationPath(s, "dev"), content: setImageTag(snapshot.files, s, "dev", "1.1.0") })),
      "bench: 1.1.0 in dev",
    );
    for (const s of wave) await cluster.sync(applicationName(s, "dev"));
    const promotion = await client.promotion.create({
      data: {
        environment: "staging",
        sourceEnvironment: "dev",
        status: "running",
        requestedById: "00000000-0000-0000-0000-000000000000",
        requestedBy: SYSTEM_ACTOR.login,
        plan: { waves: [wave], blockedBy: Object.fromEntries(wave.map((s) => [s, []])) },
        gates: [],
        diff: [],
        items: { create: wave.map((s) => ({ service: s, fromVersion: "1.0.0", toVersion: "1.1.0" })) },
      },
    });
    const run = await client.deliveryRun.create({ data: { promotionId: promotion.id, environment: "staging", startedBy: "bench" } });
    const steps = buildSteps([wave], new Map(wave.map((s) => [s, { migrationScripts: [], strategy: "rolling" }])));
    await client.runStep.createMany({ data: steps.map((s) => ({ ...s, runId: run.id, detail: {} })) });
    let inFlight = 0;
    let peak = 0;
    const counting: GitOpsEngine = new Proxy(cluster, {
      get(target, prop) {
        const value = Reflect.get(target, prop) as unknown;
        if (typeof value !== "function") return value;
        if (prop !== "sync") return (value as (...a: unknown[]) => unknown).bind(target);
        return async (...args: unknown[]) => {
          peak = Math.max(peak, ++inFlight);
          try {
            return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          } finally {
            inFlight--;
          }
        };
      },
    }) as GitOpsEngine;
    started = performance.now();
    const LIMIT_S = 240;
    const finished = await Promise.race([
      executeRun(run.id, { db: client, engine: counting, host, pollMs: 50, analysisMs: 50, errorRate: async () => 0 }).then(
        () => true,
        () => false,
      ),
      new Promise<false>((r) => setTimeout(() => r(false), LIMIT_S * 1000).unref()),
    ]);
    const seconds = (performance.now() - started) / 1000;
    if (!finished) {
      const done = await client.runStep.count({ where: { runId: run.id, kind: "rollout", status: "succeeded" } });
      record("a wave of 50 services deployed by a run (sandbox cluster at speed 0.02)", `bounded parallelism (${WAVE_PARALLELISM} at once)`, `not finished after ${LIMIT_S} s (${done} of 50 rolled out; ${peak} syncs in flight at most)`, false);
      return;
    }
    const status = (await client.deliveryRun.findUniqueOrThrow({ where: { id: run.id } })).status;
    const perService = await client.runStep.findMany({ where: { runId: run.id, kind: "rollout" }, select: { startedAt: true, finishedAt: true } });
    const busy = perService.reduce((n, s) => n + ((s.finishedAt?.getTime() ?? 0) - (s.startedAt?.getTime() ?? 0)), 0) / 1000;
    // Services whose rollouts were under way at the same moment (commits to one branch are serial by design).
    const edges = perService.flatMap((s) => [
      { t: s.startedAt?.getTime() ?? 0, d: 1 },
      { t: s.finishedAt?.getTime() ?? 0, d: -1 },
    ]);
    edges.sort((a, b) => a.t - b.t || a.d - b.d);
    let now = 0;
    let overlap = 0;
    for (const e of edges) overlap = Math.max(overlap, (now += e.d));
    record(
      `a wave of 50 services deployed by a run (sandbox cluster at speed 0.02)`,
      `bounded parallelism (${WAVE_PARALLELISM} at once)`,
      `${status} in ${seconds.toFixed(1)} s; ${overlap} rollouts under way at once at most (${peak} syncs); rollouts took ${busy.toFixed(1)} s in sum, ${(busy / seconds).toFixed(1)}× the wall time`,
      status === "succeeded" && overlap > 1 && overlap <= WAVE_PARALLELISM,
    );
  } finally {
    await client?.$disconnect();
    rmSync(dataDir, { recursive: true, force: true });
    await database.drop();
  }
}
