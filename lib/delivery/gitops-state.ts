// What the GitOps repository says, at its head: the image each service runs in each environment.
// Read through the GitHost port and cached per commit sha (a repository head does not change
// under a sha), so the environments matrix and promotion checks do not re-read git each time;
// after a commit, only the files it changed are read and only the overlays they touch rendered.
import type { GitHost, RepoRef } from "../core/ports/git-host.ts";
import { RuleViolationError } from "../core/errors.ts";
import { RenderIndex, gitOpsRepositoryOf, listApps, pinnedImageOf, readGitOpsRevision, renderOverlay, type PinnedImage } from "../gitops/repository.ts";
import type { FileMap } from "../gitops/kustomize.ts";

export interface GitOpsSnapshot {
  repo: RepoRef;
  branch: string;
  sha: string;
  files: FileMap;
  /** service → environment → what the overlay pins (null: the overlay does not render an image). */
  images: Map<string, Map<string, PinnedImage | null>>;
  /** Problems rendering overlays, by "service/environment". */
  problems: Map<string, string>;
}

const cache = new Map<string, Promise<GitOpsSnapshot>>();
const CACHE_SIZE = 4;

function cacheKey(repo: RepoRef, sha: string): string {
  return `${repo.owner}/${repo.name}@${sha}`;
}

/**
 * Default branches seen lately, per host and repository: with one, a snapshot costs one branch
 * read when the head has not moved. Kept briefly, since a repository's default branch can change.
 */
const defaultBranches = new WeakMap<GitHost, Map<string, { branch: string; until: number }>>();
const DEFAULT_BRANCH_TTL_MS = 10_000;

/** The branch asked for (the default one when absent) and the commit at its head; null without a repository or branch. */
async function headOf(host: GitHost, repo: RepoRef, branch: string | undefined): Promise<{ ref: string; sha: string } | null> {
  if (branch !== undefined) {
    if (!(await host.getRepo(repo))) return null;
    const sha = await host.getBranch(repo, branch);
    return sha ? { ref: branch, sha } : null;
  }
  const known = defaultBranches.get(host) ?? new Map<string, { branch: string; until: number }>();
  defaultBranches.set(host, known);
  const name = `${repo.owner}/${repo.name}`;
  const seen = known.get(name);
  if (seen && seen.until > Date.now()) {
    const sha = await host.getBranch(repo, seen.branch);
    if (sha) return { ref: seen.branch, sha };
  }
  known.delete(name);
  const info = await host.getRepo(repo);
  if (!info) return null;
  const sha = await host.getBranch(repo, info.defaultBranch);
  if (!sha) return null;
  known.set(name, { branch: info.defaultBranch, until: Date.now() + DEFAULT_BRANCH_TTL_MS });
  return { ref: info.defaultBranch, sha };
}

/**
 * The snapshot at the head of `branch` (the repository's default branch when absent); null without
 * a repository. Kept per commit sha; a new commit reads only the files it changed (the blob cache)
 * and renders again only the overlays whose files changed (renders kept by blob ids).
 */
export async function gitopsSnapshot(host: GitHost, branch?: string): Promise<GitOpsSnapshot | null> {
  const repo = gitOpsRepositoryOf(host);
  const head = await headOf(host, repo, branch);
  if (!head) return null;
  const key = cacheKey(repo, head.sha);
  let snapshot = cache.get(key);
  if (!snapshot) {
    snapshot = (async () => {
      const revision = await readGitOpsRevision(host, repo, head.sha);
      return buildSnapshotOf(repo, head.ref, head.sha, revision.files, revision.ids);
    })();
    cache.set(key, snapshot);
    snapshot.catch(() => {
      if (cache.get(key) === snapshot) cache.delete(key);
    });
    while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  }
  return snapshot;
}

/** The last render index made of each repository: the next revision's is made from it (a service whose files did not change keeps its scopes). */
const lastIndexes = new Map<string, RenderIndex>();
/** What each shared render pins. */
const pinned = new WeakMap<object, PinnedImage | null>();

async function buildSnapshotOf(repo: RepoRef, branch: string, sha: string, files: FileMap, ids: ReadonlyMap<string, string>): Promise<GitOpsSnapshot> {
  const images = new Map<string, Map<string, PinnedImage | null>>();
  const problems = new Map<string, string>();
  const name = `${repo.owner}/${repo.name}`;
  const index = new RenderIndex(ids, lastIndexes.get(name));
  lastIndexes.set(name, index);
  const pick = (paths: readonly string[]): FileMap => {
    const out: Record<string, string> = {};
    for (const p of paths) if (Object.hasOwn(files, p)) out[p] = files[p]!;
    return out;
  };
  for (const app of listApps(files)) {
    const perEnv = new Map<string, PinnedImage | null>();
    for (const environment of app.environments) {
      try {
        const render = await renderOverlay(index, app.service, environment, pick);
        if (!render.ok) throw render.error;
        let image = pinned.get(render);
        if (image === undefined) {
          image = pinnedImageOf(render.objects, app.service);
          pinned.set(render, image);
        }
        perEnv.set(environment, image);
      } catch (e) {
        perEnv.set(environment, null);
        problems.set(`${app.service}/${environment}`, (e as Error).message);
      }
    }
    images.set(app.service, perEnv);
  }
  return { repo, branch, sha, files, images, problems };
}

/** The tag a service runs in an environment according to git (null: no overlay or no tag). */
export function versionIn(snapshot: GitOpsSnapshot, service: string, environment: string): string | null {
  return snapshot.images.get(service)?.get(environment)?.tag ?? null;
}

export function requireSnapshot(snapshot: GitOpsSnapshot | null): GitOpsSnapshot {
  if (!snapshot) throw new RuleViolationError("There is no GitOps repository yet: create it from the gitops-app template first (POST /api/v1/gitops/repository).");
  return snapshot;
}

/** An environment as the GitOps repository sees it: its name, and its branch in a branch-per-environment repository (null: the default branch). */
export interface EnvironmentBranch {
  name: string;
  branch: string | null;
}

/**
 * The snapshot each environment reads: the head of its own branch (branch-per-environment
 * repositories), or of the default branch when it has none. One read per distinct branch; an
 * environment whose branch does not exist (yet) maps to null.
 */
export async function environmentSnapshots(host: GitHost, environments: readonly EnvironmentBranch[]): Promise<Map<string, GitOpsSnapshot | null>> {
  const byBranch = new Map<string, Promise<GitOpsSnapshot | null>>();
  for (const e of environments) {
    const key = e.branch ?? "";
    if (!byBranch.has(key)) byBranch.set(key, gitopsSnapshot(host, e.branch ?? undefined));
  }
  const read = new Map<string, GitOpsSnapshot | null>();
  await Promise.all([...byBranch].map(async ([key, snapshot]) => read.set(key, await snapshot)));
  return new Map(environments.map((e) => [e.name, read.get(e.branch ?? "") ?? null]));
}

/** The snapshot an environment reads, or a clear refusal: no repository, or no such branch. */
export function requireEnvironmentSnapshot(snapshot: GitOpsSnapshot | null, environment: EnvironmentBranch): GitOpsSnapshot {
  if (!snapshot && environment.branch) {
    throw new RuleViolationError(`The GitOps repository has no branch "${environment.branch}", where ${environment.name}'s overlays live (the environment's branch setting); create it, or clear the setting.`);
  }
  return requireSnapshot(snapshot);
}

/** The environment's snapshot, read on its own branch. */
export async function environmentSnapshot(host: GitHost, environment: EnvironmentBranch): Promise<GitOpsSnapshot> {
  return requireEnvironmentSnapshot(await gitopsSnapshot(host, environment.branch ?? undefined), environment);
}

/**
 * Versions git knows for a service: what each environment's overlay pins, each read on that
 * environment's branch. (On a single-branch repository, the tags its overlays pin now.)
 */
export function knownVersions(snapshots: ReadonlyMap<string, GitOpsSnapshot | null>, service: string): string[] {
  const out = new Set<string>();
  for (const [environment, snapshot] of snapshots) {
    const tag = snapshot ? versionIn(snapshot, service, environment) : null;
    if (tag) out.add(tag);
  }
  return [...out];
}
