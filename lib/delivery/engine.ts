// The process's GitOps engine: Argo CD when ARGOCD_URL is set, else the sandbox cluster over the
// local GitOps repository. One instance per process, like the GitHost.
import { db } from "../core/db/client.ts";
import { env } from "../core/env.ts";
import type { GitOpsEngine } from "../core/ports/gitops-engine.ts";
import { ArgoCdEngine } from "../integrations/argocd/index.ts";
import { gitHost } from "../integrations/git-host.ts";
import { createSandboxCluster, type SandboxCluster } from "../integrations/sandbox-cluster/index.ts";

const globalForEngine = globalThis as unknown as { pavedEngine?: GitOpsEngine };

export function gitOpsEngine(): GitOpsEngine {
  if (!globalForEngine.pavedEngine) {
    const argocd = env().argocd;
    globalForEngine.pavedEngine = argocd ? new ArgoCdEngine({ url: argocd.url, token: argocd.token }) : createSandboxCluster(db(), gitHost());
  }
  return globalForEngine.pavedEngine;
}

/** The sandbox cluster, when that is the engine (for the demo's bad versions and drift). */
export function sandboxCluster(): SandboxCluster | null {
  const engine = gitOpsEngine();
  return engine.kind === "sandbox" ? (engine as SandboxCluster) : null;
}

/** For tests that change the configuration or the clock. */
export function setGitOpsEngine(engine: GitOpsEngine | undefined): void {
  globalForEngine.pavedEngine = engine;
}
