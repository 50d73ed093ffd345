// Policies as the rest of Paved uses them: loaded once per process from policies/ (a policy that
// does not load is reported, never fatal), evaluated with the exceptions in force at that moment
// (read from the database at every evaluation, so an expired one stops applying at once).
import path from "node:path";
import type { Db } from "../core/db/client.ts";
import { env } from "../core/env.ts";
import { logger } from "../core/logger.ts";
import { createOpaClient } from "../integrations/opa/client.ts";
import { evaluateSubject, loadPolicies, waiverFor, type CompiledPolicy, type Evaluation, type PolicyLoadError, type PolicyWaiver, type RequestInfo } from "./engine.ts";
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
  const evaluation = evaluateSubject(policies, subject, { waivers, now, ...(options.request ? { request: options.request } : {}) });
  return withOpa(evaluation, subject, waivers, now);
}

/** Many subjects at one moment: the policies and the exceptions in force are read once, not per subject. */
export async function evaluateAll(db: Db, subjects: readonly Subject[], options: { now?: Date } = {}): Promise<Evaluation[]> {
  const now = options.now ?? new Date();
  const [{ policies }, waivers] = await Promise.all([policySet(), activeWaivers(db, now)]);
  const out: Evaluation[] = [];
  for (const subject of subjects) out.push(await withOpa(evaluateSubject(policies, subject, { waivers, now }), subject, waivers, now));
  return out;
}

/**
 * When OPA_URL is set, the organisation's Rego rules count too: `<package>.deny` messages deny,
 * `<package>.warn` messages warn. An OPA that cannot be asked fails closed (deny).
 */
export async function withOpa(evaluation: Evaluation, subject: Subject, waivers: readonly PolicyWaiver[], now: Date): Promise<Evaluation> {
  const opa = env().opa;
  if (!opa) return evaluation;
  const client = createOpaClient(opa.url);
  const policy = `opa:${opa.package}`;
  const waiver = waiverFor(waivers, policy, subject, now);
  const exception = waiver ? { id: waiver.id, reason: waiver.reason, approver: waiver.approver, expiresAt: waiver.expiresAt.toISOString() } : null;
  const results = [...evaluation.results];
  try {
    const [deny, warn] = await Promise.all([client.query(`${opa.package}/deny`, subject), client.query(`${opa.package}/warn`, subject)]);
    for (const message of deny) results.push({ policy, title: `Rego rules in ${opa.package}`, action: "Deny", message, reason: null, error: false, exception });
    for (const message of warn) results.push({ policy, title: `Rego rules in ${opa.package}`, action: "Warn", message, reason: null, error: false, exception });
  } catch (e) {
    logger.warn({ err: (e as Error).message, opa: opa.url }, "OPA could not be asked; failing closed");
    results.push({ policy, title: `Rego rules in ${opa.package}`, action: "Deny", message: `${(e as Error).message}, so the decision fails closed.`, reason: "Invalid", error: true, exception });
  }
  const counting = results.filter((r) => !r.exception);
  const decision = counting.some((r) => r.action === "Deny") ? "deny" : counting.some((r) => r.action === "Warn") ? "warn" : "allow";
  return { decision, results, evaluated: [...evaluation.evaluated, policy] };
}
