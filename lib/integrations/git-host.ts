// Which GitHost this process uses: GitHub when GITHUB_TOKEN is set (in GITHUB_ORG, through
// GITHUB_API_URL), else the sandbox's local git repositories in PAVED_DATA_DIR. Chosen once per
// process from the configuration, like the other integrations (lib/integrations/health.ts).
import { env, type Env } from "../core/env.ts";
import type { GitHost } from "../core/ports/git-host.ts";
import { GitHubGitHost } from "./github/git-host.ts";
import { LocalGitHost } from "./localgit/git-host.ts";

/** The adapter the configuration asks for. */
export function createGitHost(e: Env): GitHost {
  if (e.github.token) {
    if (!e.github.org) {
      throw new Error("GITHUB_ORG must be set along with GITHUB_TOKEN: it names the GitHub organisation Paved creates and scans repositories in.");
    }
    return new GitHubGitHost({ token: e.github.token, baseUrl: e.github.apiUrl, owner: e.github.org });
  }
  return new LocalGitHost({ dataDir: e.dataDir });
}

let cached: GitHost | undefined;

/** The process's GitHost (one client, so that rate limits and write pacing are shared). */
export function gitHost(): GitHost {
  cached ??= createGitHost(env());
  return cached;
}

/** For tests that change the configuration. */
export function resetGitHost(): void {
  cached = undefined;
}
