// Self-healing's guardrails, as one pure function: given a paging incident's playbook and what is
// known about the service right now, decide whether to act, and if not, which guardrail says no
// and why. Checked in this order, the first that applies decides:
//
// 1. no playbook (automation "none", or a label Paved does not know): nothing to do;
// 2. the global kill switch is on: suppressed;
// 3. a deployment run is changing the service in that environment: suppressed, unless that run is
//    the cause (it started deploying the service before the alert began), in which case acting is
//    allowed and the playbook acts on that run;
// 4. at most `maxActionsPerHour` actions per service (any environment) in the last hour;
// 5. a cooldown of `cooldownMinutes` after the service's last action;
// 6. dry-run mode: recorded as what would have been done (and whether it would need an approval);
// 7. a protected environment (production) needs an approval, unless an `autoApprove` rule of the
//    settings names the environment and the playbook (and the service, when it lists services);
// 8. otherwise: act.
//
// An approval later runs the same checks (kill switch, deployment in progress, rate limit,
// cooldown, dry run) again, with `approved` set, so that an approval never bypasses them.
import type { AutoApproveRule, Playbook } from "./schemas.ts";

export type Guardrail = "no_automation" | "kill_switch" | "deployment_in_progress" | "rate_limit" | "cooldown" | "dry_run" | "approval";

export type DecisionOutcome = "no_action" | "suppressed" | "dry_run" | "pending_approval" | "taken";

export interface GuardrailSettings {
  killSwitch: boolean;
  dryRun: boolean;
  maxActionsPerHour: number;
  cooldownMinutes: number;
  autoApprove: readonly AutoApproveRule[];
}

export interface RunInProgress {
  runId: string;
  promotionNumber: number | null;
  /** When this run started deploying the service in the environment (null: it has not yet). */
  deployingSince: Date | null;
}

export interface GuardrailInput {
  playbook: Playbook | null;
  /** The automation label as the alert gave it (for the message when it is unknown). */
  automationLabel: string | null;
  service: string;
  environment: string;
  environmentProtected: boolean;
  alertStartedAt: Date;
  now: Date;
  settings: GuardrailSettings;
  /** Actions taken on the service (any environment), newest first, at least those of the last hour. */
  recentActions: readonly { at: Date }[];
  runInProgress: RunInProgress | null;
  /** An approval is being given (so the approval guardrail is satisfied). */
  approved?: boolean;
}

export interface GuardrailDecision {
  outcome: DecisionOutcome;
  guardrail: Guardrail | null;
  reason: string;
  /** The run in progress this decision acts on (the cause), if any. */
  causeRunId: string | null;
}

const HOUR_MS = 3_600_000;

/** Whether an auto-approve rule of the settings lets this playbook run in this environment without an approval. */
export function autoApproved(rules: readonly AutoApproveRule[], environment: string, playbook: Playbook, service: string): boolean {
  return rules.some((r) => r.environment === environment && r.playbooks.includes(playbook) && (!r.services?.length || r.services.includes(service)));
}

/** Whether a run in progress caused the incident: it started deploying the service before the alert began. */
export function runIsCause(run: RunInProgress, alertStartedAt: Date): boolean {
  return run.deployingSince !== null && run.deployingSince.getTime() <= alertStartedAt.getTime();
}

function minutes(ms: number): string {
  const m = Math.ceil(ms / 60_000);
  return `${m} minute${m === 1 ? "" : "s"}`;
}

export function decideRemediation(input: GuardrailInput): GuardrailDecision {
  const { playbook, service, environment, settings, now } = input;
  const where = `${service} in ${environment}`;
  const decision = (outcome: DecisionOutcome, guardrail: Guardrail | null, reason: string, causeRunId: string | null = null): GuardrailDecision => ({ outcome, guardrail, reason, causeRunId });

  if (!playbook) {
    const label = input.automationLabel;
    const why = !label || label === "none" ? "The alert names no automation" : `The alert's automation "${label}" is not a playbook Paved knows (auto-rollback, auto-scale, restart)`;
    return decision("no_action", "no_automation", `${why}: the incident is open for people to handle.`);
  }
  if (settings.killSwitch) return decision("suppressed", "kill_switch", `The global kill switch is on: ${playbook} of ${where} was not run.`);

  let causeRunId: string | null = null;
  const run = input.runInProgress;
  if (run) {
    const runName = run.promotionNumber !== null ? `promotion #${run.promotionNumber}` : `run ${run.runId}`;
    if (!runIsCause(run, input.alertStartedAt)) {
      return decision("suppressed", "deployment_in_progress", `A deployment (${runName}) is changing ${where}, and it did not cause this alert (it ${run.deployingSince ? "started deploying the service after the alert began" : "has not deployed the service yet"}): Paved does not act against it.`);
    }
    causeRunId = run.runId;
  }

  const hourAgo = now.getTime() - HOUR_MS;
  const lastHour = input.recentActions.filter((a) => a.at.getTime() > hourAgo);
  if (lastHour.length >= settings.maxActionsPerHour) {
    const oldest = Math.min(...lastHour.map((a) => a.at.getTime()));
    return decision(
      "suppressed",
      "rate_limit",
      settings.maxActionsPerHour === 0
        ? `At most 0 actions per service per hour are allowed: ${playbook} of ${where} was not run.`
        : `${service} already had ${lastHour.length} action${lastHour.length === 1 ? "" : "s"} in the last hour (at most ${settings.maxActionsPerHour}): ${playbook} was not run; the next is allowed in ${minutes(oldest + HOUR_MS - now.getTime())}.`,
    );
  }
  const last = input.recentActions.reduce<number | null>((m, a) => (m === null || a.at.getTime() > m ? a.at.getTime() : m), null);
  const cooldownMs = settings.cooldownMinutes * 60_000;
  if (last !== null && now.getTime() - last < cooldownMs) {
    return decision("suppressed", "cooldown", `${service} had an action ${minutes(now.getTime() - last)} ago; the cooldown is ${settings.cooldownMinutes} minutes: ${playbook} was not run (allowed again in ${minutes(last + cooldownMs - now.getTime())}).`);
  }

  const needsApproval = input.environmentProtected && !input.approved && !autoApproved(settings.autoApprove, environment, playbook, service);
  const onRun = causeRunId ? ` (acting on the run in progress that caused it)` : "";
  if (settings.dryRun) {
    return decision("dry_run", "dry_run", `Dry-run mode: ${playbook} of ${where}${onRun} would have run${needsApproval ? ` after an approval (${environment} is protected)` : ""}; nothing was done.`, causeRunId);
  }
  if (needsApproval) {
    return decision("pending_approval", "approval", `${environment} is protected: ${playbook} of ${where}${onRun} waits for an approval (POST /api/v1/remediations/{id}/approve), since no auto-approve rule allows it.`, causeRunId);
  }
  const why = input.approved ? "approved" : input.environmentProtected ? `an auto-approve rule allows ${playbook} in ${environment}` : `${environment} is not protected`;
  return decision("taken", null, `Every guardrail passed (${why}): running ${playbook} of ${where}${onRun}.`, causeRunId);
}
