// Policies as the rest of Paved uses them: loaded once per process from policies/ (a policy that
// does not load is reported, never fatal), evaluated with the exceptions in force at that moment
// (read from the database at every evaluation, so an expired one stops applying at once).
import path from "node:path";
import type { Db } from "../core/db/client.ts";
import { evaluateSubject, loadPolicies, type CompiledPolicy, type Evaluation, type PolicyLoadError, type PolicyWaiver, type RequestInfo } from "./engine.ts";
import type { Subject } from "./format.ts";

export const POLICIES_DIR = path.resolve(/*turbopackIgnore: true*/ process.cwd(), "policies");

const globalForPolicies = globalThis as unknown as { pavedPolicies?: Promise<{ policies: CompiledPolicy[]; errors: PolicyLoadError[] }> };

/** The policies of this process (compiled once). */
export function policySet(): Promise<{ policies: CompiledPolicy[]; errors: PolicyLoadError[] }> {
  globalForPolicies.pavedPolicies ??= loadPolicies(POLICIES_DIR);
  return globalForPolicies.pavedPolicies;
}

/** For tests and for an operator's reload. */
export function resetPolicySet(): void {
  globalForPolicies.pavedPolicies = undefined;
}

export async function activeWaivers(db: Db, now = new Date()): Promise<PolicyWaiver[]> {
  const rows = await db.policyException.findMany({ where: { revokedAt: null, expiresAt: { gt: now } } });
  return rows.map((r) => ({
    id: r.id,
    policy: r.policy,
    target: { kind: r.targetKind, namespace: r.targetNamespace, name: r.targetName },
    reason: r.reason,
    approver: r.approver,
    expiresAt: r.expiresAt,
  }));
}

export async function evaluate(db: Db, subject: Subject, options: { request?: RequestInfo; now?: Date } = {}): Promise<Evaluation> {
  const now = options.now ?? new Date();
  const [{ policies }, waivers] = await Promise.all([policySet(), activeWaivers(db, now)]);
  return evaluateSubject(policies, subject, { waivers, now, ...(options.request ? { request: options.request } : {}) });
}
