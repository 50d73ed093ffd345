// Personal API tokens: shown once, stored hashed, listed without secrets, and refused the moment
// they are revoked, expire or their person is disabled.
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/core/db/client";
import { hashApiToken, looksLikeApiToken } from "@/lib/core/auth/tokens";
import { issueTokenFromCli, type CreatedTokenDto, type TokenDto } from "@/lib/org";
import type { z } from "zod";
import { makePerson, makeUser, unique } from "../support/factory";
import { callJson, expectErrorBody } from "../support/http";

type Created = z.infer<typeof CreatedTokenDto>;

describe("API tokens", () => {
  it("returns the token once, stores only its hash, and never lists it", async () => {
    const me = await makePerson(["developer"]);
    const created = await callJson<Created>("POST", "/api/v1/tokens", { token: me.token, body: { name: "ci", expiresInDays: 30 } });
    expect(created.status).toBe(201);
    expect(looksLikeApiToken(created.body.token)).toBe(true);
    expect(created.body).toMatchObject({ name: "ci", status: "active", revokedAt: null, lastUsedAt: null });
    expect(created.body.token.startsWith(created.body.prefix)).toBe(true);
    const expiresInMs = Date.parse(created.body.expiresAt ?? "") - Date.now();
    expect(expiresInMs).toBeGreaterThan(29 * 86_400_000);
    expect(expiresInMs).toBeLessThanOrEqual(30 * 86_400_000);

    const row = await db().apiToken.findUniqueOrThrow({ where: { id: created.body.id } });
    expect(row.tokenHash).toBe(hashApiToken(created.body.token));
    expect(JSON.stringify(row)).not.toContain(created.body.token);

    const list = await callJson<{ items: TokenDto[] }>("GET", "/api/v1/tokens", { token: me.token });
    expect(list.status).toBe(200);
    const text = JSON.stringify(list.body);
    expect(text).not.toContain(created.body.token);
    expect(text).not.toContain(row.tokenHash);
    const listed = list.body.items.find((t) => t.id === created.body.id);
    expect(listed).toBeDefined();
    expect(Object.keys(listed ?? {}).sort()).toEqual(["createdAt", "expiresAt", "id", "lastUsedAt", "name", "prefix", "revokedAt", "status"]);
    // Only one's own tokens: the person's set-up token and the new one.
    expect(list.body.items.map((t) => t.id).sort()).toEqual([me.tokenId, created.body.id].sort());
  });

  it("works as a bearer token and records when it was last used", async () => {
    const me = await makePerson(["viewer"]);
    const created = await callJson<Created>("POST", "/api/v1/tokens", { cookie: me.cookie, body: { name: "script", expiresInDays: null } });
    expect(created.status).toBe(201);
    expect(created.body.expiresAt).toBeNull();

    const before = Date.now();
    const who = await callJson<{ user: { login: string }; via: string }>("GET", "/api/v1/me", { token: created.body.token });
    expect(who.status).toBe(200);
    expect(who.body.user.login).toBe(me.login);
    expect(who.body.via).toBe("token");

    const list = await callJson<{ items: TokenDto[] }>("GET", "/api/v1/tokens", { cookie: me.cookie });
    const used = list.body.items.find((t) => t.id === created.body.id);
    expect(used?.lastUsedAt).not.toBeNull();
    expect(Date.parse(used?.lastUsedAt ?? "")).toBeGreaterThanOrEqual(before - 1000);
  });

  it("stops working at once when revoked, and revoking is audited once", async () => {
    const me = await makePerson(["sre"]);
    const created = await callJson<Created>("POST", "/api/v1/tokens", { token: me.token, body: { name: "short-lived" } });
    expect((await callJson("GET", "/api/v1/me", { token: created.body.token })).status).toBe(200);

    const revoked = await callJson("DELETE", "/api/v1/tokens/{id}", { token: me.token, params: { id: created.body.id } });
    expect(revoked.status).toBe(204);
    expect(revoked.body).toBeNull();

    const refused = await callJson("GET", "/api/v1/me", { token: created.body.token });
    expect(expectErrorBody(refused, 401, "unauthenticated").message).toMatch(/revoked/);

    // Revoking again changes nothing and records nothing more.
    expect((await callJson("DELETE", "/api/v1/tokens/{id}", { token: me.token, params: { id: created.body.id } })).status).toBe(204);
    const events = await db().auditEvent.findMany({ where: { action: "token.revoked", targetId: created.body.id } });
    expect(events).toHaveLength(1);

    const list = await callJson<{ items: TokenDto[] }>("GET", "/api/v1/tokens", { token: me.token });
    expect(list.body.items.find((t) => t.id === created.body.id)?.status).toBe("revoked");
  });

  it("stops working at once when it expires", async () => {
    const me = await makePerson(["leadership"]);
    const created = await callJson<Created>("POST", "/api/v1/tokens", { token: me.token, body: { name: "expiring", expiresInDays: 1 } });
    expect((await callJson("GET", "/api/v1/me", { token: created.body.token })).status).toBe(200);
    // A day passes.
    await db().apiToken.update({ where: { id: created.body.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const refused = await callJson("GET", "/api/v1/me", { token: created.body.token });
    expect(expectErrorBody(refused, 401, "unauthenticated").message).toMatch(/expired/);
    const list = await callJson<{ items: TokenDto[] }>("GET", "/api/v1/tokens", { token: me.token });
    expect(list.body.items.find((t) => t.id === created.body.id)?.status).toBe("expired");
  });

  it("stops working, with the person's sessions, when the person is disabled", async () => {
    const admin = await makePerson(["platform-admin"]);
    const me = await makePerson(["developer"]);
    expect((await callJson("GET", "/api/v1/me", { token: me.token })).status).toBe(200);
    expect((await callJson("GET", "/api/v1/me", { cookie: me.cookie })).status).toBe(200);

    const disabled = await callJson("PATCH", "/api/v1/users/{login}", { token: admin.token, params: { login: me.login }, body: { disabled: true } });
    expect(disabled.status).toBe(200);

    expect(expectErrorBody(await callJson("GET", "/api/v1/me", { token: me.token }), 401, "unauthenticated").message).toMatch(/disabled/);
    expect(expectErrorBody(await callJson("GET", "/api/v1/me", { cookie: me.cookie }), 401, "unauthenticated").message).toMatch(/sign in again/);

    const enabled = await callJson("PATCH", "/api/v1/users/{login}", { token: admin.token, params: { login: me.login }, body: { disabled: false } });
    expect(enabled.status).toBe(200);
    expect((await callJson("GET", "/api/v1/me", { token: me.token })).status).toBe(200);
  });

  it("answers 404 for another person's token, and leaves it working", async () => {
    const owner = await makePerson(["viewer"]);
    const other = await makePerson(["platform-admin"]);
    const res = await callJson("DELETE", "/api/v1/tokens/{id}", { token: other.token, params: { id: owner.tokenId } });
    expectErrorBody(res, 404, "not_found");
    expect((await callJson("GET", "/api/v1/me", { token: owner.token })).status).toBe(200);
  });
});

describe("tokens for scripts and CI", () => {
  it("issueTokenFromCli gives a working token, audited as the CLI, for enabled people only", async () => {
    const person = await makePerson(["developer"]);
    const issued = await issueTokenFromCli(db(), { login: person.login.toUpperCase(), name: "ci", expiresInDays: 7 });
    expect(looksLikeApiToken(issued.token)).toBe(true);
    const me = await callJson<{ user: { login: string } }>("GET", "/api/v1/me", { token: issued.token });
    expect(me.body.user.login).toBe(person.login);
    const row = await db().apiToken.findUniqueOrThrow({ where: { tokenHash: hashApiToken(issued.token) } });
    const event = await db().auditEvent.findFirstOrThrow({ where: { action: "token.created", targetId: row.id } });
    expect(event).toMatchObject({ actorType: "system", actorLogin: "paved-cli", payload: { for: person.login, via: "cli", name: "ci" } });

    const disabled = await makeUser({ roles: ["viewer"], disabled: true });
    await expect(issueTokenFromCli(db(), { login: disabled.login, name: "ci", expiresInDays: null })).rejects.toThrow(/disabled/);
    await expect(issueTokenFromCli(db(), { login: unique("nobody"), name: "ci", expiresInDays: null })).rejects.toThrow(/not found/);
  });

  it("npm run token prints a token that works on the API", async () => {
    const person = await makePerson(["viewer"]);
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/token.ts", "--user", person.login, "--name", "from-cli", "--expires-days", "2"], {
      cwd: path.resolve(import.meta.dirname, "../.."),
      env: { ...process.env, LOG_LEVEL: "silent" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code, stderr).toBe(0);
    const token = stdout.trim();
    expect(looksLikeApiToken(token)).toBe(true);
    expect(stderr).toContain(`Token for ${person.login}`);
    const me = await callJson<{ user: { login: string }; via: string }>("GET", "/api/v1/me", { token });
    expect(me.body).toMatchObject({ user: { login: person.login }, via: "token" });
  });
});
