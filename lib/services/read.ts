// Reading services and the dependency graph. Each read is one SQL statement: dependency names
// come back as arrays from correlated subqueries on the (service_id, depends_on_id) primary key
// and the depends_on_id index, so a page of 50 costs one round trip whatever the graph's size,
// where Prisma's nested includes cost a query per relation level. The whole graph is cached per
// process and keyed by a fingerprint of the tables it reads (graph revision, service revisions,
// team changes), so repeated reads of an unchanged graph skip the build and serialisation.
import type { Db, Tx } from "../core/db/client.ts";
import { cachedByDataVersion } from "../core/db/data-version.ts";
import { NotFoundError } from "../core/errors.ts";
import { DependencyGraph } from "./graph.ts";
import { GraphDto, type ListServicesQuery, type ServiceDto, type ServicePage } from "./schemas.ts";

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

/**
 * A page of services as the API's JSON text, built by PostgreSQL in one statement: the page's
 * rows come from the ordered, limited subquery (an index scan for the default order), the
 * dependency arrays are computed for those rows only, and the total is an uncorrelated subquery
 * evaluated once, even past the last page. PostgreSQL writes the JSON, so this process neither
 * parses rows and arrays nor serialises objects: the list route passes the text on as it is
 * (the handler checks such answers against the contract in tests).
 */
export async function listServicesJson(db: Db, query: Partial<ListServicesQuery> = {}): Promise<string> {
  // Pages are cached per process under the data version, which every change to services, their
  // dependencies and teams moves on in its own transaction: an unchanged catalogue costs one
  // primary-key read per page, and a change is seen by the very next read, on any instance.
  const key = JSON.stringify([query.team ?? null, query.strategy ?? null, query.q ?? null, query.sort ?? "name", query.limit ?? 100, query.offset ?? 0]);
  return cachedByDataVersion(db, "services.pages", key, () => queryServicesPage(db, query), 200);
}

async function queryServicesPage(db: Db, query: Partial<ListServicesQuery>): Promise<string> {
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
  const order = orderBy(query.sort ?? "name");
  const filter = where.length ? `WHERE ${where.join(" AND ")}` : "";
  // Every service has a team (a foreign key, not null): the count joins teams only to filter by one.
  const counted = query.team ? `"services" s JOIN "teams" t ON t."id" = s."team_id"` : `"services" s`;
  const L = `$${values.length - 1}`;
  const O = `$${values.length}`;
  const rows = await db.$queryRawUnsafe<{ page: string }[]>(
    `SELECT json_build_object(
       'items', coalesce((
         SELECT json_agg(json_build_object(
                  'id', p."id", 'name', p."name", 'description', p."description",
                  'team', json_build_object('slug', p.team_slug, 'name', p.team_name, 'color', p.team_color),
                  'repository', p."repository", 'strategy', p.strategy, 'healthCheckPath', p."health_check_path",
                  'trafficSteps', coalesce(p."traffic_steps", '{}'), 'migrationScripts', coalesce(p."migration_scripts", '{}'),
                  'pathGlobs', coalesce(p."path_globs", '{}'), 'environments', coalesce(p."environments", '{}'),
                  'dependsOn', ARRAY(SELECT x."name" FROM "service_dependencies" d JOIN "services" x ON x."id" = d."depends_on_id" WHERE d."service_id" = p."id" ORDER BY x."name"),
                  'dependents', ARRAY(SELECT x."name" FROM "service_dependencies" d JOIN "services" x ON x."id" = d."service_id" WHERE d."depends_on_id" = p."id" ORDER BY x."name"),
                  'revision', p."revision",
                  'updatedAt', to_char(p."updated_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
                ) ORDER BY ${order.outer})
           FROM (SELECT ${PAGE_COLUMNS}
                   FROM "services" s JOIN "teams" t ON t."id" = s."team_id"
                   ${filter}
                  ORDER BY ${order.inner}
                  LIMIT ${L} OFFSET ${O}) p), '[]'::json),
       'total', (SELECT count(*) FROM ${counted} ${filter}),
       'limit', ${L}::int,
       'offset', ${O}::int)::text AS page`,
    ...values,
  );
  return rows[0]!.page;
}

/** A page of services (the services page on the server; the API passes the same JSON text on). */
export async function listServices(db: Db, query: Partial<ListServicesQuery> = {}): Promise<ServicePage> {
  return JSON.parse(await listServicesJson(db, query)) as ServicePage;
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
