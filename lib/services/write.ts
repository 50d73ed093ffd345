// Changing services and their dependencies. Every graph change runs in one transaction that first
// locks the graph_state row: writers queue there, so two edits can never close a cycle between
// them, and a caller that sends the revision it saw gets 409 when the graph moved on. Only the
// owning team (or an organisation-scoped role with services.write) may change a service.
import type { z } from "zod";
import type { Actor } from "../core/auth/actor.ts";
import { requirePermissionOnTeam } from "../core/auth/actor.ts";
import { recordAudit } from "../core/audit/record.ts";
import { transaction, type Tx } from "../core/db/client.ts";
import { ConflictError, NotFoundError, ValidationError, type FieldIssue } from "../core/errors.ts";
import { cycleIfAdded } from "./graph.ts";
import { getService, loadDependencyGraph } from "./read.ts";
import type { CreateServiceBody, DeleteServiceQuery, PatchServiceBody, PutDependenciesBody, ServiceDto, Strategy } from "./schemas.ts";

export const DEFAULT_CANARY_STEPS = [10, 50, 100];

/** Locks the graph for this transaction and checks the caller's revision; returns the current one. */
export async function lockGraph(tx: Tx, expected?: number): Promise<number> {
  const rows = await tx.$queryRawUnsafe<{ revision: number }[]>(`SELECT "revision" FROM "graph_state" WHERE "id" = 1 FOR UPDATE`);
  const current = rows[0]?.revision ?? 1;
  if (expected !== undefined && expected !== current) {
    throw new ConflictError(`The dependency graph changed since you loaded it (you saw revision ${expected}, it is now ${current}). Reload and try again.`, {
      expectedRevision: expected,
      revision: current,
    });
  }
  return current;
}

/** Records that the graph changed; returns the new revision. */
export async function bumpGraph(tx: Tx, actor: Actor): Promise<number> {
  const row = await tx.graphState.upsert({
    where: { id: 1 },
    create: { id: 1, revision: 2, updatedBy: actor.login },
    update: { revision: { increment: 1 }, updatedAt: new Date(), updatedBy: actor.login },
  });
  return row.revision;
}

export function cycleMessage(cycle: string[]): string {
  return `That would close a dependency cycle: ${cycle.join(" → ")}.`;
}

async function teamBySlug(tx: Tx, slug: string, field: string): Promise<{ id: string; slug: string }> {
  const team = await tx.team.findUnique({ where: { slug }, select: { id: true, slug: true } });
  if (!team) throw new ValidationError(`There is no team "${slug}".`, [{ path: [field], message: `Unknown team "${slug}".` }]);
  return team;
}

/** Environment names, in promotion order. */
export async function environmentNames(tx: Tx): Promise<string[]> {
  return (await tx.environment.findMany({ select: { name: true }, orderBy: { position: "asc" } })).map((e) => e.name);
}

export function checkEnvironments(requested: readonly string[], known: readonly string[], path: (string | number)[]): FieldIssue[] {
  const unknown = requested.filter((e) => !known.includes(e));
  return unknown.length ? [{ path, message: `Unknown environment${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")} (known: ${known.join(", ")}).` }] : [];
}

/** Orders environments as the promotion path does. */
export function inPromotionOrder(requested: readonly string[], known: readonly string[]): string[] {
  return known.filter((e) => requested.includes(e));
}

/** Canary needs traffic steps (defaulted); the other strategies have none. */
export function resolveTrafficSteps(strategy: Strategy, steps: readonly number[] | undefined, path: (string | number)[]): { steps: number[]; issues: FieldIssue[] } {
  if (strategy === "canary") return { steps: steps && steps.length ? [...steps] : [...DEFAULT_CANARY_STEPS], issues: [] };
  if (steps && steps.length) return { steps: [], issues: [{ path, message: `Traffic steps apply to canary deployments only; this service deploys ${strategy}.` }] };
  return { steps: [], issues: [] };
}

function unknownDependencies(names: readonly string[], known: (n: string) => boolean): string[] {
  return names.filter((n) => !known(n)).sort();
}

export async function createService(actor: Actor, input: z.output<typeof CreateServiceBody>, requestId?: string): Promise<ServiceDto> {
  return transaction(async (tx) => {
    await lockGraph(tx);
    const team = await teamBySlug(tx, input.team, "team");
    requirePermissionOnTeam(actor, "services.write", team);
    if (await tx.service.findUnique({ where: { name: input.name }, select: { id: true } })) {
      throw new ConflictError(`A service named "${input.name}" already exists.`, { name: input.name });
    }
    const envs = await environmentNames(tx);
    const traffic = resolveTrafficSteps(input.strategy, input.trafficSteps, ["trafficSteps"]);
    const issues = [...checkEnvironments(input.environments ?? [], envs, ["environments"]), ...traffic.issues];
    if (issues.length) throw new ValidationError(issues[0]!.message, issues);
    if (input.dependsOn.includes(input.name)) throw new ConflictError(cycleMessage([input.name, input.name]), { cycle: [input.name, input.name] });
    const { graph, services } = await loadDependencyGraph(tx);
    const unknown = unknownDependencies(input.dependsOn, (n) => graph.has(n));
    if (unknown.length) {
      throw new ValidationError(`Unknown service${unknown.length > 1 ? "s" : ""} in dependsOn: ${unknown.join(", ")}.`, [{ path: ["dependsOn"], message: `Unknown: ${unknown.join(", ")}.` }]);
    }
    const created = await tx.service.create({
      data: {
        name: input.name,
        teamId: team.id,
        description: input.description,
        repository: input.repository ?? null,
        strategy: input.strategy,
        healthCheckPath: input.healthCheckPath,
        trafficSteps: traffic.steps,
        migrationScripts: input.migrationScripts,
        pathGlobs: input.pathGlobs,
        environments: input.environments ? inPromotionOrder(input.environments, envs) : envs,
      },
    });
    const idOf = new Map(services.map((s) => [s.name, s.id]));
    if (input.dependsOn.length) {
      await tx.serviceDependency.createMany({ data: input.dependsOn.map((d) => ({ serviceId: created.id, dependsOnId: idOf.get(d)! })) });
    }
    const revision = await bumpGraph(tx, actor);
    await recordAudit(tx, actor, {
      action: "service.created",
      target: { type: "service", id: created.id, label: created.name },
      teamId: team.id,
      payload: { name: created.name, team: team.slug, strategy: created.strategy, dependsOn: [...input.dependsOn].sort(), environments: created.environments, graphRevision: revision },
      requestId,
    });
    return getService(tx, created.name);
  });
}

const PATCHABLE = ["description", "repository", "strategy", "healthCheckPath", "trafficSteps", "migrationScripts", "pathGlobs", "environments"] as const;

export async function patchService(actor: Actor, name: string, input: z.output<typeof PatchServiceBody>, requestId?: string): Promise<ServiceDto> {
  return transaction(async (tx) => {
    const row = await tx.service.findUnique({ where: { name }, include: { team: { select: { id: true, slug: true } } } });
    if (!row) throw new NotFoundError("Service", name);
    requirePermissionOnTeam(actor, "services.write", row.team);
    if (input.revision !== undefined && input.revision !== row.revision) {
      throw new ConflictError(`"${name}" was changed by someone else since you loaded it (you edited revision ${input.revision}, it is now ${row.revision}). Reload and try again.`, {
        expectedRevision: input.revision,
        revision: row.revision,
      });
    }
    let team = row.team;
    if (input.team !== undefined && input.team !== row.team.slug) {
      team = await teamBySlug(tx, input.team, "team");
      requirePermissionOnTeam(actor, "services.write", team);
    }
    const envs = await environmentNames(tx);
    const strategy = input.strategy ?? row.strategy;
    // Switching away from canary drops the steps unless the caller sends new ones.
    const stepsIn = input.trafficSteps ?? (input.strategy && input.strategy !== "canary" ? [] : row.trafficSteps);
    const traffic = resolveTrafficSteps(strategy, stepsIn, ["trafficSteps"]);
    const issues = [...checkEnvironments(input.environments ?? [], envs, ["environments"]), ...traffic.issues];
    if (issues.length) throw new ValidationError(issues[0]!.message, issues);

    const next = {
      description: input.description ?? row.description,
      repository: input.repository === undefined ? row.repository : input.repository,
      strategy,
      healthCheckPath: input.healthCheckPath ?? row.healthCheckPath,
      trafficSteps: traffic.steps,
      migrationScripts: input.migrationScripts ?? row.migrationScripts,
      pathGlobs: input.pathGlobs ?? row.pathGlobs,
      environments: input.environments ? inPromotionOrder(input.environments, envs) : row.environments,
    };
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const key of PATCHABLE) {
      if (JSON.stringify(row[key]) !== JSON.stringify(next[key])) changes[key] = { from: row[key], to: next[key] };
    }
    if (team.id !== row.team.id) changes.team = { from: row.team.slug, to: team.slug };
    if (Object.keys(changes).length === 0) return getService(tx, name);
    await tx.service.update({ where: { id: row.id }, data: { ...next, teamId: team.id, revision: { increment: 1 } } });
    await recordAudit(tx, actor, { action: "service.updated", target: { type: "service", id: row.id, label: name }, teamId: team.id, payload: { changes }, requestId });
    return getService(tx, name);
  });
}

export async function deleteService(
  actor: Actor,
  name: string,
  options: z.output<typeof DeleteServiceQuery>,
  requestId?: string,
): Promise<{ service: string; removedDependents: string[]; revision: number }> {
  return transaction(async (tx) => {
    await lockGraph(tx, options.revision);
    const row = await tx.service.findUnique({
      where: { name },
      include: { team: { select: { id: true, slug: true } }, dependents: { select: { service: { select: { name: true } } } }, dependencies: { select: { dependsOn: { select: { name: true } } } } },
    });
    if (!row) throw new NotFoundError("Service", name);
    requirePermissionOnTeam(actor, "services.write", row.team);
    const dependents = row.dependents.map((d) => d.service.name).sort();
    if (dependents.length && !options.force) {
      throw new ConflictError(`${dependents.join(", ")} ${dependents.length > 1 ? "depend" : "depends"} on "${name}": remove those dependencies first, or delete with force=true to remove them too.`, {
        dependents,
      });
    }
    await tx.service.delete({ where: { id: row.id } });
    const revision = await bumpGraph(tx, actor);
    await recordAudit(tx, actor, {
      action: "service.deleted",
      target: { type: "service", id: row.id, label: name },
      teamId: row.team.id,
      payload: { name, team: row.team.slug, dependsOn: row.dependencies.map((d) => d.dependsOn.name).sort(), removedDependents: dependents, graphRevision: revision },
      requestId,
    });
    return { service: name, removedDependents: dependents, revision };
  });
}

export async function setDependencies(
  actor: Actor,
  name: string,
  input: z.output<typeof PutDependenciesBody>,
  requestId?: string,
): Promise<{ service: string; dependsOn: string[]; added: string[]; removed: string[]; revision: number }> {
  return transaction(async (tx) => {
    const current = await lockGraph(tx, input.revision);
    const row = await tx.service.findUnique({ where: { name }, include: { team: { select: { id: true, slug: true } } } });
    if (!row) throw new NotFoundError("Service", name);
    requirePermissionOnTeam(actor, "services.write", row.team);
    if (input.dependsOn.includes(name)) throw new ConflictError(cycleMessage([name, name]), { cycle: [name, name] });
    const { graph, services } = await loadDependencyGraph(tx);
    const unknown = unknownDependencies(input.dependsOn, (n) => graph.has(n));
    if (unknown.length) {
      throw new ValidationError(`Unknown service${unknown.length > 1 ? "s" : ""} in dependsOn: ${unknown.join(", ")}.`, [{ path: ["dependsOn"], message: `Unknown: ${unknown.join(", ")}.` }]);
    }
    const before = graph.dependenciesOf(name);
    const wanted = [...input.dependsOn].sort();
    const added = wanted.filter((d) => !before.includes(d));
    const removed = before.filter((d) => !wanted.includes(d));
    if (!added.length && !removed.length) return { service: name, dependsOn: wanted, added, removed, revision: current };
    // Only this service's edges change, so a new cycle must run through one of the added edges.
    let next = graph.withDependencies(name, before.filter((d) => wanted.includes(d)));
    for (const d of added) {
      const cycle = cycleIfAdded(next, name, d);
      if (cycle) throw new ConflictError(cycleMessage(cycle), { cycle });
      next = next.withEdge(name, d);
    }
    const idOf = new Map(services.map((s) => [s.name, s.id]));
    if (removed.length) await tx.serviceDependency.deleteMany({ where: { serviceId: row.id, dependsOnId: { in: removed.map((d) => idOf.get(d)!) } } });
    if (added.length) await tx.serviceDependency.createMany({ data: added.map((d) => ({ serviceId: row.id, dependsOnId: idOf.get(d)! })) });
    const revision = await bumpGraph(tx, actor);
    await recordAudit(tx, actor, {
      action: "service.dependencies_changed",
      target: { type: "service", id: row.id, label: name },
      teamId: row.team.id,
      payload: { added, removed, dependsOn: wanted, graphRevision: revision },
      requestId,
    });
    return { service: name, dependsOn: wanted, added, removed, revision };
  });
}
