// Reading services and the dependency graph. The graph is read as three flat queries (services,
// dependency ids, teams) joined in memory: at 2,000 services that is a few milliseconds, where
// nested relation selects cost a join per service.
import type { Db, Tx } from "../core/db/client.ts";
import type { Prisma } from "../core/db/generated/client.ts";
import { NotFoundError } from "../core/errors.ts";
import { DependencyGraph } from "./graph.ts";
import type { GraphDto, ListServicesQuery, ServiceDto } from "./schemas.ts";

const SERVICE_INCLUDE = {
  team: { select: { slug: true, name: true, color: true } },
  dependencies: { select: { dependsOn: { select: { name: true } } } },
  dependents: { select: { service: { select: { name: true } } } },
} satisfies Prisma.ServiceInclude;

type ServiceRow = Prisma.ServiceGetPayload<{ include: typeof SERVICE_INCLUDE }>;

function toServiceDto(s: ServiceRow): ServiceDto {
  return {
    id: s.id,
    name: s.name,
    description: s.description,
    team: s.team,
    repository: s.repository,
    strategy: s.strategy,
    healthCheckPath: s.healthCheckPath,
    trafficSteps: s.trafficSteps,
    migrationScripts: s.migrationScripts,
    pathGlobs: s.pathGlobs,
    environments: s.environments,
    dependsOn: s.dependencies.map((d) => d.dependsOn.name).sort(),
    dependents: s.dependents.map((d) => d.service.name).sort(),
    revision: s.revision,
    updatedAt: s.updatedAt.toISOString(),
  };
}

function orderBy(sort: string): Prisma.ServiceOrderByWithRelationInput[] {
  const desc = sort.startsWith("-");
  const dir = desc ? "desc" : "asc";
  switch (desc ? sort.slice(1) : sort) {
    case "team":
      return [{ team: { slug: dir } }, { name: "asc" }];
    case "strategy":
      return [{ strategy: dir }, { name: "asc" }];
    case "updated":
      return [{ updatedAt: dir }, { name: "asc" }];
    default:
      return [{ name: dir }];
  }
}

export async function listServices(
  db: Db,
  query: Partial<ListServicesQuery> = {},
): Promise<{ items: ServiceDto[]; total: number; limit: number; offset: number }> {
  const where: Prisma.ServiceWhereInput = {};
  if (query.team) where.team = { slug: query.team };
  if (query.strategy) where.strategy = query.strategy;
  if (query.q) where.OR = [{ name: { contains: query.q, mode: "insensitive" } }, { description: { contains: query.q, mode: "insensitive" } }];
  const limit = query.limit ?? 100;
  const offset = query.offset ?? 0;
  const [rows, total] = await Promise.all([
    db.service.findMany({ where, orderBy: orderBy(query.sort ?? "name"), skip: offset, take: limit, include: SERVICE_INCLUDE }),
    db.service.count({ where }),
  ]);
  return { items: rows.map(toServiceDto), total, limit, offset };
}

/** Every service, for pages that show the whole list (at most a few thousand rows). */
export async function listAllServices(db: Db): Promise<ServiceDto[]> {
  const rows = await db.service.findMany({ orderBy: { name: "asc" }, include: SERVICE_INCLUDE });
  return rows.map(toServiceDto);
}

export async function getService(db: Db | Tx, name: string): Promise<ServiceDto> {
  const row = await db.service.findUnique({ where: { name }, include: SERVICE_INCLUDE });
  if (!row) throw new NotFoundError("Service", name);
  return toServiceDto(row);
}

export async function graphRevision(db: Db | Tx): Promise<{ revision: number; updatedAt: Date; updatedBy: string | null }> {
  const row = await db.graphState.findUnique({ where: { id: 1 } });
  return row ?? { revision: 1, updatedAt: new Date(0), updatedBy: null };
}

interface FlatGraph {
  services: { id: string; name: string; teamId: string; strategy: ServiceDto["strategy"]; description: string; environments: string[]; pathGlobs: string[] }[];
  edges: { serviceId: string; dependsOnId: string }[];
}

async function readFlat(db: Db | Tx): Promise<FlatGraph> {
  const [services, edges] = await Promise.all([
    db.service.findMany({
      select: { id: true, name: true, teamId: true, strategy: true, description: true, environments: true, pathGlobs: true },
      orderBy: { name: "asc" },
    }),
    db.serviceDependency.findMany({ select: { serviceId: true, dependsOnId: true } }),
  ]);
  return { services, edges };
}

function dependsOnByName(flat: FlatGraph): Map<string, string[]> {
  const nameOf = new Map(flat.services.map((s) => [s.id, s.name]));
  const out = new Map<string, string[]>(flat.services.map((s) => [s.name, []]));
  for (const e of flat.edges) {
    const from = nameOf.get(e.serviceId);
    const to = nameOf.get(e.dependsOnId);
    if (from !== undefined && to !== undefined) out.get(from)!.push(to);
  }
  for (const list of out.values()) list.sort();
  return out;
}

export async function getGraph(db: Db): Promise<GraphDto> {
  const [flat, teams, state] = await Promise.all([
    readFlat(db),
    db.team.findMany({ select: { id: true, slug: true, name: true, color: true }, orderBy: { slug: "asc" } }),
    graphRevision(db),
  ]);
  const slugOf = new Map(teams.map((t) => [t.id, t.slug]));
  const deps = dependsOnByName(flat);
  return {
    revision: state.revision,
    updatedAt: state.updatedAt.toISOString(),
    updatedBy: state.updatedBy,
    teams: teams.map(({ slug, name, color }) => ({ slug, name, color })),
    nodes: flat.services.map((s) => ({
      name: s.name,
      team: slugOf.get(s.teamId) ?? "",
      strategy: s.strategy,
      description: s.description,
      environments: s.environments,
      dependsOn: deps.get(s.name) ?? [],
    })),
  };
}

export interface LoadedGraph {
  graph: DependencyGraph;
  services: FlatGraph["services"];
}

/** The graph as the planner sees it (inside a transaction when a write depends on it). */
export async function loadDependencyGraph(db: Db | Tx): Promise<LoadedGraph> {
  const flat = await readFlat(db);
  const deps = dependsOnByName(flat);
  return { graph: DependencyGraph.from(flat.services.map((s) => ({ name: s.name, dependsOn: deps.get(s.name) ?? [] }))), services: flat.services };
}
