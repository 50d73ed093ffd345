// Prometheus: GET /api/v1/status/buildinfo (Prometheus HTTP API; tested against a real Prometheus).
import { z } from "zod";
import type { IntegrationStatus } from "../health.ts";

const BuildInfo = z.object({ status: z.literal("success"), data: z.object({ version: z.string() }).passthrough() });

export async function checkPrometheus(url: string, timeoutMs: number): Promise<IntegrationStatus> {
  const checkedAt = new Date().toISOString();
  try {
    const res = await fetch(new URL("api/v1/status/buildinfo", url.endsWith("/") ? url : `${url}/`), { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return { mode: "prometheus", ok: false, detail: `Prometheus answered ${res.status}`, checkedAt };
    const body = BuildInfo.parse(await res.json());
    return { mode: "prometheus", ok: true, detail: `Prometheus ${body.data.version}`, checkedAt };
  } catch (e) {
    return { mode: "prometheus", ok: false, detail: `Prometheus did not answer: ${(e as Error).message}`, checkedAt };
  }
}
