// The sandbox's GitHost: real bare git repositories under <PAVED_DATA_DIR>/git/<owner>/<name>.git
// stand in for GitHub. Commits, branches, merges and diffs are real git; pull requests (which git
// does not have) live in each repository's paved.json. Every write is either a compare-and-swap
// of a ref or done under the repository's lock file, so the web server and several worker
// processes can use the same repositories at once.
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
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
import { git, GitCommandError } from "./git.ts";
import { LockTimeoutError } from "./lock.ts";
import { WorkflowOutcome, newMeta, readMeta, updateMeta, writeMeta, type RepoMeta, type StoredPull, type StoredWorkflowRun } from "./meta.ts";
import { branchNameProblem, pathProblem, refProblem, repoNameProblem } from "./names.ts";
import { casRef, catFileBatch, commitTree, readBranch, diffCommits, isAncestor, listTree, mergeBase, mergeTrees, readTip, resolveRef, writeTree, type TreeEntry } from "./plumbing.ts";

export const SANDBOX_OWNER = "demo";

/** How often a commit or merge is rebuilt on a branch that moved meanwhile before giving up. */
const MAX_REF_ATTEMPTS = 8;

/** The files of a commit: what the port lists, and the modes other than 100644 (for commits on top of it). */
interface Listing {
  entries: readonly FileEntry[];
  modes: ReadonlyMap<string, string>;
}

/** File listings by repository and commit sha, the most recently used last (see `listingOf`). */
const listings = new Map<string, Promise<Listing | null>>();
const LISTINGS_KEPT = 16;
/** Files in a new repository's first commit from which its objects are packed. */
const PACK_FROM_FILES = 200;
/** The last listing made of each repository: the next commit's is made from it and their difference. */
const lastListings = new Map<string, { sha: string; listing: Listing }>();
/** The tree of each commit this process made or read, by repository and commit sha. */
const commitTrees = new Map<string, string>();
const COMMIT_TREES_KEPT = 1024;

function rememberTree(dir: string, commit: string, tree: string): void {
  commitTrees.set(`${dir}\0${commit}`, tree);
  while (commitTrees.size > COMMIT_TREES_KEPT) commitTrees.delete(commitTrees.keys().next().value!);
}

function listingFrom(tree: readonly TreeEntry[]): Listing {
  const blobs = tree.filter((e) => e.type === "blob");
  return {
    entries: Object.freeze(blobs.map((e) => Object.freeze({ path: e.path, sha: e.sha }))),
    modes: new Map(blobs.filter((e) => e.mode !== "100644").map((e) => [e.path, e.mode])),
  };
}

/**
 * The listing of `sha` from the listing of `base` and what changed between them (`git diff-tree`,
 * whose work is proportional to the change, not to the repository). Null when that cannot be
 * done exactly: a file added (its place in git's order), or git does not know one of the two.
 */
async function listingByDiff(dir: string, base: { sha: string; listing: Listing }, sha: string): Promise<Listing | null> {
  const res = await git(dir, ["diff-tree", "-r", "-z", "--no-renames", "--abbrev=40", base.sha, sha, "--"], { okCodes: [0, 128] });
  if (res.code !== 0) return null;
  // ":<mode> <mode> <sha> <sha> <status>\0<path>\0" per changed file.
  const parts = res.stdout.toString("utf8").split("\0");
  const changed = new Map<string, { sha: string; mode: string } | null>();
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const meta = parts[i]!.replace(/^:/, "").split(" ");
    const [, mode, , blob, status] = meta;
    if (!mode || !blob || !status) return null;
    changed.set(parts[i + 1]!, status.startsWith("D") || mode === "160000" ? null : { sha: blob, mode });
  }
  const known = new Set(base.listing.entries.map((e) => e.path));
  for (const [p, to] of changed) if (to !== null && !known.has(p)) return null;
  const entries: FileEntry[] = [];
  const modes = new Map(base.listing.modes);
  for (const e of base.listing.entries) {
    const to = changed.get(e.path);
    if (to === undefined) entries.push(e);
    else if (to !== null) {
      entries.push(Object.freeze({ path: e.path, sha: to.sha }));
      if (to.mode === "100644") modes.delete(e.path);
      else modes.set(e.path, to.mode);
    } else modes.delete(e.path);
  }
  return { entries: Object.freeze(entries), modes };
}

export interface LocalGitHostOptions {
  /** PAVED_DATA_DIR: repositories live in <dataDir>/git. */
  dataDir: string;
  /** Prefix of the sandbox browser's links (default: the app's own `/sandbox/repos`). */
  webBase?: string;
}

export function sandboxGitRoot(dataDir: string): string {
  return path.join(dataDir, "git");
}

function fullName(repo: RepoRef): string {
  return `${repo.owner}/${repo.name}`;
}

function invalid(message: string): GitHostError {
  return new GitHostError(message, "invalid", false);
}

function notFound(message: string): GitHostError {
  return new GitHostError(message, "not_found", false);
}

/** Turns what git or the file system threw into a GitHostError (a GitHostError passes through). */
function asGitHostError(e: unknown, what: string): GitHostError {
  if (e instanceof GitHostError) return e;
  if (e instanceof LockTimeoutError) return new GitHostError(`${what}: the sandbox repository is busy, try again`, "unavailable", true, { cause: e });
  if (e instanceof GitCommandError) return new GitHostError(`${what}: git failed (${e.stderr.trim().split("\n")[0] ?? e.code})`, "unavailable", false, { cause: e });
  return new GitHostError(`${what}: ${(e as Error).message}`, "unavailable", false, { cause: e });
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

export class LocalGitHost implements GitHost {
  readonly kind = "sandbox" as const;
  readonly defaultOwner = SANDBOX_OWNER;
  readonly root: string;
  private readonly webBase: string;

  constructor(options: LocalGitHostOptions) {
    this.root = sandboxGitRoot(options.dataDir);
    this.webBase = (options.webBase ?? "/sandbox/repos").replace(/\/$/, "");
  }

  /** The bare repository's folder; throws `invalid` for a name that could leave the data folder. */
  gitDir(repo: RepoRef): string {
    const problem = repoNameProblem(repo.owner) ?? repoNameProblem(repo.name);
    if (problem) throw invalid(problem);
    return path.join(this.root, repo.owner, `${repo.name}.git`);
  }

  /** The repository's folder, or null when it does not exist (or its name is not a valid one). */
  private async existingGitDir(repo: RepoRef): Promise<string | null> {
    if (repoNameProblem(repo.owner) || repoNameProblem(repo.name)) return null;
    const dir = this.gitDir(repo);
    return (await exists(path.join(dir, "HEAD"))) ? dir : null;
  }

  private async requireGitDir(repo: RepoRef): Promise<string> {
    const dir = await this.existingGitDir(repo);
    if (!dir) throw notFound(`repository ${fullName(repo)} not found`);
    return dir;
  }

  private async guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw asGitHostError(e, what);
    }
  }

  private repoUrl(repo: RepoRef): string {
    return `${this.webBase}/${encodeURIComponent(repo.owner)}/${encodeURIComponent(repo.name)}`;
  }

  private async defaultBranch(gitDir: string): Promise<string> {
    const head = (await readFile(path.join(gitDir, "HEAD"), "utf8")).trim();
    return head.startsWith("ref: refs/heads/") ? head.slice("ref: refs/heads/".length) : "main";
  }

  private async info(repo: RepoRef, gitDir: string, meta?: RepoMeta): Promise<RepoInfo> {
    const [defaultBranch, m] = await Promise.all([this.defaultBranch(gitDir), meta ?? readMeta(gitDir)]);
    const hasCommits = (await resolveRef(gitDir, `refs/heads/${defaultBranch}`)) !== null;
    return {
      owner: repo.owner,
      name: repo.name,
      fullName: fullName(repo),
      defaultBranch,
      private: m.private,
      description: m.description,
      webUrl: this.repoUrl(repo),
      hasCommits,
    };
  }

  async getRepo(repo: RepoRef): Promise<RepoInfo | null> {
    return this.guard(`reading ${fullName(repo)}`, async () => {
      const dir = await this.existingGitDir(repo);
      return dir ? this.info(repo, dir) : null;
    });
  }

  async listRepos(owner: string): Promise<RepoInfo[]> {
    return this.guard(`listing the repositories of ${owner}`, async () => {
      const problem = repoNameProblem(owner);
      if (problem) throw invalid(problem);
      let entries: string[];
      try {
        entries = await readdir(path.join(this.root, owner));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw e;
      }
      // Repositories being created are built under a dot-name and renamed into place when complete.
      const names = entries.filter((e) => e.endsWith(".git") && !e.startsWith(".")).map((e) => e.slice(0, -4));
      const repos = await Promise.all(names.map((name) => this.getRepo({ owner, name })));
      return repos.filter((r): r is RepoInfo => r !== null).sort((a, b) => a.name.localeCompare(b.name));
    });
  }

  async createRepo(repo: RepoRef, options: { description?: string; private?: boolean }): Promise<RepoInfo> {
    const readme = `# ${repo.name}\n${options.description ? `\n${options.description}\n` : ""}`;
    const created = await this.createWithFiles(repo, { "README.md": readme }, options);
    if (!created) throw new GitHostError(`repository ${fullName(repo)} already exists`, "conflict", false);
    return created;
  }

  /**
   * Builds a repository with one commit of `files` on main, out of sight under a temporary name,
   * and renames it into place: others see no repository or a complete one. Null when it exists.
   */
  async createWithFiles(repo: RepoRef, files: Record<string, string>, options: { description?: string | null; private?: boolean; message?: string }): Promise<RepoInfo | null> {
    return this.guard(`creating ${fullName(repo)}`, async () => {
      const dir = this.gitDir(repo);
      for (const p of Object.keys(files)) {
        const problem = pathProblem(p);
        if (problem) throw invalid(problem);
      }
      if (await exists(dir)) return null;
      const ownerDir = path.dirname(dir);
      await mkdir(ownerDir, { recursive: true });
      const tmp = path.join(ownerDir, `.${repo.name}.${randomBytes(6).toString("hex")}.tmp.git`);
      try {
        // An empty template: no sample hooks or description file to copy.
        await git(null, ["init", "--bare", "-q", "--template=", "--initial-branch=main", tmp]);
        const meta = newMeta(options);
        await writeMeta(tmp, meta);
        const tree = await writeTree(
          tmp,
          null,
          Object.entries(files).map(([p, content]) => ({ path: p, content })),
        );
        const sha = await commitTree(tmp, tree, [], options.message ?? "Initial commit");
        await casRef(tmp, "refs/heads/main", sha, null);
        // A large first commit (the demo's GitOps repository holds thousands of files) goes into a
        // pack, as a clone would: one file to read from instead of one per object.
        if (Object.keys(files).length >= PACK_FROM_FILES) await git(tmp, ["repack", "-a", "-d", "-q"]);
        try {
          await rename(tmp, dir);
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          if (code === "ENOTEMPTY" || code === "EEXIST") return null;
          throw e;
        }
        return await this.info(repo, dir, meta);
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    });
  }

  async readFile(repo: RepoRef, filePath: string, ref?: string): Promise<string | null> {
    return this.guard(`reading ${filePath} in ${fullName(repo)}`, async () => {
      const problem = pathProblem(filePath) ?? (ref !== undefined ? refProblem(ref) : null);
      if (problem) throw invalid(problem);
      const dir = await this.existingGitDir(repo);
      if (!dir) return null;
      const at = ref ?? (await this.defaultBranch(dir));
      const res = await git(dir, ["cat-file", "blob", `${at}:${filePath}`], { okCodes: [0, 128] });
      return res.code === 0 ? res.stdout.toString("utf8") : null;
    });
  }

  /**
   * The object `ref` names (default: the default branch's commit), or null when there is none.
   * A full sha is taken as it is and the default branch read from its ref file, without a git
   * process: those are what every read of a revision asks for.
   */
  private async objectAt(dir: string, ref: string | undefined): Promise<string | null> {
    if (ref === undefined) return readBranch(dir, await this.defaultBranch(dir));
    if (/^[0-9a-f]{40}$/.test(ref)) return ref;
    return (await readTip(dir, ref))?.sha ?? null;
  }

  async listFiles(repo: RepoRef, ref?: string): Promise<string[]> {
    return (await this.listFilesWithIds(repo, ref)).map((f) => f.path);
  }

  async listFilesWithIds(repo: RepoRef, ref?: string): Promise<FileEntry[]> {
    return this.guard(`listing the files of ${fullName(repo)}`, async () => {
      const problem = ref !== undefined ? refProblem(ref) : null;
      if (problem) throw invalid(problem);
      const dir = await this.requireGitDir(repo);
      const at = await this.objectAt(dir, ref);
      // A repository without commits has no files; an unknown ref is an error.
      const listing = at ? await this.listingOf(dir, at) : null;
      if (listing) return listing.entries.slice();
      if (ref === undefined) return [];
      throw notFound(`ref ${ref} not found in ${fullName(repo)}`);
    });
  }

  /**
   * The files of a commit (or tree) by its sha, kept: what a sha names never changes, and the
   * delivery snapshot and the sandbox cluster both list each new head (often at once). A new head
   * is listed from the last listing and the difference between the two.
   */
  private listingOf(dir: string, sha: string): Promise<Listing | null> {
    const key = `${dir}\0${sha}`;
    const hit = listings.get(key);
    if (hit) {
      listings.delete(key);
      listings.set(key, hit);
      return hit;
    }
    const base = lastListings.get(dir);
    const listing = (base ? listingByDiff(dir, base, sha) : Promise.resolve(null)).then(async (fromDiff) => {
      if (fromDiff) return fromDiff;
      const tree = await listTree(dir, sha);
      return tree ? listingFrom(tree) : null;
    });
    listings.set(key, listing);
    listing.then(
      (made) => {
        // Only listings are kept: an unknown sha is asked again next time.
        if (made) lastListings.set(dir, { sha, listing: made });
        else if (listings.get(key) === listing) listings.delete(key);
      },
      () => listings.get(key) === listing && listings.delete(key),
    );
    while (listings.size > LISTINGS_KEPT) listings.delete(listings.keys().next().value!);
    return listing;
  }

  /** The listing of a commit if one was made or is being made (none is started for it). */
  private async knownListing(dir: string, sha: string): Promise<Listing | null> {
    const hit = listings.get(`${dir}\0${sha}`);
    return hit ? hit.catch(() => null) : null;
  }

  async readFiles(repo: RepoRef, paths: readonly string[], ref?: string): Promise<Map<string, string>> {
    return this.guard(`reading ${paths.length} files in ${fullName(repo)}`, async () => {
      const problem = paths.map((p) => pathProblem(p)).find((p) => p !== null) ?? (ref !== undefined ? refProblem(ref) : null);
      if (problem) throw invalid(problem);
      const out = new Map<string, string>();
      const dir = await this.existingGitDir(repo);
      if (!dir || paths.length === 0) return out;
      // The ref resolved once, so that every file comes from the same commit even if a branch moves meanwhile.
      const at = await this.objectAt(dir, ref);
      if (!at) return out;
      const unique = [...new Set(paths)];
      const objects = await catFileBatch(dir, unique.map((p) => `${at}:${p}`));
      unique.forEach((p, i) => {
        const o = objects[i];
        if (o?.type === "blob") out.set(p, o.content.toString("utf8"));
      });
      return out;
    });
  }

  async readBlobs(repo: RepoRef, shas: readonly string[]): Promise<Map<string, string>> {
    return this.guard(`reading ${shas.length} blobs in ${fullName(repo)}`, async () => {
      const bad = shas.find((s) => !/^[0-9a-f]{40}$/.test(s));
      if (bad !== undefined) throw invalid(`"${bad}" is not a blob id`);
      const out = new Map<string, string>();
      const dir = await this.existingGitDir(repo);
      if (!dir || shas.length === 0) return out;
      const unique = [...new Set(shas)];
      const objects = await catFileBatch(dir, unique);
      unique.forEach((sha, i) => {
        const o = objects[i];
        if (o?.type === "blob") out.set(sha, o.content.toString("utf8"));
      });
      return out;
    });
  }

  async getBranch(repo: RepoRef, branch: string): Promise<string | null> {
    return this.guard(`reading branch ${branch} of ${fullName(repo)}`, async () => {
      const problem = branchNameProblem(branch);
      if (problem) throw invalid(problem);
      const dir = await this.existingGitDir(repo);
      return dir ? readBranch(dir, branch) : null;
    });
  }

  async createBranch(repo: RepoRef, branch: string, from: string): Promise<string> {
    return this.guard(`creating branch ${branch} in ${fullName(repo)}`, async () => {
      const problem = branchNameProblem(branch) ?? branchNameProblem(from);
      if (problem) throw invalid(problem);
      const dir = await this.requireGitDir(repo);
      const existing = await resolveRef(dir, `refs/heads/${branch}`);
      if (existing) return existing;
      const sha = await resolveRef(dir, `refs/heads/${from}`);
      if (!sha) throw notFound(`branch ${from} not found in ${fullName(repo)}`);
      if (await casRef(dir, `refs/heads/${branch}`, sha, null)) return sha;
      // Someone created it meanwhile (fine: creating is idempotent), or the name clashes with
      // another branch ("a/b" next to "a").
      const now = await resolveRef(dir, `refs/heads/${branch}`);
      if (now) return now;
      throw invalid(`branch ${branch} cannot be created in ${fullName(repo)}: it clashes with an existing branch`);
    });
  }

  async deleteBranch(repo: RepoRef, branch: string): Promise<void> {
    return this.guard(`deleting branch ${branch} of ${fullName(repo)}`, async () => {
      const problem = branchNameProblem(branch);
      if (problem) throw invalid(problem);
      const dir = await this.requireGitDir(repo);
      if (branch === (await this.defaultBranch(dir))) throw invalid(`branch ${branch} is the default branch of ${fullName(repo)} and cannot be deleted`);
      const sha = await resolveRef(dir, `refs/heads/${branch}`);
      if (!sha) return;
      await git(dir, ["update-ref", "-d", `refs/heads/${branch}`, sha], { okCodes: [0, 128] });
      // As on GitHub: deleting a pull request's head branch closes the pull request.
      await updateMeta(dir, async (meta) => {
        const now = new Date().toISOString();
        let write = false;
        for (const pr of meta.pulls) {
          if (pr.state === "open" && pr.head === branch) {
            Object.assign(pr, { state: "closed", headSha: sha, closedAt: now, updatedAt: now });
            write = true;
          }
        }
        return { result: undefined, write };
      });
    });
  }

  /** A branch's commit and its tree: the commit from the ref file, the tree from memory when this process made or read that commit. */
  private async tipOf(dir: string, branch: string): Promise<{ sha: string; tree: string } | null> {
    const sha = await readBranch(dir, branch);
    if (!sha) return null;
    const tree = commitTrees.get(`${dir}\0${sha}`);
    if (tree) return { sha, tree };
    const tip = await readTip(dir, sha);
    if (tip) rememberTree(dir, tip.sha, tip.tree);
    return tip;
  }

  async commitFiles(repo: RepoRef, branch: string, changes: FileChange[], message: string): Promise<string> {
    return this.guard(`committing to ${branch} of ${fullName(repo)}`, async () => {
      const problem = branchNameProblem(branch) ?? changes.map((c) => pathProblem(c.path)).find((p) => p !== null) ?? null;
      if (problem) throw invalid(problem);
      if (message.trim() === "") throw invalid("a commit needs a message");
      const dir = await this.requireGitDir(repo);
      const ref = `refs/heads/${branch}`;
      for (let attempt = 0; attempt < MAX_REF_ATTEMPTS; attempt++) {
        const tip = await this.tipOf(dir, branch);
        if (!tip) throw notFound(`branch ${branch} not found in ${fullName(repo)}`);
        if (changes.length === 0) return tip.sha;
        let tree: string;
        try {
          tree = await writeTree(dir, tip.tree, changes, (await this.knownListing(dir, tip.sha))?.modes);
        } catch (e) {
          if (e instanceof GitCommandError) throw invalid(`the changes cannot be written to ${branch}: ${e.stderr.trim().split("\n")[0]}`);
          throw e;
        }
        if (tree === tip.tree) return tip.sha;
        const sha = await commitTree(dir, tree, [tip.sha], message);
        rememberTree(dir, sha, tree);
        // Only if the branch is still where this commit starts from: a concurrent commit is never
        // overwritten; this one is rebuilt on top of it instead.
        if (await casRef(dir, ref, sha, tip.sha)) return sha;
        await new Promise((r) => setTimeout(r, Math.random() * 5 * (attempt + 1)));
      }
      throw new GitHostError(`branch ${branch} of ${fullName(repo)} kept moving while committing; try again`, "conflict", true);
    });
  }

  private pullUrl(repo: RepoRef, number: number): string {
    return `${this.repoUrl(repo)}/pulls/${number}`;
  }

  private async toPullRequest(repo: RepoRef, dir: string, pr: StoredPull): Promise<PullRequest> {
    const headSha = pr.state === "open" ? ((await resolveRef(dir, `refs/heads/${pr.head}`)) ?? pr.headSha) : pr.headSha;
    return {
      number: pr.number,
      title: pr.title,
      body: pr.body,
      head: pr.head,
      base: pr.base,
      state: pr.state,
      webUrl: this.pullUrl(repo, pr.number),
      headSha,
      createdAt: pr.createdAt,
    };
  }

  async findPullRequest(repo: RepoRef, head: string, state: "open" | "all" = "open"): Promise<PullRequest | null> {
    return this.guard(`finding the pull request from ${head} in ${fullName(repo)}`, async () => {
      const dir = await this.existingGitDir(repo);
      if (!dir) return null;
      const meta = await readMeta(dir);
      const matches = meta.pulls.filter((pr) => pr.head === head && (state === "all" || pr.state === "open"));
      const newest = matches.sort((a, b) => b.number - a.number)[0];
      return newest ? this.toPullRequest(repo, dir, newest) : null;
    });
  }

  async openPullRequest(repo: RepoRef, input: { head: string; base: string; title: string; body: string }): Promise<PullRequest> {
    return this.guard(`opening a pull request in ${fullName(repo)}`, async () => {
      const problem = branchNameProblem(input.head) ?? branchNameProblem(input.base);
      if (problem) throw invalid(problem);
      if (input.title.trim() === "") throw invalid("a pull request needs a title");
      if (input.head === input.base) throw invalid(`a pull request needs two different branches (head and base are both ${input.head})`);
      const dir = await this.requireGitDir(repo);
      const [headSha, baseSha] = await Promise.all([resolveRef(dir, `refs/heads/${input.head}`), resolveRef(dir, `refs/heads/${input.base}`)]);
      if (!headSha) throw invalid(`head branch ${input.head} not found in ${fullName(repo)}`);
      if (!baseSha) throw invalid(`base branch ${input.base} not found in ${fullName(repo)}`);
      if (!(await mergeBase(dir, baseSha, headSha))) throw invalid(`${input.base} and ${input.head} have no history in common`);
      if (await isAncestor(dir, headSha, baseSha)) throw invalid(`No commits between ${input.base} and ${input.head}`);

      const stored = await updateMeta(dir, async (meta) => {
        const open = meta.pulls.find((pr) => pr.state === "open" && pr.head === input.head && pr.base === input.base);
        if (open) throw new GitHostError(`A pull request already exists for ${repo.owner}:${input.head} (#${open.number})`, "conflict", false);
        const now = new Date().toISOString();
        const pr: StoredPull = {
          number: meta.pulls.reduce((max, p) => Math.max(max, p.number), 0) + 1,
          title: input.title,
          body: input.body,
          head: input.head,
          base: input.base,
          state: "open",
          createdAt: now,
          updatedAt: now,
          headSha,
          mergeBaseSha: null,
          mergedSha: null,
          mergedAt: null,
          closedAt: null,
        };
        meta.pulls.push(pr);
        return { result: pr, write: true };
      });
      // Like GitHub's refs/pull/<n>/head: keeps the pull request's commits reachable after its branch is deleted.
      await git(dir, ["update-ref", `refs/pull/${stored.number}/head`, headSha]);
      return this.toPullRequest(repo, dir, stored);
    });
  }

  async getPullRequest(repo: RepoRef, number: number): Promise<PullRequest | null> {
    return this.guard(`reading pull request #${number} of ${fullName(repo)}`, async () => {
      const dir = await this.existingGitDir(repo);
      if (!dir) return null;
      const pr = (await readMeta(dir)).pulls.find((p) => p.number === number);
      return pr ? this.toPullRequest(repo, dir, pr) : null;
    });
  }

  async listPullRequestFiles(repo: RepoRef, number: number): Promise<PullRequestFile[]> {
    return this.guard(`listing the files of pull request #${number} of ${fullName(repo)}`, async () => {
      const dir = await this.requireGitDir(repo);
      const pr = (await readMeta(dir)).pulls.find((p) => p.number === number);
      if (!pr) throw notFound(`pull request #${number} not found in ${fullName(repo)}`);
      const head = pr.state === "open" ? ((await resolveRef(dir, `refs/heads/${pr.head}`)) ?? pr.headSha) : pr.headSha;
      // As GitHub shows it: from where head left base (the merge base) to head, fixed once merged.
      let from = pr.mergeBaseSha;
      if (!from) {
        const base = await resolveRef(dir, `refs/heads/${pr.base}`);
        from = base ? await mergeBase(dir, base, head) : null;
      }
      if (!from) return [];
      return (await diffCommits(dir, from, head)).map((f) => ({ path: f.path, status: f.status, patch: f.patch }));
    });
  }

  async mergePullRequest(repo: RepoRef, number: number, message?: string): Promise<{ sha: string }> {
    return this.guard(`merging pull request #${number} of ${fullName(repo)}`, async () => {
      const dir = await this.requireGitDir(repo);
      // Under the repository's lock: one merge of a pull request at a time, and its state
      // changes with the merge.
      return updateMeta(dir, async (meta) => {
        const pr = meta.pulls.find((p) => p.number === number);
        if (!pr) throw notFound(`pull request #${number} not found in ${fullName(repo)}`);
        if (pr.state !== "open") throw new GitHostError(`pull request #${number} of ${fullName(repo)} is ${pr.state}, not open`, "conflict", false);
        const head = await resolveRef(dir, `refs/heads/${pr.head}`);
        if (!head) throw new GitHostError(`head branch ${pr.head} of pull request #${number} no longer exists`, "conflict", false);
        const baseRef = `refs/heads/${pr.base}`;
        for (let attempt = 0; attempt < MAX_REF_ATTEMPTS; attempt++) {
          const base = await resolveRef(dir, baseRef);
          if (!base) throw new GitHostError(`base branch ${pr.base} of pull request #${number} no longer exists`, "conflict", false);
          const from = await mergeBase(dir, base, head);
          let sha = base;
          if (!(await isAncestor(dir, head, base))) {
            // Always a merge commit, as GitHub's "merge" method makes (even when a fast-forward would do).
            const tree = await mergeTrees(dir, base, head);
            if (!tree) throw new GitHostError(`pull request #${number} of ${fullName(repo)} cannot be merged: its changes conflict with ${pr.base}`, "conflict", false);
            const text = message ?? `Merge pull request #${number} from ${repo.owner}/${pr.head}\n\n${pr.title}`;
            sha = await commitTree(dir, tree, [base, head], text);
            if (!(await casRef(dir, baseRef, sha, base))) continue;
          }
          const now = new Date().toISOString();
          Object.assign(pr, { state: "merged", headSha: head, mergeBaseSha: from, mergedSha: sha, mergedAt: now, closedAt: now, updatedAt: now });
          await git(dir, ["update-ref", `refs/pull/${number}/head`, head]);
          return { result: { sha }, write: true };
        }
        throw new GitHostError(`branch ${pr.base} of ${fullName(repo)} kept moving while merging; try again`, "conflict", true);
      });
    });
  }

  // ---- Workflow runs: the sandbox's stand-in for GitHub Actions -------------------------------

  /** How long a sandbox workflow run takes when no outcome was set for its workflow. */
  static readonly DEFAULT_RUN_MS = 3000;

  /**
   * Sets how the sandbox plays out the next runs of `workflow` in the repository (a test or a
   * demo makes cross-service integration tests pass or fail with it): their conclusion, and how
   * long they take. Null goes back to the default (success after DEFAULT_RUN_MS).
   */
  async setWorkflowOutcome(repo: RepoRef, workflow: string, outcome: WorkflowOutcome | null): Promise<void> {
    return this.guard(`setting the outcome of ${workflow} in ${fullName(repo)}`, async () => {
      const problem = workflowFileProblem(workflow);
      if (problem) throw invalid(problem);
      const parsed = outcome === null ? null : WorkflowOutcome.parse(outcome);
      const dir = await this.requireGitDir(repo);
      await updateMeta(dir, async (meta) => {
        if (parsed) meta.workflowOutcomes[workflow] = parsed;
        else delete meta.workflowOutcomes[workflow];
        return { result: undefined, write: true };
      });
    });
  }

  async dispatchWorkflow(repo: RepoRef, workflow: string, options: { ref?: string; inputs?: Record<string, string> } = {}): Promise<{ id: number; webUrl: string }> {
    return this.guard(`starting workflow ${workflow} in ${fullName(repo)}`, async () => {
      const problem = workflowFileProblem(workflow) ?? (options.ref !== undefined ? refProblem(options.ref) : null);
      if (problem) throw invalid(problem);
      const dir = await this.requireGitDir(repo);
      const ref = options.ref ?? (await this.defaultBranch(dir));
      const head = await readBranch(dir, ref);
      // GitHub's own answers: 422 "No ref found for", 404 for a workflow the ref does not have.
      if (!head) throw invalid(`No ref found for: ${ref} in ${fullName(repo)}`);
      const file = await git(dir, ["cat-file", "-e", `${head}:.github/workflows/${workflow}`], { okCodes: [0, 1, 128] });
      if (file.code !== 0) throw notFound(`workflow ${workflow} not found in ${fullName(repo)} at ${ref} (.github/workflows/${workflow})`);
      const run = await updateMeta(dir, async (meta) => {
        const outcome = meta.workflowOutcomes[workflow] ?? { conclusion: "success", durationMs: LocalGitHost.DEFAULT_RUN_MS };
        const stored: StoredWorkflowRun = {
          id: Math.max(0, ...meta.runs.map((r) => r.id)) + 1,
          workflow,
          ref,
          headSha: head,
          inputs: options.inputs ?? {},
          createdAt: new Date().toISOString(),
          durationMs: outcome.durationMs,
          conclusion: outcome.conclusion,
        };
        meta.runs.push(stored);
        return { result: stored, write: true };
      });
      return { id: run.id, webUrl: this.runUrl(repo, run.id) };
    });
  }

  async getWorkflowRun(repo: RepoRef, runId: number): Promise<WorkflowRun | null> {
    return this.guard(`reading workflow run ${runId} of ${fullName(repo)}`, async () => {
      const dir = await this.existingGitDir(repo);
      if (!dir) return null;
      const run = (await readMeta(dir)).runs.find((r) => r.id === runId);
      if (!run) return null;
      const done = Date.now() >= Date.parse(run.createdAt) + run.durationMs;
      return {
        id: run.id,
        workflow: run.workflow,
        ref: run.ref,
        status: done ? "completed" : "in_progress",
        conclusion: done ? run.conclusion : null,
        webUrl: this.runUrl(repo, run.id),
        createdAt: run.createdAt,
      };
    });
  }

  private runUrl(repo: RepoRef, id: number): string {
    // The sandbox has no page per run: its repository's page.
    return `${this.repoUrl(repo)}?workflow-run=${id}`;
  }
}

/** A workflow file name as GitHub takes it in `workflow_id`: a .yml or .yaml file of .github/workflows. */
function workflowFileProblem(workflow: string): string | null {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.ya?ml$/.test(workflow) ? null : `"${workflow}" is not a workflow file name (such as integration-tests.yml)`;
}
