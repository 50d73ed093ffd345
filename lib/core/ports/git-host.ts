// The GitHost port: what Paved needs from a git hosting service. Adapters: GitHub through Octokit
// (lib/integrations/github) and local git repositories for the sandbox (lib/integrations/localgit).
// Used by the catalog (instantiate, upgrade pull requests, adoption scans) and by delivery
// (promotion commits to the GitOps repository). Vendor types never cross this interface.

export interface RepoRef {
  owner: string;
  name: string;
}

export interface RepoInfo extends RepoRef {
  /** "owner/name" */
  fullName: string;
  defaultBranch: string;
  private: boolean;
  description: string | null;
  /** A link a person can open: github.com, or Paved's sandbox repository browser. */
  webUrl: string;
  /** False for a repository with no commit yet. */
  hasCommits: boolean;
}

/** A file at a ref with its git blob id: equal ids mean equal contents, in any repository and at any commit. */
export interface FileEntry {
  path: string;
  /** The blob's sha (40 hex digits). */
  sha: string;
}

export interface FileChange {
  path: string;
  /** New content; null deletes the file. */
  content: string | null;
}

export interface PullRequest {
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  state: "open" | "closed" | "merged";
  webUrl: string;
  headSha: string;
  createdAt: string;
}

export interface PullRequestFile {
  path: string;
  status: "added" | "modified" | "removed";
  /** Unified diff of the file (may be absent for very large or binary files). */
  patch: string | null;
}

/** A GitHub Actions workflow run (in the sandbox, the local host's stand-in for one). */
export interface WorkflowRun {
  id: number;
  /** The workflow's file name under .github/workflows ("integration-tests.yml"). */
  workflow: string;
  /** The branch it runs on. */
  ref: string;
  status: "queued" | "in_progress" | "completed";
  /** Once completed: "success", "failure", "cancelled", "timed_out", …; null before. */
  conclusion: string | null;
  webUrl: string;
  createdAt: string;
}

/** A failure the caller can act on: `retryable` for rate limits, 5xx and network errors. */
export class GitHostError extends Error {
  constructor(
    message: string,
    readonly kind: "not_found" | "forbidden" | "conflict" | "invalid" | "rate_limited" | "unavailable",
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "GitHostError";
  }
}

export interface GitHost {
  readonly kind: "github" | "sandbox";
  /** The owner new repositories are created under by default (the GitHub organisation, or "demo"). */
  readonly defaultOwner: string;

  getRepo(repo: RepoRef): Promise<RepoInfo | null>;
  listRepos(owner: string): Promise<RepoInfo[]>;
  /** Creates a repository with an initial commit on its default branch (a README). Private unless `private: false`; `conflict` when it exists. */
  createRepo(repo: RepoRef, options: { description?: string; private?: boolean }): Promise<RepoInfo>;

  /** A file's content at a ref (default: the default branch), or null when it, the ref or the repository does not exist. */
  readFile(repo: RepoRef, path: string, ref?: string): Promise<string | null>;
  /** Every file path at a ref (default: the default branch). */
  listFiles(repo: RepoRef, ref?: string): Promise<string[]>;
  /**
   * Every file at a ref (default: the default branch) with its blob id, in one call (`git ls-tree -r`,
   * GitHub's recursive tree), so that a caller can keep contents by blob id and read only what changed.
   * Fails as `listFiles` does.
   */
  listFilesWithIds(repo: RepoRef, ref?: string): Promise<FileEntry[]>;
  /**
   * Several files' contents at a ref (default: the default branch), in one batch rather than a
   * request per file: path → content, as `readFile` would give each. Paths that do not exist (or
   * are not files) are absent; no repository or no such ref gives an empty map.
   */
  readFiles(repo: RepoRef, paths: readonly string[], ref?: string): Promise<Map<string, string>>;
  /** Blobs' contents by their ids (from `listFilesWithIds`), in one batch: sha → content; unknown ids are absent. */
  readBlobs(repo: RepoRef, shas: readonly string[]): Promise<Map<string, string>>;

  /** The commit sha a branch points at, or null when there is no such branch. */
  getBranch(repo: RepoRef, branch: string): Promise<string | null>;
  /** Creates `branch` at `from` (a branch name); a no-op when it already exists. */
  createBranch(repo: RepoRef, branch: string, from: string): Promise<string>;
  /** A no-op when the branch does not exist. Closes open pull requests from it (as GitHub does). */
  deleteBranch(repo: RepoRef, branch: string): Promise<void>;
  /** Commits the changes on top of the branch; returns the new commit sha (or the current one when nothing changed). */
  commitFiles(repo: RepoRef, branch: string, changes: FileChange[], message: string): Promise<string>;

  /** The newest pull request from `head` (default: open ones only). */
  findPullRequest(repo: RepoRef, head: string, state?: "open" | "all"): Promise<PullRequest | null>;
  /** `invalid` when head has no commits that base lacks, or a branch is missing; `conflict` when one is already open for head. */
  openPullRequest(repo: RepoRef, input: { head: string; base: string; title: string; body: string }): Promise<PullRequest>;
  getPullRequest(repo: RepoRef, number: number): Promise<PullRequest | null>;
  listPullRequestFiles(repo: RepoRef, number: number): Promise<PullRequestFile[]>;
  /** A merge commit on base (GitHub's "merge" method); `conflict` when it is not open or its changes conflict. */
  mergePullRequest(repo: RepoRef, number: number, message?: string): Promise<{ sha: string }>;

  /**
   * Starts a run of the workflow `.github/workflows/<workflow>` on `ref` (a branch; default: the
   * default branch), as a `workflow_dispatch` event: the run's id and page. `not_found` when the
   * repository or the workflow does not exist, `invalid` for a ref that does not.
   */
  dispatchWorkflow(repo: RepoRef, workflow: string, options?: { ref?: string; inputs?: Record<string, string> }): Promise<{ id: number; webUrl: string }>;
  /** A workflow run by id, or null when there is no such run. */
  getWorkflowRun(repo: RepoRef, runId: number): Promise<WorkflowRun | null>;
}
