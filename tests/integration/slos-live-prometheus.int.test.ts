// SLO status against a real Prometheus (Debian's 2.42, tests/support/prometheus.ts), on both
// databases:
// - the overview of 1,000 SLOs reads the recording rules' series, one query per window for the
//   whole page (eight here), within 2 s (the issue's bench target; the best of up to three reads,
//   since other test files share the machine), every SLO's risk as its series say (a scrape target stands in for rule evaluation: it exposes `slo:sli_error:ratio_rate<w>`
//   series, exactly the names and labels the generated rules record);
// - SLOs whose rules Prometheus does not have are computed from their SLI queries instead (over
//   the thirty days of synthetic history: the search incident pages), up to DIRECT_FALLBACK_MAX
//   per page; beyond, they have no status and say why;
// - when Prometheus stops answering, the statuses are the last values with their age.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/core/db/client";
import { PrometheusMetricsSource } from "@/lib/integrations/prometheus";
import { listSlos, liveStatus, recordName } from "@/lib/slos";
import { DIRECT_FALLBACK_MAX, forgetLastKnownStatuses } from "@/lib/slos/live";
import { createTestDatabase, useDatabase, useSharedDatabase, type TestDatabase } from "../support/database";
import { eventually, historyAnchor, startPrometheusServer, type PrometheusServer } from "../support/prometheus";
import { startDouble, type HttpDouble } from "../support/servers";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const COUNT = 1000;
const WINDOWS = ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"] as const;

let database: TestDatabase;
let prom: PrometheusServer;
let target: HttpDouble;
let bench: { id: string; name: string; service: string }[] = [];

/** The error ratios of bench SLO i (objective 99.9 %, budget 0.001), by its class i % 4. */
function ratios(i: number): Record<(typeof WINDOWS)[number], number> {
  const calm = Object.fromEntries(WINDOWS.map((w) => [w, 0.0005])) as Record<(typeof WINDOWS)[number], number>;
  switch (i % 4) {
    case 1: // budget spent twice over
      return { ...calm, "30d": 0.002 };
    case 2: // burning 20× over 1 h and 5 m: pages
      return { ...calm, "1h": 0.02, "5m": 0.02 };
    case 3: // 4× over 1 d and 2 h: a ticket
      return { ...calm, "1d": 0.004, "2h": 0.004 };
    default: // half the budget left
      return calm;
  }
}

function exposition(): string {
  const lines: string[] = [];
  for (const w of WINDOWS) {
    lines.push(`# TYPE ${recordName(w)} gauge`);
    bench.forEach((s, i) => lines.push(`${recordName(w)}{slo_id="${s.id}",service="${s.service}",slo="${s.name}",environment="production"} ${ratios(i)[w]}`));
  }
  return `${lines.join("\n")}\n`;
}

/** fetch, counting Prometheus requests. */
function countingFetch() {
  const stats = { calls: 0 };
  const f: typeof fetch = (input, init) => {
    stats.calls++;
    return fetch(input, init);
  };
  return { stats, fetch: f };
}

beforeAll(async () => {
  database = await createTestDatabase({ seed: true });
  await useDatabase(database.url);
  forgetLastKnownStatuses();
  const services = await db().service.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true, teamId: true } });
  await db().slo.createMany({
    data: Array.from({ length: COUNT }, (_, i) => {
      const service = services[i % services.length]!;
      return {
        serviceId: service.id,
        ownerTeamId: service.teamId,
        name: `bench-${String(i).padStart(4, "0")}`,
        kind: "availability",
        objective: 99.9,
        window: "30d",
        sli: { source: "http", selector: "" },
        environment: "production",
      };
    }),
  });
  const rows = await db().slo.findMany({ where: { name: { startsWith: "bench-" } }, orderBy: { name: "asc" }, select: { id: true, name: true, service: { select: { name: true } } } });
  bench = rows.map((r) => ({ id: r.id, name: r.name, service: r.service.name }));
  target = await startDouble((_req, res) => {
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
    res.end(exposition());
  });
  prom = await startPrometheusServer({
    history: true,
    scrapeConfigs: [{ job_name: "slo-recordings", scrape_interval: "1s", static_configs: [{ targets: [new URL(target.url).host] }] }],
  });
  await eventually(
    async () => {
      const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(`count(${recordName("30d")})`)}`);
      const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
      return Number(body.data.result[0]?.value[1] ?? 0) === COUNT;
    },
    { timeoutMs: 60_000, what: "Prometheus to scrape the recorded series" },
  );
}, 180_000);

afterAll(async () => {
  await prom?.stop();
  await target?.close();
  forgetLastKnownStatuses();
  await useSharedDatabase();
  await database?.drop();
});

describe("SLO status from a real Prometheus", () => {
  it("reads 1,000 SLOs from their recorded series in one query per window, within 2 s", async () => {
    // The best of three reads (each asking Prometheus again): the machine may be busy with other tests.
    const runs: { elapsed: number; lookupMs: number }[] = [];
    let page!: Awaited<ReturnType<typeof listSlos>>;
    for (let attempt = 0; attempt < 3; attempt++) {
      const { stats, fetch } = countingFetch();
      const lookup = liveStatus(new PrometheusMetricsSource({ url: prom.url, fetch, cacheTtlMs: 0 }));
      let lookupMs = 0;
      const timed: typeof lookup = async (slos) => {
        const t = performance.now();
        try {
          return await lookup(slos);
        } finally {
          lookupMs = performance.now() - t;
        }
      };
      const started = performance.now();
      page = await listSlos(db(), { q: "bench-", limit: 1000, offset: 0 }, { status: timed });
      runs.push({ elapsed: performance.now() - started, lookupMs });
      expect(page.items).toHaveLength(COUNT);
      const direct = page.items.filter((i) => i.freshness?.computedFrom !== "recording-rules").map((i) => i.name);
      expect(stats.calls, `computed from their SLI queries: ${direct.join(", ")}`).toBe(WINDOWS.length);
      if (runs.at(-1)!.elapsed < 2000) break;
    }
    const best = runs.reduce((a, b) => (a.elapsed <= b.elapsed ? a : b));
    expect(best.elapsed, runs.map((r) => `${Math.round(r.elapsed)} ms in all, ${Math.round(r.lookupMs)} ms of it for their status`).join("; ")).toBeLessThan(2000);
    const index = new Map(bench.map((b, i) => [b.id, i]));
    const levels = { ok: 0, exhausted: 0, critical: 0, warning: 0 } as Record<string, number>;
    for (const item of page.items) {
      const i = index.get(item.id)!;
      const expected = ["ok", "exhausted", "critical", "warning"][i % 4]!;
      expect(item.status?.risk.level, item.name).toBe(expected);
      expect(item.freshness).toMatchObject({ source: "prometheus", computedFrom: "recording-rules", stale: false, error: null });
      levels[expected]!++;
    }
    expect(levels).toEqual({ ok: 250, exhausted: 250, critical: 250, warning: 250 });
    const sample = page.items.find((i) => index.get(i.id) === 2)!;
    expect(sample.status!.burnRates.find((b) => b.window === "1h")!.burnRate).toBeCloseTo(20, 6);
    expect(sample.status!.alerts).toEqual({ page: true, ticket: false });
    expect(page.items.find((i) => index.get(i.id) === 0)!.status!.budget.remainingPercent).toBeCloseTo(50, 6);
  });

  it("computes SLOs whose rules Prometheus does not have from their SLI queries", async () => {
    const team = await db().team.findUniqueOrThrow({ where: { slug: "storefront" } });
    const service = await db().service.create({ data: { name: "search", teamId: team.id } });
    const slo = await db().slo.create({
      data: { serviceId: service.id, ownerTeamId: team.id, name: "availability", kind: "availability", objective: 99, window: "30d", sli: { source: "http", selector: "" }, environment: "production" },
    });
    const { stats, fetch } = countingFetch();
    const source = new PrometheusMetricsSource({ url: prom.url, fetch });
    // Two hours into the incident of the history: a quarter of search's requests fail.
    const time = new Date(historyAnchor() - 2 * DAY + 2 * HOUR);
    const page = await listSlos(db(), { service: "search", limit: 10, offset: 0 }, { status: liveStatus(source, { time, totals: true }) });
    const item = page.items.find((i) => i.id === slo.id)!;
    expect(item.freshness).toMatchObject({ source: "prometheus", computedFrom: "sli-queries", stale: false });
    expect(item.status!.risk.level).toBe("critical");
    expect(item.status!.burnRates.find((b) => b.window === "5m")!.errorRatio).toBeCloseTo(0.25, 2);
    expect(item.status!.budget.remaining.requests).not.toBeNull();
    // Eight recorded-series queries and the total, then the SLI's eight windows.
    expect(stats.calls).toBe(WINDOWS.length + 1 + WINDOWS.length);

    // Rules never loaded for many SLOs: no thousands of queries, but no data and the reason.
    await db().slo.createMany({
      data: Array.from({ length: DIRECT_FALLBACK_MAX }, (_, i) => ({
        serviceId: service.id,
        ownerTeamId: team.id,
        name: `unloaded-${i}`,
        kind: "availability",
        objective: 99,
        window: "30d" as const,
        sli: { source: "http", selector: "" },
        environment: "production",
      })),
    });
    stats.calls = 0;
    const many = await listSlos(db(), { service: "search", limit: 100, offset: 0 }, { status: liveStatus(source, { time }) });
    expect(many.items).toHaveLength(DIRECT_FALLBACK_MAX + 1);
    expect(stats.calls).toBe(WINDOWS.length);
    for (const i of many.items) {
      expect(i.status).toBeNull();
      expect(i.freshness).toMatchObject({ stale: false, error: expect.stringContaining(`no recorded series for ${DIRECT_FALLBACK_MAX + 1} of these SLOs: commit their rules`) });
    }
  });

  it("answers the last values with their age when Prometheus stops answering", async () => {
    let now = Date.now();
    const source = new PrometheusMetricsSource({ url: prom.url, timeoutMs: 400, cacheTtlMs: 0, now: () => now });
    const query = { q: "bench-000", limit: 10, offset: 0 };
    const fresh = await listSlos(db(), query, { status: liveStatus(source, { now: () => now }) });
    expect(fresh.items.every((i) => i.freshness?.stale === false)).toBe(true);
    prom.pause();
    try {
      now += 180_000;
      const stale = await listSlos(db(), query, { status: liveStatus(source, { now: () => now }) });
      expect(stale.items.map((i) => i.status)).toEqual(fresh.items.map((i) => i.status));
      for (const item of stale.items) {
        expect(item.freshness).toMatchObject({ stale: true, ageSeconds: 180 });
        expect(item.freshness!.error).toMatch(/did not answer within 400 ms/);
      }
    } finally {
      prom.resume();
    }
  });
});
