// The same-origin check on cookie-authenticated writes (a CSRF guard, lib/core/http/handler.ts):
// on every mutating route that takes a session, a write whose Origin is another site, or whose
// Sec-Fetch-Site says cross-site or same-site, is refused with 403 before anything is parsed or
// changed; Paved's own origin (also behind a proxy, through X-Forwarded-Host) passes; API-token
// writes are not subject to it; reads are not either.
import { beforeAll, describe, expect, it } from "vitest";
import { ALL_CONTRACTS } from "@/lib/api/contracts";
import { db } from "@/lib/core/db/client";
import { MUTATING_METHODS } from "@/lib/core/http/contract";
import { makePerson, type TestPerson } from "../support/factory";
import { callJson, expectErrorBody, ORIGIN } from "../support/http";

let admin: TestPerson;
beforeAll(async () => {
  // Holds every permission, so a refusal can only be the origin check.
  admin = await makePerson(["platform-admin"]);
});

const writes = ALL_CONTRACTS.filter((c) => MUTATING_METHODS.includes(c.method) && c.access !== "public");
const dummyParams = (path: string) => Object.fromEntries([...path.matchAll(/\{(\w+)\}/g)].map((m) => [m[1] as string, "x"]));
const tokensOf = (userId: string) => db().apiToken.count({ where: { userId } });
const eventsOf = (userId: string) => db().auditEvent.count({ where: { actorId: userId } });

describe("cookie-authenticated writes from elsewhere", () => {
  it("are refused with 403 on every mutating route, and change nothing", async () => {
    expect(writes.length).toBeGreaterThan(20);
    const before = await eventsOf(admin.id);
    const foreign: { origin?: string | null; headers?: Record<string, string> }[] = [
      { origin: "https://evil.example.com" },
      { origin: "http://localhost:3001" },
      { origin: "null" },
      { origin: null, headers: { "sec-fetch-site": "cross-site" } },
      { origin: null, headers: { "sec-fetch-site": "same-site" } },
    ];
    for (const c of writes) {
      for (const f of foreign) {
        const res = await callJson(c.method, c.path, { cookie: admin.cookie, params: dummyParams(c.path), body: {}, ...f });
        const error = expectErrorBody(res, 403, "forbidden");
        expect(error.message, `${c.method} ${c.path} ${JSON.stringify(f)}`).toMatch(/Cross-site request refused/);
      }
    }
    expect(await eventsOf(admin.id)).toBe(before);
  });

  it("refuses a token creation from another site, and creates no token", async () => {
    const me = await makePerson(["viewer"]);
    const before = await tokensOf(me.id);
    expectErrorBody(await callJson("POST", "/api/v1/tokens", { cookie: me.cookie, origin: "https://evil.example.com", body: { name: "csrf" } }), 403, "forbidden");
    expectErrorBody(await callJson("POST", "/api/v1/tokens", { cookie: me.cookie, origin: null, headers: { "sec-fetch-site": "cross-site" }, body: { name: "csrf" } }), 403, "forbidden");
    expect(await tokensOf(me.id)).toBe(before);
  });
});

describe("what passes", () => {
  it("a cookie write from Paved's own pages: same Origin, or Sec-Fetch-Site same-origin or none", async () => {
    const me = await makePerson(["viewer"]);
    expect((await callJson("POST", "/api/v1/tokens", { cookie: me.cookie, origin: ORIGIN, body: { name: "same-origin" } })).status).toBe(201);
    expect((await callJson("POST", "/api/v1/tokens", { cookie: me.cookie, origin: null, headers: { "sec-fetch-site": "same-origin" }, body: { name: "fetch-site" } })).status).toBe(201);
    expect((await callJson("POST", "/api/v1/tokens", { cookie: me.cookie, origin: null, headers: { "sec-fetch-site": "none" }, body: { name: "typed-url" } })).status).toBe(201);
  });

  it("behind a proxy, the public host from X-Forwarded-Host", async () => {
    const me = await makePerson(["viewer"]);
    const proxied = { "x-forwarded-host": "paved.example.com" };
    expect((await callJson("POST", "/api/v1/tokens", { cookie: me.cookie, origin: "https://paved.example.com", headers: proxied, body: { name: "proxied" } })).status).toBe(201);
    expectErrorBody(await callJson("POST", "/api/v1/tokens", { cookie: me.cookie, origin: ORIGIN, headers: proxied, body: { name: "internal" } }), 403, "forbidden");
  });

  it("API-token writes, whatever their Origin or Sec-Fetch-Site", async () => {
    const me = await makePerson(["viewer"]);
    const before = await tokensOf(me.id);
    expect((await callJson("POST", "/api/v1/tokens", { token: me.token, origin: "https://evil.example.com", body: { name: "script" } })).status).toBe(201);
    expect((await callJson("POST", "/api/v1/tokens", { token: me.token, headers: { "sec-fetch-site": "cross-site" }, body: { name: "script-2" } })).status).toBe(201);
    expect(await tokensOf(me.id)).toBe(before + 2);
  });

  it("cookie reads from anywhere", async () => {
    expect((await callJson("GET", "/api/v1/tokens", { cookie: admin.cookie, origin: "https://evil.example.com" })).status).toBe(200);
    expect((await callJson("GET", "/api/v1/me", { cookie: admin.cookie, headers: { "sec-fetch-site": "cross-site" } })).status).toBe(200);
  });
});
