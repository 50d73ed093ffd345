// Branch heads are read from the ref files, without a git process: loose refs, packed refs (after
// `git pack-refs`), nested names, and names that are folders of other branches.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { git, gitText } from "./git.ts";
import { LocalGitHost } from "./git-host.ts";

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

it("reads branch heads as git does, loose or packed", async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), "paved-branch-test-"));
  dirs.push(dataDir);
  const host = new LocalGitHost({ dataDir });
  const repo = { owner: "demo", name: "branches" };
  await host.createWithFiles(repo, { "a.txt": "a\n" }, {});
  const dir = host.gitDir(repo);
  const rev = (ref: string) => gitText(dir, ["rev-parse", "--verify", `${ref}^{commit}`]);

  await host.createBranch(repo, "feature/one", "main");
  await host.commitFiles(repo, "feature/one", [{ path: "b.txt", content: "b\n" }], "B");
  expect(await host.getBranch(repo, "main")).toBe(await rev("refs/heads/main"));
  expect(await host.getBranch(repo, "feature/one")).toBe(await rev("refs/heads/feature/one"));
  expect(await host.getBranch(repo, "feature")).toBeNull();
  expect(await host.getBranch(repo, "feature/one/two")).toBeNull();
  expect(await host.getBranch(repo, "nothing")).toBeNull();

  await git(dir, ["pack-refs", "--all", "--prune"]);
  expect(await host.getBranch(repo, "main")).toBe(await rev("refs/heads/main"));
  expect(await host.getBranch(repo, "feature/one")).toBe(await rev("refs/heads/feature/one"));
  expect(await host.getBranch(repo, "feature")).toBeNull();
  expect(await host.getBranch(repo, "one")).toBeNull();

  // A commit after packing writes a loose ref again, which wins over the packed one.
  const next = await host.commitFiles(repo, "main", [{ path: "c.txt", content: "c\n" }], "C");
  expect(await host.getBranch(repo, "main")).toBe(next);
  await host.deleteBranch(repo, "feature/one");
  expect(await host.getBranch(repo, "feature/one")).toBeNull();
  expect(await host.getBranch({ owner: "demo", name: "missing" }, "main")).toBeNull();
});
