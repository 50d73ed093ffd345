// Reading delivery: the environments matrix (git, the engine, the last deployment and pending
// promotions per service and environment), deployments for the timeline, and drift.
import type { Db } from "../core/db/client.ts";
import { applicationName, type EngineApplication, type GitOpsEngine } from "../core/ports/gitops-engine.ts";
import type { GitHost } from "../core/ports/git-host.ts";
import type { Prisma } from "../core/db/generated/client.ts";
import { gitopsSnapshot, versionIn } from "./gitops-state.ts";
import type { DeploymentDto, MatrixCell, MatrixDto } from "./schemas.ts";

export async function environmentsMatrix(db: Db, engine: GitOpsEngine, host: GitHost, filter: { team?: string } = {}): Promise<MatrixDto> {
  const [environments, services, snapshot, apps, pending, lastDeployments] = await Promise.all([
    db.environment.findMany({ orderBy: { position: "asc" }, select: { name: true, displayName: true, protected: true } }),
    db.service.findMany({
      where: filter.team ? { team: { slug: filter.team } } : {},
      orderBy: { name: "asc" },
      select: { name: true, strategy: true, environments: true, team: { select: { slug: true, color: true } } },
    }),
    gitopsSnapshot(host),
    engine.listApplications().catch(() => [] as EngineApplication[]),
    db.promotion.findMany({ where: { status: { in: ["pending_approval", "approved", "running"] } }, select: { id: true, number: true, environment: true, status: true, items: { select: { service: true, toVersion: true } } } }),
    // The newest deployment per service and environment, in one query.
    db.$queryRawUnsafe<{ service: string; environment: string; version: string; outcome: string; started_at: Date; actor: string }[]>(
      `SELECT DISTINCT ON (service, environment) service, environment, version, outcome, started_at, actor FROM deployments ORDER BY service, environment, started_at DESC`,
    ),
  ]);
  const appByName = new Map(apps.map((a) => [a.name, a]));
  const last = new Map(lastDeployments.map((d) => [`${d.service}/${d.environment}`, d]));
  const pendingBy = new Map<string, { id: string; number: number; toVersion: string; status: string }>();
  for (const p of pending) for (const i of p.items) pendingBy.set(`${i.service}/${p.environment}`, { id: p.id, number: p.number, toVersion: i.toVersion, status: p.status });
  return {
    environments,
    revision: snapshot?.sha ?? null,
    engine: engine.kind,
    services: services.map((s) => {
      const cells: Record<string, MatrixCell> = {};
      for (const e of environments) {
        const app = appByName.get(applicationName(s.name, e.name));
        const d = last.get(`${s.name}/${e.name}`);
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

type DeploymentRow = Prisma.DeploymentGetPayload<object>;

export function toDeploymentDto(d: DeploymentRow): DeploymentDto {
  return {
    id: d.id,
    service: d.service,
    environment: d.environment,
    version: d.version,
    previousVersion: d.previousVersion,
    strategy: d.strategy,
    kind: d.kind,
    outcome: d.outcome,
    actor: d.actor,
    runId: d.runId,
    promotionNumber: d.promotionNumber,
    commitSha: d.commitSha,
    startedAt: d.startedAt.toISOString(),
    finishedAt: d.finishedAt?.toISOString() ?? null,
  };
}

/** Deployments in a time window (default: the last 30 days), newest first. */
export async function listDeployments(db: Db, query: { service?: string; environment?: string; from?: string; to?: string; limit: number }): Promise<{ items: DeploymentDto[]; from: string; to: string }> {
  const to = query.to ? new Date(query.to) : new Date();
  const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * 86_400_000);
  const rows = await db.deployment.findMany({
    where: { ...(query.service ? { service: query.service } : {}), ...(query.environment ? { environment: query.environment } : {}), startedAt: { gte: from, lte: to } },
    orderBy: { startedAt: "desc" },
    take: query.limit,
  });
  return { items: rows.map(toDeploymentDto), from: from.toISOString(), to: to.toISOString() };
}
