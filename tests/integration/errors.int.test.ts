// The error format: every refusal is `{ error: { code, message, details?, requestId } }` with the
// right status, and changes nothing in the database. Runs on a database of its own (seeded with the
// demo organisation), so that row counts are exact and alice is the only platform admin.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { db } from "@/lib/core/db/client";
import { defineContract } from "@/lib/core/http/contract";
import { handle } from "@/lib/core/http/handler";
import { MAX_BODY_BYTES } from "@/lib/core/http/body";
import { logger } from "@/lib/core/logger";
import { createTestDatabase, rowCounts, useDatabase, useSharedDatabase, type TestDatabase } from "../support/database";
import { makePerson, makeToken, makeUser, sessionCookie, unique, type TestPerson } from "../support/factory";
import { callJson, expectErrorBody, ORIGIN, type CallOptions, type ErrorBody } from "../support/http";

let database: TestDatabase;
let alice: { id: string; token: string; cookie: string };
let viewer: TestPerson;

beforeAll(async () => {
  database = await createTestDatabase({ seed: true });
  await useDatabase(database.url);
  const user = await db().user.findUniqueOrThrow({ where: { login: "alice" } });
  alice = { id: user.id, token: (await makeToken(user.id)).token, cookie: await sessionCookie(user.id) };
  viewer = await makePerson(["viewer"]);
});

afterAll(async () => {
  await useSharedDatabase();
  await database?.drop();
});

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Makes a request that must be refused, and checks that the database did not change. */
async function refused(method: Method, path: string, options: CallOptions, status: number, code: string) {
  const before = await rowCounts();
  const res = await callJson<ErrorBody>(method, path, options);
  const error = expectErrorBody(res, status, code);
  expect(await rowCounts()).toEqual(before);
  return error;
}

interface Issue {
  path: (string | number)[];
  message: string;
  code?: string;
}
const issuesOf = (error: ErrorBody["error"]) => (error.details as { in: string; issues: Issue[] }).issues;
const pathsOf = (error: ErrorBody["error"]) => issuesOf(error).map((i) => i.path.join("."));

describe("400: bad input", () => {
  it("answers invalid_json to malformed JSON", async () => {
    const error = await refused("POST", "/api/v1/teams", { token: alice.token, rawBody: '{"slug": "x",', headers: { "content-type": "application/json" } }, 400, "invalid_json");
    expect(error.message).toMatch(/not valid JSON/);
  });

  it("answers invalid_json to an empty body", async () => {
    await refused("POST", "/api/v1/teams", { token: alice.token, rawBody: "", headers: { "content-type": "application/json" } }, 400, "invalid_json");
  });

  it("names each field with a wrong type", async () => {
    const error = await refused("POST", "/api/v1/teams", { token: alice.token, body: { slug: 5, name: true, color: "blue" } }, 400, "invalid_input");
    expect((error.details as { in: string }).in).toBe("body");
    expect(pathsOf(error).sort()).toEqual(["color", "name", "slug"]);
    for (const issue of issuesOf(error)) expect(issue.message.length).toBeGreaterThan(0);
  });

  it("names the position of an unknown enum value", async () => {
    const member = await makeUser();
    const error = await refused(
      "PUT",
      "/api/v1/teams/{slug}/members/{login}",
      { token: alice.token, params: { slug: "payments", login: member.login }, body: { roles: ["viewer", "owner"] } },
      400,
      "invalid_input",
    );
    expect(pathsOf(error)).toEqual(["roles.1"]);
  });

  it("names each unknown field", async () => {
    const error = await refused(
      "POST",
      "/api/v1/teams",
      { token: alice.token, body: { slug: unique("t"), name: "T", owner: "me", budget: 1 } },
      400,
      "invalid_input",
    );
    expect(pathsOf(error).sort()).toEqual(["budget", "owner"]);
  });

  it("names nested fields", async () => {
    const error = await refused(
      "POST",
      "/api/v1/users",
      { token: alice.token, body: { login: "-bad-", name: "", team: "payments", roles: [], email: "nope" } },
      400,
      "invalid_input",
    );
    expect(pathsOf(error).sort()).toEqual(["email", "login", "name", "roles"]);
  });

  it("refuses text PostgreSQL cannot store (NUL, unpaired surrogates) as invalid input, naming the field", async () => {
    const nul = await refused("POST", "/api/v1/teams", { token: alice.token, body: { slug: unique("nul"), name: "a\u0000b" } }, 400, "invalid_input");
    expect(pathsOf(nul)).toEqual(["name"]);
    const surrogate = await refused(
      "POST",
      "/api/v1/tokens",
      { token: alice.token, rawBody: '{"name":"half \\ud83d of an emoji"}', headers: { "content-type": "application/json" } },
      400,
      "invalid_input",
    );
    expect(pathsOf(surrogate)).toEqual(["name"]);
    const member = await makeUser();
    const nested = await refused(
      "PUT",
      "/api/v1/teams/{slug}/members/{login}",
      { token: alice.token, params: { slug: "payments", login: member.login }, body: { roles: ["viewer", "x\u0000"] } },
      400,
      "invalid_input",
    );
    expect(pathsOf(nested)).toEqual(["roles.1"]);
    const query = await refused("GET", "/api/v1/audit", { token: alice.token, query: { actor: "alice\u0000" } }, 400, "invalid_input");
    expect(pathsOf(query)).toEqual(["actor"]);
    // A whole emoji (a proper surrogate pair) is fine.
    expect((await callJson("POST", "/api/v1/tokens", { token: alice.token, body: { name: "rocket \u{1F680}" } })).status).toBe(201);
  });

  it("refuses cursors out of range instead of failing in the database", async () => {
    const audit = await refused("GET", "/api/v1/audit", { token: alice.token, query: { cursor: "9999999999999999999" } }, 400, "invalid_input");
    expect(pathsOf(audit)).toEqual(["cursor"]);
    const jobs = await refused("GET", "/api/v1/jobs", { token: alice.token, query: { cursor: `${"9".repeat(23)}:${randomUUID()}` } }, 400, "invalid_input");
    expect(pathsOf(jobs)).toEqual(["cursor"]);
    await refused("GET", "/api/v1/jobs", { token: alice.token, query: { cursor: `1:${"-".repeat(36)}` } }, 400, "invalid_input");
    expect((await callJson("GET", "/api/v1/audit", { token: alice.token, query: { cursor: "999999999999999999" } })).status).toBe(200);
  });

  it("checks path parameters and query strings the same way", async () => {
    const params = await refused("PATCH", "/api/v1/teams/{slug}", { token: alice.token, params: { slug: "Not_A_Slug" }, body: { name: "x" } }, 400, "invalid_input");
    expect((params.details as { in: string }).in).toBe("path parameters");
    expect(pathsOf(params)).toEqual(["slug"]);
    const query = await refused("GET", "/api/v1/jobs", { token: alice.token, query: { state: "exploded", limit: "many" } }, 400, "invalid_input");
    expect((query.details as { in: string }).in).toBe("query");
    expect(pathsOf(query).sort()).toEqual(["limit", "state"]);
    const token = await refused("DELETE", "/api/v1/tokens/{id}", { token: alice.token, params: { id: "not-a-uuid" } }, 400, "invalid_input");
    expect(pathsOf(token)).toEqual(["id"]);
  });
});

describe("413 and 415: bodies", () => {
  it("answers 415 to a body without a JSON content-type", async () => {
    await refused("POST", "/api/v1/teams", { token: alice.token, rawBody: JSON.stringify({ slug: unique("t"), name: "T" }) }, 415, "unsupported_media_type");
    await refused(
      "POST",
      "/api/v1/teams",
      { token: alice.token, rawBody: "slug=x&name=y", headers: { "content-type": "application/x-www-form-urlencoded" } },
      415,
      "unsupported_media_type",
    );
  });

  const big = () => JSON.stringify({ slug: unique("big"), name: "Big", description: "x".repeat(MAX_BODY_BYTES) });

  it("answers 413 to a body over 1 MB with a content-length", async () => {
    const body = big();
    await refused(
      "POST",
      "/api/v1/teams",
      { token: alice.token, rawBody: body, headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) } },
      413,
      "payload_too_large",
    );
  });

  it("answers 413 to a streamed body over 1 MB without a content-length", async () => {
    const bytes = new TextEncoder().encode(big());
    let offset = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= bytes.length) return controller.close();
        controller.enqueue(bytes.subarray(offset, offset + 65_536));
        offset += 65_536;
      },
    });
    await refused("POST", "/api/v1/teams", { token: alice.token, rawBody: stream, headers: { "content-type": "application/json" } }, 413, "payload_too_large");
  });
});

describe("401: credentials", () => {
  it("answers 401 without credentials", async () => {
    await refused("POST", "/api/v1/teams", { body: { slug: unique("t"), name: "T" } }, 401, "unauthenticated");
    await refused("GET", "/api/v1/me", {}, 401, "unauthenticated");
  });

  it("says what is wrong with each bad credential, distinctly", async () => {
    // No new platform admin here: the 422 test below needs alice to be the only one.
    const person = await makePerson(["developer"]);
    const expired = await makeToken(person.id, { expiresAt: new Date(Date.now() - 60_000) });
    const revoked = await makeToken(person.id, { revokedAt: new Date() });
    const disabledUser = await makeUser({ roles: ["developer"], disabled: true });
    const ofDisabled = await makeToken(disabledUser.id);
    const cases: [string, CallOptions][] = [
      ["basic auth", { headers: { authorization: "Basic YWxpY2U6c2VjcmV0" } }],
      ["bearer without token", { headers: { authorization: "Bearer" } }],
      ["two words", { headers: { authorization: `Bearer ${person.token} extra` } }],
      ["not a Paved token", { token: "ghp_notapavedtoken" }],
      ["unknown token", { token: `pvd_${"A".repeat(40)}` }],
      ["expired token", { token: expired.token }],
      ["revoked token", { token: revoked.token }],
      ["disabled user", { token: ofDisabled.token }],
      ["session of a disabled user", { cookie: await sessionCookie(disabledUser.id) }],
    ];
    const messages = new Map<string, string>();
    for (const [name, options] of cases) {
      const error = await refused("POST", "/api/v1/teams", { ...options, body: { slug: unique("t"), name: "T" } }, 401, "unauthenticated");
      messages.set(name, error.message);
    }
    expect(messages.get("basic auth")).toMatch(/Bearer <token>/);
    expect(messages.get("bearer without token")).toBe(messages.get("basic auth"));
    expect(messages.get("two words")).toBe(messages.get("basic auth"));
    expect(messages.get("not a Paved token")).toMatch(/not a Paved API token/);
    expect(messages.get("unknown token")).toMatch(/not valid/);
    expect(messages.get("expired token")).toMatch(/expired/);
    expect(messages.get("revoked token")).toMatch(/revoked/);
    expect(messages.get("disabled user")).toMatch(/disabled/);
    expect(messages.get("session of a disabled user")).toMatch(/sign in again/);
    const distinct = new Set([...messages].filter(([name]) => !["bearer without token", "two words"].includes(name)).map(([, m]) => m));
    expect(distinct.size).toBe(cases.length - 2);
  });

  it("ignores a forged session cookie", async () => {
    const forged = `authjs.session-token=${(await sessionCookie(alice.id)).split("=")[1]?.slice(0, -4)}AAAA`;
    await refused("POST", "/api/v1/teams", { cookie: forged, body: { slug: unique("t"), name: "T" } }, 401, "unauthenticated");
  });
});

describe("403: permission and origin", () => {
  it("answers 403 naming the permission the caller lacks", async () => {
    const error = await refused("POST", "/api/v1/teams", { token: viewer.token, body: { slug: unique("t"), name: "T" } }, 403, "forbidden");
    expect(error.details).toEqual({ permission: "teams.manage" });
    expect(error.message).toMatch(/teams\.manage/);
    expect(error.message).toMatch(/platform-admin/);
  });

  it("refuses a cookie-authenticated write from a foreign origin", async () => {
    const body = { slug: unique("csrf"), name: "CSRF" };
    const error = await refused("POST", "/api/v1/teams", { cookie: alice.cookie, origin: "https://evil.example.com", body }, 403, "forbidden");
    expect(error.message).toMatch(/Cross-site/);
    await refused("POST", "/api/v1/teams", { cookie: alice.cookie, origin: "null", body }, 403, "forbidden");
    await refused("POST", "/api/v1/teams", { cookie: alice.cookie, origin: null, headers: { "sec-fetch-site": "cross-site" }, body }, 403, "forbidden");
    // The same write from Paved's own page goes through; tokens need no origin.
    expect((await callJson("POST", "/api/v1/teams", { cookie: alice.cookie, origin: ORIGIN, body })).status).toBe(201);
    expect((await callJson("POST", "/api/v1/teams", { token: alice.token, origin: "https://evil.example.com", body: { slug: unique("api"), name: "API" } })).status).toBe(201);
  });

  it("lets cookie-authenticated reads through from anywhere", async () => {
    expect((await callJson("GET", "/api/v1/me", { cookie: alice.cookie, origin: "https://evil.example.com" })).status).toBe(200);
  });
});

describe("404, 409 and 422", () => {
  it("answers 404 to unknown teams, people, members, tokens and jobs", async () => {
    const missing = unique("missing");
    await refused("PATCH", "/api/v1/teams/{slug}", { token: alice.token, params: { slug: missing }, body: { name: "x" } }, 404, "not_found");
    await refused("GET", "/api/v1/teams/{slug}/members", { token: alice.token, params: { slug: missing } }, 404, "not_found");
    await refused("PATCH", "/api/v1/users/{login}", { token: alice.token, params: { login: missing }, body: { name: "x" } }, 404, "not_found");
    await refused("PUT", "/api/v1/teams/{slug}/members/{login}", { token: alice.token, params: { slug: "payments", login: missing }, body: { roles: ["viewer"] } }, 404, "not_found");
    await refused("DELETE", "/api/v1/teams/{slug}/members/{login}", { token: alice.token, params: { slug: "payments", login: "alice" } }, 404, "not_found");
    await refused("POST", "/api/v1/users", { token: alice.token, body: { login: unique("u"), name: "U", team: missing, roles: ["viewer"] } }, 404, "not_found");
    await refused("DELETE", "/api/v1/tokens/{id}", { token: alice.token, params: { id: randomUUID() } }, 404, "not_found");
    await refused("POST", "/api/v1/jobs/{id}/retry", { token: alice.token, params: { id: randomUUID() } }, 404, "not_found");
    await refused("POST", "/api/v1/jobs/{id}/cancel", { token: alice.token, params: { id: randomUUID() } }, 404, "not_found");
  });

  it("answers 404, not 403, to another person's token", async () => {
    const error = await refused("DELETE", "/api/v1/tokens/{id}", { token: alice.token, params: { id: viewer.tokenId } }, 404, "not_found");
    expect(error.message).not.toMatch(/permission|forbidden|belongs/i);
    expect((await db().apiToken.findUniqueOrThrow({ where: { id: viewer.tokenId } })).revokedAt).toBeNull();
  });

  it("answers 404 in the error shape to unknown API paths", async () => {
    const { notFoundRoute } = await import("@/lib/core/http/not-found");
    const res = await notFoundRoute(new Request(`${ORIGIN}/api/v1/nothing-here`, { method: "DELETE" }));
    const body = (await res.json()) as ErrorBody;
    expectErrorBody({ status: res.status, body }, 404, "not_found");
  });

  it("answers 409 to a duplicate team slug or login", async () => {
    const error = await refused("POST", "/api/v1/teams", { token: alice.token, body: { slug: "payments", name: "Payments again" } }, 409, "conflict");
    expect(error.message).toMatch(/payments/);
    await refused("POST", "/api/v1/users", { token: alice.token, body: { login: "Bob", name: "Bob again", team: "payments", roles: ["viewer"] } }, 409, "conflict");
  });

  it("answers 422 to removing or disabling the last platform admin", async () => {
    expect(await db().membership.count({ where: { role: "platform_admin", user: { disabledAt: null } } })).toBe(1);
    const removeSelf = await refused("DELETE", "/api/v1/teams/{slug}/members/{login}", { token: alice.token, params: { slug: "platform", login: "alice" } }, 422, "rule_violation");
    expect(removeSelf.message).toMatch(/platform admin/);
    await refused("PUT", "/api/v1/teams/{slug}/members/{login}", { token: alice.token, params: { slug: "platform", login: "alice" }, body: { roles: ["viewer"] } }, 422, "rule_violation");
    await refused("PATCH", "/api/v1/users/{login}", { token: alice.token, params: { login: "alice" }, body: { disabled: true } }, 422, "rule_violation");
    expect(await db().membership.count({ where: { role: "platform_admin", user: { disabledAt: null } } })).toBe(1);
  });
});

describe("500 and request ids", () => {
  const contract = defineContract({
    method: "GET",
    path: "/api/v1/test-only/explode",
    tag: "Test",
    summary: "Throws",
    access: "public",
    response: z.object({ ok: z.boolean() }),
  });

  it("answers 500 without internals, quoting only the request id, and logs the error with it", async () => {
    const logged = vi.spyOn(logger, "error");
    try {
      const route = handle(contract, async () => {
        throw new Error("relation \"secret_table\" password=hunter2 at /srv/paved/lib/x.ts:12");
      });
      const res = await route(new Request(`${ORIGIN}/api/v1/test-only/explode`), { params: Promise.resolve({}) });
      const body = (await res.json()) as ErrorBody;
      const error = expectErrorBody({ status: res.status, body, headers: res.headers }, 500, "internal");
      expect(error.details).toBeUndefined();
      expect(error.message).toContain(error.requestId);
      expect(JSON.stringify(body)).not.toMatch(/secret_table|hunter2|\/srv\/paved|\.ts:|Error:/);
      expect(logged).toHaveBeenCalledWith(expect.objectContaining({ requestId: error.requestId, err: expect.any(Error) }), "request failed");
    } finally {
      logged.mockRestore();
    }
  });

  it("answers 503 when the database cannot be reached", async () => {
    const route = handle(contract, async () => {
      throw new Error("connect ECONNREFUSED 127.0.0.1:5432");
    });
    const res = await route(new Request(`${ORIGIN}/api/v1/test-only/explode`), { params: Promise.resolve({}) });
    const error = expectErrorBody({ status: res.status, body: await res.json(), headers: res.headers }, 503, "unavailable");
    expect(error.message).not.toMatch(/ECONNREFUSED|5432/);
  });

  it("echoes a valid incoming x-request-id and replaces an invalid one", async () => {
    const ok = await callJson("GET", "/api/v1/me", { token: alice.token, headers: { "x-request-id": "trace-123.abc_DEF" } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("x-request-id")).toBe("trace-123.abc_DEF");

    const failed = await callJson<ErrorBody>("GET", "/api/v1/me", { headers: { "x-request-id": "trace-456" } });
    expect(expectErrorBody(failed, 401, "unauthenticated").requestId).toBe("trace-456");

    for (const bad of ["has spaces", "x".repeat(65), "<script>", "a/b"]) {
      const res = await callJson<ErrorBody>("GET", "/api/v1/me", { headers: { "x-request-id": bad } });
      const id = expectErrorBody(res, 401, "unauthenticated").requestId;
      expect(id).not.toBe(bad);
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("records the request id on the audit event of a write", async () => {
    const res = await callJson<{ id: string }>("POST", "/api/v1/teams", { token: alice.token, headers: { "x-request-id": "req-audit-1" }, body: { slug: unique("rid"), name: "Rid" } });
    expect(res.status).toBe(201);
    const event = await db().auditEvent.findFirstOrThrow({ where: { targetId: res.body.id } });
    expect(event.requestId).toBe("req-audit-1");
  });
});
