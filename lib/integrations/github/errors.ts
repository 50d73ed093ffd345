// GitHub's answers, as GitHostErrors a person (or a retrying job) can act on. Octokit's retry and
// throttling plugins have already retried what is worth retrying by the time an error gets here.
import { GitHostError } from "../../core/ports/git-host.ts";

/** What the adapter was doing, to say it in the message: "the GitHub token cannot write to demo/x". */
export interface CallContext {
  /** read: repository contents; write: branches, commits, pull requests; create: new repositories; actions: workflow runs. */
  access: "read" | "write" | "create" | "actions";
  /** "owner/name", or the organisation for `create` */
  target: string;
  /** e.g. "open a pull request", for messages that need it */
  action: string;
}

interface HttpErrorLike {
  status: number;
  message: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

export function httpStatus(e: unknown): number | undefined {
  const status = (e as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}

function asHttpError(e: unknown): HttpErrorLike | null {
  return httpStatus(e) !== undefined && e instanceof Error ? (e as unknown as HttpErrorLike) : null;
}

/** GitHub's own words: `message` plus each `errors[].message` of a validation failure. */
export function githubMessage(e: unknown): string {
  const err = asHttpError(e);
  const data = err?.response?.data as { message?: unknown; errors?: unknown } | undefined;
  const parts: string[] = [];
  if (typeof data?.message === "string") parts.push(data.message);
  if (Array.isArray(data?.errors)) {
    for (const item of data.errors) {
      if (typeof item === "string") parts.push(item);
      else if (item && typeof item === "object") {
        const { message, field, code } = item as { message?: unknown; field?: unknown; code?: unknown };
        if (typeof message === "string") parts.push(message);
        else if (typeof field === "string") parts.push(`${field} ${typeof code === "string" ? code : "invalid"}`);
      }
    }
  }
  return parts.length ? parts.join(": ") : (err?.message ?? (e as Error)?.message ?? String(e));
}

export function isRateLimit(e: unknown): boolean {
  const err = asHttpError(e);
  if (!err) return false;
  if (err.status === 429) return true;
  if (err.status !== 403) return false;
  return String(err.response?.headers?.["x-ratelimit-remaining"]) === "0" || /rate limit/i.test(githubMessage(e));
}

/** True when GitHub's 422 says that something already exists or moved (a conflict, not bad input). */
function isConflict422(message: string): boolean {
  return /already exists|not a fast.forward|fast forward|update is not a fast/i.test(message);
}

export function toGitHostError(e: unknown, ctx: CallContext): GitHostError {
  if (e instanceof GitHostError) return e;
  const status = httpStatus(e);
  const said = githubMessage(e);
  if (status === undefined) {
    return new GitHostError(`GitHub did not answer (${ctx.action} on ${ctx.target}): ${said}`, "unavailable", true, { cause: e });
  }
  if (isRateLimit(e)) {
    return new GitHostError(`GitHub's rate limit was reached (${ctx.action} on ${ctx.target}); try again later: ${said}`, "rate_limited", true, { cause: e });
  }
  if (status === 401) {
    return new GitHostError(`GitHub refused the token (401 ${said}): check GITHUB_TOKEN`, "forbidden", false, { cause: e });
  }
  if (status === 403) {
    const verb =
      ctx.access === "create" ? `create repositories in ${ctx.target}` : ctx.access === "write" ? `write to ${ctx.target}` : ctx.access === "actions" ? `run workflows in ${ctx.target}` : `read ${ctx.target}`;
    const needs =
      ctx.access === "create"
        ? "it needs the organisation's permission to create repositories (classic token: repo scope; fine-grained: Administration read and write)"
        : ctx.access === "write"
          ? "give it Contents, Pull requests and Workflows read and write access to that repository (GitHub refuses changes under .github/workflows without Workflows)"
          : ctx.access === "actions"
            ? "give it Actions read and write access to that repository (to start workflow runs and follow them)"
            : "give it Contents read access to that repository";
    return new GitHostError(`the GitHub token cannot ${verb} (${ctx.action}): ${needs}. GitHub said: ${said}`, "forbidden", false, { cause: e });
  }
  if (status === 404) {
    return new GitHostError(`${ctx.target} was not found on GitHub, or the token cannot see it (${ctx.action}): ${said}`, "not_found", false, { cause: e });
  }
  if (status === 409 || status === 405) {
    return new GitHostError(`GitHub refused to ${ctx.action} on ${ctx.target}: ${said}`, "conflict", false, { cause: e });
  }
  if (status === 422) {
    const kind = isConflict422(said) ? "conflict" : "invalid";
    return new GitHostError(`GitHub refused to ${ctx.action} on ${ctx.target}: ${said}`, kind, false, { cause: e });
  }
  if (status >= 500) {
    return new GitHostError(`GitHub failed to ${ctx.action} on ${ctx.target} (${status}) even after retries: ${said}`, "unavailable", true, { cause: e });
  }
  return new GitHostError(`GitHub refused to ${ctx.action} on ${ctx.target} (${status}): ${said}`, "invalid", false, { cause: e });
}
