// The sandbox stands in for GitHub, including the button a repository's maintainer presses:
// merging a sandbox pull request (as a person would on github.com), after which the catalog
// brings its instances up to date at once. Exists only with the sandbox git host.
import { z } from "zod";
import { transaction } from "../core/db/client.ts";
import { recordAudit } from "../core/audit/record.ts";
import type { Actor } from "../core/auth/actor.ts";
import { ConflictError, NotFoundError } from "../core/errors.ts";
import { defineContract } from "../core/http/contract.ts";
import { GitHostError, type GitHost } from "../core/ports/git-host.ts";
import { gitHost } from "../integrations/git-host.ts";
import { refreshPullRequests } from "../templates/run.ts";

export const MergeParams = z.object({
  owner: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/),
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/),
  number: z.coerce.number().int().min(1),
});

export const mergeSandboxPullContract = defineContract({
  method: "POST",
  path: "/api/v1/sandbox/repos/{owner}/{name}/pulls/{number}/merge",
  tag: "Sandbox",
  summary: "Merge a sandbox pull request (sandbox mode only)",
  description: "What a maintainer does on GitHub, for the sandbox's local repositories. Not available when GitHub is connected.",
  access: "templates.instantiate",
  params: MergeParams,
  response: z.object({ sha: z.string(), merged: z.number().int() }),
  errors: ["not_found", "conflict"],
});

export async function mergeSandboxPull(actor: Actor, p: z.output<typeof MergeParams>, requestId?: string, host: GitHost = gitHost()) {
  if (host.kind !== "sandbox") throw new NotFoundError("Sandbox repository", `${p.owner}/${p.name}`);
  const repo = { owner: p.owner, name: p.name };
  const pr = await host.getPullRequest(repo, p.number);
  if (!pr) throw new NotFoundError(`Pull request of ${p.owner}/${p.name}`, String(p.number));
  let sha: string;
  try {
    ({ sha } = await host.mergePullRequest(repo, p.number, `Merge pull request #${p.number} from ${pr.head}`));
  } catch (e) {
    if (e instanceof GitHostError && e.kind === "conflict") throw new ConflictError(e.message);
    throw e;
  }
  await transaction((tx) =>
    recordAudit(tx, actor, {
      action: "sandbox.pull_request_merged",
      target: { type: "pull_request", id: `${p.owner}/${p.name}#${p.number}`, label: pr.title },
      payload: { repo: `${p.owner}/${p.name}`, number: p.number, sha },
      requestId,
    }),
  );
  const { merged } = await refreshPullRequests(host);
  return { sha, merged };
}
