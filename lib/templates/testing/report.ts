// The human-readable report of a run: grouped by template and version, ✓/✗ per case, each
// failure with its file and reason (and a diff for golden mismatches), then one summary line.
import type { Failure, RunResult } from "./types.ts";

export interface ReportOptions {
  /** ANSI colours (a terminal); off for logs and files. */
  color?: boolean;
  /** List passing cases too (default); when false, only failures and the summary. */
  verbose?: boolean;
}

export function formatReport(result: RunResult, options: ReportOptions = {}): string {
  const paint = (code: string) => (text: string) => (options.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const green = paint("32");
  const red = paint("31");
  const dim = paint("2");
  const bold = paint("1");
  const verbose = options.verbose ?? true;
  const out: string[] = [];
  const failureLines = (f: Failure, indent: string) => {
    out.push(`${indent}${red("✗")} ${f.file ? `${f.file}: ` : ""}${f.message} ${dim(`[${f.check}]`)}`);
    if (f.diff) for (const line of f.diff.trimEnd().split("\n")) out.push(`${indent}    ${line.startsWith("+") ? green(line) : line.startsWith("-") ? red(line) : dim(line)}`);
  };

  for (const t of result.templates) {
    if (!verbose && t.ok) continue;
    out.push(`${t.ok ? green("✓") : red("✗")} ${bold(t.name)} ${dim(t.dir)}`);
    for (const f of t.loadFailures) failureLines(f, "    ");
    for (const v of t.versions) {
      if (!verbose && v.ok) continue;
      out.push(`  ${v.ok ? green("✓") : red("✗")} ${v.version} ${dim(`(${v.lifecycle}, ${v.type}, ${v.dir})`)}`);
      for (const f of v.failures) failureLines(f, "      ");
      for (const c of v.cases) {
        if (!verbose && c.ok) continue;
        const files = c.files.length ? dim(` — ${c.files.length} file${c.files.length === 1 ? "" : "s"}`) : "";
        out.push(`      ${c.ok ? green("✓") : red("✗")} ${c.name}${files} ${dim(`${c.durationMs} ms`)}`);
        for (const f of c.failures) failureLines(f, "          ");
        if (verbose) for (const s of c.skipped) out.push(`          ${dim(`- skipped: ${s}`)}`);
      }
    }
  }
  const s = result.summary;
  out.push("");
  out.push(
    `${s.templates} template${s.templates === 1 ? "" : "s"}, ${s.versions} version${s.versions === 1 ? "" : "s"}, ` +
      `${s.cases} case${s.cases === 1 ? "" : "s"}${s.broken ? `, ${red(`${s.broken} broken template or version problem${s.broken === 1 ? "" : "s"}`)}` : ""} ` +
      dim(`(${(result.durationMs / 1000).toFixed(2)} s)`),
  );
  // The closing line CI reads: "N passed, N failed" alone on a line.
  const failed = s.failed + s.broken + (result.templates.length === 0 ? 1 : 0);
  out.push(`${result.ok ? green("Templates:") : red("Templates:")} ${s.passed} passed, ${failed} failed`);
  return out.join("\n");
}
