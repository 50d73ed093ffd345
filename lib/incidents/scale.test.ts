import { describe, expect, it } from "vitest";
import { RuleViolationError } from "../core/errors.ts";
import { demoGitOpsFiles } from "../integrations/localgit/gitops-seed.ts";
import { DEMO_ENVIRONMENTS, DEMO_SERVICES } from "../../prisma/seed/demo-organisation.ts";
import { replicasIn, scaledUp, setReplicas } from "./scale.ts";

const files = demoGitOpsFiles(DEMO_SERVICES, DEMO_ENVIRONMENTS.map((e) => e.name));

describe("auto-scale's change to the overlay", () => {
  it("reads the replicas the overlay gives the workload", () => {
    expect(replicasIn(files, "backend-api", "production")).toEqual({ workload: "backend-api", replicas: 4 });
    expect(replicasIn(files, "search-service", "production").replicas).toBe(2);
  });

  it("doubles, at least by one, up to the maximum", () => {
    expect(scaledUp(1, 10)).toBe(2);
    expect(scaledUp(4, 10)).toBe(8);
    expect(scaledUp(6, 10)).toBe(10);
    expect(scaledUp(10, 10)).toBe(10);
    expect(scaledUp(0, 10)).toBe(1);
  });

  it("changes only the count of the workload's replicas entry, and the render follows", () => {
    const change = setReplicas(files, "backend-api", "production", 8);
    expect(change).toMatchObject({ path: "apps/backend-api/overlays/production/kustomization.yaml", from: 4, to: 8 });
    const before = files[change.path]!.split("\n");
    const after = change.content.split("\n");
    expect(after).toHaveLength(before.length);
    const changed = after.filter((l, i) => l !== before[i]);
    expect(changed).toEqual(["    count: 8"]);
    expect(replicasIn({ ...files, [change.path]: change.content }, "backend-api", "production").replicas).toBe(8);
  });

  it("adds an entry when the overlay has none", () => {
    const path = "apps/backend-api/overlays/staging/kustomization.yaml";
    const without = { ...files, [path]: files[path]!.replace(/replicas:\n( {2}- name: backend-api\n {4}count: \d+\n)/, "") };
    expect(replicasIn(without, "backend-api", "staging").replicas).toBe(1);
    const change = setReplicas(without, "backend-api", "staging", 2);
    expect(change.content).toContain("replicas:\n  - name: backend-api\n    count: 2");
    expect(replicasIn({ ...without, [path]: change.content }, "backend-api", "staging").replicas).toBe(2);
  });

  it("refuses a service without an overlay", () => {
    expect(() => setReplicas(files, "no-such-service", "production", 2)).toThrow(RuleViolationError);
  });
});
