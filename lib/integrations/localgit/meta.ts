// What the sandbox knows about a repository beyond git itself: its description and visibility,
// its pull requests (git has no pull requests) and its workflow runs (nothing runs them). One JSON file per repository, `paved.json`
// inside the bare repository (so a repository and its metadata appear in one rename), read
// without a lock and changed only under `paved.json.lock`.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { withLock, writeFileAtomic } from "./lock.ts";

const StoredPull = z.object({
  number: z.number().int().positive(),
  title: z.string(),
  body: z.string(),
  head: z.string(),
  base: z.string(),
  state: z.enum(["open", "closed", "merged"]),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** The head commit when the pull request was opened, merged or closed (while open, the branch's tip wins). */
  headSha: z.string(),
  /** Where the pull request's changes start, fixed when it is merged (the diff stays readable afterwards). */
  mergeBaseSha: z.string().nullable().default(null),
  mergedSha: z.string().nullable().default(null),
  mergedAt: z.string().nullable().default(null),
  closedAt: z.string().nullable().default(null),
});
export type StoredPull = z.infer<typeof StoredPull>;

/**
 * A workflow run's stand-in: the sandbox runs no workflow, it plays one out. The conclusion is
 * decided when the run is dispatched (from the workflow's outcome set by a test or a demo, else
 * success) and reached `durationMs` after `createdAt`.
 */
const StoredWorkflowRun = z.object({
  id: z.number().int().positive(),
  workflow: z.string(),
  ref: z.string(),
  headSha: z.string(),
  inputs: z.record(z.string(), z.string()).default({}),
  createdAt: z.string(),
  durationMs: z.number().int().min(0),
  conclusion: z.string(),
});
export type StoredWorkflowRun = z.infer<typeof StoredWorkflowRun>;

/** How the sandbox plays out a workflow's runs. */
export const WorkflowOutcome = z.object({
  conclusion: z.enum(["success", "failure", "cancelled", "timed_out"]),
  durationMs: z.number().int().min(0).max(3_600_000),
});
export type WorkflowOutcome = z.infer<typeof WorkflowOutcome>;

const RepoMeta = z.object({
  version: z.literal(1),
  description: z.string().nullable(),
  private: z.boolean(),
  createdAt: z.string(),
  pulls: z.array(StoredPull),
  runs: z.array(StoredWorkflowRun).default([]),
  /** By workflow file name. */
  workflowOutcomes: z.record(z.string(), WorkflowOutcome).default({}),
});
export type RepoMeta = z.infer<typeof RepoMeta>;

export const META_FILE = "paved.json";

export function newMeta(options: { description?: string | null; private?: boolean }): RepoMeta {
  return { version: 1, description: options.description ?? null, private: options.private ?? true, createdAt: new Date().toISOString(), pulls: [], runs: [], workflowOutcomes: {} };
}

/** The repository's metadata; defaults for a bare repository made by hand (no paved.json). */
export async function readMeta(gitDir: string): Promise<RepoMeta> {
  let text: string;
  try {
    text = await readFile(path.join(gitDir, META_FILE), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return newMeta({});
    throw e;
  }
  return RepoMeta.parse(JSON.parse(text));
}

export async function writeMeta(gitDir: string, meta: RepoMeta): Promise<void> {
  await writeFileAtomic(path.join(gitDir, META_FILE), `${JSON.stringify(RepoMeta.parse(meta), null, 2)}\n`);
}

/**
 * Reads, changes and writes the metadata under the repository's lock. `change` may also do git
 * work that must not interleave with another process's change (numbering, merging): it runs
 * inside the lock. Its result is returned; the metadata is written only when it returns `write: true`.
 */
export async function updateMeta<T>(gitDir: string, change: (meta: RepoMeta) => Promise<{ result: T; write: boolean }>): Promise<T> {
  return withLock(path.join(gitDir, `${META_FILE}.lock`), async () => {
    const meta = await readMeta(gitDir);
    const { result, write } = await change(meta);
    if (write) await writeMeta(gitDir, meta);
    return result;
  });
}
