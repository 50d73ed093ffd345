// Listings of new commits are made from the last listing and `git diff-tree` (not a full
// `ls-tree -r`): they must be exactly what git lists, in git's order, through modifications,
// deletions, additions, mode changes and going back in history; commits on top of a listed
// commit keep executable files executable.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { git, gitText } from "./git.ts";
import { LocalGitHost } from "./git-host.ts";

let dataDir: string;
let host: LocalGitHost;
const repo = { owner: "demo", name: "listing" };

async function truth(sha: string): Promise<{ path: string; sha: string }[]> {
  const out = await git(host.gitDir(repo), ["ls-tree", "-r", "-z", sha]);
  return out.stdout
    .toString("utf8")
    .split("\0")
    .filter(Boolean)
    .map((line) => /^\d+ (\w+) ([0-9a-f]+)\t(.*)$/s.exec(line)!)
    .filter((m) => m[1] === "blob")
    .map((m) => ({ path: m[3]!, sha: m[2]! }));
}

const modeOf = async (sha: string, p: string) => (await gitText(host.gitDir(repo), ["ls-tree", sha, "--", p])).split(" ")[0];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "paved-listing-test-"));
  host = new LocalGitHost({ dataDir });
  const files: Record<string, string> = { "README.md": "# r\n", "b/c.txt": "c\n", "b/d/e.txt": "e\n", "z.txt": "z\n" };
  for (let i = 0; i < 30; i++) files[`apps/svc-${i}/overlays/dev/kustomization.yaml`] = `tag: ${i}\n`;
  await host.createWithFiles(repo, files, {});
  // An executable script, as a commit made outside Paved would have it.
  const dir = host.gitDir(repo);
  const main = (await host.getBranch(repo, "main"))!;
  const script = await gitText(dir, ["hash-object", "-w", "--stdin"], { input: "#!/bin/sh\necho hi\n" });
  const index = { GIT_INDEX_FILE: path.join(dataDir, "index") };
  await git(dir, ["read-tree", main], { env: index });
  await git(dir, ["update-index", "--add", "--cacheinfo", `100755,${script},bin/run.sh`], { env: index });
  const tree = await gitText(dir, ["write-tree"], { env: index });
  const commit = await gitText(dir, ["commit-tree", tree, "-p", main, "-m", "script"]);
  await git(dir, ["update-ref", "refs/heads/main", commit, main]);
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe("listings of new commits", () => {
  it("are exactly git's, commit after commit, and keep executable files executable", async () => {
    const shas = [(await host.getBranch(repo, "main"))!];
    expect(await host.listFilesWithIds(repo, shas[0])).toEqual(await truth(shas[0]!));
    const steps = [
      [{ path: "apps/svc-3/overlays/dev/kustomization.yaml", content: "tag: 33\n" }],
      [{ path: "bin/run.sh", content: "#!/bin/sh\necho changed\n" }],
      [{ path: "b/d/e.txt", content: null }],
      [{ path: "b/a-new.txt", content: "new\n" }, { path: "apps/svc-0/overlays/dev/kustomization.yaml", content: "tag: 0b\n" }],
      [{ path: "z.txt", content: null }, { path: "apps/svc-29/overlays/dev/kustomization.yaml", content: "tag: 29b\n" }],
    ];
    for (const changes of steps) {
      const sha = await host.commitFiles(repo, "main", changes, "step");
      shas.push(sha);
      expect(await host.listFilesWithIds(repo, sha)).toEqual(await truth(sha));
      expect(await host.listFiles(repo)).toEqual((await truth(sha)).map((e) => e.path));
      expect(await modeOf(sha, "bin/run.sh")).toBe("100755");
    }
    // Back in history, and forward again.
    for (const sha of [...shas].reverse()) expect(await host.listFilesWithIds(repo, sha)).toEqual(await truth(sha));
  });

  it("are not changed by the caller changing what it was given", async () => {
    const listed = await host.listFilesWithIds(repo);
    listed.pop();
    expect(() => ((listed[0] as { sha: string }).sha = "x")).toThrow();
    expect(await host.listFilesWithIds(repo)).toEqual(await truth((await host.getBranch(repo, "main"))!));
  });
});
