// Batch reads of the sandbox's GitHost: one `git cat-file --batch` process per call whatever the
// number of files, byte-exact framing (binary files and contents that look like git's own
// answers), missing paths, refs, and blob ids that match git's.
import * as childProcess from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GitHostError } from "../../core/ports/git-host.ts";
import { git, gitText } from "./git.ts";
import { LocalGitHost } from "./git-host.ts";

vi.mock("node:child_process", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:child_process")>();
  return { ...actual, spawn: vi.fn(actual.spawn) };
});

const spawned = () => (childProcess.spawn as unknown as { mock: { calls: [string, string[]][] } }).mock.calls.map(([, args]) => args.find((a) => !a.startsWith("-") && a !== "core.quotePath=false" && a !== "gc.auto=0"));

function blobId(content: string | Buffer): string {
  const body = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  return createHash("sha1").update(`blob ${body.length}\0`).update(body).digest("hex");
}

let dataDir: string;
let host: LocalGitHost;
const repo = { owner: "demo", name: "batch" };
const files: Record<string, string> = {};
for (let i = 0; i < 400; i++) files[`apps/svc-${String(i).padStart(3, "0")}/kustomization.yaml`] = `resources:\n  - deployment.yaml\n# ${i}\n`;
Object.assign(files, {
  "README.md": "# batch\n",
  "empty.txt": "",
  // Contents that look like cat-file's own answers, and multi-byte characters (bytes ≠ characters).
  "tricky/looks-like-a-header.txt": `${"a".repeat(40)} blob 12\nmissing\n\n`,
  "tricky/ünïcode naïve ✓.txt": "héllo wörld ✓ — ✓✓\n",
  "tricky/no newline at end": "last line",
  "tricky/with\nnewline in its name.txt": "a path with a newline\n",
  "tricky/nul.txt": "before\0after\n",
});
let first: string;
let second: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "paved-batch-test-"));
  host = new LocalGitHost({ dataDir });
  await host.createWithFiles(repo, files, {});
  first = (await host.getBranch(repo, "main"))!;
  second = await host.commitFiles(repo, "main", [{ path: "README.md", content: "# changed\n" }, { path: "empty.txt", content: null }], "Change");
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe("batch reads of the sandbox GitHost", () => {
  it("lists every file with git's blob id", async () => {
    const listed = await host.listFilesWithIds(repo, first);
    expect(listed.map((f) => f.path).sort()).toEqual(Object.keys(files).sort());
    for (const f of listed) expect(f.sha).toBe(blobId(files[f.path]!));
    expect((await host.listFilesWithIds(repo)).find((f) => f.path === "README.md")?.sha).toBe(blobId("# changed\n"));
    expect((await host.listFiles(repo)).sort()).toEqual((await host.listFilesWithIds(repo)).map((f) => f.path).sort());
  });

  it("reads many files in one git process, exactly as readFile does", async () => {
    const paths = Object.keys(files);
    vi.mocked(childProcess.spawn).mockClear();
    const read = await host.readFiles(repo, paths, first);
    // One process reads every file (a sha needs no resolving).
    expect(spawned()).toEqual(["cat-file"]);
    expect(read.size).toBe(paths.length);
    for (const p of paths) expect(read.get(p)).toBe(files[p]);
    // A branch is resolved first (the default branch from its ref file).
    vi.mocked(childProcess.spawn).mockClear();
    await host.readFiles(repo, paths, "main");
    await host.readFiles(repo, paths);
    expect(spawned()).toEqual(["show", "cat-file", "cat-file"]);
    for (const p of ["tricky/looks-like-a-header.txt", "tricky/with\nnewline in its name.txt", "tricky/nul.txt", "empty.txt"]) {
      expect(read.get(p)).toBe(await host.readFile(repo, p, first));
    }
  });

  it("leaves out what does not exist: missing paths, folders, a missing ref or repository", async () => {
    const read = await host.readFiles(repo, ["README.md", "no/such/file.yaml", "apps", "apps/svc-001", "empty.txt", "README.md"]);
    expect([...read]).toEqual([["README.md", "# changed\n"]]);
    expect((await host.readFiles(repo, ["README.md"], "no-such-branch")).size).toBe(0);
    expect((await host.readFiles({ owner: "demo", name: "nothing-here" }, ["README.md"])).size).toBe(0);
    expect((await host.readFiles(repo, [])).size).toBe(0);
  });

  it("reads at a ref: a branch, a commit sha", async () => {
    await host.createBranch(repo, "feature", "main");
    await host.commitFiles(repo, "feature", [{ path: "README.md", content: "# feature\n" }], "Feature");
    expect((await host.readFiles(repo, ["README.md"], "feature")).get("README.md")).toBe("# feature\n");
    expect((await host.readFiles(repo, ["README.md"], first)).get("README.md")).toBe("# batch\n");
    expect((await host.readFiles(repo, ["README.md"], second)).get("README.md")).toBe("# changed\n");
    expect((await host.readFiles(repo, ["README.md"])).get("README.md")).toBe("# changed\n");
  });

  it("is binary-safe: a file of every byte value does not disturb the files around it", async () => {
    const dir = host.gitDir(repo);
    const bytes = Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7) % 256));
    const binary = await gitText(dir, ["hash-object", "-w", "--stdin"], { input: bytes });
    const after = await gitText(dir, ["hash-object", "-w", "--stdin"], { input: "after the binary\n" });
    const tree = await gitText(dir, ["mktree", "-z"], { input: [`100644 blob ${after}\ta-after.txt`, `100644 blob ${binary}\tbinary.bin`, `100644 blob ${after}\tz-after.txt`, ""].join("\0") });
    const commit = await gitText(dir, ["commit-tree", tree, "-m", "binary"]);
    await git(dir, ["update-ref", "refs/heads/binary", commit]);

    const listed = await host.listFilesWithIds(repo, "binary");
    expect(listed.find((f) => f.path === "binary.bin")?.sha).toBe(blobId(bytes));
    const read = await host.readFiles(repo, ["a-after.txt", "binary.bin", "z-after.txt"], "binary");
    expect(read.get("a-after.txt")).toBe("after the binary\n");
    expect(read.get("z-after.txt")).toBe("after the binary\n");
    expect(read.get("binary.bin")).toBe(bytes.toString("utf8"));
    expect(read.get("binary.bin")).toBe(await host.readFile(repo, "binary.bin", "binary"));

    const blobs = await host.readBlobs(repo, [binary, after, "0".repeat(40)]);
    expect(blobs.get(binary)).toBe(bytes.toString("utf8"));
    expect(blobs.get(after)).toBe("after the binary\n");
    expect(blobs.has("0".repeat(40))).toBe(false);
  });

  it("reads blobs by id in one process; ids of other objects or unknown ids are left out", async () => {
    const listed = await host.listFilesWithIds(repo, first);
    const tree = await gitText(host.gitDir(repo), ["rev-parse", `${first}^{tree}`]);
    vi.mocked(childProcess.spawn).mockClear();
    const blobs = await host.readBlobs(repo, [...listed.map((f) => f.sha), tree, "f".repeat(40)]);
    expect(spawned()).toEqual(["cat-file"]);
    for (const f of listed) expect(blobs.get(f.sha)).toBe(files[f.path]);
    expect(blobs.has(tree)).toBe(false);
    expect(blobs.has("f".repeat(40))).toBe(false);
    expect((await host.readBlobs({ owner: "demo", name: "nothing-here" }, [tree])).size).toBe(0);
  });

  it("refuses paths, refs and ids git must not see", async () => {
    await expect(host.readFiles(repo, ["README.md", "../../etc/passwd"])).rejects.toMatchObject({ kind: "invalid" });
    await expect(host.readFiles(repo, ["README.md"], "--output=/tmp/x")).rejects.toBeInstanceOf(GitHostError);
    await expect(host.readBlobs(repo, ["HEAD"])).rejects.toMatchObject({ kind: "invalid" });
    await expect(host.listFilesWithIds(repo, "no-such-branch")).rejects.toMatchObject({ kind: "not_found" });
  });
});
