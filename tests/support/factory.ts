// Test data that belongs to one test: a team, people with given roles and their credentials,
// each with a unique name so that tests never see (or depend on) each other's rows. Written
// straight to the database: this is set-up, not the behaviour under test.
import { randomBytes, randomUUID } from "node:crypto";
import { encode } from "next-auth/jwt";
import { db } from "@/lib/core/db/client";
import type { Role } from "@/lib/core/db/generated/enums";
import { generateApiToken } from "@/lib/core/auth/tokens";
import { roleToDb, type RoleName } from "@/lib/core/permissions";
import { TEST_AUTH_SECRET } from "./context";

export function unique(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

export interface TestTeam {
  id: string;
  slug: string;
}

export async function makeTeam(prefix = "team"): Promise<TestTeam> {
  const slug = unique(prefix);
  const team = await db().team.create({ data: { slug, name: `Team ${slug}` } });
  return { id: team.id, slug: team.slug };
}

export interface TestUser {
  id: string;
  login: string;
}

export async function makeUser(options: { roles?: RoleName[]; team?: TestTeam; prefix?: string; isDemo?: boolean; disabled?: boolean } = {}): Promise<TestUser> {
  const login = unique(options.prefix ?? "user");
  const roles = options.roles ?? [];
  const team = options.team ?? (roles.length ? await makeTeam() : undefined);
  const user = await db().user.create({
    data: {
      login,
      name: `User ${login}`,
      isDemo: options.isDemo ?? false,
      disabledAt: options.disabled ? new Date() : null,
      memberships: team ? { create: roles.map((r) => ({ teamId: team.id, role: roleToDb<Role>(r) })) } : undefined,
    },
  });
  return { id: user.id, login: user.login };
}

export interface TestToken {
  id: string;
  token: string;
}

export async function makeToken(userId: string, options: { expiresAt?: Date | null; revokedAt?: Date | null; name?: string } = {}): Promise<TestToken> {
  const { token, prefix, hash } = generateApiToken();
  const row = await db().apiToken.create({
    data: {
      userId,
      name: options.name ?? "test",
      prefix,
      tokenHash: hash,
      expiresAt: options.expiresAt === undefined ? null : options.expiresAt,
      revokedAt: options.revokedAt ?? null,
    },
  });
  return { id: row.id, token };
}

/** The `Cookie` header of a signed-in browser session of this user, as Auth.js mints it. */
export async function sessionCookie(userId: string): Promise<string> {
  const jwt = await encode({ token: { uid: userId, sid: randomUUID() }, secret: TEST_AUTH_SECRET, salt: "authjs.session-token" });
  return `authjs.session-token=${jwt}`;
}

export interface TestPerson extends TestUser {
  team: TestTeam | undefined;
  token: string;
  tokenId: string;
  cookie: string;
}

/** A person with these roles (in a new team), an API token and a session cookie. */
export async function makePerson(roles: RoleName[], options: { team?: TestTeam; prefix?: string } = {}): Promise<TestPerson> {
  const team = options.team ?? (roles.length ? await makeTeam() : undefined);
  const user = await makeUser({ roles, ...(team ? { team } : {}), prefix: options.prefix ?? (roles[0] ?? "norole") });
  const { id: tokenId, token } = await makeToken(user.id);
  return { ...user, team, token, tokenId, cookie: await sessionCookie(user.id) };
}
