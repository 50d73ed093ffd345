// The GitHost contract: what every adapter must do, run against the sandbox adapter (local git)
// and against the GitHub adapter (through the GitHub double). Each test works on repositories of
// its own, so the order does not matter.
import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { GitHostError, type GitHost, type RepoRef } from "@/lib/core/ports/git-host";

export interface ContractWorld {
  host: GitHost;
  owner: string;
  /** Reads what git itself says a branch points at (not through the adapter). */
  gitTip(repo: RepoRef, branch: string): Promise<string | null>;
}

export async function expectGitHostError(promise: Promise<unknown>, kind: GitHostError["kind"]): Promise<GitHostError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, `expected a GitHostError of kind ${kind}`).toBeInstanceOf(GitHostError);
  expect((error as GitHostError).kind).toBe(kind);
  return error as GitHostError;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

export function describeGitHostContract(label: string, makeWorld: () => Promise<ContractWorld>): void {
  // The tests work on repositories of their own, so they run side by side (most of their time is
  // waiting on git processes or HTTP).
  // GitHub's adapter paces its writes one at a time, so side by side they wait on each other: a generous timeout.
  describe.concurrent(`GitHost contract: ${label}`, { timeout: 30_000 }, () => {
    let w: ContractWorld;
    beforeAll(async () => {
      w = await makeWorld();
    });

    async function newRepo(prefix: string, description = "made by the contract test"): Promise<RepoRef> {
      const repo = { owner: w.owner, name: uniqueName(prefix) };
      await w.host.createRepo(repo, { description });
      return repo;
    }

    it("creates a repository with a README on main, and refuses to create it twice", async () => {
      const repo = { owner: w.owner, name: uniqueName("create") };
      const info = await w.host.createRepo(repo, { description: "A new service", private: true });
      expect(info).toMatchObject({ owner: repo.owner, name: repo.name, fullName: `${repo.owner}/${repo.name}`, defaultBranch: "main", private: true, description: "A new service", hasCommits: true });
      expect(info.webUrl).toContain(repo.name);
      expect(await w.host.getRepo(repo)).toEqual(info);
      expect(await w.host.readFile(repo, "README.md")).toContain(`# ${repo.name}`);
      expect(await w.host.listFiles(repo)).toEqual(["README.md"]);
      expect(await w.host.getBranch(repo, "main")).toBe(await w.gitTip(repo, "main"));
      await expectGitHostError(w.host.createRepo(repo, {}), "conflict");
      await expectGitHostError(w.host.createRepo({ owner: w.owner, name: "no spaces allowed" }, {}), "invalid");
    });

    it("lists an owner's repositories by name", async () => {
      const a = await newRepo("list-b");
      const b = await newRepo("list-a");
      const names = (await w.host.listRepos(w.owner)).map((r) => r.name);
      expect(names).toEqual(expect.arrayContaining([a.name, b.name]));
      expect(names).toEqual([...names].sort((x, y) => x.localeCompare(y)));
      const listed = (await w.host.listRepos(w.owner)).find((r) => r.name === a.name);
      expect(listed).toMatchObject({ fullName: `${a.owner}/${a.name}`, defaultBranch: "main", hasCommits: true, description: "made by the contract test" });
    });

    it("answers null for what does not exist", async () => {
      const missing = { owner: w.owner, name: uniqueName("missing") };
      expect(await w.host.getRepo(missing)).toBeNull();
      expect(await w.host.readFile(missing, "README.md")).toBeNull();
      expect(await w.host.getBranch(missing, "main")).toBeNull();
      expect(await w.host.getPullRequest(missing, 1)).toBeNull();
      expect(await w.host.findPullRequest(missing, "feature")).toBeNull();
      const repo = await newRepo("nulls");
      expect(await w.host.readFile(repo, "no/such/file.txt")).toBeNull();
      expect(await w.host.readFile(repo, "README.md", "no-such-branch")).toBeNull();
      expect(await w.host.getBranch(repo, "no-such-branch")).toBeNull();
      expect(await w.host.getPullRequest(repo, 999)).toBeNull();
      expect(await w.host.findPullRequest(repo, "no-such-branch", "all")).toBeNull();
    });

    it("maps what cannot be done to GitHostError kinds", async () => {
      const missing = { owner: w.owner, name: uniqueName("missing") };
      await expectGitHostError(w.host.listFiles(missing), "not_found");
      await expectGitHostError(w.host.commitFiles(missing, "main", [{ path: "a.txt", content: "a" }], "m"), "not_found");
      const repo = await newRepo("kinds");
      await expectGitHostError(w.host.commitFiles(repo, "no-such-branch", [{ path: "a.txt", content: "a" }], "m"), "not_found");
      await expectGitHostError(w.host.createBranch(repo, "feature", "no-such-branch"), "not_found");
      await expectGitHostError(w.host.listFiles(repo, "no-such-branch"), "not_found");
      await expectGitHostError(w.host.listPullRequestFiles(repo, 42), "not_found");
      await expectGitHostError(w.host.mergePullRequest(repo, 42), "not_found");
      // A pull request needs an existing head with commits that base does not have.
      await expectGitHostError(w.host.openPullRequest(repo, { head: "no-such-branch", base: "main", title: "t", body: "" }), "invalid");
      await w.host.createBranch(repo, "empty", "main");
      await expectGitHostError(w.host.openPullRequest(repo, { head: "empty", base: "main", title: "t", body: "" }), "invalid");
    });

    it("creates branches idempotently and commits additions, changes and deletions on them", async () => {
      const repo = await newRepo("commit");
      const main = (await w.host.getBranch(repo, "main")) as string;
      expect(await w.host.createBranch(repo, "paved/feature", "main")).toBe(main);
      expect(await w.host.createBranch(repo, "paved/feature", "main")).toBe(main);

      const first = await w.host.commitFiles(
        repo,
        "paved/feature",
        [
          { path: ".github/workflows/ci.yml", content: "name: CI\non: push\n" },
          { path: "docs/guide.md", content: "# Guide\n" },
        ],
        "Add CI and a guide",
      );
      expect(first).toMatch(/^[0-9a-f]{40}$/);
      expect(first).not.toBe(main);
      expect(await w.gitTip(repo, "paved/feature")).toBe(first);
      // Once the branch exists, creating it again leaves it where it is.
      expect(await w.host.createBranch(repo, "paved/feature", "main")).toBe(first);

      const second = await w.host.commitFiles(
        repo,
        "paved/feature",
        [
          { path: "README.md", content: "# Changed\n" },
          { path: "docs/guide.md", content: null },
          { path: "src/ünïcode file.txt", content: "héllo wörld ✓\n" },
        ],
        "Change, delete, add",
      );
      expect(await w.host.getBranch(repo, "paved/feature")).toBe(second);
      expect(await w.host.readFile(repo, "README.md", "paved/feature")).toBe("# Changed\n");
      expect(await w.host.readFile(repo, "docs/guide.md", "paved/feature")).toBeNull();
      expect(await w.host.readFile(repo, "src/ünïcode file.txt", "paved/feature")).toBe("héllo wörld ✓\n");
      expect(await w.host.readFile(repo, ".github/workflows/ci.yml", first)).toBe("name: CI\non: push\n");
      expect((await w.host.listFiles(repo, "paved/feature")).sort()).toEqual([".github/workflows/ci.yml", "README.md", "src/ünïcode file.txt"]);
      // main is untouched.
      expect(await w.host.getBranch(repo, "main")).toBe(main);
      expect(await w.host.listFiles(repo)).toEqual(["README.md"]);

      // Nothing to change: no commit.
      expect(await w.host.commitFiles(repo, "paved/feature", [{ path: "README.md", content: "# Changed\n" }], "same again")).toBe(second);
      expect(await w.host.commitFiles(repo, "paved/feature", [{ path: "never-there.txt", content: null }], "delete nothing")).toBe(second);
      expect(await w.host.commitFiles(repo, "paved/feature", [], "nothing")).toBe(second);
      expect(await w.gitTip(repo, "paved/feature")).toBe(second);
    });

    it("opens, finds, diffs and merges a pull request, then deletes its branch", async () => {
      const repo = await newRepo("pr");
      await w.host.commitFiles(repo, "main", [{ path: "app/config.yaml", content: "replicas: 1\nimage: app:1.0\n" }, { path: "old.txt", content: "old\n" }], "Base files");
      await w.host.createBranch(repo, "paved/dotnet-ci-cd-1.0.0", "main");
      const headSha = await w.host.commitFiles(
        repo,
        "paved/dotnet-ci-cd-1.0.0",
        [
          { path: ".github/workflows/ci.yml", content: "name: CI\njobs:\n  build:\n    uses: paved/templates/.github/workflows/dotnet-ci-cd.yml@v1\n" },
          { path: "app/config.yaml", content: "replicas: 3\nimage: app:1.0\n" },
          { path: "old.txt", content: null },
        ],
        "Add the template",
      );

      const pr = await w.host.openPullRequest(repo, { head: "paved/dotnet-ci-cd-1.0.0", base: "main", title: "Add dotnet-ci-cd 1.0.0", body: "From the catalog" });
      expect(pr).toMatchObject({ title: "Add dotnet-ci-cd 1.0.0", body: "From the catalog", head: "paved/dotnet-ci-cd-1.0.0", base: "main", state: "open", headSha });
      expect(pr.number).toBeGreaterThan(0);
      expect(pr.webUrl).toContain(String(pr.number));
      expect(Number.isNaN(Date.parse(pr.createdAt))).toBe(false);
      expect(await w.host.getPullRequest(repo, pr.number)).toEqual(pr);
      expect(await w.host.findPullRequest(repo, "paved/dotnet-ci-cd-1.0.0")).toEqual(pr);
      expect(await w.host.findPullRequest(repo, "paved/dotnet-ci-cd-1.0.0", "all")).toEqual(pr);
      await expectGitHostError(w.host.openPullRequest(repo, { head: "paved/dotnet-ci-cd-1.0.0", base: "main", title: "again", body: "" }), "conflict");

      const files = await w.host.listPullRequestFiles(repo, pr.number);
      expect(files.map((f) => [f.path, f.status])).toEqual([
        [".github/workflows/ci.yml", "added"],
        ["app/config.yaml", "modified"],
        ["old.txt", "removed"],
      ]);
      const byPath = Object.fromEntries(files.map((f) => [f.path, f.patch]));
      expect(byPath["app/config.yaml"]).toBe("@@ -1,2 +1,2 @@\n-replicas: 1\n+replicas: 3\n image: app:1.0");
      expect(byPath[".github/workflows/ci.yml"]).toMatch(/^@@ -0,0 \+1,4 @@\n\+name: CI\n/);
      expect(byPath["old.txt"]).toBe("@@ -1 +0,0 @@\n-old");

      const { sha } = await w.host.mergePullRequest(repo, pr.number);
      expect(await w.gitTip(repo, "main")).toBe(sha);
      expect(await w.host.readFile(repo, "app/config.yaml")).toBe("replicas: 3\nimage: app:1.0\n");
      expect(await w.host.readFile(repo, "old.txt")).toBeNull();
      expect(await w.host.readFile(repo, ".github/workflows/ci.yml")).toContain("dotnet-ci-cd.yml@v1");
      const merged = await w.host.getPullRequest(repo, pr.number);
      expect(merged).toMatchObject({ number: pr.number, state: "merged", headSha });
      expect(await w.host.findPullRequest(repo, "paved/dotnet-ci-cd-1.0.0")).toBeNull();
      expect(await w.host.findPullRequest(repo, "paved/dotnet-ci-cd-1.0.0", "all")).toMatchObject({ number: pr.number, state: "merged" });
      await expectGitHostError(w.host.mergePullRequest(repo, pr.number), "conflict");
      // The diff of a merged pull request stays what was merged.
      expect((await w.host.listPullRequestFiles(repo, pr.number)).map((f) => f.path)).toEqual([".github/workflows/ci.yml", "app/config.yaml", "old.txt"]);

      await w.host.deleteBranch(repo, "paved/dotnet-ci-cd-1.0.0");
      expect(await w.host.getBranch(repo, "paved/dotnet-ci-cd-1.0.0")).toBeNull();
      expect(await w.gitTip(repo, "paved/dotnet-ci-cd-1.0.0")).toBeNull();
      await w.host.deleteBranch(repo, "paved/dotnet-ci-cd-1.0.0");
      expect(await w.host.getPullRequest(repo, pr.number)).toMatchObject({ state: "merged" });
    });

    it("refuses to merge a pull request that conflicts with its base", async () => {
      const repo = await newRepo("conflict");
      await w.host.createBranch(repo, "feature", "main");
      await w.host.commitFiles(repo, "feature", [{ path: "README.md", content: "feature's README\n" }], "Feature");
      await w.host.commitFiles(repo, "main", [{ path: "README.md", content: "main's README\n" }], "Main moves on");
      const main = await w.host.getBranch(repo, "main");
      const pr = await w.host.openPullRequest(repo, { head: "feature", base: "main", title: "Conflicting", body: "" });
      await expectGitHostError(w.host.mergePullRequest(repo, pr.number), "conflict");
      expect(await w.host.getBranch(repo, "main")).toBe(main);
      expect((await w.host.getPullRequest(repo, pr.number))?.state).toBe("open");
    });

    it("merges a pull request whose base moved on without conflict, with a merge commit", async () => {
      const repo = await newRepo("moved");
      await w.host.createBranch(repo, "feature", "main");
      await w.host.commitFiles(repo, "feature", [{ path: "feature.txt", content: "f\n" }], "Feature");
      const pr = await w.host.openPullRequest(repo, { head: "feature", base: "main", title: "Feature", body: "" });
      const mainAfter = await w.host.commitFiles(repo, "main", [{ path: "main.txt", content: "m\n" }], "Main moves on");
      const { sha } = await w.host.mergePullRequest(repo, pr.number, "Merge the feature");
      expect(sha).not.toBe(mainAfter);
      expect((await w.host.listFiles(repo)).sort()).toEqual(["README.md", "feature.txt", "main.txt"]);
      // Still only the feature's change in the pull request's files.
      expect((await w.host.listPullRequestFiles(repo, pr.number)).map((f) => f.path)).toEqual(["feature.txt"]);
    });

    it("closes an open pull request when its head branch is deleted, as GitHub does", async () => {
      const repo = await newRepo("close");
      await w.host.createBranch(repo, "abandoned", "main");
      const headSha = await w.host.commitFiles(repo, "abandoned", [{ path: "x.txt", content: "x\n" }], "X");
      const pr = await w.host.openPullRequest(repo, { head: "abandoned", base: "main", title: "Abandoned", body: "" });
      await w.host.deleteBranch(repo, "abandoned");
      expect(await w.host.getPullRequest(repo, pr.number)).toMatchObject({ state: "closed", headSha });
      expect(await w.host.findPullRequest(repo, "abandoned")).toBeNull();
      expect((await w.host.listPullRequestFiles(repo, pr.number)).map((f) => f.path)).toEqual(["x.txt"]);
    });
  });
}
