// The admission gate in front of the real web server (scripts/lib/web-child.mjs →
// scripts/lib/admission.mjs): with one place and no queue, a burst of requests gets one answer
// and 503s with Retry-After for the rest, at once, while health checks answer throughout. The
// gate's own behaviour (order, queue, hang-ups) is unit-tested in tests/unit/admission.test.ts.
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/core/db/client";
import { createTestDatabase, useDatabase, useSharedDatabase, type TestDatabase } from "../support/database";
import { makeToken } from "../support/factory";
import { productionBuildStatus, startWebProcess, type WebProcess } from "../support/processes";

const build = await productionBuildStatus();

describe.skipIf(!build.usable)(`the web server's admission gate (${build.reason})`, () => {
  let database: TestDatabase;
  let web: WebProcess;
  let token: string;

  beforeAll(async () => {
    database = await createTestDatabase({ seed: true });
    await useDatabase(database.url);
    const alice = await db().user.findUniqueOrThrow({ where: { login: "alice" } });
    token = (await makeToken(alice.id)).token;
    web = await startWebProcess({
      DATABASE_URL: database.url,
      AUTH_SECRET: randomBytes(32).toString("base64url"),
      PAVED_DATA_DIR: mkdtempSync(path.join(tmpdir(), "paved-admission-")),
      PAVED_WORKER: "false",
      PAVED_WEB_CONCURRENCY: "1",
      PAVED_WEB_QUEUE: "0",
    });
  }, 120_000);

  afterAll(async () => {
    await web?.stop();
    await useSharedDatabase();
    await database?.drop();
  });

  it("answers past its places with 503 and Retry-After, and lets health checks through", async () => {
    const burst = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        i % 4 === 3
          ? fetch(`${web.url}/api/health?probe=live`).then(async (r) => ({ kind: "health", status: r.status, retryAfter: null, body: await r.text() }))
          : fetch(`${web.url}/api/v1/audit?limit=50`, { headers: { authorization: `Bearer ${token}` } }).then(async (r) => ({
              kind: "api",
              status: r.status,
              retryAfter: r.headers.get("retry-after"),
              body: await r.text(),
            })),
      ),
    );
    const api = burst.filter((r) => r.kind === "api");
    expect(api.some((r) => r.status === 200)).toBe(true);
    const refused = api.filter((r) => r.status === 503);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.retryAfter).toBe("1");
      expect(JSON.parse(r.body)).toMatchObject({ error: { code: "unavailable" } });
    }
    expect(api.every((r) => r.status === 200 || r.status === 503)).toBe(true);
    expect(burst.filter((r) => r.kind === "health").every((r) => r.status === 200)).toBe(true);
    // Once the burst is over, the one place serves again.
    expect((await fetch(`${web.url}/api/v1/audit?limit=50`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });
});
