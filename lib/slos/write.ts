// Changing SLOs. Who may: holders of `slos.define` on the service's team (developers of the
// owning team; SREs and platform admins everywhere), and, to give an SLO to another owner team,
// on that team too. Every definition is checked before it is saved — the service and the owner
// exist, the environment is known, the SLI fits the kind and its PromQL parses (400 naming the
// field, with the parser's message and position) — and every change is audited in its
// transaction. PATCH and DELETE take the revision the caller saw (409 when stale).
import type { Actor } from "../core/auth/actor.ts";
import { requirePermissionOnTeam } from "../core/auth/actor.ts";
import { canonicalJson } from "../core/audit/hash.ts";
import { recordAudit } from "../core/audit/record.ts";
import { transaction, type Tx } from "../core/db/client.ts";
import { ConflictError, NotFoundError, ValidationError, type FieldIssue } from "../core/errors.ts";
import { findSloRow, sloInclude, toDto } from "./read.ts";
import type { CreateSloBody, PatchSloBody, SloDto, SloKind, Sli } from "./schemas.ts";
import { SliSchema } from "./schemas.ts";
import { sliIssues } from "./sli.ts";

type TeamRow = { id: string; slug: string };

export async function teamOrIssue(tx: Tx, slug: string, path: (string | number)[], issues: FieldIssue[]): Promise<TeamRow | null> {
  const team = await tx.team.findUnique({ where: { slug }, select: { id: true, slug: true } });
  if (!team) issues.push({ path, message: `There is no team "${slug}".` });
  return team;
}

export async function knownEnvironments(tx: Tx): Promise<string[]> {
  return (await tx.environment.findMany({ select: { name: true }, orderBy: { position: "asc" } })).map((e) => e.name);
}

export function environmentIssue(environment: string, known: readonly string[], path: (string | number)[]): FieldIssue[] {
  // With no environments defined at all (a bare installation), any name is accepted.
  if (known.length === 0 || known.includes(environment)) return [];
  return [{ path, message: `Unknown environment "${environment}" (known: ${known.join(", ")}).` }];
}

function throwIssues(issues: FieldIssue[]): void {
  if (!issues.length) return;
  const first = issues[0]!;
  throw new ValidationError(`${first.path.join(".")}: ${first.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ""}`, issues);
}

export async function createSlo(actor: Actor, input: CreateSloBody, requestId?: string): Promise<SloDto> {
  return transaction(async (tx) => {
    const issues: FieldIssue[] = [];
    const service = await tx.service.findUnique({ where: { name: input.service }, select: { id: true, name: true, team: { select: { id: true, slug: true } } } });
    if (!service) issues.push({ path: ["service"], message: `There is no service "${input.service}".` });
    const owner = input.ownerTeam ? await teamOrIssue(tx, input.ownerTeam, ["ownerTeam"], issues) : (service?.team ?? null);
    issues.push(...environmentIssue(input.environment, await knownEnvironments(tx), ["environment"]));
    issues.push(...sliIssues(input.kind, input.sli));
    throwIssues(issues);
    requirePermissionOnTeam(actor, "slos.define", service!.team);
    if (owner!.id !== service!.team.id) requirePermissionOnTeam(actor, "slos.define", owner!);
    if (await tx.slo.findUnique({ where: { serviceId_name: { serviceId: service!.id, name: input.name } }, select: { id: true } })) {
      throw new ConflictError(`${service!.name} already has an SLO named "${input.name}".`, { service: service!.name, name: input.name });
    }
    const row = await tx.slo.create({
      data: {
        serviceId: service!.id,
        name: input.name,
        displayName: input.displayName,
        description: input.description,
        kind: input.kind,
        objective: input.objective,
        window: input.window,
        sli: input.sli as object,
        ownerTeamId: owner!.id,
        environment: input.environment,
        alerting: input.alerting,
        automation: input.automation,
      },
      include: sloInclude,
    });
    await recordAudit(tx, actor, {
      action: "slo.created",
      target: { type: "slo", id: row.id, label: `${service!.name}/${row.name}` },
      teamId: owner!.id,
      payload: {
        service: service!.name,
        name: row.name,
        kind: row.kind,
        objective: row.objective,
        window: row.window,
        sli: input.sli,
        environment: row.environment,
        alerting: row.alerting,
        automation: row.automation,
        ownerTeam: owner!.slug,
      },
      requestId,
    });
    return toDto(row);
  });
}

const PATCHABLE = ["displayName", "description", "kind", "objective", "window", "sli", "environment", "alerting", "automation"] as const;

function checkRevision(label: string, expected: number | undefined, current: number): void {
  if (expected !== undefined && expected !== current) {
    throw new ConflictError(`${label} was changed by someone else since you loaded it (you edited revision ${expected}, it is now ${current}). Reload and try again.`, {
      expectedRevision: expected,
      revision: current,
    });
  }
}

export async function patchSlo(actor: Actor, id: string, input: PatchSloBody, requestId?: string): Promise<SloDto> {
  return transaction(async (tx) => {
    const row = await findSloRow(tx, id);
    if (!row) throw new NotFoundError("SLO", id);
    const label = `${row.service.name}/${row.name}`;
    requirePermissionOnTeam(actor, "slos.define", row.service.team);
    checkRevision(label, input.revision, row.revision);
    const issues: FieldIssue[] = [];
    let owner: TeamRow = row.ownerTeam;
    if (input.ownerTeam !== undefined && input.ownerTeam !== row.ownerTeam.slug) {
      owner = (await teamOrIssue(tx, input.ownerTeam, ["ownerTeam"], issues)) ?? owner;
    }
    const next = {
      displayName: input.displayName ?? row.displayName,
      description: input.description ?? row.description,
      kind: (input.kind ?? row.kind) as SloKind,
      objective: input.objective ?? row.objective,
      window: input.window ?? row.window,
      sli: (input.sli ?? SliSchema.parse(row.sli)) as Sli,
      environment: input.environment ?? row.environment,
      alerting: input.alerting ?? row.alerting,
      automation: input.automation ?? row.automation,
    };
    if (input.environment !== undefined) issues.push(...environmentIssue(next.environment, await knownEnvironments(tx), ["environment"]));
    // A new kind is checked against the SLI it will have (the one sent, else the current one).
    if (input.kind !== undefined || input.sli !== undefined) issues.push(...sliIssues(next.kind, next.sli));
    throwIssues(issues);
    if (owner.id !== row.ownerTeam.id) requirePermissionOnTeam(actor, "slos.define", owner);

    const before: Record<string, unknown> = { ...row, sli: row.sli };
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const key of PATCHABLE) {
      if (canonicalJson(before[key]) !== canonicalJson(next[key])) changes[key] = { from: before[key], to: next[key] };
    }
    if (owner.id !== row.ownerTeam.id) changes.ownerTeam = { from: row.ownerTeam.slug, to: owner.slug };
    if (Object.keys(changes).length === 0) return toDto(row);
    const updated = await tx.slo.update({
      where: { id: row.id },
      data: { ...next, sli: next.sli as object, ownerTeamId: owner.id, revision: { increment: 1 } },
      include: sloInclude,
    });
    await recordAudit(tx, actor, { action: "slo.updated", target: { type: "slo", id: row.id, label }, teamId: owner.id, payload: { changes, revision: updated.revision }, requestId });
    return toDto(updated);
  });
}

export async function deleteSlo(actor: Actor, id: string, options: { revision?: number | undefined }, requestId?: string): Promise<{ id: string; service: string; name: string }> {
  return transaction(async (tx) => {
    const row = await findSloRow(tx, id);
    if (!row) throw new NotFoundError("SLO", id);
    const label = `${row.service.name}/${row.name}`;
    requirePermissionOnTeam(actor, "slos.define", row.service.team);
    checkRevision(label, options.revision, row.revision);
    await tx.slo.delete({ where: { id: row.id } });
    await recordAudit(tx, actor, {
      action: "slo.deleted",
      target: { type: "slo", id: row.id, label },
      teamId: row.ownerTeam.id,
      payload: { service: row.service.name, name: row.name, kind: row.kind, objective: row.objective, window: row.window, sli: row.sli as object, ownerTeam: row.ownerTeam.slug },
      requestId,
    });
    return { id: row.id, service: row.service.name, name: row.name };
  });
}
