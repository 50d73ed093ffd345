// `npm run policy -- check <files or dirs>`: conftest for Paved's policies, for CI. Reads
// Kubernetes manifests and Terraform plans (documents.ts), evaluates every object against every
// policy with the exceptions of an exceptions file, and reports per file and object. The run
// fails (ok: false, exit 1) on any denied object, and on anything that keeps it from judging
// every object: a policy that does not load, a file that does not parse, a path that is not there.
// Warnings and audit findings never fail it.
import { existsSync, statSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import YAML from "yaml";
import { evaluateSubject, loadPolicies, type CompiledPolicy, type PolicyLoadError, type PolicyResult, type PolicyWaiver } from "../engine.ts";
import { MANIFEST_EXTENSIONS, describeSubject, readObjects, type SkippedDocument, type SourceProblem } from "./documents.ts";
import { parseParamOverrides, withParams } from "./params.ts";
import { parseWaiverFile } from "./waivers.ts";

export interface CheckOptions {
  /** Files and folders (folders are searched recursively for .yaml, .yml and .json). */
  paths: string[];
  /** The folder holding the policies. */
  policiesDir: string;
  /** Paths are relative to it, and so are the file names in the result (default: the process's working directory). */
  cwd?: string;
  /** A YAML list of exceptions (policy, target, reason, approver, expiresAt). */
  exceptionsFile?: string;
  /** `key=value` or `policy.key=value` parameter overrides. */
  params?: string[];
  /** The clock exceptions are judged by (default: now). */
  now?: Date;
}

export interface CheckedObject {
  file: string;
  document: number;
  item: number | null;
  line: number | null;
  apiVersion: string;
  kind: string;
  namespace: string | null;
  name: string | null;
  decision: "allow" | "warn" | "deny";
  /** Every finding: Deny, Warn and Audit ones, waived ones with their exception. */
  results: PolicyResult[];
  /** The policies that applied to the object. */
  evaluated: string[];
}

export interface CheckedFile {
  file: string;
  objects: CheckedObject[];
  skipped: SkippedDocument[];
  problems: SourceProblem[];
}

export interface CheckResult {
  ok: boolean;
  now: string;
  policies: { dir: string; loaded: string[]; errors: PolicyLoadError[] };
  exceptions: { file: string; loaded: number; expired: { id: string; policy: string; expiresAt: string }[]; unknownPolicies: string[] } | null;
  files: CheckedFile[];
  summary: { files: number; objects: number; denied: number; warnings: number; audited: number; waived: number; skipped: number; problems: number; policyErrors: number };
  durationMs: number;
}

/** Thrown for what the caller got wrong (a missing exceptions file, an unknown parameter): exit code 2. */
export class CheckUsageError extends Error {}

const SKIPPED_FOLDERS = new Set(["node_modules", ".git"]);

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name) && !entry.name.startsWith(".")) out.push(...(await filesUnder(full)));
    } else if (entry.isFile() && (MANIFEST_EXTENSIONS as readonly string[]).includes(path.extname(entry.name).toLowerCase())) {
      out.push(full);
    }
  }
  return out;
}

function decisionOf(results: readonly PolicyResult[]): CheckedObject["decision"] {
  const counting = results.filter((r) => !r.exception);
  return counting.some((r) => r.action === "Deny") ? "deny" : counting.some((r) => r.action === "Warn") ? "warn" : "allow";
}

/** `file` is absolute; `shown` names it in messages and in the exceptions' ids ("exceptions.yaml#2"). */
async function loadWaivers(file: string, shown: string, policies: readonly CompiledPolicy[], now: Date): Promise<{ waivers: PolicyWaiver[]; report: NonNullable<CheckResult["exceptions"]> }> {
  if (!existsSync(file)) throw new CheckUsageError(`--exceptions ${shown}: no such file`);
  let value: unknown;
  try {
    value = YAML.parse(await readFile(file, "utf8"));
  } catch (e) {
    throw new CheckUsageError(`--exceptions ${shown}: ${(e as Error).message.split("\n")[0]}`);
  }
  let waivers: PolicyWaiver[];
  try {
    waivers = parseWaiverFile(shown, value);
  } catch (e) {
    throw new CheckUsageError((e as Error).message);
  }
  const names = new Set(policies.map((p) => p.name));
  return {
    waivers,
    report: {
      file: shown,
      loaded: waivers.length,
      expired: waivers.filter((w) => w.expiresAt.getTime() <= now.getTime()).map((w) => ({ id: w.id, policy: w.policy, expiresAt: w.expiresAt.toISOString() })),
      unknownPolicies: [...new Set(waivers.map((w) => w.policy).filter((p) => !names.has(p)))],
    },
  };
}

export async function checkPaths(options: CheckOptions): Promise<CheckResult> {
  const started = performance.now();
  const cwd = options.cwd ?? process.cwd();
  const now = options.now ?? new Date();
  const rel = (file: string) => path.relative(cwd, file) || file;
  const policiesDir = path.resolve(cwd, options.policiesDir);
  if (!existsSync(policiesDir)) throw new CheckUsageError(`--policies ${options.policiesDir}: no such folder`);

  const loaded = await loadPolicies(policiesDir);
  let policies = loaded.policies;
  if (options.params?.length) {
    let overrides: Map<string, Record<string, string>>;
    try {
      overrides = parseParamOverrides(options.params, policies);
    } catch (e) {
      throw new CheckUsageError((e as Error).message);
    }
    policies = policies.map((p) => (overrides.has(p.name) ? withParams(p, overrides.get(p.name) ?? {}) : p));
  }
  const exceptionsFile = options.exceptionsFile ? path.resolve(cwd, options.exceptionsFile) : null;
  const exceptions = exceptionsFile ? await loadWaivers(exceptionsFile, rel(exceptionsFile), policies, now) : null;

  const files: CheckedFile[] = [];
  for (const input of options.paths) {
    const absolute = path.resolve(cwd, input);
    if (!existsSync(absolute)) {
      files.push({ file: input, objects: [], skipped: [], problems: [{ file: input, document: null, line: null, message: "no such file or folder" }] });
      continue;
    }
    const list = statSync(absolute).isDirectory() ? await filesUnder(absolute) : [absolute];
    for (const file of list) {
      const shown = rel(file);
      const read = readObjects(shown, await readFile(file, "utf8"));
      const objects = read.objects.map((o): CheckedObject => {
        const evaluation = evaluateSubject(policies, o.subject, { waivers: exceptions?.waivers ?? [], now });
        return {
          file: o.file,
          document: o.document,
          item: o.item,
          line: o.line,
          apiVersion: o.subject.apiVersion,
          kind: o.subject.kind,
          namespace: o.subject.metadata?.namespace ?? null,
          name: o.subject.metadata?.name ?? null,
          decision: decisionOf(evaluation.results),
          results: evaluation.results,
          evaluated: evaluation.evaluated,
        };
      });
      files.push({ file: shown, objects, skipped: read.skipped, problems: read.problems });
    }
  }

  const objects = files.flatMap((f) => f.objects);
  const summary = {
    files: files.length,
    objects: objects.length,
    denied: objects.filter((o) => o.decision === "deny").length,
    warnings: objects.filter((o) => o.results.some((r) => r.action === "Warn" && !r.exception)).length,
    audited: objects.filter((o) => o.results.some((r) => r.action === "Audit" && !r.exception)).length,
    waived: objects.reduce((n, o) => n + o.results.filter((r) => r.exception).length, 0),
    skipped: files.reduce((n, f) => n + f.skipped.length, 0),
    problems: files.reduce((n, f) => n + f.problems.length, 0),
    policyErrors: loaded.errors.length,
  };
  return {
    ok: summary.denied === 0 && summary.problems === 0 && summary.policyErrors === 0,
    now: now.toISOString(),
    policies: { dir: rel(policiesDir), loaded: policies.map((p) => p.name), errors: loaded.errors.map((e) => ({ ...e, file: rel(path.resolve(process.cwd(), e.file)) })) },
    exceptions: exceptions?.report ?? null,
    files,
    summary,
    durationMs: Math.round(performance.now() - started),
  };
}

export interface CheckReportOptions {
  color?: boolean;
  /** List objects that passed too. */
  verbose?: boolean;
}

const LABEL: Record<string, string> = { Deny: "FAIL", Warn: "WARN", Audit: "AUDIT" };

export function formatCheckReport(result: CheckResult, options: CheckReportOptions = {}): string {
  const paint = (code: string) => (text: string) => (options.color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const red = paint("31");
  const yellow = paint("33");
  const green = paint("32");
  const dim = paint("2");
  const bold = paint("1");
  const out: string[] = [];

  for (const e of result.policies.errors) out.push(red(`ERROR policy ${e.file}${e.line ? `:${e.line}` : ""}: ${e.message}`));
  if (result.exceptions) {
    for (const x of result.exceptions.expired) out.push(dim(`note: exception ${x.id} (${x.policy}) expired at ${x.expiresAt} and no longer applies`));
    for (const p of result.exceptions.unknownPolicies) out.push(yellow(`note: exceptions name ${p}, which is not a loaded policy`));
  }
  if (out.length) out.push("");

  for (const f of result.files) {
    const shownObjects = f.objects.filter((o) => options.verbose || o.results.length > 0);
    if (!shownObjects.length && !f.problems.length && !(options.verbose && f.skipped.length)) continue;
    out.push(bold(f.file));
    for (const p of f.problems) out.push(`  ${red("ERROR")} ${p.document ? `#${p.document} ` : ""}${p.line ? `line ${p.line}: ` : ""}${p.message}`);
    for (const o of shownObjects) {
      const where = `#${o.document}${o.item !== null ? `[${o.item}]` : ""}`;
      out.push(`  ${where} ${o.apiVersion} ${describeSubject({ apiVersion: o.apiVersion, kind: o.kind, metadata: { ...(o.namespace ? { namespace: o.namespace } : {}), ...(o.name ? { name: o.name } : {}) } })}${o.line ? dim(` (line ${o.line})`) : ""}`);
      if (o.results.length === 0) out.push(`    ${green("ok")} ${dim(`${o.evaluated.length} polic${o.evaluated.length === 1 ? "y" : "ies"}`)}`);
      for (const r of o.results) {
        if (r.exception) {
          out.push(`    ${dim(`WAIVED ${r.policy}: ${r.message} (exception ${r.exception.id} by ${r.exception.approver} until ${r.exception.expiresAt}: ${r.exception.reason})`)}`);
          continue;
        }
        const label = LABEL[r.action] ?? r.action;
        const paintLabel = r.action === "Deny" ? red : r.action === "Warn" ? yellow : dim;
        out.push(`    ${paintLabel(label)} ${r.policy}: ${r.message}`);
      }
    }
    if (options.verbose) for (const s of f.skipped) out.push(`  ${dim(`#${s.document} skipped: ${s.reason}`)}`);
  }

  const s = result.summary;
  const extras = [
    `${result.policies.loaded.length} polic${result.policies.loaded.length === 1 ? "y" : "ies"}`,
    `${s.files} file${s.files === 1 ? "" : "s"}`,
    ...(s.audited ? [`${s.audited} audited`] : []),
    ...(s.waived ? [`${s.waived} finding${s.waived === 1 ? "" : "s"} waived`] : []),
    ...(s.skipped ? [`${s.skipped} document${s.skipped === 1 ? "" : "s"} skipped`] : []),
    ...(s.problems ? [red(`${s.problems} unreadable`)] : []),
    ...(s.policyErrors ? [red(`${s.policyErrors} polic${s.policyErrors === 1 ? "y" : "ies"} not loaded`)] : []),
  ];
  if (out.length) out.push("");
  const line = `${s.objects} object${s.objects === 1 ? "" : "s"}, ${s.denied} denied, ${s.warnings} warning${s.warnings === 1 ? "" : "s"}`;
  out.push(`${result.ok ? green(line) : red(line)} ${dim(`(${extras.join(", ")})`)}`);
  return out.join("\n");
}
