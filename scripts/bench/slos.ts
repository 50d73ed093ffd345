// Issue 7's SLO figure for the bench: the overview of 1,000 SLOs against a real Prometheus
// (Debian's binary; PAVED_TEST_PROMETHEUS elsewhere), within 2 s. Prometheus scrapes the series
// the SLOs' recording rules record (`slo:sli_error:ratio_rate<window>{slo_id,…}`, exposed by a
// small target here, as in tests/integration/slos-live-prometheus.int.test.ts), so the overview
// reads them as it would in production: one query per window for the whole page. The baseline is
// those queries alone, sent straight to Prometheus, without Paved.
// Runs inside `npm run bench` (section "slos"), or alone: node --import tsx scripts/bench/slos.ts
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { percentile } from "./catalog.ts";
import { createBenchDatabase } from "./database.ts";

type RecordRow = (figure: string, target: string, result: string, ok: boolean | null) => void;

const COUNT = 1000;
const WINDOWS = ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"] as const;
const PROMETHEUS = process.env.PAVED_TEST_PROMETHEUS ?? "/usr/bin/prometheus";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

export async function benchSlos(adminUrl: string, record: RecordRow): Promise<void> {
  const database = await createBenchDatabase(adminUrl, "slos");
  const url = database.url;
  const dir = mkdtempSync(path.join(tmpdir(), "paved-bench-slos-"));
  let prometheus: ChildProcess | undefined;
  let target: Server | undefined;
  const { migrate } = await import("../../lib/core/db/migrate.ts");
  const { createClient } = await import("../../lib/core/db/client.ts");
  const client = createClient(url.toString(), 4);
  try {
    await migrate(url.toString());
    const { seedDemoOrganisation } = await import("../../prisma/seed/demo-organisation.ts");
    await seedDemoOrganisation(client);
    const services = await client.service.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true, teamId: true } });
    await client.slo.createMany({
      data: Array.from({ length: COUNT }, (_, i) => {
        const service = services[i % services.length]!;
        return { serviceId: service.id, ownerTeamId: service.teamId, name: `bench-${String(i).padStart(4, "0")}`, kind: "availability", objective: 99.9, window: "30d", sli: { source: "http", selector: "" }, environment: "production" };
      }),
    });
    const slos = await client.slo.findMany({ where: { name: { startsWith: "bench-" } }, select: { id: true, name: true, service: { select: { name: true } } }, orderBy: { name: "asc" } });
    const { recordName, listSlos, liveStatus } = await import("../../lib/slos/index.ts");
    const { PrometheusMetricsSource } = await import("../../lib/integrations/prometheus/index.ts");

    // The recorded series, as the rules would record them: a quarter each calm, exhausted, paging, ticketing.
    const exposition = (() => {
      const lines: string[] = [];
      for (const w of WINDOWS) {
        lines.push(`# TYPE ${recordName(w)} gauge`);
        slos.forEach((s, i) => {
          const burning = (i % 4 === 2 && (w === "1h" || w === "5m")) || (i % 4 === 3 && (w === "1d" || w === "2h"));
          const value = i % 4 === 1 && w === "30d" ? 0.002 : burning ? 0.02 : 0.0005;
          lines.push(`${recordName(w)}{slo_id="${s.id}",service="${s.service.name}",slo="${s.name}",environment="production"} ${value}`);
        });
      }
      return `${lines.join("\n")}\n`;
    })();
    target = createHttpServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      res.end(exposition);
    });
    await new Promise<void>((resolve) => target!.listen(0, "127.0.0.1", resolve));
    const targetPort = (target.address() as { port: number }).port;
    writeFileSync(
      path.join(dir, "prometheus.yml"),
      `global:\n  scrape_interval: 5s\nscrape_configs:\n  - job_name: slo-recordings\n    scrape_interval: 1s\n    static_configs:\n      - targets: ["127.0.0.1:${targetPort}"]\n`,
    );
    const port = await freePort();
    const prom = `http://127.0.0.1:${port}`;
    prometheus = spawn(PROMETHEUS, [`--config.file=${path.join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${path.join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: "ignore" });
    const deadline = Date.now() + 90_000;
    for (;;) {
      try {
        const res = await fetch(`${prom}/api/v1/query?query=${encodeURIComponent(`count(${recordName("30d")})`)}`);
        const body = (await res.json()) as { data?: { result?: { value: [number, string] }[] } };
        if (Number(body.data?.result?.[0]?.value[1] ?? 0) === COUNT) break;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) {
        const up = await fetch(`${prom}/api/v1/targets`).then((r) => r.text()).catch((e: unknown) => String(e));
        throw new Error(`Prometheus did not scrape the recorded series within 90 s: ${up.slice(0, 600)}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }

    // The overview: the list of 1,000 SLOs with their status, no cache between reads.
    let queries = 0;
    const counting: typeof fetch = (input, init) => {
      queries++;
      return fetch(input, init);
    };
    const overview = async () => {
      const source = new PrometheusMetricsSource({ url: prom, cacheTtlMs: 0, fetch: counting });
      return listSlos(client, { q: "bench-", limit: COUNT, offset: 0 }, { status: liveStatus(source) });
    };
    await overview();
    queries = 0;
    const times: number[] = [];
    let withStatus = 0;
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      const page = await overview();
      times.push(performance.now() - started);
      withStatus = page.items.filter((s) => s.status !== null && s.freshness?.computedFrom === "recording-rules").length;
    }
    const p95 = percentile(times, 95);
    record(
      `SLO overview: ${COUNT.toLocaleString("en-US")} SLOs with their status against a real Prometheus (recorded series), p95 of 10 reads`,
      "≤ 2 s",
      `${(p95 / 1000).toFixed(2)} s (p50 ${(percentile(times, 50) / 1000).toFixed(2)} s; ${queries / 10} Prometheus queries per read; ${withStatus} of ${COUNT} with a status)`,
      p95 <= 2000 && withStatus === COUNT,
    );

    // Baseline: the same queries straight to Prometheus, in parallel, without Paved.
    const ids = slos.map((s) => s.id).join("|");
    const raw: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = performance.now();
      await Promise.all(
        WINDOWS.map(async (w) => {
          const res = await fetch(`${prom}/api/v1/query`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ query: `${recordName(w)}{slo_id=~"${ids}"}` }) });
          await res.arrayBuffer();
        }),
      );
      raw.push(performance.now() - started);
    }
    record(`baseline: the ${WINDOWS.length} recorded-series queries alone, straight to Prometheus, p95`, "(baseline)", `${(percentile(raw, 95) / 1000).toFixed(2)} s (p50 ${(percentile(raw, 50) / 1000).toFixed(2)} s)`, null);
  } finally {
    await client.$disconnect();
    if (prometheus && prometheus.exitCode === null && prometheus.signalCode === null) {
      const exited = new Promise((r) => prometheus!.once("exit", r));
      prometheus.kill("SIGTERM");
      await exited;
    }
    if (target) await new Promise<void>((resolve) => target!.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
    await database.drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.env.LOG_LEVEL ??= "silent";
  const record: RecordRow = (figure, target, result, ok) => console.log(`  ${ok === null ? "·" : ok ? "✓" : "✗"} ${figure}: ${result} (target ${target})`);
  await benchSlos(process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres", record);
}
