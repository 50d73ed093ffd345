// Deployment planning against the stored graph: which services a deploy (or a rollback) of an
// environment touches, in which waves, and what each one waits for. The work is done by the pure
// functions of graph.ts; this file chooses the services (named, detected from changed files,
// their dependents) and drops the ones that do not deploy to the environment.
import type { Db } from "../core/db/client.ts";
import { NotFoundError, ValidationError } from "../core/errors.ts";
import { detectChanges, impactOf, planWaves, rollbackPlan, type DependencyGraph } from "./graph.ts";
import { graphRevision, loadDependencyGraph } from "./read.ts";
import type { PlanBody, PlanDto } from "./schemas.ts";

export async function planDeployment(db: Db, body: PlanBody): Promise<PlanDto> {
  const [environment, loaded, state] = await Promise.all([
    db.environment.findUnique({ where: { name: body.environment }, select: { name: true } }),
    loadDependencyGraph(db),
    graphRevision(db),
  ]);
  if (!environment) throw new NotFoundError("Environment", body.environment);
  return planFor(loaded.graph, loaded.services, body, state.revision);
}

/** The pure part of planDeployment, for tests and the bench. */
export function planFor(
  graph: DependencyGraph,
  services: readonly { name: string; environments: readonly string[]; pathGlobs: readonly string[] }[],
  body: PlanBody,
  revision: number,
): PlanDto {
  const unknown = (body.services ?? []).filter((s) => !graph.has(s));
  if (unknown.length) {
    throw new ValidationError(`Unknown service${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}.`, [{ path: ["services"], message: `Unknown: ${unknown.join(", ")}.` }]);
  }
  const deploysTo = new Set(services.filter((s) => s.environments.includes(body.environment)).map((s) => s.name));
  let changes: PlanDto["changes"] = null;
  let requested: string[];
  if (body.services === undefined && body.changedFiles === undefined) {
    requested = [...graph.names];
  } else {
    const named = new Set(body.services ?? []);
    if (body.changedFiles !== undefined) {
      const detected = detectChanges(services, body.changedFiles);
      changes = { matches: detected.matches, unmatched: detected.unmatched };
      for (const s of detected.services) named.add(s);
    }
    requested = [...named].sort();
  }
  const impact = impactOf(graph, requested, { includeDependents: body.includeDependents });
  const skipped = [...impact.services, ...impact.dependents]
    .filter((s) => !deploysTo.has(s))
    .sort()
    .map((service) => ({ service, reason: `does not deploy to ${body.environment}` }));
  const planned = [...impact.services, ...impact.dependents].filter((s) => deploysTo.has(s));
  const plan = body.action === "rollback" ? rollbackPlan(graph, planned) : planWaves(graph, planned);
  return {
    environment: body.environment,
    action: body.action,
    revision,
    waves: plan.waves,
    blockedBy: plan.blockedBy,
    requested: impact.services,
    dependents: impact.dependents,
    skipped,
    changes,
  };
}
