// The parts of GitHub's answers Paved reads, parsed (STYLE habit 9): if GitHub ever answers
// something else, the adapter says so instead of passing undefined along.
import { z } from "zod";

export const GhRepo = z.object({
  name: z.string(),
  full_name: z.string(),
  owner: z.object({ login: z.string() }),
  private: z.boolean(),
  description: z.string().nullable(),
  html_url: z.string(),
  default_branch: z.string().optional(),
  size: z.number().optional(),
});
export type GhRepo = z.infer<typeof GhRepo>;

export const GhUser = z.object({ login: z.string() });

export const GhRef = z.object({ ref: z.string(), object: z.object({ sha: z.string(), type: z.string() }) });

export const GhCommit = z.object({ sha: z.string(), tree: z.object({ sha: z.string() }) });

export const GhTree = z.object({
  sha: z.string(),
  truncated: z.boolean(),
  tree: z.array(z.object({ path: z.string(), mode: z.string(), type: z.string(), sha: z.string() })),
});
export type GhTree = z.infer<typeof GhTree>;

export const GhSha = z.object({ sha: z.string() });

/** repos.getContent answers a file, a directory (an array), a symlink or a submodule. */
export const GhContent = z.union([
  z.array(z.unknown()),
  z.object({
    type: z.string(),
    sha: z.string(),
    content: z.string().optional(),
    encoding: z.string().optional(),
  }),
]);

export const GhBlob = z.object({ content: z.string(), encoding: z.string() });

export const GhPull = z.object({
  number: z.number(),
  title: z.string(),
  body: z.string().nullable(),
  state: z.enum(["open", "closed"]),
  merged_at: z.string().nullable(),
  html_url: z.string(),
  created_at: z.string(),
  head: z.object({ ref: z.string(), sha: z.string() }),
  base: z.object({ ref: z.string() }),
});
export type GhPull = z.infer<typeof GhPull>;

export const GhDiffEntry = z.object({
  filename: z.string(),
  status: z.enum(["added", "removed", "modified", "renamed", "copied", "changed", "unchanged"]),
  patch: z.string().optional(),
  previous_filename: z.string().optional(),
});

export const GhMergeResult = z.object({ sha: z.string(), merged: z.boolean(), message: z.string() });

/** The answer to a workflow dispatch with `return_run_details`. */
export const GhDispatchedRun = z.object({ workflow_run_id: z.number().int(), run_url: z.string(), html_url: z.string() });

export const GhWorkflowRun = z.object({
  id: z.number().int(),
  path: z.string(),
  head_branch: z.string().nullable(),
  status: z.string().nullable(),
  conclusion: z.string().nullable(),
  html_url: z.string(),
  created_at: z.string(),
});
