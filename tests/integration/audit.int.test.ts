// The audit trail: one event per successful write, hash-chained without gaps even under
// concurrent writers, append-only in the database, tampering detected at the exact event, and
// the list route's filters and paging. Runs on a database of its own (migrated, not seeded), so
// the chain starts at seq 1 with this file's events and tampering cannot touch another file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/core/db/client";
import { hashEvent } from "@/lib/core/audit/hash";
import { verifyAuditChain, type AuditEventDto, type AuditPage, type ChainVerification } from "@/lib/audit";
import { createTestDatabase, useDatabase, useSharedDatabase, type TestDatabase } from "../support/database";
import { makePerson, makeTeam, makeUser, unique, type TestPerson } from "../support/factory";
import { callJson } from "../support/http";

let database: TestDatabase;
let admin: TestPerson;

beforeAll(async () => {
  database = await createTestDatabase();
  await useDatabase(database.url);
  admin = await makePerson(["platform-admin"], { prefix: "auditor" });
});

afterAll(async () => {
  await useSharedDatabase();
  await database?.drop();
});

async function lastEvent() {
  return db().auditEvent.findFirstOrThrow({ orderBy: { seq: "desc" } });
}

/** Runs a write and returns the one audit event it recorded (failing if it recorded 0 or 2+). */
async function theEventOf(write: () => Promise<{ status: number }>, status: number) {
  const before = await db().auditEvent.count();
  const res = await write();
  expect(res.status).toBe(status);
  expect(await db().auditEvent.count()).toBe(before + 1);
  return lastEvent();
}

async function verify(): Promise<ChainVerification> {
  const res = await callJson<ChainVerification>("GET", "/api/v1/audit/verify", { token: admin.token });
  expect(res.status).toBe(200);
  return res.body;
}

describe("every write records exactly one event", () => {
  it("for tokens: created and revoked", async () => {
    let tokenId = "";
    let secret = "";
    const created = await theEventOf(async () => {
      const res = await callJson<{ id: string; token: string }>("POST", "/api/v1/tokens", { token: admin.token, body: { name: "audited" }, headers: { "x-request-id": "audit-token-1" } });
      tokenId = res.body.id;
      secret = res.body.token;
      return res;
    }, 201);
    expect(created).toMatchObject({
      actorType: "token",
      actorId: admin.id,
      actorTokenId: admin.tokenId,
      actorLogin: admin.login,
      action: "token.created",
      targetType: "api_token",
      targetId: tokenId,
      requestId: "audit-token-1",
    });
    expect(created.payload).toMatchObject({ name: "audited" });
    expect(secret).toMatch(/^pvd_/);
    expect(JSON.stringify({ ...created, seq: String(created.seq) })).not.toContain(secret);

    const revoked = await theEventOf(() => callJson("DELETE", "/api/v1/tokens/{id}", { cookie: admin.cookie, params: { id: tokenId } }), 204);
    expect(revoked).toMatchObject({ actorType: "user", actorTokenId: null, actorLogin: admin.login, action: "token.revoked", targetType: "api_token", targetId: tokenId });
  });

  it("for teams: created and updated", async () => {
    const slug = unique("audited");
    let teamId = "";
    const created = await theEventOf(async () => {
      const res = await callJson<{ id: string }>("POST", "/api/v1/teams", { token: admin.token, body: { slug, name: "Audited", color: "#123456" } });
      teamId = res.body.id;
      return res;
    }, 201);
    expect(created).toMatchObject({ action: "team.created", targetType: "team", targetId: teamId, targetLabel: slug, teamId });
    expect(created.payload).toEqual({ slug, name: "Audited", description: "", color: "#123456" });

    const updated = await theEventOf(() => callJson("PATCH", "/api/v1/teams/{slug}", { token: admin.token, params: { slug }, body: { name: "Audited too" } }), 200);
    expect(updated).toMatchObject({ action: "team.updated", targetId: teamId, teamId });
    expect(updated.payload).toEqual({ changes: { name: { from: "Audited", to: "Audited too" } } });
  });

  it("for memberships: set and removed", async () => {
    const team = await makeTeam("members");
    const person = await makeUser({ prefix: "member" });
    const set = await theEventOf(
      () => callJson("PUT", "/api/v1/teams/{slug}/members/{login}", { token: admin.token, params: { slug: team.slug, login: person.login }, body: { roles: ["sre", "developer"] } }),
      200,
    );
    expect(set).toMatchObject({ action: "membership.updated", targetType: "user", targetId: person.id, targetLabel: person.login, teamId: team.id });
    expect(set.payload).toEqual({ team: team.slug, from: [], to: ["developer", "sre"] });

    const removed = await theEventOf(() => callJson("DELETE", "/api/v1/teams/{slug}/members/{login}", { token: admin.token, params: { slug: team.slug, login: person.login } }), 204);
    expect(removed).toMatchObject({ action: "membership.removed", targetId: person.id, teamId: team.id });
    expect(removed.payload).toEqual({ team: team.slug, roles: ["developer", "sre"] });
  });

  it("for people: created, disabled and enabled", async () => {
    const team = await makeTeam("people");
    const login = unique("hire");
    let userId = "";
    const created = await theEventOf(async () => {
      const res = await callJson<{ id: string }>("POST", "/api/v1/users", { token: admin.token, body: { login, name: "New Hire", team: team.slug, roles: ["viewer"] } });
      userId = res.body.id;
      return res;
    }, 201);
    expect(created).toMatchObject({ action: "user.created", targetType: "user", targetId: userId, targetLabel: login, teamId: team.id });
    expect(created.payload).toEqual({ login, name: "New Hire", team: team.slug, roles: ["viewer"] });

    const disabled = await theEventOf(() => callJson("PATCH", "/api/v1/users/{login}", { token: admin.token, params: { login }, body: { disabled: true } }), 200);
    expect(disabled).toMatchObject({ action: "user.disabled", targetId: userId });
    const enabled = await theEventOf(() => callJson("PATCH", "/api/v1/users/{login}", { token: admin.token, params: { login }, body: { disabled: false } }), 200);
    expect(enabled).toMatchObject({ action: "user.enabled", targetId: userId });
  });

  it("records nothing for a refused write", async () => {
    const before = await db().auditEvent.count();
    const viewer = await makePerson(["viewer"]);
    expect((await callJson("POST", "/api/v1/teams", { token: viewer.token, body: { slug: unique("no"), name: "No" } })).status).toBe(403);
    expect((await callJson("POST", "/api/v1/teams", { token: admin.token, body: { slug: "x", name: "" } })).status).toBe(400);
    expect(await db().auditEvent.count()).toBe(before);
  });
});

describe("the hash chain", () => {
  it("stays contiguous under 50 concurrent writes", async () => {
    const before = await db().auditEvent.count();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => callJson("POST", "/api/v1/teams", { token: admin.token, body: { slug: unique(`burst${i}`), name: `Burst ${i}` } })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(201));
    const rows = await db().auditEvent.findMany({ orderBy: { seq: "asc" }, select: { seq: true, prevHash: true, hash: true } });
    expect(rows).toHaveLength(before + 50);
    rows.forEach((row, i) => {
      expect(row.seq).toBe(BigInt(i + 1));
      if (i > 0) expect(row.prevHash).toBe(rows[i - 1]?.hash);
    });
    const verified = await verify();
    expect(verified).toEqual({ ok: true, count: rows.length, headSeq: String(rows.length), headHash: rows.at(-1)?.hash });
    expect(await verifyAuditChain(db())).toEqual(verified);
  });

  it("refuses UPDATE, DELETE and TRUNCATE in the database itself", async () => {
    const { seq } = await lastEvent();
    await expect(db().$executeRawUnsafe(`UPDATE audit_events SET action = 'x' WHERE seq = $1`, seq)).rejects.toThrow(/append-only \(UPDATE refused\)/);
    await expect(db().$executeRawUnsafe(`DELETE FROM audit_events WHERE seq = $1`, seq)).rejects.toThrow(/append-only \(DELETE refused\)/);
    await expect(db().$executeRawUnsafe(`TRUNCATE audit_events`)).rejects.toThrow(/append-only \(TRUNCATE refused\)/);
    await expect(db().auditEvent.deleteMany({})).rejects.toThrow(/append-only/);
    expect((await verify()).ok).toBe(true);
  });
});

/** Changes the trail around its trigger, as the table owner could, then puts it back. */
async function withTriggersOff<T>(fn: () => Promise<T>): Promise<T> {
  await db().$executeRawUnsafe(`ALTER TABLE audit_events DISABLE TRIGGER USER`);
  try {
    return await fn();
  } finally {
    await db().$executeRawUnsafe(`ALTER TABLE audit_events ENABLE TRIGGER USER`);
  }
}

describe("tampering", () => {
  it("detects one changed character in a payload, at exactly that event", async () => {
    const count = await db().auditEvent.count();
    expect(count).toBeGreaterThan(20);
    const target = await db().auditEvent.findFirstOrThrow({ where: { action: "team.created", seq: { gt: 5n, lt: BigInt(count - 5) } }, orderBy: { seq: "asc" } });
    const original = target.payload as { name: string };
    const altered = { ...original, name: original.name.replace(/.$/, (c) => (c === "x" ? "y" : "x")) };
    try {
      await withTriggersOff(() => db().$executeRawUnsafe(`UPDATE audit_events SET payload = $1::jsonb WHERE seq = $2`, JSON.stringify(altered), target.seq));
      const broken = await verify();
      expect(broken).toMatchObject({ ok: false, count: Number(target.seq) - 1, brokenAt: { seq: target.seq.toString(), reason: "hash_mismatch" } });
    } finally {
      await withTriggersOff(() => db().$executeRawUnsafe(`UPDATE audit_events SET payload = $1::jsonb WHERE seq = $2`, JSON.stringify(original), target.seq));
    }
    expect(await verify()).toMatchObject({ ok: true, count });
  });

  it("detects a rewritten event whose hash was recomputed, at the next link", async () => {
    const count = await db().auditEvent.count();
    const target = await db().auditEvent.findFirstOrThrow({ where: { seq: BigInt(Math.floor(count / 2)) } });
    const forged = hashEvent({ ...target, actorLogin: "someone-else" });
    try {
      await withTriggersOff(() => db().$executeRawUnsafe(`UPDATE audit_events SET actor_login = 'someone-else', hash = $1 WHERE seq = $2`, forged, target.seq));
      const broken = await verify();
      // The rewritten event is self-consistent; the next one no longer links to it.
      expect(broken).toMatchObject({ ok: false, count: Number(target.seq), brokenAt: { seq: (target.seq + 1n).toString(), reason: "prev_hash_mismatch" } });
    } finally {
      await withTriggersOff(() => db().$executeRawUnsafe(`UPDATE audit_events SET actor_login = $1, hash = $2 WHERE seq = $3`, target.actorLogin, target.hash, target.seq));
    }
    expect((await verify()).ok).toBe(true);
  });

  it("detects a deleted event in the middle as missing", async () => {
    const count = await db().auditEvent.count();
    const seq = BigInt(Math.floor(count / 3));
    const row = await db().auditEvent.findUniqueOrThrow({ where: { seq } });
    try {
      await withTriggersOff(() => db().$executeRawUnsafe(`DELETE FROM audit_events WHERE seq = $1`, seq));
      expect(await verify()).toMatchObject({ ok: false, count: Number(seq) - 1, brokenAt: { seq: seq.toString(), reason: "missing_event" } });
    } finally {
      await db().auditEvent.create({ data: { ...row, payload: row.payload as object } });
    }
    expect(await verify()).toMatchObject({ ok: true, count });
  });
});

describe("GET /api/v1/audit", () => {
  let other: TestPerson;
  let marker: string;
  let between: string;

  beforeAll(async () => {
    other = await makePerson(["platform-admin"], { prefix: "filterer" });
    marker = unique("marked");
    await callJson("POST", "/api/v1/teams", { token: other.token, body: { slug: marker, name: "Marked" } });
    await new Promise((r) => setTimeout(r, 25));
    between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 25));
    const token = await callJson<{ id: string }>("POST", "/api/v1/tokens", { token: other.token, body: { name: "filtered" } });
    await callJson("DELETE", "/api/v1/tokens/{id}", { token: other.token, params: { id: token.body.id } });
  });

  async function list(query: Record<string, string>): Promise<AuditEventDto[]> {
    const res = await callJson<AuditPage>("GET", "/api/v1/audit", { token: admin.token, query: { limit: "200", ...query } });
    expect(res.status).toBe(200);
    return res.body.items;
  }

  it("filters by actor", async () => {
    const items = await list({ actor: other.login.toUpperCase() });
    expect(items.map((e) => e.action)).toEqual(["token.revoked", "token.created", "team.created"]);
    expect(items.every((e) => e.actor.login === other.login && e.actor.id === other.id && e.actor.tokenId === other.tokenId)).toBe(true);
  });

  it("filters by exact action and by prefix", async () => {
    const exact = await list({ action: "token.created" });
    expect(exact.length).toBeGreaterThan(0);
    expect(exact.every((e) => e.action === "token.created")).toBe(true);
    const prefix = await list({ action: "token.*" });
    expect(new Set(prefix.map((e) => e.action))).toEqual(new Set(["token.created", "token.revoked"]));
    const all = await db().auditEvent.count({ where: { action: { startsWith: "token." } } });
    expect(prefix).toHaveLength(all);
    expect(await list({ action: "token" })).toEqual([]);
  });

  it("filters by target id or label, and by target type and id", async () => {
    const byLabel = await list({ target: marker.toUpperCase() });
    expect(byLabel).toHaveLength(1);
    expect(byLabel[0]).toMatchObject({ action: "team.created", target: { type: "team", label: marker } });
    const teamId = byLabel[0]?.target.id ?? "";
    expect((await list({ target: teamId })).map((e) => e.seq)).toEqual(byLabel.map((e) => e.seq));
    expect((await list({ targetType: "team", targetId: teamId })).map((e) => e.seq)).toEqual(byLabel.map((e) => e.seq));
    expect(await list({ targetType: "user", targetId: teamId })).toEqual([]);
  });

  it("filters by time", async () => {
    const before = await list({ actor: other.login, to: between });
    const after = await list({ actor: other.login, from: between });
    expect(before.map((e) => e.action)).toEqual(["team.created"]);
    expect(after.map((e) => e.action)).toEqual(["token.revoked", "token.created"]);
    for (const e of before) expect(Date.parse(e.createdAt)).toBeLessThan(Date.parse(between));
    for (const e of after) expect(Date.parse(e.createdAt)).toBeGreaterThanOrEqual(Date.parse(between));
  });

  it("pages with cursor, newest first, without gaps or repeats", async () => {
    const all = (await db().auditEvent.findMany({ orderBy: { seq: "desc" }, select: { seq: true } })).map((r) => r.seq.toString());
    expect(all.length).toBeGreaterThan(40);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: Record<string, string> = { limit: "7", ...(cursor ? { cursor } : {}) };
      const res: { status: number; body: AuditPage } = await callJson<AuditPage>("GET", "/api/v1/audit", { token: admin.token, query });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(7);
      seen.push(...res.body.items.map((e) => e.seq));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    expect(seen).toEqual(all);
    expect(pages).toBe(Math.ceil(all.length / 7));
  });

  it("answers events in the API shape", async () => {
    const [event] = await list({ actor: other.login, action: "team.created" });
    expect(event).toEqual({
      seq: expect.stringMatching(/^\d+$/),
      createdAt: expect.any(String),
      actor: { type: "token", id: other.id, login: other.login, tokenId: other.tokenId },
      action: "team.created",
      target: { type: "team", id: expect.any(String), label: marker },
      teamId: expect.any(String),
      payload: { slug: marker, name: "Marked", description: "", color: "#6366f1" },
      requestId: expect.any(String),
      prevHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });
});

describe("a chain longer than one verification batch", () => {
  it("verifies across batches and finds breaks at a batch boundary", async () => {
    // 2,100 more events, chained exactly as recordAudit chains them, written in one go.
    const last = await lastEvent();
    let prevHash = last.hash;
    const rows = Array.from({ length: 2100 }, (_, i) => {
      const fields = {
        seq: last.seq + BigInt(i + 1),
        createdAt: new Date(),
        actorType: "system",
        actorId: null,
        actorTokenId: null,
        actorLogin: "paved",
        action: "test.bulk",
        targetType: "test",
        targetId: String(i),
        targetLabel: null,
        teamId: null,
        payload: { i },
        requestId: null,
        prevHash,
      };
      prevHash = hashEvent(fields);
      return { ...fields, hash: prevHash };
    });
    await db().auditEvent.createMany({ data: rows });
    const total = Number(last.seq) + rows.length;
    expect(await verify()).toMatchObject({ ok: true, count: total, headSeq: String(total), headHash: prevHash });

    const boundary = 2001n;
    const row = await db().auditEvent.findUniqueOrThrow({ where: { seq: boundary } });
    try {
      await withTriggersOff(() => db().$executeRawUnsafe(`DELETE FROM audit_events WHERE seq = $1`, boundary));
      expect(await verify()).toMatchObject({ ok: false, count: 2000, brokenAt: { seq: "2001", reason: "missing_event" } });
    } finally {
      await db().auditEvent.create({ data: { ...row, payload: row.payload as object } });
    }
    expect(await verify()).toMatchObject({ ok: true, count: total });
  });
});
