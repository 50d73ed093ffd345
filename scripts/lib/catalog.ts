// Start-up steps for the catalog: publish templates-catalog/ (new versions only; changed content
// under a published version is refused and reported), and in sandbox mode make sure the demo's
// local git repositories exist (one per service, and the GitOps repository).
import path from "node:path";
import type { Db } from "../../lib/core/db/client.ts";
import { SYSTEM_ACTOR } from "../../lib/core/auth/actor.ts";
import { loadCatalog } from "../../lib/templates/bundle.ts";
import { syncCatalog } from "../../lib/templates/sync.ts";
import { demoSandboxRepos, seedSandboxRepos } from "../../lib/integrations/localgit/seed.ts";
import { demoGitOpsRepo } from "../../lib/integrations/localgit/gitops-seed.ts";
import { LocalGitHost } from "../../lib/integrations/localgit/git-host.ts";
import { createSandboxCluster } from "../../lib/integrations/sandbox-cluster/index.ts";
import { DEMO_ENVIRONMENTS, DEMO_SERVICES } from "../../prisma/seed/demo-organisation.ts";

export const CATALOG_DIR = path.resolve("templates-catalog");

export async function publishCatalog(client: Db, say: (line: string) => void): Promise<void> {
  const { bundles, errors } = await loadCatalog(CATALOG_DIR);
  for (const e of errors) say(`catalog: skipped ${path.relative(process.cwd(), e.dir)}: ${e.problems.join("; ")}`);
  const report = await syncCatalog(client, bundles, SYSTEM_ACTOR);
  for (const r of report.refused) say(`catalog: refused ${r.template}@${r.version}: ${r.reason}`);
  say(`catalog: ${report.templates} templates, ${report.published.length} versions published, ${report.unchanged} unchanged`);
}

export async function prepareSandbox(dataDir: string, say: (line: string) => void, client?: Db): Promise<void> {
  // The GitOps repository (demo/gitops, what Argo CD would sync; the biggest, so first) and the services' repositories.
  const created = await seedSandboxRepos(dataDir, [demoGitOpsRepo(DEMO_SERVICES, DEMO_ENVIRONMENTS), ...demoSandboxRepos(DEMO_SERVICES)]);
  if (created.length) say(`sandbox: created ${created.length} git repositories under ${path.relative(process.cwd(), path.join(dataDir, "git")) || "git"}`);
  // Only on a first start (reading every application renders the whole repository: seconds).
  if (client && (created.length > 0 || (await client.sandboxApplication.count()) === 0)) {
    // The simulated cluster starts out running what the GitOps repository pins now, before any
    // promotion commits (an application first read after a commit would otherwise start there).
    const cluster = createSandboxCluster(client, new LocalGitHost({ dataDir }));
    const apps = await cluster.listApplications();
    say(`sandbox: cluster running ${apps.length} applications`);
  }
}
