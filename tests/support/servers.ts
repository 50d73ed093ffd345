// Real and fake servers for integration tests: a free loopback port, a real Prometheus started
// from Debian's binary, and small HTTP doubles that record what they were sent.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

/** A loopback port nothing listens on (it was free a moment ago). */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

export interface Daemon {
  child: ChildProcess;
  /** Stops it (waking it first, should a test have paused it with SIGSTOP) and removes its folder. */
  stop(): Promise<void>;
}

/**
 * Starts a Prometheus-family binary (prometheus, prometheus-alertmanager) and waits until its
 * `/-/ready` answers, failing with the end of its stderr if it exits or never gets ready; `dir`
 * (its configuration and data) is removed when it stops.
 */
export async function startDaemon(name: string, binary: string, args: string[], url: string, dir: string, timeoutMs = 20_000): Promise<Daemon> {
  const child: ChildProcess = spawn(binary, args, { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr?.on("data", (d: Buffer) => (log = (log + d.toString()).slice(-8000)));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGCONT");
      child.kill("SIGTERM");
    }
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited: ${log}`);
    try {
      if ((await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) })).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${name} not ready: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, stop };
}

export const PROMETHEUS_BINARY = process.env.PAVED_TEST_PROMETHEUS ?? "/usr/bin/prometheus";

export interface RunningPrometheus {
  url: string;
  stop(): Promise<void>;
}

/** Starts a real Prometheus on loopback with an empty scrape config and waits until it is ready. */
export async function startPrometheus(options: { routePrefix?: string } = {}): Promise<RunningPrometheus> {
  const dir = await mkdtemp(path.join(tmpdir(), "paved-prometheus-"));
  await writeFile(path.join(dir, "prometheus.yml"), "global:\n  scrape_interval: 15s\nscrape_configs: []\n");
  const port = await freePort();
  const prefix = options.routePrefix ?? "";
  const url = `http://127.0.0.1:${port}${prefix}`;
  const { stop } = await startDaemon(
    "prometheus",
    PROMETHEUS_BINARY,
    [
      `--config.file=${path.join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${path.join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      ...(prefix ? [`--web.route-prefix=${prefix}`, `--web.external-url=${url}`] : []),
    ],
    url,
    dir,
  );
  return { url, stop };
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
}

export interface HttpDouble {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** An HTTP server on loopback answering with `handler`; it records every request it gets. */
export async function startDouble(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<HttpDouble> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    handler(req, res);
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

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(JSON.stringify(body));
}
