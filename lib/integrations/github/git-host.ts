// GitHost on GitHub's REST API through Octokit (client.ts: retries, rate limits, write pacing).
// Commits go through the Git Data API (blobs → tree on base_tree → commit → ref update that must
// fast-forward), so nothing is cloned and a concurrent commit is never overwritten. Octokit's
// types stay in this folder: callers see the port's types and GitHostErrors only.
import { createHash } from "node:crypto";
import type { z } from "zod";
import {
  GitHostError,
  type FileChange,
  type FileEntry,
  type GitHost,
  type PullRequest,
  type PullRequestFile,
  type RepoInfo,
  type RepoRef,
  type WorkflowRun,
} from "../../core/ports/git-host.ts";
import { createGitHubClient, type GitHubClient, type GitHubClientOptions } from "./client.ts";
import { httpStatus, toGitHostError, type CallContext } from "./errors.ts";
import { GhBlob, GhCommit, GhContent, GhDiffEntry, GhDispatchedRun, GhMergeResult, GhPull, GhRef, GhRepo, GhSha, GhTree, GhUser, GhWorkflowRun, type GhTree as GhTreeT } from "./schemas.ts";

export interface GitHubGitHostOptions extends GitHubClientOptions {
  /** GITHUB_ORG: where new repositories go by default. */
  owner: string;
}

/** How often a commit is rebuilt on a branch that moved meanwhile before giving up. */
const MAX_COMMIT_ATTEMPTS = 5;
/** Blob requests one batch read keeps in flight. */
const BLOB_READS_AT_ONCE = 8;

/** Runs `fn` on every item, at most `limit` at once; the first failure stops taking new items and is thrown. */
async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function full(repo: RepoRef): string {
  return `${repo.owner}/${repo.name}`;
}

/** The blob id git (and GitHub) gives `content`: sha1("blob <bytes>\0" + content). */
export function gitBlobSha(content: string): string {
  const body = Buffer.from(content, "utf8");
  return createHash("sha1").update(`blob ${body.length}\0`).update(body).digest("hex");
}

function parse<S extends z.ZodType>(schema: S, data: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new GitHostError(`GitHub answered ${what} in an unexpected shape: ${parsed.error.issues[0]?.message ?? "invalid"}`, "unavailable", false);
  return parsed.data;
}

export class GitHubGitHost implements GitHost {
  readonly kind = "github" as const;
  readonly defaultOwner: string;
  private readonly octokit: GitHubClient;
  private login: Promise<string | null> | undefined;

  constructor(options: GitHubGitHostOptions) {
    this.defaultOwner = options.owner;
    this.octokit = createGitHubClient(options);
  }

  /** Runs a GitHub call; its failure becomes a GitHostError that says what was being done. */
  private async call<T>(ctx: CallContext, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toGitHostError(e, ctx);
    }
  }

  /** As `call`, but a 404 (or one of the listed statuses) is an answer: null. */
  private async callOrNull<T>(ctx: CallContext, fn: () => Promise<T>, nullOn: number[] = [404]): Promise<T | null> {
    try {
      return await fn();
    } catch (e) {
      const status = httpStatus(e);
      if (status !== undefined && nullOn.includes(status) && !(e instanceof GitHostError)) return null;
      throw toGitHostError(e, ctx);
    }
  }

  private read(repo: RepoRef, action: string): CallContext {
    return { access: "read", target: full(repo), action };
  }

  private write(repo: RepoRef, action: string): CallContext {
    return { access: "write", target: full(repo), action };
  }

  /** The token's own login (null for tokens that have none, such as a GitHub App's). */
  private tokenLogin(): Promise<string | null> {
    this.login ??= this.octokit.rest.users.getAuthenticated().then(
      ({ data }) => parse(GhUser, data, "the token's user").login,
      () => null,
    );
    return this.login;
  }

  private async toRepoInfo(data: unknown, knownHasCommits?: boolean): Promise<RepoInfo> {
    const r = parse(GhRepo, data, "a repository");
    const ref = { owner: r.owner.login, name: r.name };
    const defaultBranch = r.default_branch ?? "main";
    // GitHub's size is 0 for an empty repository, but also for a small one whose size it has not
    // computed yet: only then ask whether the default branch exists.
    const hasCommits = knownHasCommits ?? ((r.size ?? 0) > 0 || (await this.getBranch(ref, defaultBranch)) !== null);
    return {
      owner: ref.owner,
      name: ref.name,
      fullName: r.full_name,
      defaultBranch,
      private: r.private,
      description: r.description,
      webUrl: r.html_url,
      hasCommits,
    };
  }

  async getRepo(repo: RepoRef): Promise<RepoInfo | null> {
    const data = await this.callOrNull(this.read(repo, "read the repository"), async () => (await this.octokit.rest.repos.get({ owner: repo.owner, repo: repo.name })).data);
    return data ? this.toRepoInfo(data) : null;
  }

  async listRepos(owner: string): Promise<RepoInfo[]> {
    const ctx: CallContext = { access: "read", target: owner, action: "list repositories" };
    let items = await this.callOrNull(ctx, () => this.octokit.paginate(this.octokit.rest.repos.listForOrg, { org: owner, per_page: 100, sort: "full_name" }));
    // Not an organisation: a user's (public) repositories.
    items ??= await this.callOrNull(ctx, () => this.octokit.paginate(this.octokit.rest.repos.listForUser, { username: owner, per_page: 100, sort: "full_name" }));
    if (items === null) throw new GitHostError(`there is no GitHub organisation or user named ${owner}, or the token cannot see it`, "not_found", false);
    const repos = await Promise.all(items.map((item) => this.toRepoInfo(item)));
    return repos.sort((a, b) => a.name.localeCompare(b.name));
  }

  async createRepo(repo: RepoRef, options: { description?: string; private?: boolean }): Promise<RepoInfo> {
    if (!/^[A-Za-z0-9._-]{1,100}$/.test(repo.name) || repo.name.startsWith(".")) {
      throw new GitHostError(`"${repo.name}" is not a valid repository name: use letters, digits, ".", "_" and "-" (at most 100)`, "invalid", false);
    }
    const body = { name: repo.name, description: options.description, private: options.private ?? true, auto_init: true };
    const login = await this.tokenLogin();
    const ctx: CallContext = { access: "create", target: repo.owner, action: `create ${full(repo)}` };
    const data = await this.call(ctx, async () =>
      login !== null && login.toLowerCase() === repo.owner.toLowerCase()
        ? (await this.octokit.rest.repos.createForAuthenticatedUser(body)).data
        : (await this.octokit.rest.repos.createInOrg({ org: repo.owner, ...body })).data,
    );
    // auto_init: GitHub commits a README on the default branch.
    return this.toRepoInfo(data, true);
  }

  async readFile(repo: RepoRef, path: string, ref?: string): Promise<string | null> {
    const ctx = this.read(repo, `read ${path}`);
    const data = await this.callOrNull(ctx, async () => (await this.octokit.rest.repos.getContent({ owner: repo.owner, repo: repo.name, path, ...(ref ? { ref } : {}) })).data);
    if (data === null) return null;
    const content = parse(GhContent, data, "a file");
    if (Array.isArray(content) || content.type !== "file") return null;
    if (content.encoding === "base64" && content.content !== undefined) return Buffer.from(content.content, "base64").toString("utf8");
    // Files of 1–100 MB come without content ("encoding": "none"): fetch the blob.
    const blob = await this.call(ctx, async () => (await this.octokit.rest.git.getBlob({ owner: repo.owner, repo: repo.name, file_sha: content.sha })).data);
    const parsed = parse(GhBlob, blob, "a blob");
    return Buffer.from(parsed.content, parsed.encoding === "base64" ? "base64" : "utf8").toString("utf8");
  }

  /** Every entry of a tree, recursively; walks subtrees one by one when GitHub truncates the answer. */
  private async fullTree(repo: RepoRef, treeish: string, ctx: CallContext): Promise<GhTreeT["tree"] | null> {
    const get = async (sha: string, recursive: boolean) => {
      const data = await this.callOrNull(ctx, async () => (await this.octokit.rest.git.getTree({ owner: repo.owner, repo: repo.name, tree_sha: sha, ...(recursive ? { recursive: "1" } : {}) })).data);
      return data === null ? null : parse(GhTree, data, "a tree");
    };
    const top = await get(treeish, true);
    if (!top) return null;
    if (!top.truncated) return top.tree;
    const walk = async (sha: string, prefix: string): Promise<GhTreeT["tree"]> => {
      const tree = await get(sha, false);
      if (!tree) return [];
      const entries: GhTreeT["tree"] = [];
      for (const entry of tree.tree) {
        const path = `${prefix}${entry.path}`;
        entries.push({ ...entry, path });
        if (entry.type === "tree") entries.push(...(await walk(entry.sha, `${path}/`)));
      }
      return entries;
    };
    return walk(top.sha, "");
  }

  /**
   * Every entry at a ref (default: the default branch), or null when the repository has no
   * commits and no ref was asked for; `not_found` for a missing repository or ref.
   */
  private async entriesAt(repo: RepoRef, ref: string | undefined, ctx: CallContext): Promise<GhTreeT["tree"] | null> {
    let at = ref;
    if (at === undefined) {
      const info = await this.getRepo(repo);
      if (!info) throw new GitHostError(`repository ${full(repo)} not found on GitHub, or the token cannot see it`, "not_found", false);
      if (!info.hasCommits) return null;
      at = info.defaultBranch;
    }
    // 409: the repository is empty.
    let tree: GhTreeT["tree"] | null;
    try {
      tree = await this.fullTree(repo, at, ctx);
    } catch (e) {
      if (e instanceof GitHostError && e.kind === "conflict" && ref === undefined) return null;
      throw e;
    }
    if (tree === null) throw new GitHostError(`ref ${at} not found in ${full(repo)}`, "not_found", false);
    return tree;
  }

  async listFiles(repo: RepoRef, ref?: string): Promise<string[]> {
    return (await this.listFilesWithIds(repo, ref)).map((e) => e.path);
  }

  async listFilesWithIds(repo: RepoRef, ref?: string): Promise<FileEntry[]> {
    const tree = await this.entriesAt(repo, ref, this.read(repo, "list files"));
    return (tree ?? []).filter((e) => e.type === "blob").map((e) => ({ path: e.path, sha: e.sha }));
  }

  async readFiles(repo: RepoRef, paths: readonly string[], ref?: string): Promise<Map<string, string>> {
    if (paths.length === 0) return new Map();
    let tree: GhTreeT["tree"] | null;
    try {
      tree = await this.entriesAt(repo, ref, this.read(repo, `read ${paths.length} files`));
    } catch (e) {
      // As readFile: no repository, no ref or an empty repository is no file.
      if (e instanceof GitHostError && (e.kind === "not_found" || e.kind === "conflict")) return new Map();
      throw e;
    }
    // As readFile (the contents API answers a symlink or a submodule as no file): regular files only.
    const byPath = new Map((tree ?? []).filter((e) => e.type === "blob" && e.mode !== "120000").map((e) => [e.path, e.sha]));
    const wanted = [...new Set(paths)].filter((p) => byPath.has(p));
    const blobs = await this.readBlobs(repo, wanted.map((p) => byPath.get(p)!));
    const out = new Map<string, string>();
    for (const p of wanted) {
      const content = blobs.get(byPath.get(p)!);
      if (content !== undefined) out.set(p, content);
    }
    return out;
  }

  async readBlobs(repo: RepoRef, shas: readonly string[]): Promise<Map<string, string>> {
    const ctx = this.read(repo, "read blobs");
    const unique = [...new Set(shas)];
    const bad = unique.find((sha) => !/^[0-9a-f]{40}$/.test(sha));
    if (bad !== undefined) throw new GitHostError(`"${bad}" is not a blob id`, "invalid", false);
    const out = new Map<string, string>();
    // The Git Data API has no batch read: one request per blob, a few at a time.
    await forEachLimited(unique, BLOB_READS_AT_ONCE, async (sha) => {
      const data = await this.callOrNull(ctx, async () => (await this.octokit.rest.git.getBlob({ owner: repo.owner, repo: repo.name, file_sha: sha })).data);
      if (data === null) return;
      const blob = parse(GhBlob, data, "a blob");
      out.set(sha, Buffer.from(blob.content, blob.encoding === "base64" ? "base64" : "utf8").toString("utf8"));
    });
    return out;
  }

  async getBranch(repo: RepoRef, branch: string): Promise<string | null> {
    // 409: an empty repository has no branches.
    const data = await this.callOrNull(
      this.read(repo, `read branch ${branch}`),
      async () => (await this.octokit.rest.git.getRef({ owner: repo.owner, repo: repo.name, ref: `heads/${branch}` })).data,
      [404, 409],
    );
    return data === null ? null : parse(GhRef, data, "a ref").object.sha;
  }

  async createBranch(repo: RepoRef, branch: string, from: string): Promise<string> {
    const existing = await this.getBranch(repo, branch);
    if (existing) return existing;
    const sha = await this.getBranch(repo, from);
    if (!sha) throw new GitHostError(`branch ${from} not found in ${full(repo)}`, "not_found", false);
    try {
      await this.call(this.write(repo, `create branch ${branch}`), () => this.octokit.rest.git.createRef({ owner: repo.owner, repo: repo.name, ref: `refs/heads/${branch}`, sha }));
      return sha;
    } catch (e) {
      // Created meanwhile by someone else: creating is idempotent.
      if (e instanceof GitHostError && e.kind === "conflict") {
        const now = await this.getBranch(repo, branch);
        if (now) return now;
      }
      throw e;
    }
  }

  async deleteBranch(repo: RepoRef, branch: string): Promise<void> {
    try {
      await this.octokit.rest.git.deleteRef({ owner: repo.owner, repo: repo.name, ref: `heads/${branch}` });
    } catch (e) {
      // 422 "Reference does not exist": already gone, which is what was asked.
      if (httpStatus(e) === 422 && (await this.getBranch(repo, branch)) === null) return;
      throw toGitHostError(e, this.write(repo, `delete branch ${branch}`));
    }
  }

  async commitFiles(repo: RepoRef, branch: string, changes: FileChange[], message: string): Promise<string> {
    const ctx = this.write(repo, `commit to ${branch}`);
    const { owner, name } = repo;
    // The last change to a path wins.
    const byPath = new Map(changes.map((c) => [c.path, c.content]));
    for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
      const head = await this.getBranch(repo, branch);
      if (!head) throw new GitHostError(`branch ${branch} not found in ${full(repo)}`, "not_found", false);
      if (byPath.size === 0) return head;
      const commit = parse(GhCommit, await this.call(ctx, async () => (await this.octokit.rest.git.getCommit({ owner, repo: name, commit_sha: head })).data), "a commit");
      const current = new Map(((await this.fullTree(repo, commit.tree.sha, ctx)) ?? []).map((e) => [e.path, e]));

      // Only what differs: unchanged files are skipped (no blob written), deleting a missing file is a no-op.
      const entries: { path: string; mode: "100644" | "100755"; type: "blob"; sha: string | null }[] = [];
      for (const [path, content] of byPath) {
        const existing = current.get(path);
        const mode = existing?.mode === "100755" ? "100755" : "100644";
        if (content === null) {
          if (existing?.type === "blob") entries.push({ path, mode, type: "blob", sha: null });
        } else if (existing?.sha !== gitBlobSha(content) || existing.type !== "blob") {
          const blob = await this.call(ctx, async () => (await this.octokit.rest.git.createBlob({ owner, repo: name, content: Buffer.from(content, "utf8").toString("base64"), encoding: "base64" })).data);
          entries.push({ path, mode, type: "blob", sha: parse(GhSha, blob, "a blob").sha });
        }
      }
      if (entries.length === 0) return head;

      const tree = parse(GhSha, await this.call(ctx, async () => (await this.octokit.rest.git.createTree({ owner, repo: name, base_tree: commit.tree.sha, tree: entries })).data), "a tree");
      if (tree.sha === commit.tree.sha) return head;
      const created = parse(GhSha, await this.call(ctx, async () => (await this.octokit.rest.git.createCommit({ owner, repo: name, message, tree: tree.sha, parents: [head] })).data), "a commit");
      try {
        // force: false — only a fast-forward: a commit made meanwhile is never overwritten.
        await this.call(ctx, () => this.octokit.rest.git.updateRef({ owner, repo: name, ref: `heads/${branch}`, sha: created.sha, force: false }));
        return created.sha;
      } catch (e) {
        if (!(e instanceof GitHostError && e.kind === "conflict")) throw e;
        // The branch moved: rebuild this commit on top of the new tip.
      }
    }
    throw new GitHostError(`branch ${branch} of ${full(repo)} kept moving while committing; try again`, "conflict", true);
  }

  private toPullRequest(data: unknown): PullRequest {
    const p = parse(GhPull, data, "a pull request");
    return {
      number: p.number,
      title: p.title,
      body: p.body ?? "",
      head: p.head.ref,
      base: p.base.ref,
      state: p.merged_at ? "merged" : p.state,
      webUrl: p.html_url,
      headSha: p.head.sha,
      createdAt: p.created_at,
    };
  }

  async findPullRequest(repo: RepoRef, head: string, state: "open" | "all" = "open"): Promise<PullRequest | null> {
    const items = await this.callOrNull(this.read(repo, `find the pull request from ${head}`), () =>
      this.octokit.paginate(this.octokit.rest.pulls.list, { owner: repo.owner, repo: repo.name, head: `${repo.owner}:${head}`, state, per_page: 100 }),
    );
    const pulls = (items ?? []).map((item) => this.toPullRequest(item)).filter((p) => p.head === head);
    return pulls.sort((a, b) => b.number - a.number)[0] ?? null;
  }

  async openPullRequest(repo: RepoRef, input: { head: string; base: string; title: string; body: string }): Promise<PullRequest> {
    const data = await this.call(this.write(repo, "open a pull request"), async () => (await this.octokit.rest.pulls.create({ owner: repo.owner, repo: repo.name, ...input })).data);
    return this.toPullRequest(data);
  }

  async getPullRequest(repo: RepoRef, number: number): Promise<PullRequest | null> {
    const data = await this.callOrNull(this.read(repo, `read pull request #${number}`), async () => (await this.octokit.rest.pulls.get({ owner: repo.owner, repo: repo.name, pull_number: number })).data);
    return data === null ? null : this.toPullRequest(data);
  }

  async listPullRequestFiles(repo: RepoRef, number: number): Promise<PullRequestFile[]> {
    const items = await this.call(this.read(repo, `list the files of pull request #${number}`), () =>
      this.octokit.paginate(this.octokit.rest.pulls.listFiles, { owner: repo.owner, repo: repo.name, pull_number: number, per_page: 100 }),
    );
    return items.flatMap((item): PullRequestFile[] => {
      const f = parse(GhDiffEntry, item, "a pull request file");
      const patch = f.patch ?? null;
      switch (f.status) {
        case "added":
        case "copied":
          return [{ path: f.filename, status: "added", patch }];
        case "removed":
          return [{ path: f.filename, status: "removed", patch }];
        case "renamed":
          // The port has no renames: the old path goes, the new one comes.
          return [
            ...(f.previous_filename ? [{ path: f.previous_filename, status: "removed" as const, patch: null }] : []),
            { path: f.filename, status: "added", patch },
          ];
        default:
          return [{ path: f.filename, status: "modified", patch }];
      }
    });
  }

  async mergePullRequest(repo: RepoRef, number: number, message?: string): Promise<{ sha: string }> {
    // GitHub takes a title and a body for the merge commit.
    const [title, ...rest] = (message ?? "").split("\n");
    const body = rest.join("\n").trim();
    const data = await this.call(this.write(repo, `merge pull request #${number}`), async () =>
      (
        await this.octokit.rest.pulls.merge({
          owner: repo.owner,
          repo: repo.name,
          pull_number: number,
          merge_method: "merge",
          ...(title ? { commit_title: title } : {}),
          ...(body ? { commit_message: body } : {}),
        })
      ).data,
    );
    const result = parse(GhMergeResult, data, "a merge");
    if (!result.merged) throw new GitHostError(`GitHub did not merge pull request #${number} of ${full(repo)}: ${result.message}`, "conflict", false);
    return { sha: result.sha };
  }

  async dispatchWorkflow(repo: RepoRef, workflow: string, options: { ref?: string; inputs?: Record<string, string> } = {}): Promise<{ id: number; webUrl: string }> {
    const ctx: CallContext = { access: "actions", target: full(repo), action: `start workflow ${workflow}` };
    let ref = options.ref;
    if (!ref) {
      const info = await this.getRepo(repo);
      if (!info) throw new GitHostError(`${full(repo)} was not found on GitHub, or the token cannot see it (${ctx.action})`, "not_found", false);
      ref = info.defaultBranch;
    }
    // return_run_details: GitHub answers the new run's id (without it, 204 and no way to tell the run from others).
    const answer = await this.call(ctx, async () =>
      (
        await this.octokit.rest.actions.createWorkflowDispatch({
          owner: repo.owner,
          repo: repo.name,
          workflow_id: workflow,
          ref: ref!,
          ...(options.inputs && Object.keys(options.inputs).length ? { inputs: options.inputs } : {}),
          return_run_details: true,
        })
      ).data,
    );
    const run = parse(GhDispatchedRun, answer, "a workflow dispatch (a GitHub that does not return run details is not supported)");
    return { id: run.workflow_run_id, webUrl: run.html_url };
  }

  async getWorkflowRun(repo: RepoRef, runId: number): Promise<WorkflowRun | null> {
    const data = await this.callOrNull({ access: "actions", target: full(repo), action: `read workflow run ${runId}` }, async () => (await this.octokit.rest.actions.getWorkflowRun({ owner: repo.owner, repo: repo.name, run_id: runId })).data);
    if (data === null) return null;
    const r = parse(GhWorkflowRun, data, "a workflow run");
    // GitHub's statuses beyond the three that matter ("waiting", "requested", "pending") are runs not started yet.
    const status = r.status === "completed" ? "completed" : r.status === "in_progress" ? "in_progress" : "queued";
    return {
      id: r.id,
      workflow: r.path.split("/").at(-1)!.replace(/@.*$/, ""),
      ref: r.head_branch ?? "",
      status,
      conclusion: status === "completed" ? (r.conclusion ?? "neutral") : null,
      webUrl: r.html_url,
      createdAt: r.created_at,
    };
  }
}
