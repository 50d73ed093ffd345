// Batch reads of the GitHub GitHost through the GitHub double (real git repositories behind a
// server that checks every request and answer against GitHub's OpenAPI description): the
// recursive tree for paths and blob ids, then git/get-blob per blob, a few at a time.
import { createHash } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startGithubDouble, type GithubDouble } from "../../../tests/support/github-double/index.ts";
import { GitHubGitHost } from "./git-host.ts";

let double: GithubDouble;

beforeAll(async () => {
  double = await startGithubDouble({ login: "paved-bot", orgs: ["demo"] });
});
afterAll(async () => {
  await double?.close();
});
afterEach(() => {
  expect(double.violations.splice(0)).toEqual([]);
});

function adapter(): GitHubGitHost {
  return new GitHubGitHost({ token: double.token, baseUrl: double.url, owner: "demo", retryBaseMs: 5, writeIntervalMs: 0, notifyingWriteIntervalMs: 0, rateLimitSecondMs: 20 });
}

function blobId(content: string): string {
  const body = Buffer.from(content, "utf8");
  return createHash("sha1").update(`blob ${body.length}\0`).update(body).digest("hex");
}

let n = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${n++}`;

const FILES: Record<string, string> = { "README.md": "# r\n", "ünïcode ✓.txt": "héllo ✓\n", "empty.txt": "" };
for (let i = 0; i < 30; i++) FILES[`apps/svc-${i}/overlays/dev/kustomization.yaml`] = `namespace: svc-${i}-dev\n`;

describe("GitHub GitHost batch reads", { timeout: 20_000 }, () => {
  it("lists files with their blob ids from one recursive tree", async () => {
    const host = adapter();
    const repo = { owner: "demo", name: unique("ids") };
    await double.seedRepo("demo", repo.name, { files: FILES });
    const before = double.calls.length;
    const listed = await host.listFilesWithIds(repo, "main");
    expect(double.calls.slice(before).map((c) => c.operationId)).toEqual(["git/get-tree"]);
    expect(listed.map((f) => f.path).sort()).toEqual(Object.keys(FILES).sort());
    for (const f of listed) expect(f.sha).toBe(blobId(FILES[f.path]!));
    expect((await host.listFilesWithIds(repo)).map((f) => f.path).sort()).toEqual(Object.keys(FILES).sort());
  });

  it("reads many files through the trees and blobs API, leaving out what does not exist", async () => {
    const host = adapter();
    const repo = { owner: "demo", name: unique("many") };
    await double.seedRepo("demo", repo.name, { files: FILES });
    const before = double.calls.length;
    const read = await host.readFiles(repo, [...Object.keys(FILES), "no/such.txt", "apps"], "main");
    const calls = double.calls.slice(before).map((c) => c.operationId);
    expect(calls[0]).toBe("git/get-tree");
    expect(calls.slice(1).every((c) => c === "git/get-blob")).toBe(true);
    // "README.md" and "empty.txt" differ, every overlay differs: one blob request per distinct blob.
    expect(calls.length - 1).toBe(new Set(Object.values(FILES).map(blobId)).size);
    expect(Object.fromEntries(read)).toEqual(FILES);
    for (const p of ["README.md", "ünïcode ✓.txt"]) expect(read.get(p)).toBe(await host.readFile(repo, p, "main"));
  });

  it("reads at a ref, and gives nothing for a missing ref, repository or empty repository", async () => {
    const host = adapter();
    const repo = { owner: "demo", name: unique("ref") };
    await double.seedRepo("demo", repo.name, { files: { "a.txt": "a1\n" } });
    const first = (await host.getBranch(repo, "main"))!;
    await host.commitFiles(repo, "main", [{ path: "a.txt", content: "a2\n" }], "Change");
    expect((await host.readFiles(repo, ["a.txt"], first)).get("a.txt")).toBe("a1\n");
    expect((await host.readFiles(repo, ["a.txt"])).get("a.txt")).toBe("a2\n");
    expect((await host.readFiles(repo, ["a.txt"], "no-such-branch")).size).toBe(0);
    expect((await host.readFiles({ owner: "demo", name: unique("missing") }, ["a.txt"])).size).toBe(0);
    const empty = { owner: "demo", name: unique("empty") };
    await double.seedRepo("demo", empty.name, { empty: true });
    expect((await host.readFiles(empty, ["README.md"])).size).toBe(0);
    expect(await host.listFilesWithIds(empty)).toEqual([]);
  });

  it("reads blobs by id; an unknown id is left out, a malformed one refused", async () => {
    const host = adapter();
    const repo = { owner: "demo", name: unique("blobs") };
    await double.seedRepo("demo", repo.name, { files: FILES });
    const ids = Object.values(FILES).map(blobId);
    const blobs = await host.readBlobs(repo, [...ids, "f".repeat(40)]);
    for (const content of Object.values(FILES)) expect(blobs.get(blobId(content))).toBe(content);
    expect(blobs.has("f".repeat(40))).toBe(false);
    await expect(host.readBlobs(repo, ["main"])).rejects.toMatchObject({ kind: "invalid" });
  });

  it("walks a truncated tree", async () => {
    const host = adapter();
    const repo = { owner: "demo", name: unique("truncated") };
    await double.seedRepo("demo", repo.name, { files: FILES });
    // The recursive answer is cut short; each folder on its own is not.
    double.treeEntryLimit = 31;
    try {
      const read = await host.readFiles(repo, Object.keys(FILES));
      expect(Object.fromEntries(read)).toEqual(FILES);
    } finally {
      double.treeEntryLimit = 100_000;
    }
  });
});
