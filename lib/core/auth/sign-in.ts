// What happens in the database when someone signs in or out: GitHub users are created or
// updated on first sign-in (logins listed in PAVED_ADMIN_LOGINS become platform-admins), and
// every sign-in and sign-out is audited.
import { randomUUID } from "node:crypto";
import { db, transaction } from "../db/client.ts";
import { env } from "../env.ts";
import { recordAudit } from "../audit/record.ts";
import { ConflictError } from "../errors.ts";
import { errorResponse } from "../http/handler.ts";
import { clientAddress, consumeRateLimit, enforceRateLimit, RateLimitedError, type RateLimit } from "../http/rate-limit.ts";
import { loadActorByUserId, SYSTEM_ACTOR } from "./actor.ts";

/**
 * Sign-in attempts, counted in the database so that every instance shares them: per login asked
 * for, and per client address (each signs a person in and writes an audit event, so a flood would
 * also flood the audit trail). Generous enough for a team signing in from one office address.
 */
export const SIGN_IN_LIMITS = {
  perLogin: { bucket: "signin.login", limit: 10, windowSeconds: 60 },
  perAddress: { bucket: "signin.address", limit: 30, windowSeconds: 60 },
  /** Requests to Auth.js's sign-in and callback endpoints themselves (GitHub's OAuth callback too). */
  endpoint: { bucket: "auth.endpoint", limit: 60, windowSeconds: 60 },
} as const satisfies Record<string, RateLimit>;

/** Counts a demo sign-in attempt; throws RateLimitedError (429) when the login or the address is over its limit. */
export async function limitSignInAttempt(login: string, headers: Headers): Promise<void> {
  await enforceRateLimit(db(), SIGN_IN_LIMITS.perAddress, clientAddress(headers));
  await enforceRateLimit(db(), SIGN_IN_LIMITS.perLogin, login.trim().toLowerCase());
}

/** The Auth.js endpoints that sign people in: POST …/signin/<provider>, and …/callback/<provider> (POST for the demo, GET for GitHub). */
export function isSignInEndpoint(method: string, pathname: string): boolean {
  return /^\/api\/auth\/callback\/[^/]+\/?$/.test(pathname) || (method === "POST" && /^\/api\/auth\/signin\/[^/]+\/?$/.test(pathname));
}

/**
 * Wraps Auth.js's route handler: a request to a sign-in endpoint beyond its address's limit is
 * answered 429 `rate_limited` with `Retry-After` (Paved's error shape) before Auth.js sees it.
 */
export function withSignInLimit<R extends Request>(handler: (req: R) => Promise<Response>): (req: R) => Promise<Response> {
  return async (req) => {
    if (isSignInEndpoint(req.method, new URL(req.url).pathname)) {
      const decision = await consumeRateLimit(db(), SIGN_IN_LIMITS.endpoint, clientAddress(req.headers));
      if (!decision.allowed) {
        const e = new RateLimitedError(decision.retryAfterSeconds, SIGN_IN_LIMITS.endpoint);
        return errorResponse(e.code, e.status, e.message, randomUUID(), e.details, { "retry-after": String(e.retryAfterSeconds) });
      }
    }
    return handler(req);
  };
}

export interface GithubProfile {
  id: string | number;
  login: string;
  name?: string | null;
  email?: string | null;
  avatar_url?: string | null;
}

/** Demo users can sign in without a password, in sandbox mode only. */
export async function findDemoUser(login: string): Promise<{ id: string; name: string; email: string | null } | null> {
  if (!env().sandbox) return null;
  const user = await db().user.findUnique({ where: { login: login.toLowerCase() } });
  if (!user || !user.isDemo || user.disabledAt) return null;
  return { id: user.id, name: user.name, email: user.email };
}

export async function isGithubUserAllowed(githubId: string): Promise<boolean> {
  const user = await db().user.findUnique({ where: { githubId } });
  return !user?.disabledAt;
}

/** Creates or refreshes the Paved user behind a GitHub profile; returns its id. */
export async function upsertGithubUser(profile: GithubProfile): Promise<string> {
  const login = profile.login.toLowerCase();
  const githubId = String(profile.id);
  return transaction(async (tx) => {
    // By GitHub id; by login only for a person added ahead of time (no GitHub account yet, not a
    // demo user): a login alone must never hand an existing account to another GitHub account.
    const existing = await tx.user.findFirst({ where: { OR: [{ githubId }, { login, githubId: null, isDemo: false }] } });
    if (!existing && (await tx.user.findUnique({ where: { login } }))) {
      throw new ConflictError(`Another Paved account already uses the login "${login}".`);
    }
    const data = {
      login,
      name: profile.name?.trim() || profile.login,
      email: profile.email ?? null,
      avatarUrl: profile.avatar_url ?? null,
      githubId,
    };
    const user = existing
      ? await tx.user.update({ where: { id: existing.id }, data })
      : await tx.user.create({ data: { ...data, isDemo: false } });
    if (!existing && env().adminLogins.includes(login)) {
      const team =
        (await tx.team.findUnique({ where: { slug: "platform" } })) ??
        (await tx.team.create({ data: { slug: "platform", name: "Platform", description: "The platform team" } }));
      await tx.membership.create({ data: { userId: user.id, teamId: team.id, role: "platform_admin" } });
    }
    if (!existing) {
      await recordAudit(tx, SYSTEM_ACTOR, {
        action: "user.created",
        target: { type: "user", id: user.id, label: login },
        payload: { source: "github", githubId, platformAdmin: env().adminLogins.includes(login) },
      });
    }
    return user.id;
  });
}

export async function recordSignIn(userId: string, method: "demo" | "github"): Promise<void> {
  await transaction(async (tx) => {
    const actor = await loadActorByUserId(tx, userId);
    if (!actor) return;
    await tx.user.update({ where: { id: userId }, data: { lastSeenAt: new Date() } });
    await recordAudit(tx, actor, { action: "auth.signed_in", target: { type: "user", id: userId, label: actor.login }, payload: { method } });
  });
}

/** Signing out revokes the session's id, so a copy of the cookie (or a response that raced the
 * sign-out and re-issued it) cannot bring the session back. */
export async function recordSignOut(userId: string, sid: string | undefined, maxAgeSeconds: number): Promise<void> {
  await transaction(async (tx) => {
    if (sid) {
      await tx.revokedSession.upsert({
        where: { sid },
        create: { sid, userId, expiresAt: new Date(Date.now() + maxAgeSeconds * 1000) },
        update: {},
      });
    }
    const actor = await loadActorByUserId(tx, userId);
    if (!actor) return;
    await recordAudit(tx, actor, { action: "auth.signed_out", target: { type: "user", id: userId, label: actor.login } });
  });
}
