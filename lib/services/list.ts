import type { Db } from "../core/db/client.ts";
import type { Prisma } from "../core/db/generated/client.ts";
import type { ServiceDto } from "./schemas.ts";

export async function listServices(db: Db, filter: { team?: string; q?: string } = {}): Promise<ServiceDto[]> {
  const where: Prisma.ServiceWhereInput = {};
  if (filter.team) where.team = { slug: filter.team };
  if (filter.q) where.OR = [{ name: { contains: filter.q, mode: "insensitive" } }, { description: { contains: filter.q, mode: "insensitive" } }];
  const rows = await db.service.findMany({
    where,
    orderBy: { name: "asc" },
    include: {
      team: { select: { slug: true, name: true, color: true } },
      dependencies: { select: { dependsOn: { select: { name: true } } } },
      dependents: { select: { service: { select: { name: true } } } },
    },
  });
  return rows.map((s) => ({
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
    dependsOn: s.dependencies.map((d) => d.dependsOn.name).sort(),
    dependents: s.dependents.map((d) => d.service.name).sort(),
    updatedAt: s.updatedAt.toISOString(),
  }));
}
