// The policy test runner (npm run policies:test), in the manner of `kyverno test` and
// `gator verify`: every case of every `<name>.cases.yaml` is evaluated against its policy alone,
// with the case's parameters, exceptions and clock, and its outcome and messages compared with
// what the case expects. A policy that does not load is reported with its file and line and the
// others still run; a policy without cases, or a cases file without a policy, is a failure too.
import { existsSync, readFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import YAML, { LineCounter, isMap, isSeq, type Node } from "yaml";
import { evaluateSubject, isPolicyLoadError, loadPolicies, type CompiledPolicy, type PolicyLoadError } from "../engine.ts";
import type { Subject } from "../format.ts";
import { readObjects, type ReadResult } from "./documents.ts";
import { withParams } from "./params.ts";
import { CasesFile, OUTCOMES, type CaseObservation, type CaseResult, type Outcome, type PolicyTestResult, type Problem, type RunResult, type TestCase } from "./types.ts";
import { toWaiver } from "./waivers.ts";

export interface RunOptions {
  /** Policy folders (each holds `<name>.yaml` and `<name>.cases.yaml`). */
  dirs: string[];
  /** File names in the result are relative to it (default: the process's working directory). */
  cwd?: string;
  /** Only these policies. */
  only?: readonly string[];
}

const CASES_FILE = /\.cases\.ya?ml$/;

/** The outcome of one evaluation for one policy: its action when something unwaived was found. */
function outcomeOf(results: { action: string; exception: unknown }[]): Outcome {
  const counting = results.filter((r) => !r.exception);
  return counting.length === 0 ? "allow" : (counting[0]?.action.toLowerCase() as Outcome);
}

function strictest(a: Outcome, b: Outcome): Outcome {
  return OUTCOMES.indexOf(a) >= OUTCOMES.indexOf(b) ? a : b;
}

export interface LoadedCases {
  file: string;
  policy: string;
  now: Date | undefined;
  cases: { testCase: TestCase; line: number | null }[];
}

/** Parses a cases file; throws a Problem (file and line) when it is not valid. */
export function parseCasesFile(file: string, text: string): LoadedCases {
  const counter = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter: counter, prettyErrors: true, uniqueKeys: true });
  const error = doc.errors[0];
  if (error) throw { file, line: error.linePos?.[0]?.line ?? null, message: `YAML: ${error.message.split("\n")[0]}` } satisfies Problem;
  const lineAt = (keys: (string | number)[]): number | null => {
    let node: Node | null | undefined = doc.contents as Node | null;
    for (const key of keys) {
      if (isMap(node)) node = node.get(key, true) as Node | undefined;
      else if (isSeq(node) && typeof key === "number") node = node.items[key] as Node | undefined;
      else break;
    }
    const offset = node?.range?.[0];
    return offset === undefined ? null : counter.linePos(offset).line;
  };
  const parsed = CasesFile.safeParse(doc.toJS({ maxAliasCount: 100 }));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const keys = (issue?.path ?? []) as (string | number)[];
    throw { file, line: lineAt(keys), message: `${keys.join(".") || "(file)"}: ${issue?.message}` } satisfies Problem;
  }
  return {
    file,
    policy: parsed.data.policy ?? path.basename(file).replace(CASES_FILE, ""),
    now: parsed.data.now,
    cases: parsed.data.cases.map((testCase, i) => ({ testCase, line: lineAt(["cases", i]) })),
  };
}

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Evaluation state shared by the cases of one run: fixture files and parameter variants, read once. */
interface Context {
  fixtures: Map<string, ReadResult>;
  variants: Map<string, CompiledPolicy>;
}

function fixture(ctx: Context, file: string, shownAs: string): ReadResult {
  let read = ctx.fixtures.get(file);
  if (!read) {
    read = readObjects(shownAs, readFileSync(file, "utf8"));
    ctx.fixtures.set(file, read);
  }
  return read;
}

/** Runs one case against its policy. */
export function runCase(policy: CompiledPolicy, loaded: LoadedCases, entry: LoadedCases["cases"][number], ctx: Context, cwd: string): CaseResult {
  const started = performance.now();
  const c = entry.testCase;
  const expected = { outcome: c.expect, messages: c.messages ?? null, waived: c.waived ?? null, applies: c.applies ?? null };
  const result = (actual: CaseObservation | null, failures: string[]): CaseResult => ({
    name: c.name,
    file: loaded.file,
    line: entry.line,
    ok: failures.length === 0,
    expected,
    actual,
    failures,
    durationMs: Math.round((performance.now() - started) * 1000) / 1000,
  });

  // The subjects.
  let subjects: Subject[];
  if (c.object) {
    if (typeof c.object.apiVersion !== "string" || typeof c.object.kind !== "string") return result(null, ["the object has no apiVersion or kind"]);
    subjects = [c.object as Subject];
  } else {
    const absolute = path.resolve(path.dirname(path.resolve(cwd, loaded.file)), c.file ?? "");
    if (!existsSync(absolute)) return result(null, [`fixture ${c.file} does not exist`]);
    const read = fixture(ctx, absolute, path.relative(cwd, absolute));
    if (read.problems.length) return result(null, read.problems.map((p) => `${p.file}${p.line ? `:${p.line}` : ""}: ${p.message}`));
    const objects = c.document === undefined ? read.objects : read.objects.filter((o) => o.document === c.document);
    if (objects.length === 0) return result(null, [c.document === undefined ? `fixture ${c.file} holds no object` : `fixture ${c.file} has no object in document ${c.document}`]);
    subjects = objects.map((o) => o.subject);
  }

  // The policy, with the case's parameters.
  let variant = policy;
  if (c.params) {
    const key = `${policy.name}\0${JSON.stringify(c.params)}`;
    let compiled = ctx.variants.get(key);
    if (!compiled) {
      try {
        compiled = withParams(policy, c.params);
      } catch (e) {
        return result(null, [`the policy does not compile with these params: ${isPolicyLoadError(e) ? e.message : String(e)}`]);
      }
      ctx.variants.set(key, compiled);
    }
    variant = compiled;
  }

  const waivers = (c.exceptions ?? []).map((w, i) => toWaiver(w, `${c.name}#${i + 1}`, policy.name));
  const now = c.now ?? loaded.now ?? new Date();
  const actual: CaseObservation = { outcome: "allow", messages: [], waived: false, applies: false, error: null, objects: subjects.length };
  for (const subject of subjects) {
    const evaluation = evaluateSubject([variant], subject, { waivers, now, ...(c.request ? { request: c.request } : {}) });
    if (evaluation.evaluated.length) actual.applies = true;
    actual.outcome = strictest(actual.outcome, outcomeOf(evaluation.results));
    for (const r of evaluation.results) {
      actual.messages.push(r.message);
      if (r.exception) actual.waived = true;
      if (r.error && actual.error === null) actual.error = r.message;
    }
  }

  const failures: string[] = [];
  if (actual.outcome !== c.expect) failures.push(`expected ${c.expect}, got ${actual.outcome}`);
  if (c.messages) {
    if (!same(c.messages, actual.messages)) failures.push("the messages differ");
  } else if (c.expect !== "allow") {
    failures.push(`a case that expects ${c.expect} lists the messages it expects`);
  }
  if (c.waived !== undefined && c.waived !== actual.waived) failures.push(c.waived ? "expected an exception to waive the finding; none did" : "expected no exception to apply; one did");
  if (c.applies !== undefined && c.applies !== actual.applies) failures.push(c.applies ? "expected the policy to apply to the object; it does not match it" : "expected the policy not to apply to the object; it matches it");
  return result(actual, failures);
}

async function casesFilesIn(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  return (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isFile() && CASES_FILE.test(e.name))
    .map((e) => path.join(dir, e.name))
    .sort();
}

/** Runs every case of every policy in the folders. */
export async function runPolicyTests(options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const cwd = options.cwd ?? process.cwd();
  const rel = (file: string) => path.relative(cwd, path.resolve(process.cwd(), file)) || file;
  const ctx: Context = { fixtures: new Map(), variants: new Map() };
  const out: PolicyTestResult[] = [];

  for (const dir of options.dirs) {
    const absoluteDir = path.resolve(cwd, dir);
    if (!existsSync(absoluteDir)) {
      out.push({ name: path.basename(dir), file: rel(absoluteDir), casesFile: null, action: null, ok: false, problems: [{ file: rel(absoluteDir), line: null, message: "no such folder" }], cases: [] });
      continue;
    }
    const { policies, errors } = await loadPolicies(absoluteDir);
    const loadErrors: PolicyLoadError[] = errors.map((e) => ({ ...e, file: rel(e.file) }));
    const casesFiles: LoadedCases[] = [];
    const casesProblems: (Problem & { stem: string })[] = [];
    for (const file of await casesFilesIn(absoluteDir)) {
      const shown = rel(file);
      try {
        casesFiles.push(parseCasesFile(shown, readFileSync(file, "utf8")));
      } catch (e) {
        const problem = e as Problem;
        casesProblems.push({ ...problem, stem: path.basename(file).replace(CASES_FILE, "") });
      }
    }
    const byPolicy = new Map<string, LoadedCases[]>();
    for (const loaded of casesFiles) byPolicy.set(loaded.policy, [...(byPolicy.get(loaded.policy) ?? []), loaded]);

    for (const policy of policies) {
      if (options.only && !options.only.includes(policy.name)) continue;
      const stem = path.basename(policy.file).replace(/\.ya?ml$/, "");
      const mine = byPolicy.get(policy.name) ?? [];
      byPolicy.delete(policy.name);
      const problems: Problem[] = casesProblems.filter((p) => p.stem === stem || p.stem === policy.name).map(({ stem: _stem, ...p }) => p);
      const cases = mine.flatMap((loaded) => loaded.cases.map((entry) => runCase(policy, loaded, entry, ctx, cwd)));
      if (mine.length === 0 && problems.length === 0) problems.push({ file: rel(policy.file), line: null, message: `no test cases: add ${stem}.cases.yaml next to it` });
      out.push({
        name: policy.name,
        file: rel(policy.file),
        casesFile: mine[0]?.file ?? null,
        action: policy.action,
        ok: problems.length === 0 && cases.every((c) => c.ok),
        problems,
        cases,
      });
    }
    for (const e of loadErrors) {
      const stem = path.basename(e.file).replace(/\.ya?ml$/, "");
      if (options.only && !options.only.includes(stem)) continue;
      const mine = byPolicy.get(stem) ?? [];
      byPolicy.delete(stem);
      const notRun = mine.reduce((n, l) => n + l.cases.length, 0);
      out.push({
        name: stem,
        file: e.file,
        casesFile: mine[0]?.file ?? null,
        action: null,
        ok: false,
        problems: [{ file: e.file, line: e.line, message: `${e.message}${notRun ? ` (${notRun} case${notRun === 1 ? "" : "s"} not run)` : ""}` }],
        cases: [],
      });
    }
    for (const [name, files] of byPolicy) {
      if (options.only && !options.only.includes(name)) continue;
      out.push({ name, file: null, casesFile: files[0]?.file ?? null, action: null, ok: false, problems: files.map((f) => ({ file: f.file, line: null, message: `no policy named ${name} in ${rel(absoluteDir)}` })), cases: [] });
    }
    // Cases files that did not parse and belong to no loaded policy.
    const claimed = new Set(out.flatMap((p) => p.problems.map((x) => `${x.file}:${x.line}:${x.message}`)));
    for (const p of casesProblems) {
      const { stem, ...problem } = p;
      if (claimed.has(`${problem.file}:${problem.line}:${problem.message}`)) continue;
      if (options.only && !options.only.includes(stem)) continue;
      out.push({ name: stem, file: null, casesFile: problem.file, action: null, ok: false, problems: [problem], cases: [] });
    }
  }

  const cases = out.flatMap((p) => p.cases);
  const summary = {
    policies: out.length,
    cases: cases.length,
    passed: cases.filter((c) => c.ok).length,
    failed: cases.filter((c) => !c.ok).length,
    broken: out.filter((p) => p.problems.length > 0).length,
  };
  return {
    ok: out.length > 0 && out.every((p) => p.ok),
    durationMs: Math.round(performance.now() - started),
    dirs: options.dirs.map((d) => rel(path.resolve(cwd, d))),
    policies: out,
    summary,
  };
}
