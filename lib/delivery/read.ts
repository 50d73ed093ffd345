// Reading delivery: the environments matrix (git, the engine, the last deployment and pending
// promotions per service and environment), deployments for the timeline, and drift.
import { Prisma, type Db } from "../core/db/client.ts";
import { applicationName, type EngineApplication, type GitOpsEngine } from "../core/ports/gitops-engine.ts";
import type { GitHost } from "../core/ports/git-host.ts";
import { environmentSnapshots, versionIn } from "./gitops-state.ts";
import type { DeploymentDto, MatrixCell, MatrixDto } from "./schemas.ts";

export async function environmentsMatrix(db: Db, engine: GitOpsEngine, host: GitHost, filter: { team?: string } = {}): Promise<MatrixDto> {
  const environmentsRead = db.environment.findMany({ orderBy: { position: "asc" }, select: { name: true, displayName: true, protected: true, branch: true } });
  const [environments, services, snapshots, apps, pending, lastDeployments] = await Promise.all([
    environmentsRead,
    db.service.findMany({
      where: filter.team ? { team: { slug: filter.team } } : {},
      orderBy: { name: "asc" },
      select: { name: true, strategy: true, environments: true, team: { select: { slug: true, color: true } } },
    }),
    // Each environment read on its own branch (branch-per-environment repositories).
    environmentsRead.then((envs) => environmentSnapshots(host, envs)),
    engine.listApplications().catch(() => [] as EngineApplication[]),
    db.promotion.findMany({ where: { status: { in: ["pending_approval", "approved", "running"] } }, select: { id: true, number: true, environment: true, status: true, items: { select: { service: true, toVersion: true } } } }),
    latestDeployments(db, filter.team),
  ]);
  const appByName = new Map(apps.map((a) => [a.name, a]));
  const last = new Map(lastDeployments.map((d) => [`${d.service}/${d.environment}`, d]));
  const pendingBy = new Map<string, { id: string; number: number; toVersion: string; status: string }>();
  for (const p of pending) for (const i of p.items) pendingBy.set(`${i.service}/${p.environment}`, { id: p.id, number: p.number, toVersion: i.toVersion, status: p.status });
  // The repository's revision: the default branch's when an environment reads it, else the first environment's branch's.
  const shown = environments.find((e) => e.branch === null) ?? environments[0];
  return {
    environments: environments.map((e) => ({ name: e.name, displayName: e.displayName, protected: e.protected, branch: e.branch, revision: snapshots.get(e.name)?.sha ?? null })),
    revision: (shown && snapshots.get(shown.name)?.sha) ?? null,
    engine: engine.kind,
    services: services.map((s) => {
      const cells: Record<string, MatrixCell> = {};
      for (const e of environments) {
        const app = appByName.get(applicationName(s.name, e.name));
        const d = last.get(`${s.name}/${e.name}`);
        const snapshot = snapshots.get(e.name);
        cells[e.name] = {
          version: snapshot ? versionIn(snapshot, s.name, e.name) : null,
          liveImage: app?.images[0] ?? null,
          sync: app?.sync.status ?? "Unknown",
          health: app?.health.status ?? "Missing",
          healthMessage: app?.health.message ?? null,
          lastDeployment: d ? { version: d.version, outcome: d.outcome, at: d.started_at.toISOString(), actor: d.actor } : null,
          drift: app?.sync.status === "OutOfSync",
          pendingPromotion: pendingBy.get(`${s.name}/${e.name}`) ?? null,
          deploys: s.environments.includes(e.name),
        };
      }
      return { name: s.name, team: s.team.slug, teamColor: s.team.color, strategy: s.strategy, cells };
    }),
  };
}

/**
 * The newest deployment of each service in each environment: one probe per pair down the
 * (service, environment, started_at) index (LATERAL … LIMIT 1), so the cost follows the number of
 * services and environments, not the number of deployments ever made.
 */
async function latestDeployments(db: Db, team: string | undefined): Promise<{ service: string; environment: string; version: string; outcome: string; started_at: Date; actor: string }[]> {
  const teamFilter = team ? Prisma.sql`WHERE s.team_id IN (SELECT t.id FROM teams t WHERE t.slug = ${team})` : Prisma.empty;
  // Ordered as the index is (service and environment are fixed), so the probe walks that index
  // even before the table has statistics. Without them the planner also guesses the query costly
  // enough to JIT-compile it, which takes longer than the 1,500 probes: not for this query.
  const [, rows] = await db.$transaction([
    db.$executeRaw`SET LOCAL jit = off`,
    db.$queryRaw<{ service: string; environment: string; version: string; outcome: string; started_at: Date; actor: string }[]>`
      SELECT s.name AS service, e.name AS environment, d.version, d.outcome, d.started_at, d.actor
      FROM services s
      CROSS JOIN environments e
      CROSS JOIN LATERAL (
        SELECT version, outcome, started_at, actor FROM deployments
        WHERE service = s.name AND environment = e.name
        ORDER BY service, environment, started_at DESC
        LIMIT 1
      ) d
      ${teamFilter}`,
  ]);
  return rows;
}

interface DeploymentListRow {
  id: string;
  service: string;
  environment: string;
  version: string;
  previous_version: string | null;
  strategy: string;
  kind: string;
  outcome: string;
  actor: string;
  run_id: string | null;
  promotion_number: number | null;
  commit_sha: string | null;
  /** started_at and finished_at in ISO 8601 (UTC), as `Date.toISOString` writes them (named apart: ORDER BY started_at must mean the column). */
  started_iso: string;
  finished_iso: string | null;
}

/** A timestamptz as `Date.toISOString` writes it, made by the database (thousands of Dates made and formatted in Node cost more). */
const isoOf = (column: string) => Prisma.raw(`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

/** Where the next page of a listing starts: after this deployment, in (started_at, id) descending order. */
export function deploymentCursor(d: { startedAt: string; id: string }): string {
  return `${d.startedAt}_${d.id}`;
}

function parseCursor(cursor: string): { startedAt: Date; id: string } {
  const at = cursor.lastIndexOf("_");
  return { startedAt: new Date(cursor.slice(0, at)), id: cursor.slice(at + 1) };
}

/**
 * Deployments in a time window (default: the last 30 days), newest first, a page at a time:
 * `next` is the cursor of the following (older) page, null on the last one. One query over the
 * (started_at, id) index (or (environment, started_at, id) with an environment) reading only the
 * columns the timeline draws, times already formatted, with keyset paging, so a page costs the
 * same at any depth.
 */
export async function listDeployments(
  db: Db,
  query: { service?: string; environment?: string; from?: string; to?: string; before?: string; limit: number },
): Promise<{ items: DeploymentDto[]; from: string; to: string; next: string | null }> {
  const to = query.to ? new Date(query.to) : new Date();
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * 86_400_000);
  const where = [Prisma.sql`started_at >= ${from}`, Prisma.sql`started_at <= ${to}`];
  if (query.service) where.push(Prisma.sql`service = ${query.service}`);
  if (query.environment) where.push(Prisma.sql`environment = ${query.environment}`);
  if (query.before) {
    const cursor = parseCursor(query.before);
    where.push(Prisma.sql`(started_at, id) < (${cursor.startedAt}, ${cursor.id}::uuid)`);
  }
  const rows = await db.$queryRaw<DeploymentListRow[]>`
    SELECT id, service, environment, version, previous_version, strategy, kind, outcome, actor, run_id, promotion_number, commit_sha,
           ${isoOf("started_at")} AS started_iso, ${isoOf("finished_at")} AS finished_iso
    FROM deployments
    WHERE ${Prisma.join(where, " AND ")}
    ORDER BY started_at DESC, id DESC
    LIMIT ${query.limit + 1}`;
  const more = rows.length > query.limit;
  const items = (more ? rows.slice(0, query.limit) : rows).map(
    (d): DeploymentDto => ({
      id: d.id,
      service: d.service,
      environment: d.environment,
      version: d.version,
      previousVersion: d.previous_version,
      strategy: d.strategy,
      kind: d.kind,
      outcome: d.outcome,
      actor: d.actor,
      runId: d.run_id,
      promotionNumber: d.promotion_number,
      commitSha: d.commit_sha,
      startedAt: d.started_iso,
      finishedAt: d.finished_iso,
    }),
  );
  return { items, from: from.toISOString(), to: to.toISOString(), next: more ? deploymentCursor(items.at(-1)!) : null };
}
