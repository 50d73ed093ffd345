// Rate limits (issue 9): counted in PostgreSQL, so every instance shares them. The counter itself
// (limit, window, independent keys, two Prisma clients standing for two instances, concurrent
// attempts), then where Paved applies it: POST /api/v1/tokens per person, the demo sign-in per
// login and per address, and Auth.js's sign-in endpoints per address. The attempt over the limit
// answers 429 `rate_limited` with Retry-After, and changes nothing.
import { randomUUID } from "node:crypto";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, databaseUrl, db, type Db } from "@/lib/core/db/client";
import { clientAddress, consumeRateLimit, counterKey, enforceRateLimit, pruneRateLimitCounters, RateLimitedError } from "@/lib/core/http/rate-limit";
import { SIGN_IN_LIMITS } from "@/lib/core/auth/sign-in";
import { createTokenContract } from "@/lib/org/contracts";
import { ALL_CONTRACTS } from "@/lib/api/contracts";
import { buildOpenApiDocument } from "@/lib/core/http/openapi";
import { makePerson, makeUser } from "../support/factory";
import { callJson, expectErrorBody, ORIGIN } from "../support/http";

const bucket = () => `test.${randomUUID()}`;

describe("the shared counter", () => {
  let second: Db;
  beforeAll(() => {
    // Another instance: its own client and pool on the same database.
    second = createClient(databaseUrl(), 3);
  });
  afterAll(async () => {
    await second.$disconnect();
  });

  it("allows the limit within the window and refuses the next attempt, saying when to retry", async () => {
    const limit = { bucket: bucket(), limit: 3, windowSeconds: 60 };
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await consumeRateLimit(db(), limit, "k"));
    expect(decisions.map((d) => [d.allowed, d.count])).toEqual([
      [true, 1],
      [true, 2],
      [true, 3],
      [false, 4],
    ]);
    expect(decisions[3]?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(decisions[3]?.retryAfterSeconds).toBeLessThanOrEqual(60);
    const refused = await enforceRateLimit(db(), limit, "k").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).status).toBe(429);
    expect((refused as RateLimitedError).message).toMatch(/at most 3 every minute/);
  });

  it("counts each key, and each bucket, on its own", async () => {
    const limit = { bucket: bucket(), limit: 1, windowSeconds: 60 };
    expect((await consumeRateLimit(db(), limit, "a")).allowed).toBe(true);
    expect((await consumeRateLimit(db(), limit, "a")).allowed).toBe(false);
    expect((await consumeRateLimit(db(), limit, "b")).allowed).toBe(true);
    expect((await consumeRateLimit(db(), { ...limit, bucket: bucket() }, "a")).allowed).toBe(true);
  });

  it("shares the count between two instances (two Prisma clients)", async () => {
    const limit = { bucket: bucket(), limit: 4, windowSeconds: 60 };
    const seen = [];
    for (const client of [db(), second, db(), second, db(), second]) seen.push((await consumeRateLimit(client, limit, "shared")).allowed);
    expect(seen).toEqual([true, true, true, true, false, false]);
  });

  it("lets exactly the limit through when both instances are hit at once", async () => {
    const limit = { bucket: bucket(), limit: 10, windowSeconds: 60 };
    const attempts = Array.from({ length: 24 }, (_, i) => consumeRateLimit(i % 2 ? second : db(), limit, "burst"));
    const decisions = await Promise.all(attempts);
    expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
    expect(decisions.map((d) => d.count).sort((a, b) => a - b)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
  });

  it("starts a new window once the old one has ended", async () => {
    const limit = { bucket: bucket(), limit: 1, windowSeconds: 1 };
    expect((await consumeRateLimit(db(), limit, "w")).allowed).toBe(true);
    expect((await consumeRateLimit(second, limit, "w")).allowed).toBe(false);
    await new Promise((r) => setTimeout(r, 1100));
    const again = await consumeRateLimit(second, limit, "w");
    expect(again).toMatchObject({ allowed: true, count: 1 });
  });

  it("prunes counters whose window ended long ago, and bounds the key's length", async () => {
    const old = counterKey(bucket(), "old");
    await db().rateLimitCounter.create({ data: { key: old, windowStart: new Date(Date.now() - 3 * 86_400_000), count: 5 } });
    expect(await pruneRateLimitCounters(db())).toBeGreaterThanOrEqual(1);
    expect(await db().rateLimitCounter.findUnique({ where: { key: old } })).toBeNull();
    expect(counterKey("b", "x".repeat(1000)).length).toBe(200);
  });

  it("refuses a limit it cannot apply", async () => {
    await expect(consumeRateLimit(db(), { bucket: bucket(), limit: 0, windowSeconds: 60 }, "k")).rejects.toThrow(/positive integer/);
    await expect(consumeRateLimit(db(), { bucket: bucket(), limit: 1, windowSeconds: 0 }, "k")).rejects.toThrow(/windowSeconds/);
  });

  it("takes the caller's address from the last X-Forwarded-For entry (the one the nearest proxy added)", () => {
    expect(clientAddress(new Headers({ "x-forwarded-for": "6.6.6.6, 203.0.113.7" }))).toBe("203.0.113.7");
    expect(clientAddress(new Headers({ "x-forwarded-for": " 198.51.100.2 " }))).toBe("198.51.100.2");
    expect(clientAddress(new Headers())).toBe("unknown");
  });
});

describe("POST /api/v1/tokens", () => {
  const limit = createTokenContract.rateLimit;

  it("is limited per person, documented in the OpenAPI document", () => {
    expect(limit).toEqual({ bucket: "tokens.create", limit: 10, windowSeconds: 3600, by: "actor" });
    const doc = buildOpenApiDocument(ALL_CONTRACTS, { version: "test" }) as unknown as { paths: Record<string, Record<string, { responses: Record<string, unknown>; description?: string }>> };
    const post = doc.paths["/api/v1/tokens"]?.post;
    expect(Object.keys(post?.responses ?? {})).toContain("429");
    expect(post?.description).toMatch(/at most 10 requests every 3600 s per person/);
  });

  it("answers 429 with Retry-After to the attempt over the limit, and creates nothing", async () => {
    const me = await makePerson(["developer"]);
    for (let i = 0; i < 10; i++) {
      const res = await callJson("POST", "/api/v1/tokens", { token: me.token, body: { name: `t${i}` } });
      expect(res.status).toBe(201);
    }
    const tokensBefore = await db().apiToken.count({ where: { userId: me.id } });
    const eventsBefore = await db().auditEvent.count({ where: { actorId: me.id } });

    const refused = await callJson("POST", "/api/v1/tokens", { token: me.token, body: { name: "one too many" } });
    const error = expectErrorBody(refused, 429, "rate_limited");
    expect(error.message).toMatch(/at most 10 every hour/);
    expect(error.details).toMatchObject({ limit: 10, windowSeconds: 3600 });
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(3500);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    // The session counts against the same person.
    expectErrorBody(await callJson("POST", "/api/v1/tokens", { cookie: me.cookie, body: { name: "via session" } }), 429, "rate_limited");

    expect(await db().apiToken.count({ where: { userId: me.id } })).toBe(tokensBefore);
    expect(await db().apiToken.count({ where: { userId: me.id, name: { in: ["one too many", "via session"] } } })).toBe(0);
    expect(await db().auditEvent.count({ where: { actorId: me.id } })).toBe(eventsBefore);
    // Reading is not limited.
    expect((await callJson("GET", "/api/v1/tokens", { token: me.token })).status).toBe(200);
  });

  it("counts each person separately", async () => {
    const [busy, other] = [await makePerson(["viewer"]), await makePerson(["viewer"])];
    for (let i = 0; i < 11; i++) await callJson("POST", "/api/v1/tokens", { token: busy.token, body: { name: `b${i}` } });
    expect((await callJson("POST", "/api/v1/tokens", { token: busy.token, body: { name: "b" } })).status).toBe(429);
    expect((await callJson("POST", "/api/v1/tokens", { token: other.token, body: { name: "o" } })).status).toBe(201);
  });

  it("shares the count with another instance", async () => {
    const me = await makePerson(["viewer"]);
    const other = createClient(databaseUrl(), 2);
    try {
      // Nine creations served by the other instance (its wrapper counts exactly this way).
      for (let i = 0; i < 9; i++) await consumeRateLimit(other, limit!, `user:${me.id}`);
    } finally {
      await other.$disconnect();
    }
    expect((await callJson("POST", "/api/v1/tokens", { token: me.token, body: { name: "tenth" } })).status).toBe(201);
    expect((await callJson("POST", "/api/v1/tokens", { token: me.token, body: { name: "eleventh" } })).status).toBe(429);
  });

  it("does not count callers who are refused before it (no credentials)", async () => {
    const before = await db().rateLimitCounter.count({ where: { key: { startsWith: "tokens.create:address:" } } });
    expect((await callJson("POST", "/api/v1/tokens", { body: { name: "anonymous" } })).status).toBe(401);
    expect(await db().rateLimitCounter.count({ where: { key: { startsWith: "tokens.create:address:" } } })).toBe(before);
  });
});

describe("sign-in", () => {
  type AuthHandler = (req: NextRequest) => Promise<Response>;
  async function auth(method: "GET" | "POST", path: string, init: { body?: string; cookie?: string; address: string }): Promise<Response> {
    const mod = (await import("@/app/api/auth/[...nextauth]/route")) as Record<string, AuthHandler>;
    const handler = mod[method];
    if (!handler) throw new Error(method);
    const headers = new Headers({ host: new URL(ORIGIN).host, "x-forwarded-for": init.address });
    if (init.cookie) headers.set("cookie", init.cookie);
    if (init.body) headers.set("content-type", "application/x-www-form-urlencoded");
    return handler(new NextRequest(new URL(path, ORIGIN), { method, headers, body: init.body }));
  }
  const cookiesOf = (res: Response) => res.headers.getSetCookie().map((c) => c.split(";")[0] ?? "");
  const hasSession = (res: Response) => cookiesOf(res).some((c) => c.startsWith("authjs.session-token="));
  let n = 0;
  /** A fresh address from TEST-NET-3 for each test, so that tests do not share counters. */
  const address = () => `203.0.113.${(n++ % 250) + 1}-${randomUUID().slice(0, 8)}`;

  async function demoSignIn(login: string, from: string): Promise<Response> {
    const csrf = await auth("GET", "/api/auth/csrf", { address: from });
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const body = new URLSearchParams({ login, csrfToken, callbackUrl: `${ORIGIN}/` }).toString();
    return auth("POST", "/api/auth/callback/demo", { body, cookie: cookiesOf(csrf).join("; "), address: from });
  }

  it("limits the attempts for one login, from any address, and the refused one signs no one in", async () => {
    const demo = await makeUser({ roles: ["viewer"], isDemo: true, prefix: "demo" });
    for (let i = 0; i < SIGN_IN_LIMITS.perLogin.limit; i++) expect(hasSession(await demoSignIn(demo.login, address()))).toBe(true);
    const events = await db().auditEvent.count({ where: { action: "auth.signed_in", targetId: demo.id } });
    expect(events).toBe(SIGN_IN_LIMITS.perLogin.limit);

    const refused = await demoSignIn(demo.login.toUpperCase(), address());
    expect(hasSession(refused)).toBe(false);
    expect(refused.headers.get("location")).toMatch(/\/signin\?.*code=rate_limited/);
    expect(await db().auditEvent.count({ where: { action: "auth.signed_in", targetId: demo.id } })).toBe(events);

    // Another login is not affected.
    const other = await makeUser({ roles: ["viewer"], isDemo: true, prefix: "demo" });
    expect(hasSession(await demoSignIn(other.login, address()))).toBe(true);
  });

  it("limits the attempts from one address, whatever the login", async () => {
    const from = address();
    const people = [];
    for (let i = 0; i < 4; i++) people.push(await makeUser({ roles: ["viewer"], isDemo: true, prefix: "demo" }));
    const outcomes: boolean[] = [];
    for (let i = 0; i < SIGN_IN_LIMITS.perAddress.limit + 1; i++) outcomes.push(hasSession(await demoSignIn(people[i % 4]!.login, from)));
    expect(outcomes.filter(Boolean)).toHaveLength(SIGN_IN_LIMITS.perAddress.limit);
    expect(outcomes.at(-1)).toBe(false);
    // The same person from another address still gets in.
    const elsewhere = await makeUser({ roles: ["viewer"], isDemo: true, prefix: "demo" });
    expect(hasSession(await demoSignIn(elsewhere.login, address()))).toBe(true);
  });

  it("answers 429 with Retry-After from the sign-in endpoints once an address is over their limit", async () => {
    const from = address();
    for (let i = 0; i < SIGN_IN_LIMITS.endpoint.limit; i++) {
      // No CSRF token: Auth.js itself refuses these (a redirect), but each one counts.
      const res = await auth("POST", "/api/auth/callback/demo", { body: "login=nobody", address: from });
      expect(res.status).not.toBe(429);
    }
    const refused = await auth("GET", "/api/auth/callback/github?code=x&state=y", { address: from });
    const body = (await refused.json()) as unknown;
    const error = expectErrorBody({ status: refused.status, body, headers: refused.headers }, 429, "rate_limited");
    expect(error.details).toMatchObject({ limit: SIGN_IN_LIMITS.endpoint.limit, windowSeconds: 60 });
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    // Other Auth.js endpoints (the session, the CSRF token) are not limited, nor other addresses.
    expect((await auth("GET", "/api/auth/session", { address: from })).status).toBe(200);
    expect((await auth("GET", "/api/auth/csrf", { address: from })).status).toBe(200);
    expect((await auth("POST", "/api/auth/callback/demo", { body: "login=nobody", address: address() })).status).not.toBe(429);
  });
});
