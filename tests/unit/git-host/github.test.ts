// The GitHub adapter against the GitHost contract, through a GitHub double that keeps real git
// repositories and checks every request and answer against GitHub's OpenAPI description; then
// what only a remote API does: 5xx answers, rate limits, permissions, pagination, truncation.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { git } from "@/lib/integrations/localgit/git";
import { GitHubGitHost, type GitHubGitHostOptions } from "@/lib/integrations/github/git-host";
import { startGithubDouble, type GithubDouble } from "@/tests/support/github-double";
import { describeGitHostContract, expectGitHostError, uniqueName } from "./contract";

let double: GithubDouble;

beforeAll(async () => {
  double = await startGithubDouble({ login: "paved-bot", orgs: ["demo"] });
});
afterAll(async () => {
  await double?.close();
});
afterEach(() => {
  // Every request the adapter made, and every answer the double gave, followed GitHub's description.
  // (Emptied at each check, so that one test's finding does not fail the next.)
  expect(double.violations.splice(0)).toEqual([]);
});

function adapter(options: Partial<GitHubGitHostOptions> = {}): GitHubGitHost {
  return new GitHubGitHost({
    token: double.token,
    baseUrl: double.url,
    owner: "demo",
    // Fast enough for tests; the rate-limit tests set their own.
    retryBaseMs: 5,
    writeIntervalMs: 0,
    notifyingWriteIntervalMs: 0,
    rateLimitSecondMs: 20,
    ...options,
  });
}

describeGitHostContract("GitHub (through the double)", async () => ({
  host: adapter(),
  owner: "demo",
  gitTip: async (repo, branch) => {
    const res = await git(double.gitDir(repo.owner, repo.name), ["rev-parse", "--verify", "-q", `refs/heads/${branch}`], { okCodes: [0, 1] });
    return res.code === 0 ? res.stdout.toString().trim() : null;
  },
}));

describe("GitHub GitHost", { timeout: 15_000 }, () => {
  it("commits through the Git Data API: blobs only for what changed, a tree on base_tree, a fast-forward ref update", async () => {
    const host = adapter();
    const repo = { owner: "demo", name: uniqueName("gitdata") };
    await double.seedRepo("demo", repo.name, { files: { "README.md": "# r\n", "keep.txt": "same\n" } });
    const before = double.calls.length;
    await host.commitFiles(repo, "main", [{ path: "keep.txt", content: "same\n" }, { path: "new.txt", content: "new\n" }, { path: "README.md", content: null }], "Change");
    const made = double.calls.slice(before).map((c) => `${c.method} ${c.operationId}`);
    expect(made).toEqual(["GET git/get-ref", "GET git/get-commit", "GET git/get-tree", "POST git/create-blob", "POST git/create-tree", "POST git/create-commit", "PATCH git/update-ref"]);
    const tree = double.calls.slice(before).find((c) => c.operationId === "git/create-tree")?.body as { base_tree: string; tree: unknown[] };
    expect(tree.base_tree).toMatch(/^[0-9a-f]{40}$/);
    expect(tree.tree).toEqual([
      { path: "new.txt", mode: "100644", type: "blob", sha: expect.stringMatching(/^[0-9a-f]{40}$/) },
      { path: "README.md", mode: "100644", type: "blob", sha: null },
    ]);
    expect(double.calls.slice(before).find((c) => c.operationId === "git/update-ref")?.body).toMatchObject({ force: false });
  });

  it("rebuilds a commit on top when the branch moved meanwhile, instead of overwriting it", async () => {
    const host = adapter();
    const other = adapter();
    const repo = { owner: "demo", name: uniqueName("moved") };
    await double.seedRepo("demo", repo.name);
    const shas = await Promise.all([
      host.commitFiles(repo, "main", [{ path: "a.txt", content: "a\n" }], "A"),
      other.commitFiles(repo, "main", [{ path: "b.txt", content: "b\n" }], "B"),
      host.commitFiles(repo, "main", [{ path: "c.txt", content: "c\n" }], "C"),
    ]);
    expect(new Set(shas).size).toBe(3);
    expect((await host.listFiles(repo)).sort()).toEqual(["README.md", "a.txt", "b.txt", "c.txt"]);
  });

  it("retries 5xx answers with backoff, then succeeds", async () => {
    const host = adapter();
    const repo = { owner: "demo", name: uniqueName("flaky") };
    await double.seedRepo("demo", repo.name);
    double.inject({ status: 502, times: 2, when: (r) => r.method === "GET" && r.path === `/repos/demo/${repo.name}` });
    const before = double.calls.length;
    expect((await host.getRepo(repo))?.name).toBe(repo.name);
    const attempts = double.calls.slice(before).filter((c) => c.operationId === "repos/get");
    expect(attempts.map((c) => c.status)).toEqual([502, 502, 200]);
    // Backoff: 1², then 2² times the base (5 ms).
    expect(attempts[2]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(20);
  });

  it("gives up after its retries with a retryable `unavailable`", async () => {
    const host = adapter({ retries: 2 });
    const repo = { owner: "demo", name: uniqueName("down") };
    await double.seedRepo("demo", repo.name);
    double.inject({ status: 500, times: 10, when: (r) => r.path === `/repos/demo/${repo.name}/git/ref/heads%2Fmain` });
    const before = double.calls.length;
    const error = await expectGitHostError(host.getBranch(repo, "main"), "unavailable");
    expect(error.retryable).toBe(true);
    expect(double.calls.slice(before).filter((c) => c.operationId === "git/get-ref")).toHaveLength(3);
  });

  it("waits out a secondary rate limit for as long as retry-after says", async () => {
    const host = adapter({ rateLimitSecondMs: 1000 });
    const repo = { owner: "demo", name: uniqueName("secondary") };
    await double.seedRepo("demo", repo.name);
    double.inject({ status: 403, times: 1, rateLimit: { kind: "secondary", retryAfter: 1 }, when: (r) => r.method === "POST" && r.path.endsWith("/git/blobs") });
    const before = double.calls.length;
    await host.commitFiles(repo, "main", [{ path: "x.txt", content: "x\n" }], "X");
    const blobs = double.calls.slice(before).filter((c) => c.operationId === "git/create-blob");
    expect(blobs.map((c) => c.status)).toEqual([403, 201]);
    expect(blobs[1]!.at - blobs[0]!.at).toBeGreaterThanOrEqual(950);
    expect(await host.readFile(repo, "x.txt")).toBe("x\n");
  });

  it("waits for a primary rate limit that resets soon, and fails at once as `rate_limited` when it resets late", async () => {
    const host = adapter({ rateLimitSecondMs: 50, maxRateLimitWaitSeconds: 60 });
    const repo = { owner: "demo", name: uniqueName("primary") };
    await double.seedRepo("demo", repo.name);
    double.inject({ status: 429, times: 1, rateLimit: { kind: "primary", resetIn: 1 }, when: (r) => r.path === `/repos/demo/${repo.name}` });
    let before = double.calls.length;
    expect((await host.getRepo(repo))?.name).toBe(repo.name);
    let calls = double.calls.slice(before).filter((c) => c.operationId === "repos/get");
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
    // reset in 1 s + 1 s of margin, at 50 ms a second
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(50);

    double.inject({ status: 403, times: 5, rateLimit: { kind: "primary", resetIn: 3600 }, when: (r) => r.path === `/repos/demo/${repo.name}` });
    before = double.calls.length;
    const error = await expectGitHostError(host.getRepo(repo), "rate_limited");
    expect(error.retryable).toBe(true);
    calls = double.calls.slice(before).filter((c) => c.operationId === "repos/get");
    expect(calls).toHaveLength(1);
  });

  it("gives up on rate limits after its bound of retries", async () => {
    const host = adapter({ rateLimitRetries: 2 });
    const repo = { owner: "demo", name: uniqueName("limited") };
    await double.seedRepo("demo", repo.name);
    double.inject({ status: 403, times: 5, rateLimit: { kind: "secondary", retryAfter: 1 }, when: (r) => r.path === `/repos/demo/${repo.name}` });
    const before = double.calls.length;
    await expectGitHostError(host.getRepo(repo), "rate_limited");
    expect(double.calls.slice(before).filter((c) => c.operationId === "repos/get")).toHaveLength(3);
  });

  it("says what the token lacks when GitHub refuses it", async () => {
    const repo = { owner: "demo", name: uniqueName("readonly") };
    await double.seedRepo("demo", repo.name);
    double.denyWrite(`demo/${repo.name}`);
    const host = adapter();
    expect(await host.readFile(repo, "README.md")).toContain(repo.name);
    const write = await expectGitHostError(host.createBranch(repo, "paved/x", "main"), "forbidden");
    expect(write.message).toContain(`the GitHub token cannot write to demo/${repo.name}`);
    expect(write.retryable).toBe(false);

    double.denyCreate("demo");
    const create = await expectGitHostError(host.createRepo({ owner: "demo", name: uniqueName("nope") }, {}), "forbidden");
    expect(create.message).toContain("cannot create repositories in demo");

    const stranger = new GitHubGitHost({ token: "ghp_wrong", baseUrl: double.url, owner: "demo", retryBaseMs: 5, writeIntervalMs: 0, notifyingWriteIntervalMs: 0 });
    const refused = await expectGitHostError(stranger.listFiles(repo, "main"), "forbidden");
    expect(refused.message).toContain("GITHUB_TOKEN");
  });

  it("creates a repository under the token's own user through /user/repos", async () => {
    const host = adapter();
    const repo = { owner: "paved-bot", name: uniqueName("mine") };
    const info = await host.createRepo(repo, { description: "Mine" });
    expect(info).toMatchObject({ owner: "paved-bot", name: repo.name, hasCommits: true, description: "Mine" });
    expect(double.callsTo("repos/create-for-authenticated-user").map((c) => c.status)).toContain(201);
    expect((await host.listRepos("paved-bot")).map((r) => r.name)).toContain(repo.name);
    await expectGitHostError(host.listRepos("nobody-at-all"), "not_found");
  });

  it("pages through long lists and walks trees GitHub truncates", async () => {
    const host = adapter();
    const names = Array.from({ length: 5 }, () => uniqueName("page"));
    for (const name of names) await double.seedRepo("demo", name, { files: { "a/b/c.txt": "c\n", "a/d.txt": "d\n", "e.txt": "e\n" } });
    double.maxPerPage = 2;
    double.treeEntryLimit = 2;
    try {
      const listed = (await host.listRepos("demo")).map((r) => r.name);
      expect(listed).toEqual(expect.arrayContaining(names));
      expect(double.callsTo("repos/list-for-org").length).toBeGreaterThanOrEqual(3);
      expect((await host.listFiles({ owner: "demo", name: names[0]! })).sort()).toEqual(["a/b/c.txt", "a/d.txt", "e.txt"]);
    } finally {
      double.maxPerPage = 100;
      double.treeEntryLimit = 100_000;
    }
  });

  it("reports an empty repository as having no commits and no files", async () => {
    const host = adapter();
    const name = uniqueName("empty");
    await double.seedRepo("demo", name, { empty: true });
    expect(await host.getRepo({ owner: "demo", name })).toMatchObject({ hasCommits: false });
    expect(await host.listFiles({ owner: "demo", name })).toEqual([]);
    expect(await host.readFile({ owner: "demo", name }, "README.md")).toBeNull();
    expect(await host.getBranch({ owner: "demo", name }, "main")).toBeNull();
  });

  it("reads large files, which GitHub answers without content, through the blob API", async () => {
    const host = adapter();
    const name = uniqueName("big");
    const big = `${"x".repeat(50)}\n`;
    await double.seedRepo("demo", name, { files: { "big.txt": big } });
    double.contentSizeLimit = 10;
    try {
      const before = double.calls.length;
      expect(await host.readFile({ owner: "demo", name }, "big.txt")).toBe(big);
      expect(double.calls.slice(before).map((c) => c.operationId)).toEqual(["repos/get-content", "git/get-blob"]);
    } finally {
      double.contentSizeLimit = 1024 * 1024;
    }
  });
});
