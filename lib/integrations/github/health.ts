// GitHub: GET /rate_limit (free of rate-limit cost) through Octokit, the client every GitHub
// call of Paved goes through.
import { Octokit } from "@octokit/rest";
import type { IntegrationStatus } from "../health.ts";

export async function checkGithub(baseUrl: string, token: string, timeoutMs: number): Promise<IntegrationStatus> {
  const quiet = () => {};
  const octokit = new Octokit({
    auth: token,
    baseUrl,
    request: { signal: AbortSignal.timeout(timeoutMs) },
    // The answer is reported in the health status; Octokit's own request log would only add noise.
    log: { debug: quiet, info: quiet, warn: quiet, error: quiet },
  });
  const checkedAt = new Date().toISOString();
  try {
    const { data } = await octokit.rest.rateLimit.get();
    const core = data.resources.core;
    return { mode: "github", ok: true, detail: `${core.remaining}/${core.limit} API calls left this hour`, checkedAt };
  } catch (e) {
    const status = (e as { status?: number }).status;
    const detail = status === 401 ? "GitHub refused the token (401)" : `GitHub did not answer: ${(e as Error).message}`;
    return { mode: "github", ok: false, detail, checkedAt };
  }
}
