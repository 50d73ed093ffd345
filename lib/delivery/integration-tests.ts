// Cross-service integration tests: the first step of a run into an environment that has them
// (PATCH /api/v1/environments/{name} `integrationTests`), before the first wave. Either a GitHub
// Actions workflow run, dispatched through the GitHost port (in the sandbox, the local host plays
// one out) and awaited, or an HTTP check: a GET that must answer the expected status in time.
// Each says why it passes or blocks.
//
// Durable like the rest of a run: the dispatched run's id is saved in the step before it is
// awaited, so a worker that takes the run over awaits the same workflow run instead of starting
// another. GitHub unreachable (a retryable GitHostError) is thrown to the executor, which pauses
// the run and retries with backoff; anything GitHub refuses (no such workflow, no such branch)
// blocks, and so does an HTTP check that stays unreachable.
import { NotFoundError } from "../core/errors.ts";
import { GitHostError, type GitHost } from "../core/ports/git-host.ts";
import type { IntegrationCheck } from "../gitops/environments.ts";
import { parseRepositoryName } from "../gitops/repository.ts";
import { LocalGitHost } from "../integrations/localgit/git-host.ts";

/** What a check has done so far, kept in its step's detail. */
export interface CheckProgress {
  /** The workflow run dispatched, once it is. */
  runId?: number;
  url?: string;
  dispatchedAt?: string;
  /** The last thing seen: the run's status, or why the URL did not answer. */
  phase?: string;
}

export interface CheckOutcome {
  passed: boolean;
  /** Why, in a sentence. */
  reason: string;
  /** Where to see it (the workflow run's page). */
  url: string | null;
}

export interface CheckDeps {
  host: GitHost;
  sleep: (ms: number) => Promise<void>;
  /** Between two looks at a workflow run. */
  pollMs: number;
  /** Saves progress (and keeps the run's heartbeat); called before anything is awaited. */
  save: (progress: CheckProgress) => Promise<void>;
  now?: () => number;
}

/** Attempts at an HTTP check whose URL does not answer (1 s, then 2 s apart). */
export const HTTP_ATTEMPTS = 3;

export async function runIntegrationCheck(check: IntegrationCheck, progress: CheckProgress, deps: CheckDeps): Promise<CheckOutcome> {
  return check.kind === "http" ? httpCheck(check, deps) : workflowCheck(check, progress, deps);
}

async function httpCheck(check: Extract<IntegrationCheck, { kind: "http" }>, deps: CheckDeps): Promise<CheckOutcome> {
  let why = "";
  for (let attempt = 1; attempt <= HTTP_ATTEMPTS; attempt++) {
    try {
      const res = await fetch(check.url, { method: "GET", redirect: "follow", signal: AbortSignal.timeout(check.timeoutSeconds * 1000), headers: { "user-agent": "Paved integration check" } });
      await res.body?.cancel().catch(() => undefined);
      if (res.status === check.expectedStatus) return { passed: true, reason: `GET ${check.url} answered ${res.status}, as expected.`, url: null };
      return { passed: false, reason: `GET ${check.url} answered ${res.status}, not the expected ${check.expectedStatus}.`, url: null };
    } catch (e) {
      why = fetchFailure(e, check.timeoutSeconds);
      await deps.save({ phase: `no answer (attempt ${attempt} of ${HTTP_ATTEMPTS}): ${why}` });
      if (attempt < HTTP_ATTEMPTS) await deps.sleep(1000 * 2 ** (attempt - 1));
    }
  }
  return { passed: false, reason: `${check.url} is unreachable (${HTTP_ATTEMPTS} attempts): ${why}.`, url: null };
}

/** Why fetch failed, as a person would say it: "connection refused (ECONNREFUSED)", "no answer within 5 s". */
function fetchFailure(e: unknown, timeoutSeconds: number): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  if (err.name === "TimeoutError" || err.name === "AbortError") return `no answer within ${timeoutSeconds} s`;
  const code = err.cause?.code;
  if (code === "ECONNREFUSED") return "connection refused (ECONNREFUSED)";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return `the host name does not resolve (${code})`;
  return err.cause?.message ?? err.message;
}

async function workflowCheck(check: Extract<IntegrationCheck, { kind: "workflow" }>, progress: CheckProgress, deps: CheckDeps): Promise<CheckOutcome> {
  const now = deps.now ?? Date.now;
  const repo = parseRepositoryName(check.repository);
  const name = `${check.workflow} in ${check.repository}`;
  let { runId, url, dispatchedAt } = progress;
  if (runId === undefined) {
    let started: { id: number; webUrl: string };
    try {
      started = await deps.host.dispatchWorkflow(repo, check.workflow, check.ref ? { ref: check.ref } : {});
    } catch (e) {
      // GitHub unreachable or rate-limited: the run pauses and retries. Refused: the gate blocks.
      if (e instanceof GitHostError && !e.retryable) return { passed: false, reason: `Could not start ${name}: ${e.message}.`, url: null };
      throw e;
    }
    runId = started.id;
    url = started.webUrl;
    dispatchedAt = new Date(now()).toISOString();
    await deps.save({ runId, url, dispatchedAt, phase: "dispatched" });
  }
  const deadline = Date.parse(dispatchedAt ?? new Date(now()).toISOString()) + check.timeoutSeconds * 1000;
  for (;;) {
    let run: Awaited<ReturnType<GitHost["getWorkflowRun"]>>;
    try {
      run = await deps.host.getWorkflowRun(repo, runId);
    } catch (e) {
      if (e instanceof GitHostError && !e.retryable) return { passed: false, reason: `Could not follow run ${runId} of ${name}: ${e.message}.`, url: url ?? null };
      throw e;
    }
    if (!run) return { passed: false, reason: `Run ${runId} of ${name} no longer exists.`, url: url ?? null };
    if (run.status === "completed") {
      return run.conclusion === "success"
        ? { passed: true, reason: `Run ${runId} of ${name} succeeded.`, url: run.webUrl }
        : { passed: false, reason: `Run ${runId} of ${name} concluded ${run.conclusion ?? "without a conclusion"}.`, url: run.webUrl };
    }
    if (now() > deadline) {
      return { passed: false, reason: `Run ${runId} of ${name} did not finish within ${check.timeoutSeconds / 60} min (still ${run.status.replace("_", " ")}).`, url: run.webUrl };
    }
    await deps.save({ phase: run.status });
    await deps.sleep(deps.pollMs);
  }
}

/**
 * Sandbox only: how the local git host plays out the next runs of a workflow (a demo makes the
 * integration tests pass or fail with it). Not found when Paved is connected to GitHub.
 */
export async function setSandboxWorkflowOutcome(
  host: GitHost,
  input: { repository: string; workflow: string; conclusion: "success" | "failure" | "cancelled" | "timed_out" | null; durationSeconds: number },
): Promise<void> {
  if (!(host instanceof LocalGitHost)) throw new NotFoundError("The sandbox git host (Paved is connected to GitHub)");
  const repo = parseRepositoryName(input.repository);
  if (!(await host.getRepo(repo))) throw new NotFoundError("Repository", input.repository);
  await host.setWorkflowOutcome(repo, input.workflow, input.conclusion === null ? null : { conclusion: input.conclusion, durationMs: input.durationSeconds * 1000 });
}
