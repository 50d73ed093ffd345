// What the GitOps repository says, at its head: the image each service runs in each environment.
// Read through the GitHost port and cached per commit sha (a repository head does not change
// under a sha), so the environments matrix and promotion checks do not re-read git each time.
import type { GitHost, RepoRef } from "../core/ports/git-host.ts";
import { NotFoundError, RuleViolationError } from "../core/errors.ts";
import { appOverlay, gitOpsRepositoryOf, listApps, pinnedImage, readGitOpsFiles, type PinnedImage } from "../gitops/repository.ts";
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

const cache = new Map<string, GitOpsSnapshot>();
const CACHE_SIZE = 4;

function cacheKey(repo: RepoRef, sha: string): string {
  return `${repo.owner}/${repo.name}@${sha}`;
}

/** The snapshot at the head of `branch` (the repository's default branch when absent); null without a repository. */
export async function gitopsSnapshot(host: GitHost, branch?: string): Promise<GitOpsSnapshot | null> {
  const repo = gitOpsRepositoryOf(host);
  const info = await host.getRepo(repo);
  if (!info) return null;
  const ref = branch ?? info.defaultBranch;
  const sha = await host.getBranch(repo, ref);
  if (!sha) return null;
  const key = cacheKey(repo, sha);
  const hit = cache.get(key);
  if (hit) return hit;
  const files = await readGitOpsFiles(host, repo, sha);
  const snapshot = buildSnapshot(repo, ref, sha, files);
  cache.set(key, snapshot);
  while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  return snapshot;
}

export function buildSnapshot(repo: RepoRef, branch: string, sha: string, files: FileMap): GitOpsSnapshot {
  const images = new Map<string, Map<string, PinnedImage | null>>();
  const problems = new Map<string, string>();
  for (const app of listApps(files)) {
    const perEnv = new Map<string, PinnedImage | null>();
    for (const environment of app.environments) {
      try {
        perEnv.set(environment, pinnedImage(files, app.service, environment));
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

/** Versions git knows for a service: the tags its overlays pin now. */
export function pinnedVersions(snapshot: GitOpsSnapshot, service: string): string[] {
  return [...new Set([...(snapshot.images.get(service)?.values() ?? [])].map((i) => i?.tag).filter((t): t is string => Boolean(t)))];
}

export function requireOverlay(snapshot: GitOpsSnapshot, service: string, environment: string): void {
  if (!snapshot.images.get(service)?.has(environment)) {
    throw new NotFoundError("Overlay", `${appOverlay(service, environment)} (no ${environment} overlay for ${service} in the GitOps repository)`);
  }
}

export function requireSnapshot(snapshot: GitOpsSnapshot | null): GitOpsSnapshot {
  if (!snapshot) throw new RuleViolationError("There is no GitOps repository yet: create it from the gitops-app template first.");
  return snapshot;
}
