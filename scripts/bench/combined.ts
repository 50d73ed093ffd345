// One database holding every size the issues name at once (issue 9): the generator below fills
// it with 1,000 templates × 5 versions, 5,000 services / ~20,000 dependencies, 1,000,000
// deployments over two years, 50,000 incidents and 1,000 SLOs; then the read figures are measured
// through a running web server (the routes people and scripts call), each against all of that
// data. The other sections keep databases of their own for figures that need a shape of their
// own (the editor at exactly 500 nodes, the matrix's GitOps repository of 500 services, the
// webhook's worker).
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ChildProcess } from "node:child_process";
import { SYSTEM_ACTOR } from "../../lib/core/auth/actor.ts";
import { createClient } from "../../lib/core/db/client.ts";
import { migrate } from "../../lib/core/db/migrate.ts";
import { listDeployments } from "../../lib/delivery/read.ts";
import { addDays, dayOf } from "../../lib/insights/definitions.ts";
import { refreshRollups } from "../../lib/insights/rollup.ts";
import { issueTokenFromCli } from "../../lib/org/tokens.ts";
import { syncCatalog } from "../../lib/templates/sync.ts";
import { seedDemoOrganisation } from "../../prisma/seed/demo-organisation.ts";
import { load, percentile, syntheticCatalog, timeEach } from "./catalog.ts";
import { syntheticGraph } from "./graph.ts";
import { startWeb } from "./load.ts";
import { createBenchDatabase } from "./database.ts";
import { insertHistory } from "./history.ts";

type RecordRow = (figure: string, target: string, result: string, ok: boolean | null) => void;

export const SIZES = { templates: 1000, versions: 5, services: 5000, edges: 20_000, deployments: 1_000_000, incidents: 50_000, slos: 1000 } as const;
const PREFIX = "one database, every size:";

/** Fills `url` (migrated, demo organisation seeded) to SIZES; returns what it holds. */
async function fill(url: string, record: RecordRow): Promise<void> {
  const client = createClient(url, 4);
  try {
    let started = performance.now();
    await syncCatalog(client, await syntheticCatalog(SIZES.templates, SIZES.versions), SYSTEM_ACTOR);
    const catalogSeconds = (performance.now() - started) / 1000;

    started = performance.now();
    const teams = await client.team.findMany({ orderBy: { slug: "asc" }, select: { id: true } });
    const envs = ["dev", "staging", "production"];
    const graph = syntheticGraph(SIZES.services, SIZES.edges, "all");
    await client.service.createMany({
      data: graph.map((s, i) => ({
        name: s.name,
        teamId: teams[i % teams.length]!.id,
        strategy: "rolling" as const,
        environments: envs,
        healthCheckPath: "/health",
        repository: `bench/${s.name}`,
        pathGlobs: [`services/${s.name}/**`],
      })),
    });
    const ids = new Map((await client.service.findMany({ select: { id: true, name: true } })).map((s) => [s.name, s.id]));
    const edges = graph.flatMap((s) => s.dependsOn.map((d) => ({ serviceId: ids.get(s.name)!, dependsOnId: ids.get(d)! })));
    for (let i = 0; i < edges.length; i += 10_000) await client.serviceDependency.createMany({ data: edges.slice(i, i + 10_000) });

    await insertHistory(client, { prefix: "all-", services: SIZES.services, deployments: SIZES.deployments, incidents: SIZES.incidents });
    const services = await client.service.findMany({ where: { name: { startsWith: "all-" } }, orderBy: { name: "asc" }, take: SIZES.slos, select: { id: true, teamId: true } });
    await client.slo.createMany({
      data: services.map((s, i) => ({
        serviceId: s.id,
        ownerTeamId: s.teamId,
        name: `bench-${String(i).padStart(4, "0")}`,
        kind: "availability" as const,
        objective: 99.9,
        window: "30d" as const,
        sli: { source: "http", selector: "" },
        environment: "production",
      })),
    });
    await client.$executeRawUnsafe(`ANALYZE`);
    await refreshRollups(client, { full: true });
    const c = (
      await client.$queryRawUnsafe<Record<string, number>[]>(
        `SELECT (SELECT count(*) FROM template_versions)::int AS versions, (SELECT count(*) FROM services)::int AS services,
                (SELECT count(*) FROM service_dependencies)::int AS edges, (SELECT count(*) FROM deployments)::int AS deployments,
                (SELECT count(*) FROM incidents)::int AS incidents, (SELECT count(*) FROM slos)::int AS slos`,
      )
    )[0]!;
    const n = (k: string) => (c[k] ?? 0).toLocaleString("en-US");
    record(
      `${PREFIX} the generator (catalog through the sync; the rest in SQL and batched inserts; roll-ups)`,
      "(set-up)",
      `${n("versions")} template versions, ${n("services")} services, ${n("edges")} dependencies, ${n("deployments")} deployments, ${n("incidents")} incidents, ${n("slos")} SLOs: catalog ${catalogSeconds.toFixed(1)} s, the rest ${((performance.now() - started) / 1000).toFixed(1)} s`,
      null,
    );
  } finally {
    await client.$disconnect();
  }
}

export async function benchCombined(adminUrl: string, record: RecordRow): Promise<void> {
  const database = await createBenchDatabase(adminUrl, "all");
  const url = database.url;
  const dataDir = mkdtempSync(path.join(tmpdir(), "paved-bench-all-"));
  let web: ChildProcess | undefined;
  try {
    await migrate(url.toString());
    const seed = createClient(url.toString(), 2);
    let token: string;
    try {
      await seedDemoOrganisation(seed);
      token = (await issueTokenFromCli(seed, { login: "alice", name: "bench", expiresInDays: 1 })).token;
    } finally {
      await seed.$disconnect();
    }
    await fill(url.toString(), record);

    const started = await startWeb({ DATABASE_URL: url.toString(), PAVED_DATABASE_MODE: "external", PAVED_SANDBOX: "true", PAVED_DATA_DIR: dataDir, AUTH_SECRET: randomBytes(32).toString("base64url"), PAVED_WORKER: "false" });
    web = started.proc;
    const base = started.url;
    const auth = { authorization: `Bearer ${token}` };
    const get = async (p: string) => {
      const res = await fetch(`${base}${p}`, { headers: auth });
      if (!res.ok) throw new Error(`${p} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      await res.arrayBuffer();
    };
    /** p95 of `runs` sequential calls, after three to warm up. */
    const p95Of = async (runs: number, call: (i: number) => Promise<void>) => {
      for (let i = 0; i < 3; i++) await call(i);
      const times = await timeEach(runs, call);
      return { p95: percentile(times, 95), p50: percentile(times, 50) };
    };
    const row = (figure: string, target: string, limit: number | null, t: { p95: number; p50: number }) =>
      record(`${PREFIX} ${figure}`, target, `${t.p95} ms (p50 ${t.p50})`, limit === null ? null : t.p95 <= limit);

    const words = ["dotnet", "node", "python", "terraform", "security", "deploy", "canary", "azure", "bench", "pipeline"];
    row("catalog search, GET /api/v1/templates?q=…, p95", "≤ 50 ms", 50, await p95Of(200, (i) => get(`/api/v1/templates?q=${words[i % words.length]}`)));

    await get("/api/v1/services?limit=50&offset=100");
    const page = await load(`${base}/api/v1/services?limit=50&offset=100`, { connections: 10, duration: 8, headers: auth });
    record(
      `${PREFIX} a page of 50 services (of ${SIZES.services.toLocaleString("en-US")}), GET /api/v1/services, p95, 10 concurrent clients`,
      "≤ 40 ms",
      `${page.p95} ms (p50 ${page.p50}, ${Math.round(page.rps)} req/s, ${page.errors} errors)`,
      page.p95 <= 40 && page.errors === 0,
    );
    row(`GET /api/v1/graph, ${SIZES.services.toLocaleString("en-US")} services, p95`, "(no target; ≤ 50 ms is named at 2,000)", null, await p95Of(50, () => get("/api/v1/graph")));
    row(
      `plan every service, POST /api/v1/plans (${SIZES.services.toLocaleString("en-US")} services), p95`,
      "≤ 50 ms (the planner; this adds the read and the answer)",
      null,
      await p95Of(30, async () => {
        const res = await fetch(`${base}/api/v1/plans`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ environment: "production" }) });
        if (!res.ok) throw new Error(`plans answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
        await res.arrayBuffer();
      }),
    );
    const to = new Date();
    const from = new Date(to.getTime() - 30 * 86_400_000);
    // The target is the query's (issue 6), measured as the delivery section does, in process; the
    // route adds the answer's 5,000 objects and their JSON (about 1.3 MB).
    const reader = createClient(url.toString(), 2);
    try {
      row(
        "deployment timeline query, 30-day window (up to 5,000 bars), p95",
        "≤ 100 ms",
        100,
        await p95Of(30, async () => void (await listDeployments(reader, { from: from.toISOString(), to: to.toISOString(), limit: 5000 }))),
      );
    } finally {
      await reader.$disconnect();
    }
    row(
      "the same through the API, GET /api/v1/deployments, p95",
      "(no target)",
      null,
      await p95Of(30, () => get(`/api/v1/deployments?from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}&limit=5000`)),
    );
    const today = dayOf(new Date());
    row("insights summary, two years, GET /api/v1/insights/summary, p95", "≤ 500 ms", 500, await p95Of(30, () => get(`/api/v1/insights/summary?from=${addDays(today, -729)}&to=${today}`)));
    row("incidents, the last 30 days, GET /api/v1/incidents, p95", "(no target)", null, await p95Of(30, () => get("/api/v1/incidents?limit=200")));
    row("SLO list, a page of 100 with live status (sandbox metrics), GET /api/v1/slos, p95", "(no target)", null, await p95Of(30, () => get("/api/v1/slos?limit=100")));
    row("audit trail, a page of 50, GET /api/v1/audit, p95", "(no target)", null, await p95Of(30, () => get("/api/v1/audit?limit=50")));
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
  process.env.LOG_LEVEL ??= "silent";
  const record: RecordRow = (figure, target, result, ok) => console.log(`  ${ok === null ? "·" : ok ? "✓" : "✗"} ${figure}: ${result} (target ${target})`);
  await benchCombined(process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres", record);
  process.exit(0);
}
