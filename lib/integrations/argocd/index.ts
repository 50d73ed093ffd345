// Argo CD: the GitOps engine adapter (client.ts) and the connection check (health.ts).
import type { Env } from "../../core/env.ts";
import { ArgoCdEngine, type ArgoCdEngineOptions } from "./client.ts";

export { ArgoCdEngine, type ArgoCdEngineOptions } from "./client.ts";
export { checkArgocd } from "./health.ts";

/** The Argo CD adapter for ARGOCD_URL / ARGOCD_TOKEN; throws, naming the variable, when ARGOCD_URL is unset. */
export function createArgoCdEngine(e: Pick<Env, "argocd">, options: Omit<ArgoCdEngineOptions, "url" | "token"> = {}): ArgoCdEngine {
  if (!e.argocd) throw new Error("ARGOCD_URL is not set: there is no Argo CD to talk to (without it Paved uses the sandbox cluster).");
  return new ArgoCdEngine({ ...options, url: e.argocd.url, token: e.argocd.token });
}
