// Writing a service's strategy into the GitOps repository (the Rollout, analysis, services and
// mesh routing of lib/gitops/strategies.ts), as one commit to the default branch, audited.
import { z } from "zod";
import type { Actor } from "../core/auth/actor.ts";
import { requirePermissionOnTeam } from "../core/auth/actor.ts";
import { recordAudit } from "../core/audit/record.ts";
import { db, transaction } from "../core/db/client.ts";
import { NotFoundError } from "../core/errors.ts";
import { defineContract } from "../core/http/contract.ts";
import { gitHost } from "../integrations/git-host.ts";
import { strategyFileChanges } from "../gitops/strategies.ts";
import { ServiceName } from "../services/schemas.ts";
import { gitopsSnapshot, requireSnapshot } from "./gitops-state.ts";

export const WriteStrategyBody = z
  .object({ mesh: z.enum(["istio"]).nullable().default(null).meta({ description: "Route canary traffic with Istio VirtualService weights." }) })
  .strict();

export const StrategyResult = z.object({ service: z.string(), strategy: z.string(), files: z.array(z.string()), sha: z.string().nullable() });

export const writeStrategyContract = defineContract({
  method: "POST",
  path: "/api/v1/services/{name}/strategy-manifests",
  tag: "Delivery",
  summary: "Write the service's deployment strategy (Argo Rollouts Rollout, analysis, services, mesh routing) into the GitOps repository",
  access: "services.write",
  params: z.object({ name: ServiceName }),
  body: WriteStrategyBody,
  response: StrategyResult,
  errors: ["not_found", "rule_violation"],
});

export async function writeStrategyManifests(actor: Actor, name: string, input: z.output<typeof WriteStrategyBody>, requestId?: string): Promise<z.infer<typeof StrategyResult>> {
  const service = await db().service.findUnique({ where: { name }, include: { team: { select: { id: true, slug: true } } } });
  if (!service) throw new NotFoundError("Service", name);
  requirePermissionOnTeam(actor, "services.write", service.team);
  const host = gitHost();
  const snapshot = requireSnapshot(await gitopsSnapshot(host));
  const changes = strategyFileChanges(snapshot.files, { name, strategy: service.strategy, trafficSteps: service.trafficSteps, healthCheckPath: service.healthCheckPath }, { mesh: input.mesh });
  if (!changes.length) return { service: name, strategy: service.strategy, files: [], sha: null };
  const sha = await host.commitFiles(snapshot.repo, snapshot.branch, changes, `Write ${name}'s ${service.strategy.replace("_", "-")} strategy\n\nWritten by Paved from the service's settings, for ${actor.login}.`);
  await transaction((tx) =>
    recordAudit(tx, actor, {
      action: "service.strategy_written",
      target: { type: "service", id: service.id, label: name },
      teamId: service.team.id,
      payload: { strategy: service.strategy, trafficSteps: service.trafficSteps, mesh: input.mesh, files: changes.map((c) => c.path), sha },
      requestId,
    }),
  );
  return { service: name, strategy: service.strategy, files: changes.map((c) => c.path), sha };
}
