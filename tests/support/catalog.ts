// The test catalog: tests/fixtures/catalog (one small template, hello-workflow, in versions 1.0.0
// and 2.0.0), published into the run's database by the global setups, and a sandbox git host of
// the test file's own (a temp data folder with a few demo repositories).
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Db } from "../../lib/core/db/client.ts";
import { SYSTEM_ACTOR } from "../../lib/core/auth/actor.ts";
import { resetEnvCache } from "../../lib/core/env.ts";
import { loadCatalog } from "../../lib/templates/bundle.ts";
import { syncCatalog } from "../../lib/templates/sync.ts";

export const FIXTURE_CATALOG = path.resolve(import.meta.dirname, "../fixtures/catalog");

export async function seedTestCatalog(client: Db): Promise<void> {
  const { bundles, errors } = await loadCatalog(FIXTURE_CATALOG);
  if (errors.length) throw new Error(`fixture catalog: ${errors.map((e) => e.message).join("; ")}`);
  const report = await syncCatalog(client, bundles, SYSTEM_ACTOR);
  if (report.refused.length) throw new Error(`fixture catalog refused: ${JSON.stringify(report.refused)}`);
}

/**
 * Points this test file's Paved at a sandbox data folder of its own (PAVED_DATA_DIR), with the
 * given repositories, and returns its GitHost.
 */
export async function useSandboxGit(repos: { name: string; files: Record<string, string> }[]) {
  const dataDir = await mkdtemp(path.join(tmpdir(), "paved-test-git-"));
  process.env.PAVED_DATA_DIR = dataDir;
  resetEnvCache();
  const { resetGitHost, gitHost } = await import("../../lib/integrations/git-host.ts");
  const { seedSandboxRepos } = await import("../../lib/integrations/localgit/seed.ts");
  resetGitHost();
  await seedSandboxRepos(
    dataDir,
    repos.map((r) => ({ name: r.name, files: r.files })),
  );
  return { dataDir, host: gitHost() };
}

/** The sandbox git host with the demo organisation's GitOps repository (as `npm start` seeds it), and `repos` beside it. */
export async function useDemoGitOps(repos: { name: string; files: Record<string, string> }[] = []) {
  const { demoGitOpsRepo } = await import("../../lib/integrations/localgit/gitops-seed.ts");
  const { seedSandboxRepos } = await import("../../lib/integrations/localgit/seed.ts");
  const { DEMO_ENVIRONMENTS, DEMO_SERVICES } = await import("../../prisma/seed/demo-organisation.ts");
  const git = await useSandboxGit(repos);
  await seedSandboxRepos(git.dataDir, [demoGitOpsRepo(DEMO_SERVICES, DEMO_ENVIRONMENTS)]);
  return git;
}
