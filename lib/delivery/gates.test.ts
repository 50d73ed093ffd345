import { describe, expect, it } from "vitest";
import { countingApprovals, evaluateGates, gatesOpen, type GateInputs } from "./gates.ts";
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
};
const gate = (inputs: Partial<GateInputs>, id: string) => evaluateGates({ ...base, ...inputs }).find((g) => g.id === id)!;

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
