// A real Prometheus (Debian's binary, tests/support/prometheus.ts) slow, failing (5xx) and
// unreachable while people look at SLOs. Between Paved's Prometheus adapter and Prometheus: a TCP
// proxy (tests/support/proxy.ts: connections reset, or delayed) and a thin HTTP front that can
// answer 503 as a load balancer in front of a failing Prometheus would, and counts what reaches it.
//
// For each kind of outage: GET /api/v1/slos keeps answering 200, each SLO's status the last values
// with `freshness.stale` and their age and the reason; /api/health shows Prometheus degraded; the
// adapter's circuit breaker keeps what reaches Prometheus bounded while many pages are viewed; and
// once Prometheus is back the statuses are fresh again and health says ok.
import { createServer, request as httpRequest, type Server } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/core/db/client";
import { resetEnvCache } from "@/lib/core/env";
import { PrometheusMetricsSource } from "@/lib/integrations/prometheus";
import { resetIntegrationHealthCache } from "@/lib/integrations/health";
import { setMetricsSource } from "@/lib/metrics/source";
import { recordName } from "@/lib/slos";
import { forgetLastKnownStatuses } from "@/lib/slos/live";
import { createTestDatabase, useDatabase, useSharedDatabase, type TestDatabase } from "../support/database";
import { makePerson, type TestPerson } from "../support/factory";
import { callJson } from "../support/http";
import { eventually, startPrometheusServer, type PrometheusServer } from "../support/prometheus";
import { startTcpProxy, type TcpProxy } from "../support/proxy";
import { startDouble, type HttpDouble } from "../support/servers";
import { delay } from "./support/wait";

const WINDOWS = ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"] as const;
const COUNT = 4;
const BREAKER = { failureThreshold: 3, cooldownMs: 500, maxCooldownMs: 2000 };
/** The adapter's requests in flight at once (PrometheusSourceOptions.concurrency). */
const CONCURRENCY = 8;
const OUTAGE_MS = 3000;
const VIEWERS = 8;

let database: TestDatabase;
let prom: PrometheusServer;
let target: HttpDouble;
let front: { url: string; failing: boolean; received: number; close(): Promise<void> };
let proxy: TcpProxy;
let viewer: TestPerson;
const saved = process.env.PROMETHEUS_URL;

/** An HTTP hop in front of Prometheus: passes requests on, or answers 503 in Prometheus' error shape. */
async function startFront(upstream: string): Promise<typeof front> {
  const up = new URL(upstream);
  const state = { failing: false, received: 0 };
  const server: Server = createServer((req, res) => {
    state.received++;
    if (state.failing) {
      res.writeHead(503, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: "error", errorType: "unavailable", error: "upstream connect error or disconnect/reset before headers" }));
      return;
    }
    const out = httpRequest({ host: up.hostname, port: up.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on("error", () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no port");
  return Object.assign(state, {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

beforeAll(async () => {
  database = await createTestDatabase({ seed: true });
  await useDatabase(database.url);
  const services = await db().service.findMany({ orderBy: { name: "asc" }, take: COUNT, select: { id: true, name: true, teamId: true } });
  const slos = await Promise.all(
    services.map((s, i) =>
      db().slo.create({
        data: { serviceId: s.id, ownerTeamId: s.teamId, name: `resilience-${i}`, kind: "availability", objective: 99.9, window: "30d", sli: { source: "http", selector: "" }, environment: "production" },
        select: { id: true, name: true, service: { select: { name: true } } },
      }),
    ),
  );
  // A scrape target exposing the series the SLOs' recording rules would record (as in slos-live-prometheus.int.test.ts).
  target = await startDouble((_req, res) => {
    const lines: string[] = [];
    for (const w of WINDOWS) {
      lines.push(`# TYPE ${recordName(w)} gauge`);
      slos.forEach((s, i) => lines.push(`${recordName(w)}{slo_id="${s.id}",service="${s.service.name}",slo="${s.name}",environment="production"} ${0.0002 * (i + 1)}`));
    }
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
    res.end(`${lines.join("\n")}\n`);
  });
  prom = await startPrometheusServer({ scrapeConfigs: [{ job_name: "slo-recordings", scrape_interval: "1s", static_configs: [{ targets: [new URL(target.url).host] }] }] });
  await eventually(
    async () => {
      const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(`count(${recordName("30d")})`)}`);
      const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
      return Number(body.data.result[0]?.value[1] ?? 0) === COUNT;
    },
    { timeoutMs: 60_000, what: "Prometheus to scrape the recorded series" },
  );
  front = await startFront(prom.url);
  proxy = await startTcpProxy({ host: "127.0.0.1", port: Number(new URL(front.url).port) });
  const url = `http://127.0.0.1:${proxy.port}`;
  setMetricsSource(new PrometheusMetricsSource({ url, timeoutMs: 500, cacheTtlMs: 0, concurrency: CONCURRENCY, breaker: BREAKER }));
  process.env.PROMETHEUS_URL = url;
  resetEnvCache();
  forgetLastKnownStatuses();
  viewer = await makePerson(["viewer"], { prefix: "prom-viewer" });
}, 180_000);

afterEach(async () => {
  front.failing = false;
  proxy.latencyMs = 0;
  await proxy.restore();
});

afterAll(async () => {
  if (saved === undefined) delete process.env.PROMETHEUS_URL;
  else process.env.PROMETHEUS_URL = saved;
  resetEnvCache();
  setMetricsSource(undefined);
  forgetLastKnownStatuses();
  await proxy?.close();
  await front?.close();
  await prom?.stop();
  await target?.close();
  await useSharedDatabase();
  await database?.drop();
});

interface SloItem {
  name: string;
  status: { sli: { value: number | null } | null; budget: { remainingPercent: number | null } } | null;
  freshness: { source: string; stale: boolean; ageSeconds: number | null; error: string | null } | null;
}

async function overview(): Promise<SloItem[]> {
  const res = await callJson<{ items: SloItem[] }>("GET", "/api/v1/slos", { query: { q: "resilience-", limit: "50" }, token: viewer.token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items;
}

async function health() {
  resetIntegrationHealthCache();
  return (await callJson<{ status: string; integrations: { prometheus: { ok: boolean; detail: string } } }>("GET", "/api/health")).body;
}

const OUTAGES = {
  unreachable: {
    reason: /cannot be reached|not asked/,
    start: async () => {
      proxy.resetCounts();
      await proxy.cut("reset");
    },
    stop: () => proxy.restore(),
    requests: () => proxy.attempts,
  },
  failing: {
    reason: /answered 503|not asked/,
    start: async () => {
      front.received = 0;
      front.failing = true;
    },
    stop: async () => {
      front.failing = false;
    },
    requests: () => front.received,
  },
  slow: {
    reason: /did not answer within 500 ms|not asked/,
    start: async () => {
      front.received = 0;
      // Each way: 2.5 s, longer than the adapter's 500 ms and the health check's 2 s.
      proxy.latencyMs = 2500;
    },
    stop: async () => {
      proxy.latencyMs = 0;
    },
    requests: () => front.received,
  },
} as const;

describe.each(Object.keys(OUTAGES) as (keyof typeof OUTAGES)[])("Prometheus %s", (kind) => {
  it("keeps the SLO pages answering with the last values and their age, shows it degraded, stops hammering it, and recovers", async () => {
    const outage = OUTAGES[kind];
    const before = await overview();
    expect(before).toHaveLength(COUNT);
    for (const item of before) expect(item.freshness).toMatchObject({ source: "prometheus", stale: false, error: null });
    expect((await health()).integrations.prometheus.ok).toBe(true);

    await outage.start();
    const startedAt = Date.now();
    await delay(1100);
    // Many people look at SLOs meanwhile: each page asks for every window of every SLO on it.
    let quiet = false;
    const viewers = Array.from({ length: VIEWERS }, async () => {
      while (!quiet) {
        await overview();
        await delay(50);
      }
    });

    const during = await overview();
    for (const item of during) {
      const was = before.find((b) => b.name === item.name)!;
      // The same values as before, marked stale, with their age and why.
      expect(item.status?.sli).toEqual(was.status?.sli);
      expect(item.freshness?.stale).toBe(true);
      expect(item.freshness?.ageSeconds ?? 0).toBeGreaterThanOrEqual(1);
      expect(item.freshness?.error ?? "").toMatch(outage.reason);
    }
    const degraded = await health();
    expect(degraded.status).toBe("degraded");
    expect(degraded.integrations.prometheus.ok).toBe(false);

    await delay(Math.max(0, OUTAGE_MS - (Date.now() - startedAt)));
    quiet = true;
    await Promise.all(viewers);
    const received = outage.requests();
    const window = Date.now() - startedAt;
    await outage.stop();
    // Bounded: the requests in flight when it began (the adapter's concurrency), then one trial per
    // cooldown at most, plus the health checks. Without the breaker every page view sends a query
    // per window: hundreds.
    const bound = CONCURRENCY + Math.ceil(window / BREAKER.cooldownMs) + 1 + 4;
    expect(received, `${received} requests in ${window} ms`).toBeLessThanOrEqual(bound);

    // Back: fresh values within the breaker's longest cooldown, and health says ok.
    const deadline = Date.now() + 10_000;
    let after = await overview();
    while (after.some((i) => i.freshness?.stale) && Date.now() < deadline) {
      await delay(250);
      after = await overview();
    }
    for (const item of after) expect(item.freshness).toMatchObject({ stale: false, error: null, ageSeconds: 0 });
    expect((await health()).integrations.prometheus.ok).toBe(true);
  });
});
