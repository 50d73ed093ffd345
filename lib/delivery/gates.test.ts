import { describe, expect, it } from "vitest";
import { countingApprovals, evaluateGates, gatesOpen, integrationTestsResult, type GateInputs } from "./gates.ts";
import { buildRollbackSteps, buildSteps } from "./steps.ts";

const base: GateInputs = {
  promotionPolicies: [],
  manifestPolicies: [],
  sourceHealth: [{ service: "frontend", health: "Healthy", message: null }],
  sourceEnvironment: "staging",
  errorBudget: null,
  budgetOverride: null,
  requiredApprovals: 1,
  approvals: [],
  requester: "carol",
  integrationTests: null,
};
const gate = (inputs: Partial<GateInputs>, id: string) => evaluateGates({ ...base, ...inputs }).find((g) => g.id === id)!;

describe("the integration-tests gate", () => {
  const workflow = { kind: "workflow" as const, repository: "acme/e2e", workflow: "integration-tests.yml", ref: null, timeoutSeconds: 1800 };
  it("is skipped when the environment has no check, and says so", () => {
    expect(gate({}, "integration-tests")).toMatchObject({ status: "skipped", message: "No cross-service integration check is configured for this environment." });
  });
  it("is scheduled for the run (not holding the promotion back) when one is configured, and says what it will run", () => {
    const g = gate({ integrationTests: workflow }, "integration-tests");
    expect(g).toMatchObject({ status: "scheduled" });
    expect(g.message).toBe("Checked when the run starts, before its first wave: GitHub Actions workflow integration-tests.yml in acme/e2e (its default branch), awaited for up to 30 min.");
    const http = gate({ integrationTests: { kind: "http", url: "https://e2e.example.com/ok", expectedStatus: 204, timeoutSeconds: 5 } }, "integration-tests");
    expect(http.message).toContain("GET https://e2e.example.com/ok answers 204 within 5 s");
    const approved = { ...base, integrationTests: workflow, approvals: [{ login: "frank", roles: ["release-manager"], decision: "approve" }] };
    expect(gatesOpen(evaluateGates(approved))).toBe(true);
  });
  it("passes or blocks once the run checked, with why", () => {
    expect(integrationTestsResult(workflow, { passed: false, reason: "Workflow run 7 concluded failure.", url: "https://github.com/acme/e2e/actions/runs/7" })).toEqual({
      id: "integration-tests",
      title: "Integration tests",
      status: "blocked",
      message: "Workflow run 7 concluded failure.",
      details: ["GitHub Actions workflow integration-tests.yml in acme/e2e (its default branch)", "https://github.com/acme/e2e/actions/runs/7"],
    });
    expect(gatesOpen([integrationTestsResult(workflow, { passed: true, reason: "ok" })])).toBe(true);
  });
});

describe("gates", () => {
  it("waits for an approval by another release manager, and opens with it", () => {
    expect(gate({}, "approvals")).toMatchObject({ status: "pending", message: expect.stringContaining("other than carol") });
    expect(gatesOpen(evaluateGates(base))).toBe(false);
    const approved = { ...base, approvals: [{ login: "frank", roles: ["release-manager"], decision: "approve" }] };
    expect(gate(approved, "approvals")).toMatchObject({ status: "passed", message: "Approved by frank." });
    expect(gatesOpen(evaluateGates(approved))).toBe(true);
  });

  it("does not count the requester, other roles, or case tricks", () => {
    const approvals = [
      { login: "Carol", roles: ["release-manager"], decision: "approve" },
      { login: "bob", roles: ["developer"], decision: "approve" },
    ];
    expect(countingApprovals({ approvals, requester: "carol" })).toEqual([]);
    expect(gate({ approvals }, "approvals").status).toBe("pending");
  });

  it("blocks on a rejection, a Deny policy, an unhealthy source and an exhausted budget; warns when overridden", () => {
    expect(gate({ approvals: [{ login: "frank", roles: ["release-manager"], decision: "reject" }] }, "approvals")).toMatchObject({ status: "blocked", message: "Rejected by frank." });
    const deny = gate({ manifestPolicies: [{ policy: "require-run-as-non-root", action: "Deny", message: "Containers must run as non-root user", waived: false, subject: "frontend: Deployment frontend" }] }, "manifests");
    expect(deny).toMatchObject({ status: "blocked", details: ["✗ frontend: Deployment frontend: Containers must run as non-root user (require-run-as-non-root)"] });
    expect(gate({ manifestPolicies: [{ policy: "x", action: "Deny", message: "m", waived: true }] }, "manifests").status).toBe("passed");
    expect(gate({ sourceHealth: [{ service: "frontend", health: "Degraded", message: "probe failed" }] }, "source-health")).toMatchObject({ status: "blocked", details: ["frontend: Degraded (probe failed)"] });
    expect(gate({ sourceHealth: null, sourceEnvironment: null }, "source-health").status).toBe("skipped");
    expect(gate({ errorBudget: [{ service: "frontend", remaining: 0 }] }, "error-budget").status).toBe("blocked");
    expect(gate({ errorBudget: [{ service: "frontend", remaining: -0.1 }], budgetOverride: "hotfix for INC-42" }, "error-budget").status).toBe("warning");
    expect(gate({}, "error-budget").status).toBe("skipped");
    // SLOs exist but their budget could not be read: say so, without blocking.
    expect(gate({ errorBudget: null, errorBudgetUnknown: ["frontend (availability): connection refused"] }, "error-budget")).toMatchObject({
      status: "warning",
      details: ["frontend (availability): connection refused"],
    });
    // Known budgets still decide; the unknown ones are listed beside them.
    expect(gate({ errorBudget: [{ service: "frontend", remaining: 0.4 }], errorBudgetUnknown: ["cart (latency): no data"] }, "error-budget")).toMatchObject({
      status: "passed",
      details: ["frontend: 40.0% left", "cart (latency): no data"],
    });
  });

  it("leaves the approval policy to the approvals gate", () => {
    const finding = { policy: "promotion-release-manager-approval", action: "Deny" as const, message: "needs approval", waived: false };
    expect(gate({ promotionPolicies: [finding] }, "policies").status).toBe("passed");
  });
});

describe("steps", () => {
  const services = new Map([
    ["backend-api", { migrationScripts: ["db-migration.sql"], strategy: "blue_green" }],
    ["frontend", { migrationScripts: [], strategy: "canary" }],
  ]);
  it("runs migrations first, then commit, sync and rollout, wave by wave", () => {
    const steps = buildSteps([["backend-api"], ["frontend"]], services);
    expect(steps.map((s) => `${s.wave}:${s.service}:${s.kind}`)).toEqual([
      "1:backend-api:migrate",
      "1:backend-api:commit",
      "1:backend-api:sync",
      "1:backend-api:rollout",
      "2:frontend:commit",
      "2:frontend:sync",
      "2:frontend:rollout",
    ]);
    expect(steps.map((s) => s.position)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });
  it("checks the environment's integration tests first, before the first wave", () => {
    const check = { kind: "http" as const, url: "https://e2e.example.com/health", expectedStatus: 200, timeoutSeconds: 10 };
    const steps = buildSteps([["backend-api"], ["frontend"]], services, { integrationTests: check });
    expect(steps.slice(0, 2).map((s) => `${s.position}:${s.wave}:${s.service}:${s.kind}`)).toEqual(["0:0:integration-tests:integration_tests", "1:1:backend-api:migrate"]);
    expect(steps[0]?.detail).toEqual({ check });
    expect(buildSteps([["frontend"]], services, { integrationTests: null }).some((s) => s.kind === "integration_tests")).toBe(false);
  });
  it("rolls back only what changed, dependents first", () => {
    const steps = buildRollbackSteps([["database"], ["backend-api"], ["frontend", "worker"]], new Set(["backend-api", "frontend"]), 10);
    expect(steps.map((s) => `${s.wave}:${s.service}:${s.kind}`)).toEqual([
      "1:frontend:rollback_commit",
      "1:frontend:rollback_sync",
      "1:frontend:rollback_rollout",
      "2:backend-api:rollback_commit",
      "2:backend-api:rollback_sync",
      "2:backend-api:rollback_rollout",
    ]);
    expect(steps[0]?.position).toBe(10);
  });
});
