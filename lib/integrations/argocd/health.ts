// Argo CD: GET /api/version (VersionService_Version in Argo CD's published REST API; a copy is in tests/support/specs/argocd-swagger.json).
import { z } from "zod";
import type { IntegrationStatus } from "../health.ts";

const Version = z.object({ Version: z.string() }).passthrough();

export async function checkArgocd(url: string, token: string | undefined, timeoutMs: number): Promise<IntegrationStatus> {
  const checkedAt = new Date().toISOString();
  try {
    const res = await fetch(new URL("/api/version", url), {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) return { mode: "argocd", ok: false, detail: `Argo CD answered ${res.status}`, checkedAt };
    const body = Version.parse(await res.json());
    return { mode: "argocd", ok: true, detail: `Argo CD ${body.Version}`, checkedAt };
  } catch (e) {
    return { mode: "argocd", ok: false, detail: `Argo CD did not answer: ${(e as Error).message}`, checkedAt };
  }
}
