// Sign-in rules: demo sign-in exists only in sandbox mode and only for enabled demo users;
// GitHub users are created on first sign-in (PAVED_ADMIN_LOGINS become platform-admins), audited
// once, matched again by GitHub id or pre-created login. Also the Auth.js endpoints themselves:
// the demo provider is listed only in sandbox mode, and a demo sign-in yields a working session.
import { randomInt } from "node:crypto";
import { NextRequest } from "next/server";
import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/lib/core/db/client";
import { resetEnvCache } from "@/lib/core/env";
import { findDemoUser, isGithubUserAllowed, recordSignIn, upsertGithubUser } from "@/lib/core/auth/sign-in";
import { makePerson, makeTeam, makeUser, sessionCookie, unique } from "../support/factory";
import { callJson, ORIGIN } from "../support/http";

function setEnv(vars: Record<string, string | undefined>): void {
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetEnvCache();
}

afterEach(() => setEnv({ PAVED_SANDBOX: "true", PAVED_ADMIN_LOGINS: undefined }));

describe("findDemoUser", () => {
  it("finds an enabled demo user in sandbox mode, whatever the case of the login", async () => {
    const alice = await db().user.findUniqueOrThrow({ where: { login: "alice" } });
    expect(await findDemoUser("alice")).toEqual({ id: alice.id, name: alice.name, email: alice.email });
    expect((await findDemoUser("ALICE"))?.id).toBe(alice.id);
  });

  it("finds no one when sandbox mode is off, not even a demo user", async () => {
    setEnv({ PAVED_SANDBOX: "false" });
    expect(await findDemoUser("alice")).toBeNull();
    expect(await findDemoUser("bob")).toBeNull();
  });

  it("finds no one for a person who is not a demo user, a disabled demo user or an unknown login", async () => {
    const real = await makeUser({ roles: ["platform-admin"], prefix: "real" });
    const disabledDemo = await makeUser({ roles: ["viewer"], isDemo: true, disabled: true, prefix: "demo" });
    expect(await findDemoUser(real.login)).toBeNull();
    expect(await findDemoUser(disabledDemo.login)).toBeNull();
    expect(await findDemoUser(unique("nobody"))).toBeNull();
  });
});

describe("upsertGithubUser", () => {
  const profile = (login: string) => ({ id: randomInt(1e9, 2e9), login, name: "Octo Cat", email: "octo@example.com", avatar_url: "https://avatars.example.com/u/1" });

  it("creates a person on first sign-in, without roles, audited once", async () => {
    const p = profile(unique("Octo"));
    const id = await upsertGithubUser(p);
    const user = await db().user.findUniqueOrThrow({ where: { id }, include: { memberships: true } });
    expect(user).toMatchObject({ login: p.login.toLowerCase(), name: "Octo Cat", email: "octo@example.com", avatarUrl: p.avatar_url, githubId: String(p.id), isDemo: false, disabledAt: null });
    expect(user.memberships).toEqual([]);
    const events = await db().auditEvent.findMany({ where: { targetId: id } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: "user.created", actorType: "system", actorLogin: "paved", targetType: "user", targetLabel: user.login });
    expect(events[0]?.payload).toEqual({ source: "github", githubId: String(p.id), platformAdmin: false });
  });

  it("makes logins listed in PAVED_ADMIN_LOGINS platform-admins", async () => {
    const p = profile(unique("Admin"));
    setEnv({ PAVED_ADMIN_LOGINS: `someone-else, ${p.login.toUpperCase()}` });
    const id = await upsertGithubUser(p);
    const memberships = await db().membership.findMany({ where: { userId: id }, include: { team: true } });
    expect(memberships.map((m) => [m.role, m.team.slug])).toEqual([["platform_admin", "platform"]]);
    const event = await db().auditEvent.findFirstOrThrow({ where: { targetId: id, action: "user.created" } });
    expect(event.payload).toMatchObject({ platformAdmin: true });
    const me = await callJson<{ permissions: string[] }>("GET", "/api/v1/me", { cookie: await sessionCookie(id) });
    expect(me.body.permissions).toContain("teams.manage");
  });

  it("refreshes the same person on later sign-ins, without another event or role", async () => {
    const p = profile(unique("Again"));
    setEnv({ PAVED_ADMIN_LOGINS: p.login });
    const id = await upsertGithubUser(p);
    const again = await upsertGithubUser({ ...p, name: "Renamed Cat", email: null });
    expect(again).toBe(id);
    expect(await db().user.findUniqueOrThrow({ where: { id } })).toMatchObject({ name: "Renamed Cat", email: null });
    expect(await db().auditEvent.count({ where: { targetId: id } })).toBe(1);
    expect(await db().membership.count({ where: { userId: id } })).toBe(1);
  });

  it("links a person added ahead of time by login, keeping their roles", async () => {
    const team = await makeTeam("gh");
    const added = await makeUser({ roles: ["developer"], team, prefix: "ahead" });
    const id = await upsertGithubUser(profile(added.login.toUpperCase()));
    expect(id).toBe(added.id);
    const user = await db().user.findUniqueOrThrow({ where: { id }, include: { memberships: true } });
    expect(user.githubId).not.toBeNull();
    expect(user.memberships.map((m) => m.role)).toEqual(["developer"]);
    expect(await db().auditEvent.count({ where: { targetId: id, action: "user.created" } })).toBe(0);
  });

  it("never hands a person already linked to another GitHub account, or a demo user, to a new GitHub account with their login", async () => {
    const first = profile(unique("Renamed"));
    const id = await upsertGithubUser(first);
    // The first account renamed itself; another GitHub account now has the old login.
    const impostor = { ...profile(first.login), id: first.id + 1 };
    await expect(upsertGithubUser(impostor)).rejects.toThrow(/already uses the login/);
    expect((await db().user.findUniqueOrThrow({ where: { id } })).githubId).toBe(String(first.id));
    expect(await db().user.count({ where: { githubId: String(impostor.id) } })).toBe(0);

    // Demo alice is a platform admin in sandbox mode: a GitHub user called alice must not become her.
    await expect(upsertGithubUser(profile("alice"))).rejects.toThrow(/already uses the login "alice"/);
    expect((await db().user.findUniqueOrThrow({ where: { login: "alice" } })).githubId).toBeNull();
  });

  it("refuses a disabled person's GitHub sign-in", async () => {
    const p = profile(unique("Gone"));
    const id = await upsertGithubUser(p);
    expect(await isGithubUserAllowed(String(p.id))).toBe(true);
    await db().user.update({ where: { id }, data: { disabledAt: new Date() } });
    expect(await isGithubUserAllowed(String(p.id))).toBe(false);
    expect(await isGithubUserAllowed(String(p.id + 1))).toBe(true);
  });
});

describe("recordSignIn", () => {
  it("audits the sign-in and notes when the person was last seen", async () => {
    const person = await makePerson(["viewer"]);
    await recordSignIn(person.id, "demo");
    const user = await db().user.findUniqueOrThrow({ where: { id: person.id } });
    expect(user.lastSeenAt).toBeInstanceOf(Date);
    const event = await db().auditEvent.findFirstOrThrow({ where: { targetId: person.id, action: "auth.signed_in" } });
    expect(event).toMatchObject({ actorType: "user", actorId: person.id, actorLogin: person.login, payload: { method: "demo" } });
  });
});

describe("the Auth.js endpoints", () => {
  type AuthHandler = (req: NextRequest) => Promise<Response>;
  async function auth(method: "GET" | "POST", path: string, init: { body?: string; cookie?: string } = {}): Promise<Response> {
    const mod = (await import("@/app/api/auth/[...nextauth]/route")) as Record<string, AuthHandler>;
    const handler = mod[method];
    if (!handler) throw new Error(method);
    const headers = new Headers({ host: new URL(ORIGIN).host });
    if (init.cookie) headers.set("cookie", init.cookie);
    if (init.body) headers.set("content-type", "application/x-www-form-urlencoded");
    return handler(new NextRequest(new URL(path, ORIGIN), { method, headers, body: init.body }));
  }

  const cookiesOf = (res: Response) => res.headers.getSetCookie().map((c) => c.split(";")[0] ?? "");

  it("lists the demo provider only in sandbox mode", async () => {
    const on = (await (await auth("GET", "/api/auth/providers")).json()) as Record<string, unknown>;
    expect(Object.keys(on)).toContain("demo");
    setEnv({ PAVED_SANDBOX: "false" });
    const off = (await (await auth("GET", "/api/auth/providers")).json()) as Record<string, unknown>;
    expect(Object.keys(off)).not.toContain("demo");
  });

  async function demoSignIn(login: string): Promise<Response> {
    const csrf = await auth("GET", "/api/auth/csrf");
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const body = new URLSearchParams({ login, csrfToken, callbackUrl: `${ORIGIN}/` }).toString();
    return auth("POST", "/api/auth/callback/demo", { body, cookie: cookiesOf(csrf).join("; ") });
  }

  it("signs a demo user in with a session that works on the API", async () => {
    const res = await demoSignIn("carol");
    const session = cookiesOf(res).find((c) => c.startsWith("authjs.session-token="));
    expect(session).toBeDefined();
    const me = await callJson<{ user: { login: string }; via: string }>("GET", "/api/v1/me", { cookie: session ?? "" });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ user: { login: "carol" }, via: "session" });
  });

  it("ends the session on sign-out, even for a copy of the cookie", async () => {
    const signedIn = await demoSignIn("dave");
    const session = cookiesOf(signedIn).find((c) => c.startsWith("authjs.session-token=")) ?? "";
    expect((await callJson("GET", "/api/v1/me", { cookie: session })).status).toBe(200);

    const csrf = await auth("GET", "/api/auth/csrf", { cookie: session });
    const { csrfToken } = (await csrf.json()) as { csrfToken: string };
    const signedOut = await auth("POST", "/api/auth/signout", {
      body: new URLSearchParams({ csrfToken, callbackUrl: `${ORIGIN}/signin` }).toString(),
      cookie: [session, ...cookiesOf(csrf)].join("; "),
    });
    expect(signedOut.status).toBeLessThan(400);
    const dave = await db().user.findUniqueOrThrow({ where: { login: "dave" } });
    expect(await db().auditEvent.count({ where: { action: "auth.signed_out", targetId: dave.id } })).toBeGreaterThan(0);

    const after = await callJson<{ error: { message: string } }>("GET", "/api/v1/me", { cookie: session });
    expect(after.status).toBe(401);
    expect(after.body.error.message).toMatch(/sign in again/);
  });

  it("gives no session for a non-demo login, or when sandbox mode is off", async () => {
    const real = await makeUser({ roles: ["platform-admin"], prefix: "real" });
    const refused = await demoSignIn(real.login);
    expect(cookiesOf(refused).some((c) => c.startsWith("authjs.session-token="))).toBe(false);
    expect(refused.headers.get("location")).toMatch(/\/signin\?.*error=/);
    setEnv({ PAVED_SANDBOX: "false" });
    const off = await demoSignIn("alice");
    expect(cookiesOf(off).some((c) => c.startsWith("authjs.session-token="))).toBe(false);
    expect(off.headers.get("location")).toMatch(/\/signin\?.*error=/);
  });
});
