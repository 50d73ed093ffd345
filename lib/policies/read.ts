import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import YAML from "yaml";
import { transaction } from "../core/db/client.ts";
import { recordAudit } from "../core/audit/record.ts";
import type { Actor } from "../core/auth/actor.ts";
import { prepareJob, sendJob } from "../core/jobs/sender.ts";
import type { CompiledPolicy } from "./engine.ts";
import { complianceScanJob } from "./jobs.ts";
import type { PolicyDto } from "./schemas.ts";
import { POLICIES_DIR } from "./service.ts";

export type PolicyCase = PolicyDto["cases"][number];

/** A policy's test cases (policies/<name>.cases.yaml): what each case expects, for people to read. */
export async function policyCases(name: string): Promise<PolicyCase[]> {
  const file = path.join(POLICIES_DIR, `${name}.cases.yaml`);
  if (!existsSync(file)) return [];
  try {
    const doc = YAML.parse(await readFile(file, "utf8")) as { cases?: { name?: unknown; expect?: unknown; messages?: unknown }[] } | null;
    return (doc?.cases ?? []).map((c) => ({
      name: String(c.name ?? "(unnamed)"),
      expect: c.expect === "deny" || c.expect === "warn" || c.expect === "allow" ? c.expect : "allow",
      messages: Array.isArray(c.messages) ? c.messages.map(String) : [],
    }));
  } catch {
    return [];
  }
}

export function toPolicyDto(p: CompiledPolicy, cases: PolicyCase[] = []): PolicyDto {
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
    cases,
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
