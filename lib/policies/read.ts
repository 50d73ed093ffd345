import { transaction } from "../core/db/client.ts";
import { recordAudit } from "../core/audit/record.ts";
import type { Actor } from "../core/auth/actor.ts";
import { prepareJob, sendJob } from "../core/jobs/sender.ts";
import type { CompiledPolicy } from "./engine.ts";
import { complianceScanJob } from "./jobs.ts";
import type { PolicyDto } from "./schemas.ts";

export function toPolicyDto(p: CompiledPolicy): PolicyDto {
  return {
    name: p.name,
    title: p.title,
    description: p.description,
    category: p.category,
    severity: p.severity,
    action: p.action,
    subjects: p.definition.spec.matchConstraints.resourceRules.map((r) => ({ apiGroups: r.apiGroups, resources: r.resources })),
    kubernetes: p.kubernetes,
    file: p.file,
    source: p.source,
    params: p.definition.params ?? null,
  };
}

export async function requestComplianceScan(actor: Actor, requestId?: string): Promise<{ jobId: string | null }> {
  await prepareJob(complianceScanJob);
  return transaction(async (tx) => {
    const jobId = await sendJob(complianceScanJob, {}, { tx, singletonKey: "compliance-scan" });
    await recordAudit(tx, actor, { action: "compliance.scan_requested", target: { type: "compliance_run", id: jobId ?? "queued", label: "Compliance scan" }, payload: {}, requestId });
    return { jobId };
  });
}
