// Shell scripts a template renders: `bash -n` parses them (always), and ShellCheck lints them at
// warning level when it is installed (Debian's `shellcheck`); where it is not, the run says so.
import { spawnSync } from "node:child_process";
import type { Failure, OutputFile } from "./types.ts";

let shellcheck: boolean | undefined;

function hasShellcheck(): boolean {
  shellcheck ??= spawnSync("shellcheck", ["--version"], { encoding: "utf8" }).status === 0;
  return shellcheck;
}

export function checkShell(file: OutputFile): { failures: Failure[]; skipped?: string } {
  const failures: Failure[] = [];
  const syntax = spawnSync("bash", ["-n"], { input: file.content, encoding: "utf8" });
  if (syntax.error) return { failures, skipped: `bash -n of ${file.path} (bash is not installed)` };
  if (syntax.status !== 0) {
    for (const line of syntax.stderr.trim().split("\n").filter(Boolean)) failures.push({ check: "shell", file: file.path, message: line.replace(/^bash: /, "") });
    return { failures };
  }
  if (!hasShellcheck()) return { failures, skipped: `shellcheck of ${file.path} (shellcheck is not installed)` };
  const lint = spawnSync("shellcheck", ["--severity=warning", "--format=gcc", "--shell=bash", "-"], { input: file.content, encoding: "utf8" });
  if (lint.status !== 0) {
    for (const line of lint.stdout.trim().split("\n").filter(Boolean)) failures.push({ check: "shell", file: file.path, message: line.replace(/^-:/, "line ") });
  }
  return { failures };
}
