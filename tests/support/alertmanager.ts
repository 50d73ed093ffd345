// A real Alertmanager for integration tests (Debian's `prometheus-alertmanager` 0.25, or
// PAVED_TEST_ALERTMANAGER): on loopback, no gossip (`--cluster.listen-address=`), one route to a
// webhook receiver with `group_wait: 0s` and `group_interval: 1s` (so a notification leaves at once
// and a resolution a second later), its configuration checked by `amtool check-config` first.
// Also: a small HTTP server that hands requests to Paved's own route handlers, as `next start`
// would, so that Prometheus can scrape Paved and Alertmanager can call its webhook.
import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import YAML from "yaml";
import type { HttpMethod } from "@/lib/core/http/contract";
import { freePort, startDaemon } from "./servers";
import { routeHandler } from "./http";

const run = promisify(execFile);

export const ALERTMANAGER_BINARY = process.env.PAVED_TEST_ALERTMANAGER ?? "/usr/bin/prometheus-alertmanager";
export const AMTOOL_BINARY = process.env.PAVED_TEST_AMTOOL ?? "/usr/bin/amtool";

export interface AlertmanagerOptions {
  /** Where the webhook receiver posts. */
  webhookUrl: string;
  /** Sent as `Authorization: Bearer …` (http_config.authorization). */
  bearerToken?: string;
  /** Sent as basic credentials (http_config.basic_auth). */
  basicAuth?: { username: string; password: string };
  /** Default 1h: a firing alert is not notified again during a test. */
  repeatInterval?: string;
}

export interface AlertmanagerServer {
  url: string;
  /** host:port, for Prometheus' alerting config. */
  address: string;
  /** POST /api/v2/alerts: alerts as a client (Prometheus) sends them. */
  postAlerts(alerts: { labels: Record<string, string>; annotations?: Record<string, string>; startsAt?: string; endsAt?: string; generatorURL?: string }[]): Promise<void>;
  stop(): Promise<void>;
}

export async function startAlertmanager(options: AlertmanagerOptions): Promise<AlertmanagerServer> {
  const dir = await mkdtemp(path.join(tmpdir(), "paved-alertmanager-"));
  const httpConfig = options.bearerToken
    ? { authorization: { type: "Bearer", credentials: options.bearerToken } }
    : options.basicAuth
      ? { basic_auth: { username: options.basicAuth.username, password: options.basicAuth.password } }
      : undefined;
  const config = {
    route: { receiver: "paved", group_by: ["alertname", "service", "slo"], group_wait: "0s", group_interval: "1s", repeat_interval: options.repeatInterval ?? "1h" },
    receivers: [{ name: "paved", webhook_configs: [{ url: options.webhookUrl, send_resolved: true, ...(httpConfig ? { http_config: httpConfig } : {}) }] }],
  };
  const file = path.join(dir, "alertmanager.yml");
  await writeFile(file, YAML.stringify(config));
  await run(AMTOOL_BINARY, ["check-config", file]).catch((e: { stdout?: string; stderr?: string }) => {
    throw new Error(`amtool check-config refused the test's configuration:\n${e.stdout ?? ""}${e.stderr ?? ""}`);
  });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { stop } = await startDaemon(
    "alertmanager",
    ALERTMANAGER_BINARY,
    [`--config.file=${file}`, `--storage.path=${path.join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--cluster.listen-address=", `--web.external-url=${url}`],
    url,
    dir,
  );
  return {
    url,
    address: `127.0.0.1:${port}`,
    async postAlerts(alerts) {
      const res = await fetch(`${url}/api/v2/alerts`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(alerts) });
      if (!res.ok) throw new Error(`Alertmanager refused the alerts: ${res.status} ${await res.text()}`);
    },
    stop,
  };
}

export interface PavedTestServer {
  url: string;
  /** Every request it served: method, path, status. */
  requests: { method: string; path: string; status: number; at: number }[];
  close(): Promise<void>;
}

/**
 * An HTTP server on loopback serving the given routes with Paved's real route handlers (the
 * request handed over as Next.js would hand it). Anything else is 404.
 */
export async function startPavedServer(routes: { method: HttpMethod; path: string }[]): Promise<PavedTestServer> {
  const requests: PavedTestServer["requests"] = [];
  const handlers = new Map<string, Awaited<ReturnType<typeof routeHandler>>>();
  for (const r of routes) handlers.set(`${r.method} ${r.path}`, await routeHandler(r.method, r.path));
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const url = new URL(req.url ?? "/", "http://127.0.0.1");
        const handler = handlers.get(`${req.method} ${url.pathname}`);
        if (!handler) {
          res.writeHead(404).end();
          requests.push({ method: req.method ?? "", path: url.pathname, status: 404, at: Date.now() });
          return;
        }
        const headers = new Headers();
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
        const body = chunks.length ? Buffer.concat(chunks) : undefined;
        const response = await handler(new Request(`http://localhost:3000${url.pathname}${url.search}`, { method: req.method, headers, body: req.method === "GET" ? undefined : body }), { params: Promise.resolve({}) });
        const out = Buffer.from(await response.arrayBuffer());
        res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
        res.end(out);
        requests.push({ method: req.method ?? "", path: url.pathname, status: response.status, at: Date.now() });
      })().catch((e: unknown) => {
        res.writeHead(500).end(String(e));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("no port");
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
