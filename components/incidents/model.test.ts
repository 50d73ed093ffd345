import { describe, expect, it } from "vitest";
import type { IncidentDto, RemediationDto, RemediationSettingsDto } from "@/lib/incidents/schemas";
import {
  alertingNote,
  approvable,
  chaosOutlook,
  compareIncidents,
  decisionKindLabel,
  decisionOutcome,
  deploymentHref,
  describeRule,
  formatDuration,
  formatUtc,
  guardrailLabel,
  incidentPollMs,
  incidentSeconds,
  incidentsApiQuery,
  latestRemediationByIncident,
  listPollMs,
  medianMttr,
  parseServiceList,
  readIncidentFilters,
  remediationOutcome,
  ruleForms,
  rulesOf,
  settingsPatch,
  writeIncidentFilters,
  type ChaosSlo,
} from "./model";

function incident(over: Partial<IncidentDto> = {}): IncidentDto {
  return {
    id: "00000000-0000-4000-8000-000000000001",
    number: 1,
    status: "open",
    service: "checkout-web",
    environment: "production",
    slo: "availability",
    alertname: "SloErrorBudgetBurn",
    severity: "page",
    automation: "auto-rollback",
    summary: "",
    fingerprint: "abc",
    labels: {},
    startedAt: "2026-01-01T10:00:00.000Z",
    resolvedAt: null,
    mttrSeconds: null,
    precedingDeployment: null,
    ...over,
  };
}

function remediation(over: Partial<RemediationDto> = {}): RemediationDto {
  return {
    id: "r1",
    incidentId: "i1",
    incidentNumber: 1,
    service: "checkout-web",
    environment: "production",
    playbook: "auto-rollback",
    status: "queued",
    guardrail: null,
    reason: "",
    result: {},
    requestedAt: "2026-01-01T10:00:00.000Z",
    approvedBy: null,
    approvedAt: null,
    startedAt: null,
    finishedAt: null,
    ...over,
  };
}

const settings: RemediationSettingsDto = {
  killSwitch: false,
  dryRun: false,
  maxActionsPerHour: 3,
  cooldownMinutes: 10,
  maxReplicas: 10,
  autoApprove: [{ environment: "production", playbooks: ["restart"] }],
  revision: 7,
  updatedBy: null,
  updatedAt: "2026-01-01T00:00:00.000Z",
};

describe("durations", () => {
  it("reads seconds as a person would", () => {
    expect(formatDuration(null)).toBe("—");
    expect(formatDuration(0)).toBe("0 s");
    expect(formatDuration(42.4)).toBe("42 s");
    expect(formatDuration(60)).toBe("1 min");
    expect(formatDuration(192)).toBe("3 min 12 s");
    expect(formatDuration(3600)).toBe("1 h");
    expect(formatDuration(7500)).toBe("2 h 5 min");
    expect(formatDuration(3 * 86400 + 4 * 3600 + 59)).toBe("3 d 4 h");
    expect(formatDuration(-5)).toBe("0 s");
  });

  it("counts an open incident up to now and a resolved one by its MTTR", () => {
    const now = Date.parse("2026-01-01T10:05:00.000Z");
    expect(incidentSeconds(incident(), now)).toBe(300);
    expect(incidentSeconds(incident({ status: "resolved", mttrSeconds: 95, resolvedAt: "2026-01-01T10:01:35.000Z" }), now)).toBe(95);
    expect(incidentSeconds(incident({ status: "resolved", resolvedAt: "2026-01-01T10:02:00.000Z" }), now)).toBe(120);
    // A clock behind the start never gives a negative duration.
    expect(incidentSeconds(incident(), Date.parse("2026-01-01T09:00:00.000Z"))).toBe(0);
  });

  it("takes the median MTTR of resolved incidents only", () => {
    expect(medianMttr([])).toBeNull();
    expect(medianMttr([incident()])).toBeNull();
    const r = (s: number) => incident({ status: "resolved", mttrSeconds: s });
    expect(medianMttr([r(30), r(10), r(20), incident()])).toBe(20);
    expect(medianMttr([r(30), r(10)])).toBe(20);
  });

  it("writes absolute times in UTC", () => {
    expect(formatUtc("2026-05-04T13:07:59.123Z")).toBe("2026-05-04 13:07 UTC");
  });
});

describe("words", () => {
  it("names every guardrail in words", () => {
    expect(guardrailLabel("kill_switch")).toBe("Kill switch");
    expect(guardrailLabel("rate_limit")).toBe("Actions per hour");
    expect(guardrailLabel("deployment_in_progress")).toBe("Deployment in progress");
    expect(guardrailLabel("cooldown")).toBe("Cooldown");
    expect(guardrailLabel("dry_run")).toBe("Dry-run mode");
    expect(guardrailLabel("approval")).toBe("Approval needed");
    expect(guardrailLabel("no_automation")).toBe("No automation");
    expect(guardrailLabel("something_new")).toBe("Something new");
    expect(guardrailLabel(null)).toBeNull();
  });

  it("names timeline entries and outcomes", () => {
    expect(decisionKindLabel("opened")).toBe("Incident opened");
    expect(decisionKindLabel("action_succeeded")).toBe("Action succeeded");
    expect(decisionKindLabel("brand_new")).toBe("Brand new");
    expect(decisionOutcome("suppressed")).toEqual({ label: "suppressed", tone: "warning" });
    expect(decisionOutcome("taken").tone).toBe("success");
    expect(decisionOutcome("info").label).toBe("");
    expect(decisionOutcome("other_thing")).toEqual({ label: "Other thing", tone: "neutral" });
  });

  it("describes an auto-approve rule", () => {
    expect(describeRule({ environment: "production", playbooks: ["auto-rollback", "restart"] })).toBe("auto-rollback, restart in production (every service)");
    expect(describeRule({ environment: "production", playbooks: ["restart"], services: ["a", "b"] })).toBe("restart in production (a, b only)");
  });
});

describe("remediations of incidents", () => {
  it("keeps each incident's latest remediation", () => {
    const map = latestRemediationByIncident([
      remediation({ id: "a", incidentId: "i1", requestedAt: "2026-01-01T10:00:00.000Z" }),
      remediation({ id: "b", incidentId: "i1", requestedAt: "2026-01-01T10:05:00.000Z" }),
      remediation({ id: "c", incidentId: "i2", requestedAt: "2026-01-01T09:00:00.000Z" }),
    ]);
    expect(map.get("i1")?.id).toBe("b");
    expect(map.get("i2")?.id).toBe("c");
    expect(map.get("i3")).toBeUndefined();
  });

  it("reads what a remediation did from its result", () => {
    expect(remediationOutcome(remediation({ reason: "Every guardrail passed", result: {} }))).toEqual({ summary: "Every guardrail passed", promotion: null });
    expect(remediationOutcome(remediation({ reason: "x", result: { summary: "Rolling back checkout-web", promotionId: "p9", promotionNumber: 12 } }))).toEqual({
      summary: "Rolling back checkout-web",
      promotion: { id: "p9", number: 12 },
    });
    expect(remediationOutcome(remediation({ reason: "x", result: { summary: 3, promotionId: "p9" } }))).toEqual({ summary: "x", promotion: { id: "p9", number: null } });
  });

  it("offers an approval only for a waiting remediation of an open incident", () => {
    const waiting = remediation({ id: "w", status: "pending_approval" });
    expect(approvable(incident(), [remediation(), waiting])?.id).toBe("w");
    expect(approvable(incident({ status: "resolved" }), [waiting])).toBeNull();
    expect(approvable(incident(), [remediation({ status: "cancelled" })])).toBeNull();
  });
});

describe("the preceding deployment's link", () => {
  it("points at its promotion, else at the service's timeline", () => {
    const i = incident({ precedingDeployment: { id: "d1", version: "1.2.0" } });
    expect(deploymentHref(i, { d1: "p1" })).toBe("/delivery/promotions/p1");
    expect(deploymentHref(i, {})).toBe("/delivery/timeline?service=checkout-web&environment=production&range=30d");
    expect(deploymentHref(incident(), { d1: "p1" })).toBeNull();
  });
});

describe("polling", () => {
  it("polls the list fast while any incident is open", () => {
    expect(listPollMs([incident({ status: "resolved" }), incident()])).toBe(5_000);
    expect(listPollMs([incident({ status: "resolved" })])).toBe(30_000);
    expect(listPollMs([])).toBe(30_000);
  });

  it("polls an incident while it is open or a remediation runs, then stops", () => {
    expect(incidentPollMs({ status: "open", remediations: [] })).toBe(3_000);
    expect(incidentPollMs({ status: "resolved", remediations: [{ status: "running" }] })).toBe(1_000);
    expect(incidentPollMs({ status: "open", remediations: [{ status: "queued" }] })).toBe(1_000);
    expect(incidentPollMs({ status: "resolved", remediations: [{ status: "succeeded" }] })).toBe(false);
  });
});

describe("the list's filters", () => {
  const params = (q: string) => new URLSearchParams(q);

  it("reads the URL, dropping what is not valid", () => {
    expect(readIncidentFilters(params(""))).toEqual({ service: "", status: "", range: "30d" });
    expect(readIncidentFilters(params("service=checkout-web&status=open&range=7d"))).toEqual({ service: "checkout-web", status: "open", range: "7d" });
    expect(readIncidentFilters(params("service=Not%20a%20name&status=maybe&range=1y"))).toEqual({ service: "", status: "", range: "30d" });
  });

  it("writes only what is not the default, and reads back the same", () => {
    expect(writeIncidentFilters({ service: "", status: "", range: "30d" })).toBe("");
    const f = { service: "ledger", status: "resolved" as const, range: "24h" as const };
    expect(writeIncidentFilters(f)).toBe("service=ledger&status=resolved&range=24h");
    expect(readIncidentFilters(params(writeIncidentFilters(f)))).toEqual(f);
  });

  it("asks the API for the range back from now", () => {
    const now = Date.parse("2026-01-31T00:00:00.000Z");
    const q = new URLSearchParams(incidentsApiQuery({ service: "ledger", status: "open", range: "7d" }, now));
    expect(q.get("from")).toBe("2026-01-24T00:00:00.000Z");
    expect(q.get("service")).toBe("ledger");
    expect(q.get("status")).toBe("open");
    expect(q.get("limit")).toBe("500");
    expect(new URLSearchParams(incidentsApiQuery({ service: "", status: "", range: "30d" }, now)).has("service")).toBe(false);
  });

  it("sorts open incidents first, then the newest", () => {
    const items = [
      incident({ number: 1, status: "resolved", startedAt: "2026-01-03T00:00:00.000Z" }),
      incident({ number: 2, status: "open", startedAt: "2026-01-01T00:00:00.000Z" }),
      incident({ number: 3, status: "resolved", startedAt: "2026-01-04T00:00:00.000Z" }),
      incident({ number: 4, status: "resolved", startedAt: "2026-01-04T00:00:00.000Z" }),
    ];
    expect([...items].sort(compareIncidents).map((i) => i.number)).toEqual([2, 4, 3, 1]);
  });
});

describe("the settings form", () => {
  it("sends only what changed, with the revision read", () => {
    expect(settingsPatch(settings, { dryRun: false, maxActionsPerHour: 3 })).toBeNull();
    expect(settingsPatch(settings, { dryRun: true, cooldownMinutes: 10 })).toEqual({ dryRun: true, revision: 7 });
    expect(settingsPatch(settings, { autoApprove: [{ environment: "production", playbooks: ["restart"] }] })).toBeNull();
    expect(settingsPatch(settings, { autoApprove: [] })).toEqual({ autoApprove: [], revision: 7 });
  });

  it("turns rule forms into rules and back", () => {
    expect(parseServiceList(" a, b  c,,a ")).toEqual(["a", "b", "c"]);
    const rules = [
      { environment: "production", playbooks: ["restart" as const] },
      { environment: "staging", playbooks: ["auto-rollback" as const, "auto-scale" as const], services: ["ledger", "checkout-web"] },
    ];
    expect(ruleForms(rules)).toEqual([
      { environment: "production", playbooks: ["restart"], services: "" },
      { environment: "staging", playbooks: ["auto-rollback", "auto-scale"], services: "ledger, checkout-web" },
    ]);
    expect(rulesOf(ruleForms(rules))).toEqual(rules);
  });
});

describe("what the platform will do about a chaos", () => {
  const slo = (over: Partial<ChaosSlo>): ChaosSlo => ({ id: "s", name: "availability", displayName: "", kind: "availability", environment: "production", alerting: true, automation: "auto-rollback", ...over });

  it("rolls back errors, after an approval in a protected environment unless a rule allows it", () => {
    const [o] = chaosOutlook("errors", "production", [slo({})], true, [], "checkout-web");
    expect(o).toMatchObject({ burns: true, cures: true });
    expect(o!.text).toContain("runs auto-rollback, which cures this fault");
    expect(o!.text).toContain("waits for an approval");
    const [allowed] = chaosOutlook("errors", "production", [slo({})], true, [{ environment: "production", playbooks: ["auto-rollback"] }], "checkout-web");
    expect(allowed!.text).not.toContain("approval");
    const [otherService] = chaosOutlook("errors", "production", [slo({})], true, [{ environment: "production", playbooks: ["auto-rollback"], services: ["ledger"] }], "checkout-web");
    expect(otherService!.text).toContain("waits for an approval");
  });

  it("says when the playbook does not cure the fault, or nothing runs", () => {
    expect(chaosOutlook("errors", "dev", [slo({ environment: "dev", automation: "restart" })], false, [], "x")[0]).toMatchObject({ burns: true, cures: false });
    expect(chaosOutlook("errors", "dev", [slo({ environment: "dev", automation: "restart" })], false, [], "x")[0]!.text).toContain("does not cure a faulty version");
    expect(chaosOutlook("latency", "dev", [slo({ environment: "dev", kind: "latency", automation: "restart" })], false, [], "x")[0]).toMatchObject({ burns: true, cures: true });
    expect(chaosOutlook("errors", "dev", [slo({ environment: "dev", alerting: false })], false, [], "x")[0]!.text).toContain("alerting is off");
    expect(chaosOutlook("errors", "dev", [slo({ environment: "dev", automation: "none" })], false, [], "x")[0]!.text).toContain("waits for people");
    expect(chaosOutlook("latency", "dev", [slo({ environment: "dev" })], false, [], "x")[0]).toMatchObject({ burns: false });
  });

  it("only looks at the SLOs of the environment broken", () => {
    expect(chaosOutlook("errors", "staging", [slo({})], false, [], "x")).toEqual([]);
  });

  it("says how the page alert comes about: a real Prometheus, or the sandbox's own evaluation every 10 s with compressed windows", () => {
    expect(alertingNote(true)).toContain("real Prometheus");
    const sandbox = alertingNote(false);
    expect(sandbox).toContain("every 10 s");
    expect(sandbox).toContain("compressed 60× (1 h → 1 min, 5 min → 5 s)");
    expect(alertingNote(false, 120)).toContain("compressed 120× (1 h → 30 s, 5 min → 3 s)");
  });
});
