// The gates a promotion passes before it runs, as pure functions of what was gathered: policies
// (on the promotion and on the manifests it would render), the source environment's health,
// the error budget, approvals and integration tests. Each gate says why it passes or blocks.
import type { IntegrationCheck } from "../gitops/environments.ts";

/**
 * "scheduled": checked by the run itself, before its first wave (the integration tests); it does
 * not hold the promotion back until then, and the run turns it into passed or blocked.
 */
export type GateStatus = "passed" | "blocked" | "pending" | "warning" | "skipped" | "scheduled";

export interface Gate {
  id: "policies" | "manifests" | "source-health" | "error-budget" | "approvals" | "integration-tests";
  title: string;
  status: GateStatus;
  message: string;
  details: string[];
}

export interface PolicyFinding {
  policy: string;
  action: "Deny" | "Warn" | "Audit";
  message: string;
  waived: boolean;
  /** For manifest findings: "frontend: Deployment frontend". */
  subject?: string;
}

export interface GateInputs {
  promotionPolicies: PolicyFinding[];
  manifestPolicies: PolicyFinding[];
  /** Source environment health per service; null when there is no source (first environment). */
  sourceHealth: { service: string; health: string; message: string | null }[] | null;
  sourceEnvironment: string | null;
  /** Error budget left per service (fraction), when SLOs exist. */
  errorBudget: { service: string; remaining: number }[] | null;
  /** SLOs of these services whose budget could not be read (no data yet, metrics source down), in words. */
  errorBudgetUnknown?: string[];
  budgetOverride: string | null;
  requiredApprovals: number;
  approvals: { login: string; roles: string[]; decision: string }[];
  requester: string;
  /** The target environment's cross-service integration tests; null when none is configured. */
  integrationTests: IntegrationCheck | null;
}

function policyGate(id: "policies" | "manifests", title: string, findings: PolicyFinding[], none: string): Gate {
  const counting = findings.filter((f) => !f.waived && f.action !== "Audit");
  const denies = counting.filter((f) => f.action === "Deny");
  const warns = counting.filter((f) => f.action === "Warn");
  const line = (f: PolicyFinding) => `${f.action === "Deny" ? "✗" : "!"} ${f.subject ? `${f.subject}: ` : ""}${f.message} (${f.policy})${f.waived ? " — waived" : ""}`;
  if (denies.length) return { id, title, status: "blocked", message: `${denies.length} polic${denies.length === 1 ? "y denies" : "ies deny"} it.`, details: [...denies, ...warns].map(line) };
  if (warns.length) return { id, title, status: "warning", message: `Allowed with ${warns.length} warning${warns.length === 1 ? "" : "s"}.`, details: warns.map(line) };
  const waived = findings.filter((f) => f.waived);
  return { id, title, status: "passed", message: none, details: waived.map(line) };
}

/** Approvals that count: approve decisions by release managers (holders of the role) other than the requester. */
export function countingApprovals(inputs: Pick<GateInputs, "approvals" | "requester">): string[] {
  return inputs.approvals.filter((a) => a.decision === "approve" && a.login.toLowerCase() !== inputs.requester.toLowerCase() && a.roles.includes("release-manager")).map((a) => a.login);
}

export function evaluateGates(inputs: GateInputs): Gate[] {
  const gates: Gate[] = [];
  // Approvals are their own gate: the promotion policy that demands them would otherwise block
  // every promotion before anyone had a chance to approve it.
  const approvalPolicies = new Set(["promotion-release-manager-approval"]);
  gates.push(policyGate("policies", "Promotion policies", inputs.promotionPolicies.filter((f) => !approvalPolicies.has(f.policy)), "Every promotion policy allows it."));
  gates.push(policyGate("manifests", "Policies on the rendered manifests", inputs.manifestPolicies, "Every manifest it renders passes the policies."));

  if (inputs.sourceHealth === null) {
    gates.push({ id: "source-health", title: "Source environment healthy", status: "skipped", message: "No source environment: this is the first one.", details: [] });
  } else {
    const unhealthy = inputs.sourceHealth.filter((s) => s.health !== "Healthy");
    gates.push(
      unhealthy.length
        ? {
            id: "source-health",
            title: `Healthy in ${inputs.sourceEnvironment}`,
            status: "blocked",
            message: `${unhealthy.map((s) => s.service).join(", ")} ${unhealthy.length === 1 ? "is" : "are"} not healthy in ${inputs.sourceEnvironment}.`,
            details: unhealthy.map((s) => `${s.service}: ${s.health}${s.message ? ` (${s.message})` : ""}`),
          }
        : { id: "source-health", title: `Healthy in ${inputs.sourceEnvironment}`, status: "passed", message: `Every service is healthy in ${inputs.sourceEnvironment}.`, details: inputs.sourceHealth.map((s) => `${s.service}: Healthy`) },
    );
  }

  const unknown = inputs.errorBudgetUnknown ?? [];
  if ((inputs.errorBudget === null || inputs.errorBudget.length === 0) && unknown.length) {
    gates.push({ id: "error-budget", title: "Error budget left", status: "warning", message: "These services have SLOs, but their error budget could not be read.", details: unknown });
  } else if (inputs.errorBudget === null || inputs.errorBudget.length === 0) {
    gates.push({ id: "error-budget", title: "Error budget left", status: "skipped", message: "No SLO covers these services yet, so there is no error budget to check.", details: [] });
  } else {
    const exhausted = inputs.errorBudget.filter((b) => b.remaining <= 0);
    const details = [...inputs.errorBudget.map((b) => `${b.service}: ${(b.remaining * 100).toFixed(1)}% left`), ...unknown];
    if (!exhausted.length) gates.push({ id: "error-budget", title: "Error budget left", status: "passed", message: "Every service has error budget left.", details });
    else if (inputs.budgetOverride) gates.push({ id: "error-budget", title: "Error budget left", status: "warning", message: `Exhausted for ${exhausted.map((b) => b.service).join(", ")}; overridden: ${inputs.budgetOverride}`, details });
    else gates.push({ id: "error-budget", title: "Error budget left", status: "blocked", message: `The error budget of ${exhausted.map((b) => b.service).join(", ")} is exhausted.`, details });
  }

  const counting = countingApprovals(inputs);
  const rejections = inputs.approvals.filter((a) => a.decision === "reject");
  if (rejections.length) {
    gates.push({ id: "approvals", title: "Approvals", status: "blocked", message: `Rejected by ${rejections.map((r) => r.login).join(", ")}.`, details: [] });
  } else if (inputs.requiredApprovals === 0) {
    gates.push({ id: "approvals", title: "Approvals", status: "passed", message: "This environment needs no approval.", details: counting.map((l) => `approved by ${l}`) });
  } else if (counting.length >= inputs.requiredApprovals) {
    gates.push({ id: "approvals", title: "Approvals", status: "passed", message: `Approved by ${counting.join(", ")}.`, details: [] });
  } else {
    const missing = inputs.requiredApprovals - counting.length;
    gates.push({
      id: "approvals",
      title: "Approvals",
      status: "pending",
      message: `Needs ${missing} more approval${missing === 1 ? "" : "s"} from a release manager other than ${inputs.requester}.`,
      details: counting.map((l) => `approved by ${l}`),
    });
  }

  gates.push(integrationTestsGate(inputs.integrationTests));
  return gates;
}

/** What a check runs, in words: "workflow integration-tests.yml in acme/e2e (main)", "GET https://… answers 200". */
export function describeCheck(check: IntegrationCheck): string {
  if (check.kind === "workflow") return `GitHub Actions workflow ${check.workflow} in ${check.repository} (${check.ref ?? "its default branch"})`;
  return `GET ${check.url} answers ${check.expectedStatus}`;
}

/** The integration-tests gate before the run: not configured (skipped), or awaited by the run before its first wave. */
export function integrationTestsGate(check: IntegrationCheck | null): Gate {
  if (!check) return { id: "integration-tests", title: "Integration tests", status: "skipped", message: "No cross-service integration check is configured for this environment.", details: [] };
  const within = check.timeoutSeconds >= 60 && check.timeoutSeconds % 60 === 0 ? `${check.timeoutSeconds / 60} min` : `${check.timeoutSeconds} s`;
  return {
    id: "integration-tests",
    title: "Integration tests",
    status: "scheduled",
    message: `Checked when the run starts, before its first wave: ${describeCheck(check)}${check.kind === "workflow" ? `, awaited for up to ${within}` : ` within ${within}`}.`,
    details: [],
  };
}

/** The integration-tests gate once the run checked: passed or blocked, with why. */
export function integrationTestsResult(check: IntegrationCheck, outcome: { passed: boolean; reason: string; url?: string | null }): Gate {
  return {
    id: "integration-tests",
    title: "Integration tests",
    status: outcome.passed ? "passed" : "blocked",
    message: outcome.reason,
    details: [describeCheck(check), ...(outcome.url ? [outcome.url] : [])],
  };
}

/** Whether a promotion may run: nothing blocked and nothing pending. */
export function gatesOpen(gates: readonly Gate[]): boolean {
  return gates.every((g) => g.status !== "blocked" && g.status !== "pending");
}
