// The compliance scan over the sandbox's GitOps repository (demo/gitops): every environment's
// overlays rendered and evaluated against the real policies in policies/, the Terraform plans
// too. The demo repository's deliberate violations are found, each at its file, and nothing
// else; an overlay that does not render counts as a failure instead of dropping out.
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/core/db/client";
import type { GitHost } from "@/lib/core/ports/git-host";
import { DEMO_KNOWN_ISSUES, demoGitOpsRepo } from "@/lib/integrations/localgit/gitops-seed";
import { seedSandboxRepos } from "@/lib/integrations/localgit/seed";
import { runComplianceScan, UNEVALUATED } from "@/lib/policies/compliance";
import { DEMO_ENVIRONMENTS, DEMO_SERVICES } from "@/prisma/seed/demo-organisation";
import { useSandboxGit } from "../support/catalog";

let host: GitHost;
let dataDir: string;

beforeAll(async () => {
  ({ host, dataDir } = await useSandboxGit([]));
  await seedSandboxRepos(dataDir, [demoGitOpsRepo(DEMO_SERVICES, DEMO_ENVIRONMENTS)]);
});

async function resultsOf(runId: string) {
  return db().complianceResult.findMany({ where: { runId, source: { in: ["gitops", "terraform"] } } });
}

describe("the compliance scan over demo/gitops", () => {
  it("finds each of the demo's deliberate violations at its file, in its environments, and nothing else", async () => {
    const run = await runComplianceScan({ host });
    const results = await resultsOf(run.runId);
    const found = new Set(results.map((r) => `${r.policy}|${r.environment}|${r.file}`));
    const expected = new Set(DEMO_KNOWN_ISSUES.flatMap((i) => i.environments.map((env) => `${i.policy}|${env}|${i.file}`)));
    expect([...found].sort()).toEqual([...expected].sort());

    const frontend = results.find((r) => r.policy === "require-run-as-non-root" && r.environment === "production");
    expect(frontend).toMatchObject({ team: "storefront", subjectKind: "Deployment", message: "Containers must run as non-root user", file: "apps/frontend/base/deployment.yaml" });
    expect(frontend?.line).toEqual(expect.any(Number));
    const bucket = results.find((r) => r.policy === "terraform-no-public-buckets");
    expect(bucket?.line).toBeGreaterThan(1);

    const snapshots = await db().complianceSnapshot.findMany({ where: { runId: run.runId } });
    const env = (name: string) => snapshots.find((s) => s.scope === "environment" && s.key === name);
    for (const e of DEMO_ENVIRONMENTS) expect(env(e.name)?.evaluations).toBeGreaterThan(0);
    // dev carries two more problems than production (the :latest tag and the public bucket).
    const rate = (s: { passed: number; evaluations: number } | undefined) => (s ? s.passed / s.evaluations : 1);
    expect(rate(env("dev"))).toBeLessThan(rate(env("production")));
    expect(run.passed).toBeLessThan(run.evaluations);
    expect(snapshots.find((s) => s.scope === "team" && s.key === "storefront")?.evaluations).toBeGreaterThan(0);
  });

  it("counts an overlay that does not render as a failure, naming its file", async () => {
    const repo = { owner: "demo", name: "gitops" };
    await host.commitFiles(repo, "main", [{ path: "apps/ledger/overlays/dev/kustomization.yaml", content: "resources:\n  - ../../base\nnamePrefix: broken-\n" }], "Break an overlay");
    const run = await runComplianceScan({ host });
    const broken = (await resultsOf(run.runId)).filter((r) => r.policy === UNEVALUATED);
    expect(broken).toEqual([expect.objectContaining({ environment: "dev", team: "payments", file: "apps/ledger/overlays/dev/kustomization.yaml", message: expect.stringContaining("namePrefix") })]);
  });

  it("keeps findings for a week and the trend's figures for half a year", async () => {
    const day = 86_400_000;
    const now = new Date();
    const old = async (daysAgo: number) => {
      const startedAt = new Date(now.getTime() - daysAgo * day);
      const run = await db().complianceRun.create({ data: { startedAt, finishedAt: startedAt, subjects: 1, evaluations: 1, passed: 0 } });
      await db().complianceResult.create({ data: { runId: run.id, policy: "require-run-as-non-root", action: "Deny", message: "old", source: "gitops", subjectKind: "Deployment", subjectName: "old" } });
      await db().complianceSnapshot.create({ data: { runId: run.id, takenAt: startedAt, scope: "overall", key: "", evaluations: 1, passed: 0 } });
      return run.id;
    };
    const weekOld = await old(8);
    const yearOld = await old(200);
    await runComplianceScan({ host, now });
    expect(await db().complianceResult.count({ where: { runId: { in: [weekOld, yearOld] } } })).toBe(0);
    expect(await db().complianceSnapshot.count({ where: { runId: weekOld } })).toBe(1);
    expect(await db().complianceRun.count({ where: { id: weekOld } })).toBe(1);
    expect(await db().complianceSnapshot.count({ where: { runId: yearOld } })).toBe(0);
    expect(await db().complianceRun.count({ where: { id: yearOld } })).toBe(0);
  });
});
