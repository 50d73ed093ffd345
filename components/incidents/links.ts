// Server side only (pages): what the incident pages link to that the incident DTOs do not carry,
// each SLO's id by service and name, and the promotion each preceding deployment came from, read
// in two queries for a whole page of incidents.
import { db } from "@/lib/core/db/client";
import { logger } from "@/lib/core/logger";
import type { IncidentDto } from "@/lib/incidents";
import { listSlos } from "@/lib/slos";
import type { IncidentLinks } from "./model";

export async function incidentLinks(incidents: readonly Pick<IncidentDto, "precedingDeployment">[]): Promise<IncidentLinks> {
  try {
    const deploymentIds = [...new Set(incidents.map((i) => i.precedingDeployment?.id).filter((id): id is string => Boolean(id)))];
    const [slos, deployments] = await Promise.all([
      // Every SLO (definitions only, no metrics): incidents the page's poll finds later link too.
      listSlos(db(), { limit: 1000, offset: 0 }),
      deploymentIds.length ? db().deployment.findMany({ where: { id: { in: deploymentIds } }, select: { id: true, runId: true } }) : [],
    ]);
    const runIds = [...new Set(deployments.map((d) => d.runId).filter((id): id is string => id !== null))];
    const runs = runIds.length ? await db().deliveryRun.findMany({ where: { id: { in: runIds } }, select: { id: true, promotionId: true } }) : [];
    const promotionOfRun = new Map(runs.map((r) => [r.id, r.promotionId]));
    const promotions: Record<string, string> = {};
    for (const d of deployments) {
      const p = d.runId ? promotionOfRun.get(d.runId) : undefined;
      if (p) promotions[d.id] = p;
    }
    return { slos: Object.fromEntries(slos.items.map((s) => [`${s.service.name}/${s.name}`, s.id])), promotions };
  } catch (e) {
    // Links are context: without them the pages still show every incident.
    logger.warn({ err: e }, "could not read the SLOs and promotions the incidents link to");
    return { slos: {}, promotions: {} };
  }
}
