import { describe, expect, it } from "vitest";
import { autoApproved, decideRemediation, runIsCause, type GuardrailInput } from "./guardrails.ts";

const NOW = new Date("2026-11-27T12:00:00Z");
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);

function input(overrides: Partial<GuardrailInput> = {}, settings: Partial<GuardrailInput["settings"]> = {}): GuardrailInput {
  return {
    playbook: "auto-rollback",
    automationLabel: "auto-rollback",
    service: "checkout",
    environment: "staging",
    environmentProtected: false,
    alertStartedAt: minutesAgo(2),
    now: NOW,
    settings: { killSwitch: false, dryRun: false, maxActionsPerHour: 3, cooldownMinutes: 10, autoApprove: [], ...settings },
    recentActions: [],
    runInProgress: null,
    ...overrides,
  };
}

describe("the guardrails", () => {
  it("act when every guardrail passes", () => {
    expect(decideRemediation(input())).toMatchObject({ outcome: "taken", guardrail: null, reason: expect.stringContaining("staging is not protected") });
  });

  it("do nothing without a known playbook", () => {
    expect(decideRemediation(input({ playbook: null, automationLabel: "none" }))).toMatchObject({ outcome: "no_action", guardrail: "no_automation" });
    expect(decideRemediation(input({ playbook: null, automationLabel: "reboot-the-world" })).reason).toContain('"reboot-the-world" is not a playbook');
  });

  it("the kill switch suppresses everything, before any other guardrail", () => {
    expect(decideRemediation(input({ recentActions: [{ at: minutesAgo(1) }] }, { killSwitch: true }))).toMatchObject({ outcome: "suppressed", guardrail: "kill_switch" });
  });

  it("at most N actions per service per hour", () => {
    const three = [{ at: minutesAgo(50) }, { at: minutesAgo(40) }, { at: minutesAgo(30) }];
    const d = decideRemediation(input({ recentActions: three }));
    expect(d).toMatchObject({ outcome: "suppressed", guardrail: "rate_limit" });
    expect(d.reason).toContain("3 actions in the last hour (at most 3)");
    expect(d.reason).toContain("next is allowed in 10 minutes");
    // Actions older than an hour do not count.
    expect(decideRemediation(input({ recentActions: [{ at: minutesAgo(70) }, { at: minutesAgo(65) }, { at: minutesAgo(30) }] })).outcome).toBe("taken");
    expect(decideRemediation(input({}, { maxActionsPerHour: 0 }))).toMatchObject({ guardrail: "rate_limit" });
  });

  it("a cooldown after the service's last action", () => {
    const d = decideRemediation(input({ recentActions: [{ at: minutesAgo(4) }] }));
    expect(d).toMatchObject({ outcome: "suppressed", guardrail: "cooldown" });
    expect(d.reason).toContain("allowed again in 6 minutes");
    expect(decideRemediation(input({ recentActions: [{ at: minutesAgo(11) }] })).outcome).toBe("taken");
    expect(decideRemediation(input({ recentActions: [{ at: minutesAgo(4) }] }, { cooldownMinutes: 0 })).outcome).toBe("taken");
  });

  it("no action while a deployment run changes the service, unless that run is the cause", () => {
    const later = { runId: "r1", promotionNumber: 7, deployingSince: minutesAgo(1) };
    expect(decideRemediation(input({ runInProgress: later }))).toMatchObject({ outcome: "suppressed", guardrail: "deployment_in_progress", reason: expect.stringContaining("promotion #7") });
    const notYet = { runId: "r1", promotionNumber: 7, deployingSince: null };
    expect(decideRemediation(input({ runInProgress: notYet })).reason).toContain("has not deployed the service yet");
    const cause = { runId: "r2", promotionNumber: 8, deployingSince: minutesAgo(5) };
    expect(runIsCause(cause, minutesAgo(2))).toBe(true);
    expect(decideRemediation(input({ runInProgress: cause }))).toMatchObject({ outcome: "taken", causeRunId: "r2", reason: expect.stringContaining("the run in progress that caused it") });
  });

  it("production needs an approval, unless an auto-approve rule allows the playbook there", () => {
    const prod = { environment: "production", environmentProtected: true };
    expect(decideRemediation(input(prod))).toMatchObject({ outcome: "pending_approval", guardrail: "approval" });
    expect(decideRemediation(input(prod, { autoApprove: [{ environment: "production", playbooks: ["auto-rollback"] }] }))).toMatchObject({ outcome: "taken", reason: expect.stringContaining("auto-approve rule") });
    expect(decideRemediation(input(prod, { autoApprove: [{ environment: "production", playbooks: ["restart"] }] })).outcome).toBe("pending_approval");
    expect(decideRemediation(input(prod, { autoApprove: [{ environment: "production", playbooks: ["auto-rollback"], services: ["ledger"] }] })).outcome).toBe("pending_approval");
    expect(decideRemediation(input({ ...prod, approved: true }))).toMatchObject({ outcome: "taken", reason: expect.stringContaining("approved") });
    expect(autoApproved([{ environment: "production", playbooks: ["auto-scale"], services: ["checkout"] }], "production", "auto-scale", "checkout")).toBe(true);
  });

  it("dry-run mode records what would have been done, and whether it needed an approval", () => {
    const d = decideRemediation(input({ environment: "production", environmentProtected: true }, { dryRun: true }));
    expect(d).toMatchObject({ outcome: "dry_run", guardrail: "dry_run" });
    expect(d.reason).toContain("would have run after an approval");
    expect(decideRemediation(input({}, { dryRun: true })).reason).not.toContain("approval");
    // The stricter guardrails still come first.
    expect(decideRemediation(input({ recentActions: [{ at: minutesAgo(1) }] }, { dryRun: true })).guardrail).toBe("cooldown");
  });
});
