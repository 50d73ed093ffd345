// Approving a remediation that waits for one (a playbook in a protected environment with no
// auto-approve rule). The approval is checked against the guardrails again, as they are now: the
// kill switch, a deployment in progress, the rate limit, the cooldown and dry-run mode can still
// refuse it (422, with the reason, and nothing changes). Approved, the action is queued at once.
import type { Actor } from "../core/auth/actor.ts";
import { recordAudit } from "../core/audit/record.ts";
import { transaction, type Db } from "../core/db/client.ts";
import { ConflictError, NotFoundError, RuleViolationError } from "../core/errors.ts";
import { prepareJob, sendJob } from "../core/jobs/sender.ts";
import { decideRemediation } from "./guardrails.ts";
import { remediateJob } from "./jobs.ts";
import { guardrailContext, playbookOf, recordDecision } from "./process.ts";
import { getRemediation } from "./read.ts";
import type { RemediationDto } from "./schemas.ts";
import { guardrailSettings, lockSettings } from "./settings.ts";

export async function approveRemediation(db: Db, actor: Actor, id: string, comment: string | undefined, requestId?: string, now = new Date()): Promise<RemediationDto> {
  await prepareJob(remediateJob);
  await transaction(async (tx) => {
    const settingsRow = await lockSettings(tx);
    const remediation = await tx.remediation.findUnique({ where: { id }, include: { incident: true } });
    if (!remediation) throw new NotFoundError("Remediation", id);
    if (remediation.status !== "pending_approval") {
      throw new ConflictError(`This remediation is ${remediation.status.replace("_", " ")}: only one waiting for an approval can be approved.`, { status: remediation.status });
    }
    if (remediation.incident.status !== "open") throw new ConflictError(`Incident #${remediation.incident.number} has resolved: there is nothing left to remediate.`);
    const settings = guardrailSettings(settingsRow);
    const context = await guardrailContext(tx, remediation.service, remediation.environment, now, settings.cooldownMinutes);
    const decision = decideRemediation({
      playbook: playbookOf(remediation.playbook),
      automationLabel: remediation.playbook,
      service: remediation.service,
      environment: remediation.environment,
      alertStartedAt: remediation.incident.startedAt,
      now,
      settings,
      ...context,
      approved: true,
    });
    if (decision.outcome !== "taken") {
      throw new RuleViolationError(`Not approved: ${decision.reason}`, { guardrail: decision.guardrail });
    }
    const result = { ...(remediation.result as Record<string, unknown>), ...(decision.causeRunId ? { causeRunId: decision.causeRunId } : {}) };
    await tx.remediation.update({ where: { id }, data: { status: "queued", approvedBy: actor.login, approvedAt: now, guardrail: null, result } });
    await sendJob(remediateJob, { remediationId: id }, { tx, singletonKey: id });
    await recordDecision(tx, {
      incidentId: remediation.incidentId,
      kind: "approved",
      outcome: "taken",
      playbook: remediation.playbook,
      remediationId: id,
      actor: actor.login,
      message: `${actor.login} approved ${remediation.playbook} of ${remediation.service} in ${remediation.environment}${comment ? `: "${comment}"` : ""}. ${decision.reason}`,
      detail: comment ? { comment } : {},
    });
    await recordAudit(tx, actor, {
      action: "remediation.approved",
      target: { type: "remediation", id, label: `#${remediation.incident.number} ${remediation.service} ${remediation.environment}` },
      payload: { playbook: remediation.playbook, comment: comment ?? null },
      requestId: requestId ?? null,
    });
  });
  return getRemediation(db, id);
}
