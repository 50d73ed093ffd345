// People: listed and managed by platform admins. Demo users exist only in sandbox mode; GitHub
// users are created when they first sign in, or ahead of time here (matched by login).
import { transaction, isUniqueViolation, type Db } from "../core/db/client.ts";
import { recordAudit } from "../core/audit/record.ts";
import type { Actor } from "../core/auth/actor.ts";
import { ConflictError, NotFoundError, RuleViolationError } from "../core/errors.ts";
import { roleFromDb, roleToDb } from "../core/permissions.ts";
import type { Role } from "../core/db/generated/enums.ts";
import { assertPlatformAdminRemains, getTeamOrThrow } from "./teams.ts";
import type { CreateUserBody, UpdateUserBody, UserDto } from "./schemas.ts";
import type { z } from "zod";

const withGrants = { memberships: { include: { team: { select: { slug: true } } }, orderBy: { createdAt: "asc" } } } as const;

type UserRow = {
  id: string;
  login: string;
  name: string;
  email: string | null;
  avatarUrl: string | null;
  isDemo: boolean;
  disabledAt: Date | null;
  lastSeenAt: Date | null;
  memberships: { role: string; team: { slug: string } }[];
};

export function toUserDto(u: UserRow): UserDto {
  return {
    id: u.id,
    login: u.login,
    name: u.name,
    email: u.email,
    avatarUrl: u.avatarUrl,
    isDemo: u.isDemo,
    disabled: Boolean(u.disabledAt),
    lastSeenAt: u.lastSeenAt?.toISOString() ?? null,
    grants: u.memberships.map((m) => ({ role: roleFromDb(m.role), team: m.team.slug })),
  };
}

export async function listUsers(db: Db): Promise<UserDto[]> {
  const users = await db.user.findMany({ orderBy: { login: "asc" }, include: withGrants });
  return users.map(toUserDto);
}

export async function getUserDto(db: Db, userId: string): Promise<UserDto> {
  const user = await db.user.findUnique({ where: { id: userId }, include: withGrants });
  if (!user) throw new NotFoundError("User", userId);
  return toUserDto(user);
}

export async function createUser(actor: Actor, input: z.output<typeof CreateUserBody>, requestId?: string): Promise<UserDto> {
  try {
    return await transaction(async (tx) => {
      const team = await getTeamOrThrow(tx, input.team);
      const user = await tx.user.create({
        data: {
          login: input.login,
          name: input.name,
          email: input.email ?? null,
          memberships: { create: [...new Set(input.roles)].map((r) => ({ teamId: team.id, role: roleToDb<Role>(r) })) },
        },
        include: withGrants,
      });
      await recordAudit(tx, actor, {
        action: "user.created",
        target: { type: "user", id: user.id, label: user.login },
        teamId: team.id,
        payload: { login: user.login, name: user.name, team: input.team, roles: input.roles },
        requestId,
      });
      return toUserDto(user);
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new ConflictError(`A user with the login "${input.login}" already exists.`);
    throw e;
  }
}

export async function updateUser(actor: Actor, login: string, input: z.output<typeof UpdateUserBody>, requestId?: string): Promise<UserDto> {
  return transaction(async (tx) => {
    const before = await tx.user.findUnique({ where: { login } });
    if (!before) throw new NotFoundError("User", login);
    if (input.disabled === true && before.id === actor.userId) throw new RuleViolationError("You cannot disable yourself.");
    const user = await tx.user.update({
      where: { id: before.id },
      data: {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.disabled !== undefined ? { disabledAt: input.disabled ? (before.disabledAt ?? new Date()) : null } : {}),
      },
      include: withGrants,
    });
    if (input.disabled === true) await assertPlatformAdminRemains(tx);
    await recordAudit(tx, actor, {
      action: input.disabled === true ? "user.disabled" : input.disabled === false ? "user.enabled" : "user.updated",
      target: { type: "user", id: user.id, label: user.login },
      payload: { ...input },
      requestId,
    });
    return toUserDto(user);
  });
}
