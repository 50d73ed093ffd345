// npm run bench: measures the figures the issues name, prints figure / target / result, and
// writes docs/benchmarks.md. Uses the real PostgreSQL (DATABASE_URL of a bench database created
// on 127.0.0.1:5432, or BENCH_PG_URL for another server) and the embedded database.
// Benchmarks never run in `npm test`; tests never assert times.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import path from "node:path";
import pg from "pg";
import { migrate } from "../../lib/core/db/migrate.ts";
import { createClient } from "../../lib/core/db/client.ts";
import { seedDemoOrganisation } from "../../prisma/seed/demo-organisation.ts";
import { issueTokenFromCli } from "../../lib/org/tokens.ts";
import { ensureBuild } from "../lib/build.ts";
import { encode } from "next-auth/jwt";
import { randomBytes, randomUUID } from "node:crypto";
import { SYSTEM_ACTOR } from "../../lib/core/auth/actor.ts";
import { syncCatalog } from "../../lib/templates/sync.ts";
import { load, percentile, syntheticCatalog, syntheticName, timeEach } from "./catalog.ts";
import { evaluateSubject, loadPolicies, type CompiledPolicy } from "../../lib/policies/engine.ts";
import type { Subject } from "../../lib/policies/format.ts";
import { benchEditor, benchPlanner, deploymentConfigYaml, syntheticGraph } from "./graph.ts";
import { benchDelivery } from "./delivery.ts";
import { benchInsights } from "./insights.ts";
import { benchIncidents } from "./incidents.ts";
import { benchCombined } from "./combined.ts";
import { benchLoad } from "./load.ts";
import { benchNotes } from "./notes.ts";
import { benchSlos } from "./slos.ts";
import { createBenchDatabase } from "./database.ts";

interface Row {
  figure: string;
  target: string;
  result: string;
  ok: boolean | null;
}
const rows: Row[] = [];
const record = (figure: string, target: string, result: string, ok: boolean | null) => {
  rows.push({ figure, target, result, ok });
  console.log(`  ${ok === null ? "·" : ok ? "✓" : "✗"} ${figure}: ${result} (target ${target})`);
};

const ADMIN_URL = process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

function startPaved(env: Record<string, string>, port: number): { proc: ChildProcess; started: number } {
  const started = performance.now();
  const proc = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    env: { ...process.env, PORT: String(port), LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  return { proc, started };
}

async function waitFor(url: string, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    try {
      const res = await fetch(url, { redirect: "manual" });
      if (res.status < 500) return performance.now();
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  const done = new Promise((r) => proc.once("exit", r));
  proc.kill("SIGTERM");
  await done;
}

function webServerRssMb(launcherPid: number): number {
  // The web server is the launcher's child process renamed "next-server".
  const out = readFileSync(`/proc/${launcherPid}/task/${launcherPid}/children`, "utf8").trim().split(/\s+/).map(Number);
  for (const pid of out) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const name = /Name:\s+(\S+)/.exec(status)?.[1] ?? "";
      if (name.startsWith("next-server") || name === "node") {
        const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
        if (process.env.BENCH_DEBUG) console.log(status.split("\n").filter((l) => /^(Rss|Vm|Threads)/.test(l)).join("\n"), readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
        if (kb) return kb / 1024;
      }
    } catch {
      // gone
    }
  }
  return Number.NaN;
}

async function benchExternal(): Promise<void> {
  console.log("\nReal PostgreSQL");
  const database = await createBenchDatabase(ADMIN_URL, "api");
  const url = database.url;
  const dbUrl = url.toString();
  const port = 3300;
  let paved: ChildProcess | undefined;
  let dataDir: string | undefined;
  try {
    await migrate(dbUrl);
    const client = createClient(dbUrl, 2);
    await seedDemoOrganisation(client);
    const { token } = await issueTokenFromCli(client, { login: "alice", name: "bench", expiresInDays: 1 });
    const synthetic = await syntheticCatalog(1000, 5);
    const syncStarted = performance.now();
    const report = await syncCatalog(client, synthetic, SYSTEM_ACTOR);
    const syncMs = performance.now() - syncStarted;
    record("catalog sync: 1,000 templates × 5 versions into an empty catalog", "≤ 10 s", `${(syncMs / 1000).toFixed(1)} s (${report.published.length} versions)`, syncMs <= 10_000);
    const resyncStarted = performance.now();
    await syncCatalog(client, synthetic, SYSTEM_ACTOR);
    record("catalog sync again, nothing changed", "(no target)", `${((performance.now() - resyncStarted) / 1000).toFixed(1)} s`, null);
    const alice = await client.user.findUniqueOrThrow({ where: { login: "alice" } });
    await client.$disconnect();

    dataDir = mkdtempSync(path.join(tmpdir(), "paved-bench-"));
    const authSecret = randomBytes(32).toString("base64url");
    // The web tier as it is deployed (deploy/kubernetes: web pods with PAVED_WORKER=false, workers
    // apart): here a worker in the launcher would share the two cores with the web server, and the
    // sandbox's start-up scans of the 1,000-template catalog would run during the measurements.
    const s = startPaved({ DATABASE_URL: dbUrl, PAVED_SANDBOX: "true", PAVED_DATA_DIR: dataDir, AUTH_SECRET: authSecret, PAVED_WORKER: "false" }, port);
    paved = s.proc;
    await waitFor(`http://127.0.0.1:${port}/api/health`, 120_000);
    const auth = { authorization: `Bearer ${token}` };

    // Warm up each route once (first requests compile and connect).
    for (const p of ["/api/health", "/api/v1/services", "/api/v1/audit?limit=50"]) await fetch(`http://127.0.0.1:${port}${p}`, { headers: auth });

    const health = await load(`http://127.0.0.1:${port}/api/health`, { connections: 1, duration: 5 });
    record("/api/health p50 (1 client)", "≤ 5 ms", `${health.p50} ms (${Math.round(health.rps)} req/s, ${health.errors} errors)`, health.p50 <= 5 && health.errors === 0);

    const list = await load(`http://127.0.0.1:${port}/api/v1/services`, { connections: 50, duration: 10, headers: auth });
    record(
      "GET /api/v1/services p95, 50 concurrent clients, bearer token",
      "≤ 30 ms",
      `${list.p95} ms (p50 ${list.p50}, p99 ${list.p99}, ${Math.round(list.rps)} req/s, ${list.errors} errors)`,
      list.p95 <= 30 && list.errors === 0,
    );

    // Baseline: the same load on a route that does no work at all (Next.js's own cost per request).
    const floor = await load(`http://127.0.0.1:${port}/api/v1/no-such-route`, { connections: 50, duration: 5, headers: auth });
    record(
      "baseline: a route that does nothing (JSON 404), p95, 50 clients",
      "(baseline)",
      `${floor.p95} ms (${Math.round(floor.rps)} req/s): the web framework's own floor on this machine`,
      null,
    );

    // The catalog at 1,000 templates × 5 versions.
    const words = ["dotnet", "node", "python", "terraform", "security", "deploy", "canary", "azure", "bench", "pipeline"];
    const search = await timeEach(200, async (i) => {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/templates?q=${words[i % words.length]}`, { headers: auth });
      await res.arrayBuffer();
    });
    record("catalog search (GET /api/v1/templates?q=…) p95, 1,000 × 5", "≤ 50 ms", `${percentile(search, 95)} ms (p50 ${percentile(search, 50)})`, percentile(search, 95) <= 50);
    const session = await encode({ token: { uid: alice.id, sid: randomUUID() }, secret: authSecret, salt: "authjs.session-token" });
    const cookie = { cookie: `authjs.session-token=${session}` };
    await fetch(`http://127.0.0.1:${port}/catalog`, { headers: cookie });
    const page = await timeEach(50, async (i) => {
      const res = await fetch(`http://127.0.0.1:${port}/catalog?q=${words[i % words.length]}`, { headers: cookie });
      if (!res.ok) throw new Error(`catalog page answered ${res.status}`);
      await res.arrayBuffer();
    });
    record("catalog page rendered on the server, p95, 1,000 × 5", "≤ 200 ms", `${percentile(page, 95)} ms (p50 ${percentile(page, 50)})`, percentile(page, 95) <= 200);
    const previewBody = JSON.stringify({ parameters: { environment: "staging" } });
    const preview = await timeEach(100, async (i) => {
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/templates/${syntheticName((i * 7) % 1000)}/preview`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: previewBody,
      });
      if (!res.ok) throw new Error(`preview answered ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
    });
    record("template preview (POST …/preview, 4 files) p95", "≤ 100 ms", `${percentile(preview, 95)} ms (p50 ${percentile(preview, 50)})`, percentile(preview, 95) <= 100);

    await benchGraphApi(`http://127.0.0.1:${port}`, auth, { name: "authjs.session-token", value: session });

    const audit = await load(`http://127.0.0.1:${port}/api/v1/audit?limit=50`, { connections: 50, duration: 5, headers: auth });
    record("GET /api/v1/audit?limit=50 p95, 50 clients", "(no target)", `${audit.p95} ms (${Math.round(audit.rps)} req/s, ${audit.errors} errors)`, null);

    // Baseline: the raw SQL behind the services list, without the portal.
    const raw = new pg.Pool({ connectionString: dbUrl, max: 10 });
    const times: number[] = [];
    for (let i = 0; i < 300; i++) {
      const t0 = performance.now();
      await raw.query(
        `SELECT s.*, t.slug, (SELECT array_agg(d.depends_on_id) FROM service_dependencies d WHERE d.service_id = s.id) AS deps FROM services s JOIN teams t ON t.id = s.team_id ORDER BY s.name`,
      );
      times.push(performance.now() - t0);
    }
    await raw.end();
    times.sort((a, b) => a - b);
    record("baseline: the services query in raw SQL, p50", "(baseline)", `${(times[150] ?? 0).toFixed(2)} ms`, null);

    const rss = webServerRssMb(paved.pid as number);
    record("web server RSS after the load", "< 300 MB", `${rss.toFixed(0)} MB`, rss < 300);
  } finally {
    if (paved) await stop(paved);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    await database.drop();
  }
}

/** The graph through a running Paved: the editor at 500 nodes, then a 2,000-service import, the graph and a page of the list. */
async function benchGraphApi(base: string, auth: Record<string, string>, cookie: { name: string; value: string }): Promise<void> {
  const importYaml = async (text: string) => {
    const res = await fetch(`${base}/api/v1/graph/import`, { method: "POST", headers: { ...auth, "content-type": "application/yaml" }, body: text });
    if (!res.ok) throw new Error(`import answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as { created: string[] };
  };
  const existing = ((await (await fetch(`${base}/api/v1/graph`, { headers: auth })).json()) as { nodes: unknown[] }).nodes.length;
  await importYaml(deploymentConfigYaml(syntheticGraph(500 - existing, (500 - existing) * 2, "ed"), "platform"));
  const editor = await benchEditor(base, cookie);
  record(
    `graph editor in Chromium, ${editor.nodes} nodes: navigation → laid out and drawn (layout: ${editor.layoutSource === "server" ? "cached on the server" : "elkjs in the browser"})`,
    "≤ 2 s",
    `${(editor.firstRenderMs / 1000).toFixed(2)} s`,
    editor.firstRenderMs <= 2000,
  );
  record(
    `graph editor, ${editor.nodes} nodes: frames per second while panning / zooming / dragging a node`,
    "(answers: no target)",
    `${editor.panFps} / ${editor.zoomFps} / ${editor.dragFps} fps`,
    null,
  );

  const big = deploymentConfigYaml(syntheticGraph(2000, 8000, "imp"), "payments");
  const started = performance.now();
  const imported = await importYaml(big);
  const importMs = performance.now() - started;
  record("POST /api/v1/graph/import: 2,000 new services with 8,000 dependencies", "≤ 2 s", `${(importMs / 1000).toFixed(2)} s (${imported.created.length} created)`, importMs <= 2000);

  const graphTimes = await timeEach(50, async () => {
    const res = await fetch(`${base}/api/v1/graph`, { headers: auth });
    await res.arrayBuffer();
  });
  const total = ((await (await fetch(`${base}/api/v1/graph`, { headers: auth })).json()) as { nodes: unknown[] }).nodes.length;
  record(`GET /api/v1/graph, ${total.toLocaleString("en-US")} services, p95 (1 client)`, "≤ 50 ms", `${percentile(graphTimes, 95)} ms (p50 ${percentile(graphTimes, 50)})`, percentile(graphTimes, 95) <= 50);

  const page = await load(`${base}/api/v1/services?limit=50&offset=100`, { connections: 10, duration: 8, headers: auth });
  record(
    `GET /api/v1/services?limit=50 (of ${total.toLocaleString("en-US")}) p95, 10 concurrent clients`,
    "≤ 40 ms",
    `${page.p95} ms (p50 ${page.p50}, ${Math.round(page.rps)} req/s, ${page.errors} errors)`,
    page.p95 <= 40 && page.errors === 0,
  );
}

function benchGraphPlanner(): void {
  console.log("\nService graph planner (one thread, in process)");
  const r = benchPlanner();
  record(`plan every service: 5,000 services / ${r.edges.toLocaleString("en-US")} edges (build graph + waves + blockedBy), p95`, "≤ 50 ms", `${r.whole.p95} ms (p50 ${r.whole.p50})`, r.whole.p95 <= 50);
  record("plan 500 of those 5,000 services (order through unplanned ones), p95", "(no target)", `${r.subset.p95} ms`, null);
  record("impact of changing 50 services with their dependents, planned, p95", "(no target)", `${r.impact.p95} ms`, null);
  record("would this edge close a cycle? (5,000 services), p95", "(no target)", `${r.cycle.p95} ms`, null);
}

async function benchEmbeddedStart(): Promise<void> {
  console.log("\nEmbedded database");
  const dataDir = mkdtempSync(path.join(tmpdir(), "paved-bench-embedded-"));
  const port = 3301;
  const first = startPaved({ PAVED_DATA_DIR: dataDir, DATABASE_URL: "" }, port);
  const ready = await waitFor(`http://127.0.0.1:${port}/signin`, 180_000);
  record("npm start on a fresh data folder → first page", "(no target)", `${((ready - first.started) / 1000).toFixed(1)} s (initdb, migrate, seed)`, null);
  await stop(first.proc);

  const second = startPaved({ PAVED_DATA_DIR: dataDir, DATABASE_URL: "" }, port);
  const again = await waitFor(`http://127.0.0.1:${port}/signin`, 60_000);
  const seconds = (again - second.started) / 1000;
  record("npm start on an existing data folder → first page", "≤ 5 s", `${seconds.toFixed(1)} s`, seconds <= 5);
  const health = await load(`http://127.0.0.1:${port}/api/health`, { connections: 1, duration: 3 });
  record("/api/health p50 on the embedded database", "(no target)", `${health.p50} ms`, null);
  await stop(second.proc);
  rmSync(dataDir, { recursive: true, force: true });
}

function benchPolicies(policies: CompiledPolicy[]): void {
  console.log("\nPolicies (one thread, in process)");
  const deployment = (i: number) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: `svc-${i}`, namespace: `ns-${i % 50}`, labels: { team: "payments", service: `svc-${i}` } },
    spec: {
      selector: { matchLabels: { app: `svc-${i}` } },
      template: {
        metadata: { labels: { app: `svc-${i}` } },
        spec: {
          securityContext: i % 17 === 0 ? {} : { runAsNonRoot: true },
          containers: [{ name: "app", image: i % 23 === 0 ? "docker.io/nginx:latest" : `ghcr.io/acme/svc-${i}:1.${i % 9}.0`, resources: { limits: { cpu: "500m", memory: "256Mi" }, requests: { cpu: "100m", memory: "128Mi" } } }],
        },
      },
    },
  });
  const service = (i: number) => ({ apiVersion: "v1", kind: "Service", metadata: { name: `svc-${i}`, annotations: i % 11 === 0 ? {} : { "service.beta.kubernetes.io/azure-load-balancer-internal": "true" } }, spec: { type: "LoadBalancer", ports: [{ port: 80 }] } });
  const subject = deployment(1) as Subject;
  for (let i = 0; i < 2000; i++) evaluateSubject(policies, subject);
  let n = 0;
  const started = performance.now();
  while (performance.now() - started < 3000) {
    for (let i = 0; i < 100; i++) evaluateSubject(policies, subject);
    n += 100;
  }
  const perSecond = n / ((performance.now() - started) / 1000);
  const pairs = perSecond * policies.length;
  record(`manifest × policy evaluations per second (a Deployment × ${policies.length} policies)`, "≥ 20,000", `${Math.round(pairs).toLocaleString("en-US")} /s (${Math.round(perSecond).toLocaleString("en-US")} Deployments/s)`, pairs >= 20_000);

  const manifests = Array.from({ length: 5000 }, (_, i) => (i % 2 ? deployment(i) : service(i)) as Subject);
  const scanStarted = performance.now();
  let violations = 0;
  for (const m of manifests) violations += evaluateSubject(policies, m).results.length;
  const scanMs = performance.now() - scanStarted;
  record(`compliance evaluation of 5,000 manifests × ${policies.length} policies`, "≤ 5 s", `${(scanMs / 1000).toFixed(2)} s (${violations} violations found)`, scanMs <= 5000);
}

/** Every figure of the run, as one table: figure, target, result, met. */
function printTable(): void {
  const met = (r: Row) => (r.ok === null ? "—" : r.ok ? "yes" : "NO");
  const width = (get: (r: Row) => string, title: string) => Math.min(90, Math.max(title.length, ...rows.map((r) => get(r).length)));
  const cols: [string, (r: Row) => string][] = [
    ["figure", (r) => r.figure],
    ["target", (r) => r.target],
    ["result", (r) => r.result],
    ["met", met],
  ];
  const widths = cols.map(([title, get]) => width(get, title));
  const cell = (text: string, w: number) => (text.length > w ? `${text.slice(0, w - 1)}…` : text.padEnd(w));
  const line = (values: string[]) => `| ${values.map((v, i) => cell(v, widths[i]!)).join(" | ")} |`;
  console.log(`\n${line(cols.map(([title]) => title))}`);
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of rows) console.log(line(cols.map(([, get]) => get(r))));
}

async function main(): Promise<void> {
  console.log("Paved benchmarks");
  // `npm run bench -- --only policies,postgres,embedded` runs some sections and leaves
  // docs/benchmarks.md alone, unless `--record` is given (then their rows go into a section of
  // their own there, until the next whole run).
  const onlyArg = process.argv.indexOf("--only");
  const only = onlyArg >= 0 ? new Set((process.argv[onlyArg + 1] ?? "").split(",").filter(Boolean)) : null;
  const runs = (section: string) => !only || only.has(section);
  // Sections that call Paved's code in process need no production build.
  if (!only || [...only].some((s) => !["policies", "planner", "insights", "slos"].includes(s))) {
    const built = await ensureBuild(process.cwd(), (l) => console.log(`  ${l}`));
    console.log(`  production build: ${built}`);
  }
  if (runs("policies")) benchPolicies((await loadPolicies(path.resolve("policies"))).policies);
  if (runs("planner")) benchGraphPlanner();
  if (runs("postgres")) await benchExternal();
  if (runs("delivery")) {
    console.log("\nDelivery (real PostgreSQL, local git, the sandbox cluster)");
    await benchDelivery(ADMIN_URL, record);
  }
  if (runs("incidents")) {
    console.log("\nIncidents and self-healing (real PostgreSQL, the webhook's route handler, a worker)");
    await benchIncidents(ADMIN_URL, record);
  }
  if (runs("insights")) {
    console.log("\nInsights (real PostgreSQL): two years of history, the roll-ups, the summary");
    await benchInsights(ADMIN_URL, record);
  }
  if (runs("slos")) {
    console.log("\nSLOs (real PostgreSQL, a real Prometheus with the recorded series of 1,000 SLOs)");
    await benchSlos(ADMIN_URL, record);
  }
  if (runs("combined")) {
    console.log("\nOne database with every size at once (real PostgreSQL, one web process), the reads through the API");
    await benchCombined(ADMIN_URL, record);
  }
  if (runs("load")) {
    console.log("\nLoad (real PostgreSQL, one web process on the production build, autocannon)");
    await benchLoad(ADMIN_URL, record);
  }
  if (runs("embedded")) await benchEmbeddedStart();
  printTable();
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  if (only) {
    const missed = rows.filter((r) => r.ok === false);
    // `--record` keeps a partial run's rows in docs/benchmarks.md, in a section of their own
    // (replaced by the next recorded partial run, dropped by the next whole run).
    if (process.argv.includes("--record")) {
      recordPartialRun(machine, [...only]);
      console.log(`\nPartial run (${[...only].join(", ")}) recorded in docs/benchmarks.md.${missed.length ? ` ${missed.length} target(s) missed.` : ""}`);
    } else {
      console.log(`\nPartial run (${[...only].join(", ")}): docs/benchmarks.md left as it was.${missed.length ? ` ${missed.length} target(s) missed.` : ""}`);
    }
    return;
  }

  const lines = [
    "# Benchmarks",
    "",
    "Written by `npm run bench`; figures vary from run to run, so compare runs on one machine.",
    "",
    `Last run: ${new Date().toISOString()} on ${machine}.`,
    "",
    ...tableLines(),
    "",
    ...benchNotes(rows),
  ];
  writeFileSync("docs/benchmarks.md", lines.join("\n"));
  console.log(`\nWrote docs/benchmarks.md (${machine}).`);
  const missed = rows.filter((r) => r.ok === false);
  if (missed.length) console.log(`${missed.length} target(s) missed: ${missed.map((r) => r.figure).join("; ")}`);
}

const PARTIAL_HEADING = "## Sections run on their own since the last whole run";

function tableLines(): string[] {
  return ["| figure | target | result | met |", "|---|---|---|---|", ...rows.map((r) => `| ${r.figure} | ${r.target} | ${r.result} | ${r.ok === null ? "—" : r.ok ? "yes" : "**no**"} |`)];
}

function recordPartialRun(machine: string, sections: string[]): void {
  const file = "docs/benchmarks.md";
  const current = readFileSync(file, "utf8");
  const at = current.indexOf(PARTIAL_HEADING);
  const kept = (at >= 0 ? current.slice(0, at) : current).replace(/\s*$/, "\n");
  const section = [
    "",
    PARTIAL_HEADING,
    "",
    `\`npm run bench -- --only ${sections.join(",")} --record\`, ${new Date().toISOString()} on ${machine}.`,
    "",
    ...tableLines(),
    "",
  ];
  writeFileSync(file, kept + section.join("\n"));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
