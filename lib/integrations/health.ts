// Which adapter each integration uses (chosen at start-up from the configuration) and whether
// it answers. Checks run at most every 30 s per process and never hold up a request for more
// than their timeout; the last answer is served meanwhile.
import { z } from "zod";
import { env, type Env } from "../core/env.ts";
import { checkGithub } from "./github/health.ts";
import { checkArgocd } from "./argocd/health.ts";
import { checkPrometheus } from "./prometheus/health.ts";
import { checkOpa } from "./opa/client.ts";

export const IntegrationStatus = z
  .object({
    mode: z.enum(["sandbox", "github", "argocd", "prometheus", "opa"]),
    ok: z.boolean(),
    detail: z.string(),
    checkedAt: z.string(),
  })
  .meta({ id: "IntegrationStatus" });
export type IntegrationStatus = z.infer<typeof IntegrationStatus>;

export type IntegrationName = "github" | "argocd" | "prometheus" | "opa";

const TTL_MS = 30_000;
const TIMEOUT_MS = 2_000;

type Check = () => Promise<IntegrationStatus>;

function sandbox(detail: string): Check {
  return async () => ({ mode: "sandbox", ok: true, detail, checkedAt: new Date().toISOString() });
}

function checks(e: Env): Partial<Record<IntegrationName, Check>> {
  return {
    // OPA is optional: reported only when OPA_URL is set.
    ...(e.opa
      ? {
          opa: async () => {
            const r = await checkOpa(e.opa!.url, TIMEOUT_MS);
            return { mode: "opa" as const, ok: r.ok, detail: r.detail, checkedAt: new Date().toISOString() };
          },
        }
      : {}),
    github: e.github.token ? () => checkGithub(e.github.apiUrl, e.github.token as string, TIMEOUT_MS) : sandbox("Local git repositories in the data folder"),
    argocd: e.argocd ? () => checkArgocd(e.argocd!.url, e.argocd!.token, TIMEOUT_MS) : sandbox("Sandbox cluster"),
    prometheus: e.prometheus ? () => checkPrometheus(e.prometheus!.url, TIMEOUT_MS) : sandbox("Metrics from the sandbox cluster"),
  };
}

const cache = new Map<IntegrationName, { at: number; status: IntegrationStatus; pending?: Promise<IntegrationStatus> }>();

async function run(name: IntegrationName, check: Check): Promise<IntegrationStatus> {
  try {
    return await check();
  } catch (e) {
    const mode = name === "github" ? "github" : name;
    return { mode, ok: false, detail: (e as Error).message, checkedAt: new Date().toISOString() };
  }
}

export async function integrationHealth(options: { fresh?: boolean } = {}): Promise<Record<"github" | "argocd" | "prometheus", IntegrationStatus> & { opa?: IntegrationStatus }> {
  const all = checks(env());
  const now = Date.now();
  const entries = await Promise.all(
    (Object.keys(all) as IntegrationName[]).map(async (name) => {
      const cached = cache.get(name);
      if (cached && !options.fresh && now - cached.at < TTL_MS) return [name, cached.status] as const;
      if (cached?.pending) return [name, cached.status] as const;
      const pending = run(name, all[name] as Check).then((status) => {
        cache.set(name, { at: Date.now(), status });
        return status;
      });
      if (cached && !options.fresh) {
        // Serve the last answer while the check refreshes in the background.
        cache.set(name, { ...cached, pending });
        return [name, cached.status] as const;
      }
      return [name, await pending] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<"github" | "argocd" | "prometheus", IntegrationStatus> & { opa?: IntegrationStatus };
}

export function resetIntegrationHealthCache(): void {
  cache.clear();
}
