// The web server's admission gate, on a real HTTP server: bounded concurrency, arrival order,
// 503 with Retry-After past the queue, health and static files past the gate, and a waiting
// caller that hangs up leaves the queue.
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createAdmission } from "../../scripts/lib/admission.mjs";

let server: Server | undefined;
afterEach(async () => {
  await new Promise((r) => server?.close(r) ?? r(undefined));
  server = undefined;
});

/** A server whose requests finish only when the test lets them, recording the order they started. */
async function gated(options: { concurrency: number; queue: number }) {
  const admission = createAdmission(options);
  const started: string[] = [];
  const holds = new Map<string, () => void>();
  server = createServer(
    admission.wrap((req, res) => {
      const name = req.url ?? "";
      started.push(name);
      if (name.startsWith("/api/health") || name.startsWith("/_next/static/")) return res.end("ok");
      holds.set(name, () => res.end(name));
    }),
  );
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  const get = (path: string) =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: string; abort: () => void }>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, path }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, abort: () => {} }));
      });
      req.on("error", reject);
      req.end();
    });
  const hangUp = (path: string) => {
    const req = request({ host: "127.0.0.1", port, path });
    req.on("error", () => {});
    req.end();
    return () => req.destroy();
  };
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
    expect(check()).toBe(true);
  };
  return { admission, started, holds, get, hangUp, until };
}

describe("admission gate", () => {
  it("handles at most `concurrency` requests at once and lets the others in, in arrival order", async () => {
    const s = await gated({ concurrency: 2, queue: 10 });
    const answers = ["/a", "/b", "/c", "/d"].map((p) => s.get(p));
    await s.until(() => s.started.length === 2 && s.admission.stats().waiting === 2);
    expect(s.started).toEqual(["/a", "/b"]);
    s.holds.get("/a")!();
    await s.until(() => s.started.length === 3);
    expect(s.started[2]).toBe("/c");
    s.holds.get("/b")!();
    await s.until(() => s.started.length === 4);
    s.holds.get("/c")!();
    s.holds.get("/d")!();
    expect((await Promise.all(answers)).map((a) => a.body)).toEqual(["/a", "/b", "/c", "/d"]);
    expect(s.admission.stats()).toEqual({ active: 0, waiting: 0, refused: 0 });
  });

  it("answers 503 with Retry-After at once when the queue is full", async () => {
    const s = await gated({ concurrency: 1, queue: 1 });
    const first = s.get("/a");
    const second = s.get("/b");
    await s.until(() => s.admission.stats().waiting === 1);
    const refused = await s.get("/c");
    expect(refused.status).toBe(503);
    expect(refused.headers["retry-after"]).toBe("1");
    expect(JSON.parse(refused.body)).toMatchObject({ error: { code: "unavailable" } });
    expect(s.admission.stats().refused).toBe(1);
    s.holds.get("/a")!();
    await s.until(() => s.holds.has("/b"));
    s.holds.get("/b")!();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
  });

  it("lets health checks and static files past a full gate", async () => {
    const s = await gated({ concurrency: 1, queue: 0 });
    const busy = s.get("/page");
    await s.until(() => s.admission.stats().active === 1);
    expect((await s.get("/api/health")).status).toBe(200);
    expect((await s.get("/_next/static/chunk.js")).status).toBe(200);
    expect((await s.get("/other")).status).toBe(503);
    s.holds.get("/page")!();
    await busy;
  });

  it("drops a waiting caller who hangs up, and frees the place of one who hangs up while served", async () => {
    const s = await gated({ concurrency: 1, queue: 5 });
    const hangUpServed = s.hangUp("/served");
    await s.until(() => s.admission.stats().active === 1);
    const hangUpWaiting = s.hangUp("/waiting");
    await s.until(() => s.admission.stats().waiting === 1);
    hangUpWaiting();
    await s.until(() => s.admission.stats().waiting === 0);
    hangUpServed();
    await s.until(() => s.admission.stats().active === 0);
    const next = s.get("/next");
    await s.until(() => s.holds.has("/next"));
    s.holds.get("/next")!();
    expect((await next).body).toBe("/next");
    expect(s.started).not.toContain("/waiting");
  });
});
