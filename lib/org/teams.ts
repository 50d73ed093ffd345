// Teams and memberships. Only platform admins change them (the routes ask for teams.manage);
// the organisation must always keep at least one active platform admin.
import { transaction, isUniqueViolation, type Db, type Tx } from "../core/db/client.ts";
import { recordAudit } from "../core/audit/record.ts";
import type { Actor } from "../core/auth/actor.ts";
import { ConflictError, NotFoundError, RuleViolationError } from "../core/errors.ts";
import { roleFromDb, roleToDb, type RoleName } from "../core/permissions.ts";
import type { Role } from "../core/db/generated/enums.ts";
import type { CreateTeamBody, MemberDto, TeamDto, UpdateTeamBody } from "./schemas.ts";
import type { z } from "zod";

type TeamRow = { id: string; slug: string; name: string; description: string; color: string; createdAt: Date; _count: { memberships: number; services: number } };

function toTeamDto(t: TeamRow): TeamDto {
  return {
    id: t.id,
    slug: t.slug,
    name: t.name,
    description: t.description,
    color: t.color,
    memberCount: t._count.memberships,
    serviceCount: t._count.services,
    createdAt: t.createdAt.toISOString(),
  };
}

const teamCounts = { _count: { select: { memberships: true, services: true } } } as const;

export async function listTeams(db: Db): Promise<TeamDto[]> {
  const teams = await db.team.findMany({ orderBy: { name: "asc" }, include: teamCounts });
  return teams.map(toTeamDto);
}

export async function getTeamOrThrow(db: Db | Tx, slug: string) {
  const team = await db.team.findUnique({ where: { slug } });
  if (!team) throw new NotFoundError("Team", slug);
  return team;
}

export async function createTeam(actor: Actor, input: z.output<typeof CreateTeamBody>, requestId?: string): Promise<TeamDto> {
  try {
    return await transaction(async (tx) => {
      const team = await tx.team.create({ data: input, include: teamCounts });
      await recordAudit(tx, actor, {
        action: "team.created",
        target: { type: "team", id: team.id, label: team.slug },
        teamId: team.id,
        payload: { ...input },
        requestId,
      });
      return toTeamDto(team);
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new ConflictError(`A team with the slug "${input.slug}" already exists.`);
    throw e;
  }
}

export async function updateTeam(actor: Actor, slug: string, input: z.output<typeof UpdateTeamBody>, requestId?: string): Promise<TeamDto> {
  return transaction(async (tx) => {
    const before = await getTeamOrThrow(tx, slug);
    const team = await tx.team.update({ where: { id: before.id }, data: input, include: teamCounts });
    const changes = Object.fromEntries(
      Object.entries(input).map(([k, v]) => [k, { from: before[k as keyof typeof input], to: v }]),
    );
    await recordAudit(tx, actor, { action: "team.updated", target: { type: "team", id: team.id, label: slug }, teamId: team.id, payload: { changes }, requestId });
    return toTeamDto(team);
  });
}

export async function listMembers(db: Db, slug: string): Promise<MemberDto[]> {
  const team = await getTeamOrThrow(db, slug);
  const memberships = await db.membership.findMany({ where: { teamId: team.id }, include: { user: true }, orderBy: { user: { login: "asc" } } });
  const byUser = new Map<string, MemberDto>();
  for (const m of memberships) {
    const member = byUser.get(m.userId) ?? { login: m.user.login, name: m.user.name, avatarUrl: m.user.avatarUrl, roles: [], disabled: Boolean(m.user.disabledAt) };
    member.roles.push(roleFromDb(m.role));
    byUser.set(m.userId, member);
  }
  return [...byUser.values()];
}

/** Refuses a change that would leave no active platform admin. Call after the change, inside the transaction. */
export async function assertPlatformAdminRemains(tx: Tx): Promise<void> {
  const admins = await tx.membership.count({ where: { role: "platform_admin", user: { disabledAt: null } } });
  if (admins === 0) throw new RuleViolationError("The organisation must keep at least one active platform admin.");
}

export async function setMemberRoles(actor: Actor, slug: string, login: string, roles: RoleName[], requestId?: string): Promise<MemberDto> {
  return transaction(async (tx) => {
    const team = await getTeamOrThrow(tx, slug);
    const user = await tx.user.findUnique({ where: { login } });
    if (!user) throw new NotFoundError("User", login);
    const before = await tx.membership.findMany({ where: { userId: user.id, teamId: team.id } });
    const wanted = [...new Set(roles)].sort();
    await tx.membership.deleteMany({ where: { userId: user.id, teamId: team.id, role: { notIn: wanted.map((r) => roleToDb<Role>(r)) } } });
    await tx.membership.createMany({
      data: wanted.map((r) => ({ userId: user.id, teamId: team.id, role: roleToDb<Role>(r) })),
      skipDuplicates: true,
    });
    await assertPlatformAdminRemains(tx);
    await recordAudit(tx, actor, {
      action: "membership.updated",
      target: { type: "user", id: user.id, label: login },
      teamId: team.id,
      payload: { team: slug, from: before.map((m) => roleFromDb(m.role)).sort(), to: wanted },
      requestId,
    });
    return { login: user.login, name: user.name, avatarUrl: user.avatarUrl, roles: wanted, disabled: Boolean(user.disabledAt) };
  });
}

export async function removeMember(actor: Actor, slug: string, login: string, requestId?: string): Promise<void> {
  await transaction(async (tx) => {
    const team = await getTeamOrThrow(tx, slug);
    const user = await tx.user.findUnique({ where: { login } });
    if (!user) throw new NotFoundError("User", login);
    const removed = await tx.membership.findMany({ where: { userId: user.id, teamId: team.id } });
    if (removed.length === 0) throw new NotFoundError(`Member "${login}" of team`, slug);
    await tx.membership.deleteMany({ where: { userId: user.id, teamId: team.id } });
    await assertPlatformAdminRemains(tx);
    await recordAudit(tx, actor, {
      action: "membership.removed",
      target: { type: "user", id: user.id, label: login },
      teamId: team.id,
      payload: { team: slug, roles: removed.map((m) => roleFromDb(m.role)).sort() },
      requestId,
    });
  });
}
