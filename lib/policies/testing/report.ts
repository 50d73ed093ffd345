// The human-readable report of a policy test run: ✓/✗ per policy and per case, each failure
// with its file and line, the expected and the actual outcome and messages, then a summary and
// the closing line CI reads ("Policies: N passed, N failed").
import type { CaseResult, RunResult } from "./types.ts";

export interface ReportOptions {
  /** ANSI colours (a terminal); off for logs and files. */
  color?: boolean;
  /** List passing cases too (default); when false, only failures and the summary. */
  verbose?: boolean;
}

function quoteAll(messages: readonly string[]): string {
  return messages.length === 0 ? "(no messages)" : messages.map((m) => JSON.stringify(m)).join(", ");
}

export function formatReport(result: RunResult, options: ReportOptions = {}): string {
  const paint = (code: string) => (text: string) => (options.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const green = paint("32");
  const red = paint("31");
  const yellow = paint("33");
  const dim = paint("2");
  const bold = paint("1");
  const verbose = options.verbose ?? true;
  const out: string[] = [];

  const caseLines = (c: CaseResult) => {
    const where = dim(`${c.file}${c.line ? `:${c.line}` : ""}`);
    if (c.ok) {
      const waived = c.actual?.waived ? " (waived)" : "";
      const notApplicable = c.actual && !c.actual.applies ? " (not applicable)" : "";
      out.push(`    ${green("✓")} ${c.name} ${dim(`→ ${c.expected.outcome}${waived}${notApplicable}, ${c.durationMs} ms`)}`);
      return;
    }
    out.push(`    ${red("✗")} ${c.name} ${where}`);
    for (const f of c.failures) out.push(`        ${red(f)}`);
    if (c.actual) {
      const expectedMessages = c.expected.messages ? ` ${quoteAll(c.expected.messages)}` : "";
      out.push(`        expected: ${c.expected.outcome}${expectedMessages}`);
      out.push(`        actual:   ${c.actual.outcome}${c.actual.waived ? " (waived)" : ""}${c.actual.applies ? "" : " (policy does not apply)"} ${quoteAll(c.actual.messages)}`);
    }
  };

  for (const p of result.policies) {
    if (!verbose && p.ok) continue;
    const action = p.action ? dim(` (${p.action})`) : "";
    const count = p.cases.length ? dim(` — ${p.cases.length} case${p.cases.length === 1 ? "" : "s"}`) : "";
    out.push(`${p.ok ? green("✓") : red("✗")} ${bold(p.name)}${action} ${dim(p.file ?? p.casesFile ?? "")}${count}`);
    for (const problem of p.problems) out.push(`    ${red("✗")} ${problem.file}${problem.line ? `:${problem.line}` : ""}: ${problem.message}`);
    for (const c of p.cases) if (verbose || !c.ok) caseLines(c);
  }

  const s = result.summary;
  out.push("");
  const broken = s.broken ? `, ${red(`${s.broken} broken polic${s.broken === 1 ? "y" : "ies"} or cases file${s.broken === 1 ? "" : "s"}`)}` : "";
  out.push(
    `${s.policies} polic${s.policies === 1 ? "y" : "ies"}, ${s.cases} case${s.cases === 1 ? "" : "s"}: ` +
      `${s.passed} passed, ${s.failed ? red(`${s.failed} failed`) : "0 failed"}${broken} ${dim(`(${(result.durationMs / 1000).toFixed(2)} s)`)}`,
  );
  if (result.policies.length === 0) out.push(yellow(`No policies found in ${result.dirs.join(", ")}`));
  // The closing line CI reads: "Policies: N passed, N failed" (broken policies count as failed).
  const failed = s.failed + s.broken + (result.policies.length === 0 ? 1 : 0);
  out.push(`${result.ok ? green("Policies:") : red("Policies:")} ${s.passed} passed, ${failed} failed`);
  return out.join("\n");
}
