// Who is acting: a signed-in person, a person through one of their API tokens, or Paved itself
// (jobs, the launcher). Cached per process under the data version (lib/core/db/data-version.ts),
// which every change to users, memberships, teams, tokens and signed-out sessions moves on in
// the same transaction: a removed role, a revoked token or a disabled user takes effect at once,
// on every instance, even for existing sessions and tokens, while a request whose actor has not
// changed costs one primary-key read.
import type { Db, Tx } from "../db/client.ts";
import { cachedByDataVersion } from "../db/data-version.ts";
import { UnauthenticatedError, ForbiddenError } from "../errors.ts";
import {
  hasPermission,
  hasPermissionOnTeam,
  PERMISSIONS,
  ROLE_DEFINITIONS,
  roleFromDb,
  ROLES,
  type Grant,
  type Permission,
} from "../permissions.ts";
import { hashApiToken, looksLikeApiToken } from "./tokens.ts";

export interface Actor {
  kind: "user" | "token" | "system";
  userId: string | null;
  login: string;
  name: string;
  avatarUrl: string | null;
  isDemo: boolean;
  grants: Grant[];
  tokenId?: string;
}

export const SYSTEM_ACTOR: Actor = {
  kind: "system",
  userId: null,
  login: "paved",
  name: "Paved",
  avatarUrl: null,
  isDemo: false,
  grants: [],
};

const userInclude = { memberships: { include: { team: { select: { slug: true } } } } } as const;

type UserWithMemberships = NonNullable<Awaited<ReturnType<typeof loadUser>>>;

function loadUser(db: Db | Tx, where: { id: string }) {
  return db.user.findUnique({ where, include: userInclude });
}

/** Frozen: one actor object serves every request until the data version moves on. */
function toActor(user: UserWithMemberships, kind: "user" | "token", tokenId?: string): Actor {
  return deepFreeze({
    kind,
    userId: user.id,
    login: user.login,
    name: user.name,
    avatarUrl: user.avatarUrl,
    isDemo: user.isDemo,
    grants: user.memberships.map((m) => ({ role: roleFromDb(m.role), teamId: m.teamId, teamSlug: m.team.slug })),
    ...(tokenId ? { tokenId } : {}),
  });
}

function deepFreeze<T extends Actor>(actor: T): T {
  for (const grant of actor.grants) Object.freeze(grant);
  Object.freeze(actor.grants);
  return Object.freeze(actor);
}

/** The actor behind a session, or null when the user no longer exists or is disabled. */
export async function loadActorByUserId(db: Db | Tx, userId: string): Promise<Actor | null> {
  if (!/^[0-9a-f-]{36}$/i.test(userId)) return null;
  const user = await loadUser(db, { id: userId });
  if (!user || user.disabledAt) return null;
  return toActor(user, "user");
}

/** The actor behind a browser session, or null when the session was signed out or its user is gone. */
export async function loadActorForSession(db: Db, session: { uid: string; sid?: string | undefined }): Promise<Actor | null> {
  return cachedByDataVersion(db, "actors", `session:${session.uid}:${session.sid ?? ""}`, async () => {
    const [actor, revoked] = await Promise.all([
      loadActorByUserId(db, session.uid),
      session.sid ? db.revokedSession.findUnique({ where: { sid: session.sid }, select: { sid: true } }) : Promise.resolve(null),
    ]);
    // Sessions from before session ids existed have no sid; they expire within a day.
    return revoked ? null : actor;
  });
}

/** What a token's row says, as cached: its actor and what decides whether it may be used now. */
interface TokenState {
  actor: Actor;
  id: string;
  revoked: boolean;
  expiresAt: Date | null;
  userDisabled: boolean;
  lastUsedAt: Date | null;
}

/** The actor behind `Authorization: Bearer <token>`; each failure says what is wrong with the token. */
export async function loadActorByApiToken(db: Db, token: string, now = new Date()): Promise<Actor> {
  if (!looksLikeApiToken(token)) throw new UnauthenticatedError("The bearer token is not a Paved API token.");
  const tokenHash = hashApiToken(token);
  const state = await cachedByDataVersion(db, "actors", `token:${tokenHash}`, async (): Promise<TokenState | null> => {
    const row = await db.apiToken.findUnique({ where: { tokenHash }, include: { user: { include: userInclude } } });
    if (!row) return null;
    return {
      actor: toActor(row.user, "token", row.id),
      id: row.id,
      revoked: row.revokedAt !== null,
      expiresAt: row.expiresAt,
      userDisabled: row.user.disabledAt !== null,
      lastUsedAt: row.lastUsedAt,
    };
  });
  if (!state) throw new UnauthenticatedError("The API token is not valid.");
  if (state.revoked) throw new UnauthenticatedError("The API token has been revoked.");
  if (state.expiresAt && state.expiresAt <= now) throw new UnauthenticatedError("The API token has expired.");
  if (state.userDisabled) throw new UnauthenticatedError("The API token's user is disabled.");
  // Bookkeeping, not a change anyone made (it leaves the data version alone): at most one write a
  // minute per token and process.
  if (!state.lastUsedAt || now.getTime() - state.lastUsedAt.getTime() > 60_000) {
    state.lastUsedAt = now;
    await db.apiToken.update({ where: { id: state.id }, data: { lastUsedAt: now } }).catch(() => {});
  }
  return state.actor;
}

export function can(actor: Actor, permission: Permission): boolean {
  return hasPermission(actor.grants, permission);
}

export function canOnTeam(actor: Actor, permission: Permission, teamId: string): boolean {
  return hasPermissionOnTeam(actor.grants, permission, teamId);
}

function rolesWith(permission: Permission): string {
  return ROLES.filter((r) => (ROLE_DEFINITIONS[r].permissions as readonly Permission[]).includes(permission)).join(", ");
}

/** Throws 403 unless the actor holds `permission` somewhere. */
export function requirePermission(actor: Actor, permission: Permission): void {
  if (!can(actor, permission)) {
    throw new ForbiddenError(`You need the "${permission}" permission (${PERMISSIONS[permission]}). Roles that have it: ${rolesWith(permission)}.`, {
      permission,
    });
  }
}

/** Throws 403 unless the actor holds `permission` on resources of `team`. */
export function requirePermissionOnTeam(actor: Actor, permission: Permission, team: { id: string; slug: string }): void {
  if (!canOnTeam(actor, permission, team.id)) {
    throw new ForbiddenError(`You need the "${permission}" permission for team "${team.slug}": your roles give it only for your own team.`, {
      permission,
      team: team.slug,
    });
  }
}
