// The sandbox adapter (local bare git repositories) against the GitHost contract, plus what only
// it has to get right: several writers at once (the web server and workers share the data folder),
// demo seeding, and names that must not escape the data folder.
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { git } from "@/lib/integrations/localgit/git";
import { LocalGitHost, demoSandboxRepos, seedSandboxRepos } from "@/lib/integrations/localgit";
import { DEMO_SERVICES } from "@/prisma/seed/demo-organisation";
import { describeGitHostContract, expectGitHostError, uniqueName } from "./contract";

const dirs: string[] = [];
async function dataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "paved-sandbox-test-"));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function tip(host: LocalGitHost, repo: { owner: string; name: string }, branch: string): Promise<string | null> {
  const res = await git(host.gitDir(repo), ["rev-parse", "--verify", "-q", `refs/heads/${branch}`], { okCodes: [0, 1] });
  return res.code === 0 ? res.stdout.toString().trim() : null;
}

describeGitHostContract("sandbox (local git)", async () => {
  const host = new LocalGitHost({ dataDir: await dataDir() });
  return { host, owner: "demo", gitTip: (repo, branch) => tip(host, repo, branch) };
});

describe("sandbox GitHost", { timeout: 15_000 }, () => {
  it("links to Paved's sandbox browser", async () => {
    const host = new LocalGitHost({ dataDir: await dataDir() });
    const repo = { owner: "demo", name: "links" };
    expect((await host.createRepo(repo, {})).webUrl).toBe("/sandbox/repos/demo/links");
    await host.createBranch(repo, "b", "main");
    await host.commitFiles(repo, "b", [{ path: "x", content: "x" }], "x");
    expect((await host.openPullRequest(repo, { head: "b", base: "main", title: "t", body: "" })).webUrl).toBe("/sandbox/repos/demo/links/pulls/1");
  });

  it("keeps two or more concurrent committers on one branch from losing a commit", async () => {
    const host = new LocalGitHost({ dataDir: await dataDir() });
    const repo = { owner: "demo", name: "race" };
    await host.createRepo(repo, {});
    const before = await tip(host, repo, "main");
    const writers = 6;
    const shas = await Promise.all(Array.from({ length: writers }, (_, i) => host.commitFiles(repo, "main", [{ path: `file-${i}.txt`, content: `${i}\n` }], `writer ${i}`)));
    expect(new Set(shas).size).toBe(writers);
    const files = await host.listFiles(repo);
    for (let i = 0; i < writers; i++) expect(files).toContain(`file-${i}.txt`);
    // Every commit is in main's history, one after another: none was overwritten.
    const count = await git(host.gitDir(repo), ["rev-list", "--count", `${before}..main`]);
    expect(Number(count.stdout.toString())).toBe(writers);
    for (const sha of shas) expect((await git(host.gitDir(repo), ["merge-base", "--is-ancestor", sha, "main"], { okCodes: [0, 1] })).code).toBe(0);
  });

  it("gives concurrently opened pull requests distinct numbers", async () => {
    const host = new LocalGitHost({ dataDir: await dataDir() });
    const repo = { owner: "demo", name: "numbers" };
    await host.createRepo(repo, {});
    const n = 8;
    for (let i = 0; i < n; i++) {
      await host.createBranch(repo, `b${i}`, "main");
      await host.commitFiles(repo, `b${i}`, [{ path: `f${i}`, content: `${i}` }], `c${i}`);
    }
    const prs = await Promise.all(Array.from({ length: n }, (_, i) => host.openPullRequest(repo, { head: `b${i}`, base: "main", title: `PR ${i}`, body: "" })));
    expect(prs.map((p) => p.number).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    for (const pr of prs) expect((await host.getPullRequest(repo, pr.number))?.head).toBe(pr.head);
  });

  it("numbers pull requests opened by separate processes without collisions", async () => {
    const dir = await dataDir();
    const host = new LocalGitHost({ dataDir: dir });
    const repo = { owner: "demo", name: "processes" };
    await host.createRepo(repo, {});
    for (let i = 0; i < 6; i++) {
      await host.createBranch(repo, `p${i}`, "main");
      await host.commitFiles(repo, `p${i}`, [{ path: `p${i}`, content: `${i}` }], `c${i}`);
    }
    // Two real node processes (a web server and a worker, say), three pull requests each, at once.
    const script = `
      import { LocalGitHost } from ${JSON.stringify(path.resolve("lib/integrations/localgit/git-host.ts"))};
      const host = new LocalGitHost({ dataDir: process.argv[1] });
      const [from, to] = process.argv.slice(2).map(Number);
      const prs = await Promise.all(Array.from({ length: to - from }, (_, k) => host.openPullRequest({ owner: "demo", name: "processes" }, { head: "p" + (from + k), base: "main", title: "t", body: "" })));
      console.log(JSON.stringify(prs.map((p) => p.number)));`;
    const run = (from: number, to: number) =>
      new Promise<number[]>((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, dir, String(from), String(to)], { stdio: ["ignore", "pipe", "pipe"] });
        let out = "";
        let err = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        child.stderr.on("data", (d: Buffer) => (err += d.toString()));
        child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim()) as number[]) : reject(new Error(err))));
      });
    const [a, b] = await Promise.all([run(0, 3), run(3, 6)]);
    expect([...(a ?? []), ...(b ?? [])].sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("breaks a lock left behind by a process that died", async () => {
    const host = new LocalGitHost({ dataDir: await dataDir() });
    const repo = { owner: "demo", name: "stale" };
    await host.createRepo(repo, {});
    await host.createBranch(repo, "b", "main");
    await host.commitFiles(repo, "b", [{ path: "f", content: "f" }], "c");
    const dead = spawn(process.execPath, ["-e", ""]);
    await new Promise((r) => dead.on("exit", r));
    const lock = path.join(host.gitDir(repo), "paved.json.lock");
    await writeFile(lock, JSON.stringify({ host: hostname(), pid: dead.pid, at: new Date().toISOString() }));
    const started = Date.now();
    expect((await host.openPullRequest(repo, { head: "b", base: "main", title: "t", body: "" })).number).toBe(1);
    expect(Date.now() - started).toBeLessThan(2_000);

    // A lock that is merely old (its holder on another machine) is broken too, after a minute.
    await host.createBranch(repo, "c", "main");
    await host.commitFiles(repo, "c", [{ path: "g", content: "g" }], "c");
    await writeFile(lock, JSON.stringify({ host: "another-machine", pid: 1, at: "2020-01-01T00:00:00Z" }));
    const old = new Date(Date.now() - 120_000);
    await utimes(lock, old, old);
    expect((await host.openPullRequest(repo, { head: "c", base: "main", title: "t", body: "" })).number).toBe(2);
  });

  it("refuses names that could leave the data folder", async () => {
    const host = new LocalGitHost({ dataDir: await dataDir() });
    await expectGitHostError(host.createRepo({ owner: "..", name: "x" }, {}), "invalid");
    await expectGitHostError(host.createRepo({ owner: "demo", name: "../escape" }, {}), "invalid");
    expect(await host.getRepo({ owner: "demo", name: "../../etc" })).toBeNull();
    const repo = { owner: "demo", name: "names" };
    await host.createRepo(repo, {});
    await expectGitHostError(host.readFile(repo, "../../../etc/passwd"), "invalid");
    await expectGitHostError(host.commitFiles(repo, "main", [{ path: "a/../../b", content: "x" }], "m"), "invalid");
    await expectGitHostError(host.commitFiles(repo, "main", [{ path: ".git/config", content: "x" }], "m"), "invalid");
    await expectGitHostError(host.createBranch(repo, "--upload-pack=evil", "main"), "invalid");
    await expectGitHostError(host.readFile(repo, "README.md", "--output=/tmp/x"), "invalid");
    await expectGitHostError(host.deleteBranch(repo, "main"), "invalid");
  });

  it("reports a bare repository made by hand, without commits, as having none", async () => {
    const dir = await dataDir();
    const host = new LocalGitHost({ dataDir: dir });
    await mkdir(path.join(dir, "git", "demo"), { recursive: true });
    await git(null, ["init", "--bare", "-q", "--initial-branch=main", path.join(dir, "git", "demo", "empty.git")]);
    expect(await host.getRepo({ owner: "demo", name: "empty" })).toMatchObject({ hasCommits: false, description: null, defaultBranch: "main" });
    expect(await host.listFiles({ owner: "demo", name: "empty" })).toEqual([]);
    expect(await host.readFile({ owner: "demo", name: "empty" }, "README.md")).toBeNull();
  });
});

describe("seedSandboxRepos", { timeout: 15_000 }, () => {
  const names = DEMO_SERVICES.map((s) => s.name);

  it("creates a repository per demo service, quickly, and nothing the second time", async () => {
    const dir = await dataDir();
    const started = Date.now();
    const created = await seedSandboxRepos(dir, names);
    const elapsed = Date.now() - started;
    expect(created).toEqual(names.map((n) => `demo/${n}`).sort());
    expect(elapsed).toBeLessThan(2_000);

    const host = new LocalGitHost({ dataDir: dir });
    const tips = await Promise.all(names.map((n) => tip(host, { owner: "demo", name: n }, "main")));
    expect(await seedSandboxRepos(dir, names)).toEqual([]);
    expect(await Promise.all(names.map((n) => tip(host, { owner: "demo", name: n }, "main")))).toEqual(tips);
    expect((await host.listRepos("demo")).map((r) => r.name)).toEqual([...names].sort());
  });

  it("gives the demo repositories something to instantiate into, diff against and scan", async () => {
    const dir = await dataDir();
    await seedSandboxRepos(dir, names);
    const host = new LocalGitHost({ dataDir: dir });
    const backend = { owner: "demo", name: "backend-api" };
    expect(await host.listFiles(backend)).toEqual(expect.arrayContaining([".github/workflows/ci.yml", "BackendApi.sln", "src/BackendApi/BackendApi.csproj", "README.md"]));
    expect(await host.readFile(backend, ".github/workflows/ci.yml")).toContain("dotnet test");
    expect(JSON.parse((await host.readFile({ owner: "demo", name: "frontend" }, "package.json")) ?? "{}")).toMatchObject({ name: "frontend" });
    // The adoption scan has callers of catalog workflows to find.
    const callers: string[] = [];
    for (const name of names) {
      for (const file of (await host.listFiles({ owner: "demo", name })).filter((f) => f.startsWith(".github/workflows/"))) {
        const text = (await host.readFile({ owner: "demo", name }, file)) ?? "";
        const m = /uses: (paved\/templates\/\.github\/workflows\/[\w.-]+\.yml@\S+)/.exec(text);
        if (m) callers.push(`${name}: ${m[1]}`);
      }
    }
    expect(callers).toEqual(expect.arrayContaining(["worker-service: paved/templates/.github/workflows/dotnet-ci-cd.yml@v1"]));
    expect(callers.length).toBeGreaterThanOrEqual(2);
  });

  it("is safe to run from two processes' worth of callers at once, and takes custom repositories", async () => {
    const dir = await dataDir();
    const custom = { name: uniqueName("custom"), description: "Custom", files: { "a.txt": "a\n", "b/c.txt": "c\n" } };
    const [a, b] = await Promise.all([seedSandboxRepos(dir, [...names, custom]), seedSandboxRepos(dir, [...names, custom])]);
    expect([...a, ...b].sort()).toEqual([...names.map((n) => `demo/${n}`), `demo/${custom.name}`].sort());
    const host = new LocalGitHost({ dataDir: dir });
    expect((await host.listFiles({ owner: "demo", name: custom.name })).sort()).toEqual(["a.txt", "b/c.txt"]);
    expect((await host.getRepo({ owner: "demo", name: custom.name }))?.description).toBe("Custom");
    // Nothing half-built left behind.
    expect((await readdir(path.join(dir, "git", "demo"))).filter((n) => n.startsWith("."))).toEqual([]);
  });

  it("describes each demo service's repository from the seed's own list", () => {
    const seeds = demoSandboxRepos(DEMO_SERVICES);
    expect(seeds.map((s) => s.name)).toEqual(names);
    expect(seeds.find((s) => s.name === "backend-api")?.description).toBe(DEMO_SERVICES.find((s) => s.name === "backend-api")?.description);
  });

  it("keeps its metadata readable while it changes", async () => {
    const dir = await dataDir();
    const host = new LocalGitHost({ dataDir: dir });
    const repo = { owner: "demo", name: "meta" };
    await host.createRepo(repo, { description: "d" });
    const meta = JSON.parse(await readFile(path.join(host.gitDir(repo), "paved.json"), "utf8")) as { description: string; pulls: unknown[] };
    expect(meta).toMatchObject({ description: "d", pulls: [] });
  });
});
