// Which names the sandbox accepts for owners, repositories, branches, refs and file paths.
// They end up in file-system paths and git command lines, so anything that could climb out of
// the data folder or be read as an option is refused here, before git sees it.

/** GitHub's own rule for owner and repository names: letters, digits, `.`, `_`, `-`, at most 100. */
export function repoNameProblem(name: string): string | null {
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(name)) return `"${name}" is not a valid name: use letters, digits, ".", "_" and "-" (at most 100)`;
  if (name === "." || name === ".." || name.startsWith(".")) return `"${name}" is not a valid name: it may not start with "."`;
  if (name.toLowerCase().endsWith(".git")) return `"${name}" is not a valid name: it may not end with ".git"`;
  return null;
}

/** git check-ref-format's rules, applied to a branch name (without refs/heads/). */
export function branchNameProblem(name: string): string | null {
  const bad =
    name.length === 0 ||
    name.length > 255 ||
    name === "@" ||
    name.startsWith("-") ||
    name.startsWith("/") ||
    name.endsWith("/") ||
    name.endsWith(".") ||
    name.includes("..") ||
    name.includes("//") ||
    name.includes("@{") ||
    // control characters, space and the characters git reserves for revision syntax
    // eslint-disable-next-line no-control-regex
    /[\x00-\x20\x7f~^:?*[\\]/.test(name) ||
    name.split("/").some((part) => part.startsWith(".") || part.endsWith(".lock"));
  return bad ? `"${name}" is not a valid branch name` : null;
}

/** A ref to read at: a branch or tag name, a full ref or a commit sha. */
export function refProblem(ref: string): string | null {
  return branchNameProblem(ref) === null ? null : `"${ref}" is not a valid ref`;
}

/** A file path inside a repository: relative, "/"-separated, no "." / ".." / ".git" segment. */
export function pathProblem(path: string): string | null {
  if (path.length === 0 || path.length > 4096) return "a file path may not be empty";
  if (path.includes("\0")) return `"${path}" is not a valid file path`;
  const parts = path.split("/");
  if (parts.some((p) => p === "" || p === "." || p === ".." || p.toLowerCase() === ".git"))
    return `"${path}" is not a valid file path: use a relative path such as "src/app.ts"`;
  return null;
}
