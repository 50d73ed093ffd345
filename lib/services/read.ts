// Reading services and the dependency graph. Each read is one SQL statement: dependency names
// come back as arrays from correlated subqueries on the (service_id, depends_on_id) primary key
// and the depends_on_id index, so a page of 50 costs one round trip whatever the graph's size,
// where Prisma's nested includes cost a query per relation level. The whole graph is cached per
// process and keyed by a fingerprint of the tables it reads (graph revision, service revisions,
// team changes), so repeated reads of an unchanged graph skip the build and serialisation.
import type { Db, Tx } from "../core/db/client.ts";
import { NotFoundError } from "../core/errors.ts";
import { DependencyGraph } from "./graph.ts";
import { GraphDto, type ListServicesQuery, type ServiceDto } from "./schemas.ts";

interface ServiceRow {
  id: string;
  name: string;
  description: string;
  team_slug: string;
  team_name: string;
  team_color: string;
  repository: string | null;
  strategy: ServiceDto["strategy"];
  health_check_path: string;
  traffic_steps: number[] | null;
  migration_scripts: string[] | null;
  path_globs: string[] | null;
  environments: string[] | null;
  depends_on: string[] | null;
  dependents: string[] | null;
  revision: number;
  updated_at: Date;
  total?: bigint | number;
}

const SERVICE_COLUMNS = `
  s."id", s."name", s."description", t."slug" AS team_slug, t."name" AS team_name, t."color" AS team_color,
  s."repository", s."strategy"::text AS strategy, s."health_check_path", s."traffic_steps", s."migration_scripts",
  s."path_globs", s."environments", s."revision", s."updated_at",
  ARRAY(SELECT x."name" FROM "service_dependencies" d JOIN "services" x ON x."id" = d."depends_on_id" WHERE d."service_id" = s."id" ORDER BY x."name") AS depends_on,
  ARRAY(SELECT x."name" FROM "service_dependencies" d JOIN "services" x ON x."id" = d."service_id" WHERE d."depends_on_id" = s."id" ORDER BY x."name") AS dependents`;

/** The page's own columns (the outer query adds the dependency arrays and the total). */
const PAGE_COLUMNS = `
  s."id", s."name", s."description", t."slug" AS team_slug, t."name" AS team_name, t."color" AS team_color,
  s."repository", s."strategy"::text AS strategy, s."health_check_path", s."traffic_steps", s."migration_scripts",
  s."path_globs", s."environments", s."revision", s."updated_at"`;

function toServiceDto(s: ServiceRow): ServiceDto {
  return {
    id: s.id,
    name: s.name,
    description: s.description,
    team: { slug: s.team_slug, name: s.team_name, color: s.team_color },
    repository: s.repository,
    strategy: s.strategy,
    healthCheckPath: s.health_check_path,
    trafficSteps: s.traffic_steps ?? [],
    migrationScripts: s.migration_scripts ?? [],
    pathGlobs: s.path_globs ?? [],
    environments: s.environments ?? [],
    dependsOn: s.depends_on ?? [],
    dependents: s.dependents ?? [],
    revision: s.revision,
    updatedAt: s.updated_at.toISOString(),
  };
}

/**
 * ORDER BY for a sort key, inside the page's subquery (`s`, `t`) and over its result (`p`); the
 * name breaks ties so pages never overlap.
 */
function orderBy(sort: string): { inner: string; outer: string } {
  const desc = sort.startsWith("-");
  const dir = desc ? "DESC" : "ASC";
  switch (desc ? sort.slice(1) : sort) {
    case "team":
      return { inner: `t."slug" ${dir}, s."name" ASC`, outer: `p."team_slug" ${dir}, p."name" ASC` };
    case "strategy":
      // The enum's order (rolling, blue_green, canary), not the text's.
      return { inner: `s."strategy" ${dir}, s."name" ASC`, outer: `p."strategy"::"deployment_strategy" ${dir}, p."name" ASC` };
    case "updated":
      return { inner: `s."updated_at" ${dir}, s."name" ASC`, outer: `p."updated_at" ${dir}, p."name" ASC` };
    default:
      return { inner: `s."name" ${dir}`, outer: `p."name" ${dir}` };
  }
}

/** `%`, `_` and `\` in a search are literal characters, not patterns. */
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function listServices(
  db: Db,
  query: Partial<ListServicesQuery> = {},
): Promise<{ items: ServiceDto[]; total: number; limit: number; offset: number }> {
  const where: string[] = [];
  const values: unknown[] = [];
  if (query.team) {
    values.push(query.team);
    where.push(`t."slug" = $${values.length}`);
  }
  if (query.strategy) {
    values.push(query.strategy);
    where.push(`s."strategy"::text = $${values.length}`);
  }
  if (query.q) {
    values.push(likePattern(query.q));
    // A service matches by its name, its description, or the name of a service it depends on.
    where.push(
      `(s."name" ILIKE $${values.length} OR s."description" ILIKE $${values.length}
        OR EXISTS (SELECT 1 FROM "service_dependencies" d JOIN "services" x ON x."id" = d."depends_on_id" WHERE d."service_id" = s."id" AND x."name" ILIKE $${values.length}))`,
    );
  }
  const limit = query.limit ?? 100;
  const offset = query.offset ?? 0;
  values.push(limit, offset);
  // The page and the total in one statement: the page's rows come from the ordered, limited
  // subquery (an index scan for the default order), the dependency arrays are computed for those
  // rows only, and the total is an uncorrelated subquery evaluated once.
  const order = orderBy(query.sort ?? "name");
  const filter = where.length ? `WHERE ${where.join(" AND ")}` : "";
  const rows = await db.$queryRawUnsafe<ServiceRow[]>(
    `SELECT p.*,
            ARRAY(SELECT x."name" FROM "service_dependencies" d JOIN "services" x ON x."id" = d."depends_on_id" WHERE d."service_id" = p."id" ORDER BY x."name") AS depends_on,
            ARRAY(SELECT x."name" FROM "service_dependencies" d JOIN "services" x ON x."id" = d."service_id" WHERE d."depends_on_id" = p."id" ORDER BY x."name") AS dependents,
            (SELECT count(*) FROM "services" s JOIN "teams" t ON t."id" = s."team_id" ${filter}) AS total
       FROM (SELECT ${PAGE_COLUMNS}
               FROM "services" s JOIN "teams" t ON t."id" = s."team_id"
               ${filter}
              ORDER BY ${order.inner}
              LIMIT $${values.length - 1} OFFSET $${values.length}) p
      ORDER BY ${order.outer}`,
    ...values,
  );
  let total = rows.length ? Number(rows[0]!.total) : 0;
  if (!rows.length && offset > 0) {
    // Past the last page: the total still tells the pager where the last page is.
    const counted = await db.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM "services" s JOIN "teams" t ON t."id" = s."team_id" ${filter}`, ...values.slice(0, -2));
    total = Number(counted[0]?.n ?? 0);
  }
  return { items: rows.map(toServiceDto), total, limit, offset };
}

export async function getService(db: Db | Tx, name: string): Promise<ServiceDto> {
  const rows = await db.$queryRawUnsafe<ServiceRow[]>(`SELECT ${SERVICE_COLUMNS} FROM "services" s JOIN "teams" t ON t."id" = s."team_id" WHERE s."name" = $1`, name);
  if (!rows[0]) throw new NotFoundError("Service", name);
  return toServiceDto(rows[0]);
}

export async function graphRevision(db: Db | Tx): Promise<{ revision: number; updatedAt: Date; updatedBy: string | null }> {
  const row = await db.graphState.findUnique({ where: { id: 1 } });
  return row ?? { revision: 1, updatedAt: new Date(0), updatedBy: null };
}

interface FingerprintRow {
  revision: number | null;
  updated_at: Date | null;
  updated_by: string | null;
  services: number;
  service_revisions: bigint | number;
  services_changed: Date | null;
  teams: number;
  teams_changed: Date | null;
}

interface GraphNodeRow {
  name: string;
  team: string;
  strategy: ServiceDto["strategy"];
  description: string;
  environments: string[] | null;
  depends_on: string[] | null;
}

interface CachedGraph {
  key: string;
  graph: GraphDto;
  json?: string;
}

/** The cached graph per database client: its fingerprint, the DTO, and (once asked for) its JSON text. */
const cache = new WeakMap<Db, CachedGraph>();

/**
 * What the graph's answer depends on, in one cheap statement: the graph revision (bumped by
 * every structural change), the services' own revisions (bumped by every PATCH), and the teams'
 * last change (names and colours).
 */
async function fingerprint(db: Db): Promise<{ key: string; row: FingerprintRow }> {
  const rows = await db.$queryRawUnsafe<FingerprintRow[]>(
    `SELECT g."revision", g."updated_at", g."updated_by", s.services, s.service_revisions, s.services_changed, t.teams, t.teams_changed
       FROM (SELECT count(*)::int AS services, coalesce(sum("revision"), 0)::bigint AS service_revisions, max("updated_at") AS services_changed FROM "services") s
      CROSS JOIN (SELECT count(*)::int AS teams, max("updated_at") AS teams_changed FROM "teams") t
       LEFT JOIN "graph_state" g ON g."id" = 1`,
  );
  const row = rows[0]!;
  const key = [row.revision, row.updated_at?.getTime(), row.services, row.service_revisions, row.services_changed?.getTime(), row.teams, row.teams_changed?.getTime()].join(":");
  return { key, row };
}

async function buildGraph(db: Db, state: FingerprintRow): Promise<GraphDto> {
  const [nodes, teams] = await Promise.all([
    db.$queryRawUnsafe<GraphNodeRow[]>(
      `SELECT s."name", t."slug" AS team, s."strategy"::text AS strategy, s."description", s."environments",
              ARRAY(SELECT x."name" FROM "service_dependencies" d JOIN "services" x ON x."id" = d."depends_on_id" WHERE d."service_id" = s."id" ORDER BY x."name" COLLATE "C") AS depends_on
         FROM "services" s JOIN "teams" t ON t."id" = s."team_id"
        ORDER BY s."name"`,
    ),
    db.team.findMany({ select: { slug: true, name: true, color: true }, orderBy: { slug: "asc" } }),
  ]);
  return {
    revision: state.revision ?? 1,
    updatedAt: (state.updated_at ?? new Date(0)).toISOString(),
    updatedBy: state.updated_by,
    teams,
    nodes: nodes.map((n) => ({ name: n.name, team: n.team, strategy: n.strategy, description: n.description, environments: n.environments ?? [], dependsOn: n.depends_on ?? [] })),
  };
}

async function currentGraph(db: Db): Promise<CachedGraph> {
  const { key, row } = await fingerprint(db);
  const hit = cache.get(db);
  if (hit?.key === key) return hit;
  const graph = await buildGraph(db, row);
  // Built by typed code from the database; checked against the contract once per change, not per read.
  GraphDto.parse(graph);
  const entry: CachedGraph = { key, graph };
  cache.set(db, entry);
  return entry;
}

/** The whole graph (the editor's data). */
export async function getGraph(db: Db): Promise<GraphDto> {
  return (await currentGraph(db)).graph;
}

/** The whole graph as JSON text, serialised once per change (GET /api/v1/graph). */
export async function getGraphJson(db: Db): Promise<string> {
  const entry = await currentGraph(db);
  entry.json ??= JSON.stringify(entry.graph);
  return entry.json;
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
