// GET /api/health: whether this instance can serve. 200 while the database answers (integrations
// that fail make it "degraded", not down), 503 when the database does not.
import { z } from "zod";
import { db } from "../core/db/client.ts";
import { env } from "../core/env.ts";
import { defineContract } from "../core/http/contract.ts";
import { scrubSecretText } from "../core/logger.ts";
import { integrationHealth, IntegrationStatus } from "../integrations/health.ts";
import { policySet } from "../policies/service.ts";

export const HealthDto = z
  .object({
    status: z.enum(["ok", "degraded", "down"]),
    version: z.string(),
    sandbox: z.boolean(),
    database: z.object({ mode: z.enum(["embedded", "external"]), ok: z.boolean(), latencyMs: z.number().nullable(), error: z.string().optional() }),
    integrations: z.object({ github: IntegrationStatus, argocd: IntegrationStatus, prometheus: IntegrationStatus, opa: IntegrationStatus.optional() }),
    policies: z.object({
      ok: z.boolean(),
      loaded: z.number().int(),
      errors: z.array(z.object({ file: z.string(), line: z.number().int().nullable(), message: z.string() })),
    }),
  })
  .meta({ id: "Health" });
export type HealthDto = z.infer<typeof HealthDto>;

/** `?probe=live`: the process serves requests; nothing else is checked (a liveness probe must not fail because the database does). */
export const LivenessDto = z
  .object({ status: z.literal("ok"), probe: z.literal("live"), version: z.string() })
  .meta({ id: "Liveness" });

export const HealthQuery = z.object({
  probe: z
    .enum(["live"])
    .optional()
    .meta({ description: "`live`: answer 200 as soon as this process serves requests, without checking the database or integrations (for a liveness probe)." }),
});

export const healthContract = defineContract({
  method: "GET",
  path: "/api/health",
  tag: "Platform",
  summary: "Health of this instance, its database and integrations",
  description:
    "No credentials needed. 200 when the database answers (status `ok` or `degraded`), 503 when it does not: use it for readiness. " +
    "With `?probe=live`, 200 whenever the process serves requests (for liveness: a database outage must not restart every instance).",
  access: "public",
  query: HealthQuery,
  response: z.union([HealthDto, LivenessDto]),
});

export function checkLiveness(): z.infer<typeof LivenessDto> {
  return { status: "ok", probe: "live", version: VERSION };
}

export const VERSION = process.env.npm_package_version ?? "0.1.0";

export async function checkHealth(): Promise<HealthDto> {
  const e = env();
  const started = performance.now();
  let database: HealthDto["database"];
  try {
    await db().$queryRawUnsafe("SELECT 1");
    database = { mode: e.embedded ? "embedded" : "external", ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch {
    database = { mode: e.embedded ? "embedded" : "external", ok: false, latencyMs: null, error: "The database does not answer." };
  }
  const [checked, policySetResult] = await Promise.all([integrationHealth(), policySet()]);
  // An integration's detail may quote what it answered; a misbehaving one could echo a credential.
  const integrations = Object.fromEntries(Object.entries(checked).map(([k, v]) => [k, { ...v, detail: scrubSecretText(v.detail) }])) as typeof checked;
  const policies = { ok: policySetResult.errors.length === 0, loaded: policySetResult.policies.length, errors: policySetResult.errors };
  const status = !database.ok ? "down" : Object.values(integrations).every((i) => i.ok) && policies.ok ? "ok" : "degraded";
  return { status, version: VERSION, sandbox: e.sandbox, database, integrations, policies };
}
