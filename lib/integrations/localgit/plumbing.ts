// Git plumbing the sandbox builds on: commits written without a worktree (blobs, a temporary
// index, write-tree, commit-tree, then a compare-and-swap of the ref), merges through
// `merge-tree --write-tree`, and pull-request diffs in the shape GitHub gives them.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { git, gitText, ZERO_SHA } from "./git.ts";

export interface TreeChange {
  path: string;
  /** null deletes the path (a no-op when it does not exist). */
  content: string | null;
}

/** The commit a ref points at and its tree, read in one go; null when the ref does not exist. */
export async function readTip(gitDir: string, ref: string): Promise<{ sha: string; tree: string } | null> {
  const res = await git(gitDir, ["show", "-s", "--format=%H %T", `${ref}^{commit}`, "--"], { okCodes: [0, 128] });
  if (res.code !== 0) return null;
  const [sha, tree] = res.stdout.toString().trim().split(" ");
  return sha && tree ? { sha, tree } : null;
}

/**
 * The commit a branch points at, read from the ref files without running git (the cost of a
 * process, for what every read of a branch head asks): the loose ref, else packed-refs. git
 * replaces a ref file by renaming a lock file over it, so a read sees the old or the new sha.
 * Null when the branch does not exist; anything unusual (a symbolic ref) is left to git.
 */
export async function readBranch(gitDir: string, branch: string): Promise<string | null> {
  let text: string | null;
  try {
    text = await readFile(path.join(gitDir, "refs", "heads", ...branch.split("/")), "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "ENOENT" && code !== "ENOTDIR" && code !== "EISDIR") throw e;
    text = null;
  }
  if (text !== null) {
    const sha = /^([0-9a-f]{40})\n?$/.exec(text)?.[1];
    return sha ?? resolveRef(gitDir, `refs/heads/${branch}`);
  }
  let packed: string;
  try {
    packed = await readFile(path.join(gitDir, "packed-refs"), "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
  const wanted = ` refs/heads/${branch}`;
  for (const line of packed.split("\n")) if (line.endsWith(wanted) && /^[0-9a-f]{40} /.test(line) && line.length === 40 + wanted.length) return line.slice(0, 40);
  return null;
}

export async function resolveRef(gitDir: string, ref: string): Promise<string | null> {
  const res = await git(gitDir, ["rev-parse", "--verify", "-q", `${ref}^{commit}`], { okCodes: [0, 1, 128] });
  return res.code === 0 ? res.stdout.toString().trim() : null;
}

/**
 * Writes `changes` on top of `baseTree` (null: an empty tree) and returns the new tree's sha.
 * Existing files keep their mode (an executable script stays executable); new files are 100644.
 * `knownModes`: the base tree's files whose mode is not 100644, when the caller has them.
 */
export async function writeTree(gitDir: string, baseTree: string | null, changes: TreeChange[], knownModes?: ReadonlyMap<string, string>): Promise<string> {
  const tmp = await mkdtemp(path.join(tmpdir(), "paved-git-"));
  try {
    const env = { GIT_INDEX_FILE: path.join(tmp, "index") };
    if (baseTree) await git(gitDir, ["read-tree", baseTree], { env });
    // The last change to a path wins, as if they were applied one after another.
    const byPath = new Map(changes.map((c) => [c.path, c.content]));
    const writes = [...byPath].filter((entry): entry is [string, string] => entry[1] !== null);

    const blobs = new Map<string, string>();
    if (writes.length > 0) {
      const files = await Promise.all(
        writes.map(async ([, content], i) => {
          const file = path.join(tmp, `blob-${i}`);
          await writeFile(file, content);
          return file;
        }),
      );
      const shas = (await gitText(gitDir, ["hash-object", "-w", "--no-filters", "--stdin-paths"], { input: `${files.join("\n")}\n` })).split("\n");
      writes.forEach(([p], i) => blobs.set(p, shas[i] as string));
    }

    // The base tree's modes other than 100644, when the caller knows them (a listing of the base); else asked of git.
    const modes = new Map<string, string>();
    if (knownModes) for (const [p] of writes) if (knownModes.get(p) === "100755") modes.set(p, "100755");
    if (baseTree && writes.length > 0 && !knownModes) {
      const listed = await git(gitDir, ["ls-tree", "-r", "-z", baseTree, "--", ...writes.map(([p]) => p)]);
      for (const entry of listed.stdout.toString("utf8").split("\0")) {
        const match = /^(\d+) blob [0-9a-f]+\t(.*)$/s.exec(entry);
        if (match?.[1] === "100755" && match[2]) modes.set(match[2], "100755");
      }
    }

    const lines = [...byPath].map(([p, content]) => (content === null ? `0 ${ZERO_SHA}\t${p}` : `${modes.get(p) ?? "100644"} ${blobs.get(p)}\t${p}`));
    await git(gitDir, ["update-index", "-z", "--index-info"], { env, input: `${lines.join("\0")}\0` });
    return await gitText(gitDir, ["write-tree"], { env });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

export async function commitTree(gitDir: string, tree: string, parents: string[], message: string): Promise<string> {
  return gitText(gitDir, ["commit-tree", tree, ...parents.flatMap((p) => ["-p", p]), "-F", "-"], { input: message.endsWith("\n") ? message : `${message}\n` });
}

/** Moves `ref` from `expected` (null: the ref must not exist yet) to `sha`; false when someone else moved it first. */
export async function casRef(gitDir: string, ref: string, sha: string, expected: string | null): Promise<boolean> {
  const res = await git(gitDir, ["update-ref", ref, sha, expected ?? ZERO_SHA], { okCodes: [0, 128] });
  return res.code === 0;
}

export async function isAncestor(gitDir: string, ancestor: string, descendant: string): Promise<boolean> {
  const res = await git(gitDir, ["merge-base", "--is-ancestor", ancestor, descendant], { okCodes: [0, 1] });
  return res.code === 0;
}

export async function mergeBase(gitDir: string, a: string, b: string): Promise<string | null> {
  const res = await git(gitDir, ["merge-base", a, b], { okCodes: [0, 1] });
  return res.code === 0 ? res.stdout.toString().trim() : null;
}

/** The tree of merging `theirs` into `ours`, or null when the two conflict. */
export async function mergeTrees(gitDir: string, ours: string, theirs: string): Promise<string | null> {
  const res = await git(gitDir, ["merge-tree", "--write-tree", "--no-messages", ours, theirs], { okCodes: [0, 1] });
  if (res.code === 1) return null;
  return res.stdout.toString().split("\n")[0]?.trim() ?? null;
}

export interface DiffFile {
  path: string;
  status: "added" | "modified" | "removed";
  /** The hunks of the unified diff (from the first "@@"), as GitHub's `patch`; null for binary or empty files. */
  patch: string | null;
  additions: number;
  deletions: number;
  /** The file's blob at `to` (at `from` for a removed file). */
  blobSha: string;
}

/** What changed from `from` to `to`, file by file, with unified diffs. */
export async function diffCommits(gitDir: string, from: string, to: string): Promise<DiffFile[]> {
  const common = ["--no-renames", "--no-ext-diff", "--no-textconv", "--no-color", from, to, "--"];
  const [raw, numstat, patch] = await Promise.all([
    git(gitDir, ["diff", "--raw", "-z", "--abbrev=40", ...common]),
    git(gitDir, ["diff", "--numstat", "-z", ...common]),
    git(gitDir, ["diff", "-U3", ...common]),
  ]);

  // --raw -z: ":<mode> <mode> <sha> <sha> <status>\0<path>\0" per file.
  const rawParts = raw.stdout.toString("utf8").split("\0");
  const files: DiffFile[] = [];
  for (let i = 0; i + 1 < rawParts.length; i += 2) {
    const meta = rawParts[i]?.split(" ") ?? [];
    const filePath = rawParts[i + 1] as string;
    const letter = meta[4]?.[0];
    const status = letter === "A" ? "added" : letter === "D" ? "removed" : "modified";
    files.push({ path: filePath, status, patch: null, additions: 0, deletions: 0, blobSha: (status === "removed" ? meta[2] : meta[3]) ?? ZERO_SHA });
  }

  // --numstat -z: "<added>\t<deleted>\t<path>\0" ("-" for binary files), in the same order.
  numstat.stdout
    .toString("utf8")
    .split("\0")
    .filter(Boolean)
    .forEach((line, i) => {
      const [added, deleted] = line.split("\t");
      const file = files[i];
      if (file) {
        file.additions = Number(added) || 0;
        file.deletions = Number(deleted) || 0;
      }
    });

  // The patch: one "diff --git" block per file, in the same (path) order as the lists above.
  const blocks = patch.stdout.toString("utf8").split(/^(?=diff --git )/m).filter((b) => b.startsWith("diff --git "));
  blocks.forEach((block, i) => {
    const file = files[i];
    const hunk = block.indexOf("\n@@");
    if (file && hunk >= 0) file.patch = block.slice(hunk + 1).replace(/\n$/, "");
  });
  return files;
}

export interface TreeEntry {
  mode: string;
  type: "blob" | "tree" | "commit";
  sha: string;
  path: string;
}

/** Every entry of a tree (or a commit's), recursively (`ls-tree -r`: blobs, and submodules as "commit" entries); null when git has no such object. */
export async function listTree(gitDir: string, treeish: string): Promise<TreeEntry[] | null> {
  const res = await git(gitDir, ["ls-tree", "-r", "-z", treeish], { okCodes: [0, 128] });
  if (res.code !== 0) return null;
  const out: TreeEntry[] = [];
  for (const entry of res.stdout.toString("utf8").split("\0")) {
    const m = /^(\d+) (blob|tree|commit) ([0-9a-f]+)\t(.*)$/s.exec(entry);
    if (m) out.push({ mode: m[1]!, type: m[2] as TreeEntry["type"], sha: m[3]!, path: m[4]! });
  }
  return out;
}

export interface BatchObject {
  sha: string;
  type: string;
  content: Buffer;
}

/**
 * Reads objects in one `git cat-file --batch` process, whatever their number: each request is an
 * object name ("<sha>", "<tree>:<path>"), each answer the object (byte-exact, so binary content
 * cannot break the framing) or null when git has no such object. Answers come in request order.
 */
export async function catFileBatch(gitDir: string, requests: readonly string[]): Promise<(BatchObject | null)[]> {
  if (requests.length === 0) return [];
  // -z: requests are NUL-terminated, so a path may hold any character but NUL.
  const res = await git(gitDir, ["cat-file", "--batch", "--buffer", "-z"], { input: `${requests.join("\0")}\0` });
  const out = res.stdout;
  const answers: (BatchObject | null)[] = [];
  let at = 0;
  for (const request of requests) {
    // "<request> missing\n" (or "ambiguous"): git has no such object. A request can hold a newline
    // (in its path), so this is matched as the whole request, not as a line.
    const missing = [`${request} missing\n`, `${request} ambiguous\n`].map((s) => Buffer.from(s, "utf8")).find((b) => out.subarray(at, at + b.length).equals(b));
    if (missing) {
      answers.push(null);
      at += missing.length;
      continue;
    }
    // "<sha> <type> <size>\n<content>\n"
    const eol = out.indexOf(0x0a, at);
    const header = eol < 0 ? null : /^([0-9a-f]{40,64}) (\S+) (\d+)$/.exec(out.subarray(at, eol).toString("utf8"));
    if (!header) throw new Error(`unexpected answer from git cat-file --batch for ${JSON.stringify(request)}: ${JSON.stringify(out.subarray(at, at + 200).toString("utf8"))}`);
    const size = Number(header[3]);
    const start = eol + 1;
    if (start + size > out.length) throw new Error(`git cat-file --batch answered ${request} with fewer bytes than announced`);
    answers.push({ sha: header[1]!, type: header[2]!, content: out.subarray(start, start + size) });
    at = start + size + 1;
  }
  return answers;
}
