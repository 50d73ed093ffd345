// A TCP proxy on loopback between Paved and one of its dependencies (PostgreSQL, Prometheus, a
// GitHub or Argo CD double), so that a test can take the dependency away and give it back without
// touching the dependency itself (the machine's PostgreSQL cluster is shared and stays up):
//
// - "pass": bytes flow both ways, each chunk optionally delayed by `latencyMs` (order kept);
// - "refuse": the listener is closed, so connecting fails with ECONNREFUSED (a stopped server);
// - "reset": connections are accepted and reset at once (ECONNRESET: a crashing server or a
//   firewall sending RST), each one counted in `attempts`;
// - "blackhole": connections are accepted and nothing ever answers (a hung server or a network
//   partition that drops packets), each one counted in `attempts`.
//
// Switching away from "pass" cuts every open connection, as a restarted server or a broken
// network would; `restore()` goes back to "pass" on the same port.
import { createServer, Socket, type Server } from "node:net";

export type ProxyMode = "pass" | "refuse" | "reset" | "blackhole";

export interface TcpProxy {
  readonly host: "127.0.0.1";
  readonly port: number;
  readonly mode: ProxyMode;
  /** Added before each chunk is passed on, in either direction. */
  latencyMs: number;
  /** Connections accepted since the proxy started (every mode but "refuse"). */
  readonly connections: number;
  /** Connections accepted while the dependency was cut ("reset" or "blackhole"): how hard Paved knocked. */
  readonly attempts: number;
  /** Connections currently open through the proxy. */
  readonly open: number;
  /** The dependency's URL with the proxy's address in its place (e.g. postgresql://…@127.0.0.1:<proxy>/db). */
  rewrite(url: string): string;
  /** Cuts every open connection and answers new ones as `mode` says. */
  cut(mode?: Exclude<ProxyMode, "pass">): Promise<void>;
  /** Passes traffic again. */
  restore(): Promise<void>;
  /** Resets the attempt counter (e.g. at the start of an outage). */
  resetCounts(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }, options: { latencyMs?: number } = {}): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let mode: ProxyMode = "pass";
  let connections = 0;
  let attempts = 0;
  let server: Server | undefined;
  let port = 0;

  const delayed = (from: Socket, to: Socket, proxy: { latencyMs: number }) => {
    // A chain keeps chunks in order when each waits for the latency.
    let chain = Promise.resolve();
    from.on("data", (chunk: Buffer) => {
      if (proxy.latencyMs <= 0) {
        if (!to.destroyed) to.write(chunk);
        return;
      }
      chain = chain.then(
        () =>
          new Promise<void>((resolve) =>
            setTimeout(() => {
              if (!to.destroyed) to.write(chunk);
              resolve();
            }, proxy.latencyMs),
          ),
      );
    });
    from.on("end", () => void chain.then(() => to.end()));
  };

  const onConnection = (client: Socket) => {
    connections++;
    if (mode === "reset") {
      attempts++;
      client.resetAndDestroy();
      return;
    }
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => client.destroy());
    if (mode === "blackhole") {
      attempts++;
      // Read and drop whatever comes; never answer.
      client.on("data", () => {});
      return;
    }
    const upstream = new Socket();
    sockets.add(upstream);
    upstream.on("close", () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on("error", () => upstream.destroy());
    client.on("close", () => upstream.destroy());
    client.pause();
    upstream.connect(target.port, target.host, () => {
      client.resume();
    });
    delayed(client, upstream, proxy);
    delayed(upstream, client, proxy);
  };

  const listen = async (onPort: number) => {
    const s = createServer({ pauseOnConnect: false }, onConnection);
    await new Promise<void>((resolve, reject) => {
      s.once("error", reject);
      s.listen(onPort, "127.0.0.1", () => resolve());
    });
    const address = s.address();
    if (!address || typeof address === "string") throw new Error("no port");
    port = address.port;
    server = s;
  };

  const stopListening = async () => {
    const s = server;
    server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  const cutOpen = () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
  };

  await listen(0);

  const proxy: TcpProxy & { latencyMs: number } = {
    host: "127.0.0.1",
    get port() {
      return port;
    },
    get mode() {
      return mode;
    },
    latencyMs: options.latencyMs ?? 0,
    get connections() {
      return connections;
    },
    get attempts() {
      return attempts;
    },
    get open() {
      return sockets.size;
    },
    rewrite(url: string) {
      const u = new URL(url);
      u.hostname = "127.0.0.1";
      u.port = String(port);
      return u.toString();
    },
    async cut(next = "refuse") {
      mode = next;
      cutOpen();
      if (next === "refuse") await stopListening();
      else if (!server) await listen(port);
    },
    async restore() {
      mode = "pass";
      if (!server) {
        // The same port again; another process could in theory have taken it meanwhile.
        for (let attempt = 0; ; attempt++) {
          try {
            await listen(port);
            break;
          } catch (e) {
            if (attempt >= 50) throw e;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      }
    },
    resetCounts() {
      attempts = 0;
    },
    async close() {
      cutOpen();
      await stopListening();
    },
  };
  return proxy;
}
