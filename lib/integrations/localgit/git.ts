// Runs the git binary for the sandbox's repositories. Plumbing only (no worktrees), so that the
// web server and any number of worker processes can work on the same bare repositories at once.
import { spawn } from "node:child_process";

export interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export class GitCommandError extends Error {
  constructor(
    readonly args: string[],
    readonly code: number,
    readonly stderr: string,
  ) {
    super(`git ${args.join(" ")} exited with ${code}: ${stderr.trim().slice(0, 500)}`);
    this.name = "GitCommandError";
  }
}

export const GIT_IDENTITY = { name: "Paved", email: "paved@sandbox.invalid" } as const;

let baseEnv: Record<string, string> | undefined;

/**
 * The environment every git process gets: nothing from the user's or the system's git
 * configuration (a hook, a signing key or `core.autocrlf` there must not change what the
 * sandbox writes), no GIT_* variable inherited from a surrounding repository, no prompts.
 */
function gitEnv(): Record<string, string> {
  if (!baseEnv) {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("GIT_")) env[k] = v;
    Object.assign(env, {
      GIT_CONFIG_NOSYSTEM: "1",
      GIT_CONFIG_GLOBAL: "/dev/null",
      GIT_TERMINAL_PROMPT: "0",
      GIT_AUTHOR_NAME: GIT_IDENTITY.name,
      GIT_AUTHOR_EMAIL: GIT_IDENTITY.email,
      GIT_COMMITTER_NAME: GIT_IDENTITY.name,
      GIT_COMMITTER_EMAIL: GIT_IDENTITY.email,
      LC_ALL: "C",
    });
    baseEnv = env;
  }
  return baseEnv;
}

export interface GitOptions {
  /** Written to the process's stdin. */
  input?: string | Buffer;
  /** Extra environment, e.g. GIT_INDEX_FILE for a temporary index. */
  env?: Record<string, string>;
  /** Exit codes that are answers rather than failures (e.g. 1 for "no such ref" from rev-parse --verify). */
  okCodes?: number[];
}

/** Runs `git --git-dir=<gitDir> <args>`; throws GitCommandError on an exit code not in okCodes. */
export function git(gitDir: string | null, args: string[], options: GitOptions = {}): Promise<GitResult> {
  const fullArgs = [
    "-c",
    "core.quotePath=false",
    "-c",
    "gc.auto=0",
    "--literal-pathspecs",
    ...(gitDir ? [`--git-dir=${gitDir}`] : []),
    ...args,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn("git", fullArgs, {
      // (Next.js's typings make NODE_ENV a required key of ProcessEnv; git does not need it.)
      env: (options.env ? { ...gitEnv(), ...options.env } : gitEnv()) as NodeJS.ProcessEnv,
      stdio: ["pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-8000)));
    child.on("error", reject);
    // A child that exits before reading all of its input closes the pipe: that is not our error.
    child.stdin.on("error", () => {});
    child.on("close", (code) => {
      const result = { code: code ?? -1, stdout: Buffer.concat(out), stderr: err };
      if ((options.okCodes ?? [0]).includes(result.code)) resolve(result);
      else reject(new GitCommandError(args, result.code, err));
    });
    child.stdin.end(options.input ?? "");
  });
}

/** stdout of a successful git command as text, without the trailing newline. */
export async function gitText(gitDir: string | null, args: string[], options: GitOptions = {}): Promise<string> {
  const { stdout } = await git(gitDir, args, options);
  return stdout.toString("utf8").replace(/\n$/, "");
}

export const ZERO_SHA = "0000000000000000000000000000000000000000";
