// GitHub Actions files: workflows are validated against GitHub's own workflow schema and action
// files against its action schema (@actions/workflow-parser), with the inputs passed to local
// reusable workflows checked against what they declare. Then what that parser leaves out:
// `inputs.*` that are not declared, `needs.<job>` read by a job that does not list it, calls to
// local reusable workflows that the template does not render, and scripts an action runs from
// its own folder.
import type { TemplateContext } from "@actions/workflow-parser/templates/template-context";
import type { Failure, OutputFile } from "./types.ts";
import { dirname, expressionsIn, isRecord, joinPath, walkStrings } from "./util.ts";
import { loadWorkflowParser } from "./workflow-parser.ts";

export const WORKFLOW_PATH = /^\.github\/workflows\/[^/]+\.ya?ml$/;
export const ACTION_FILE = /(^|\/)action\.ya?ml$/;

const NAME = "[A-Za-z_][A-Za-z0-9_-]*";

/** Parser messages start with the file name; the report already names the file. */
function stripFile(message: string, file: string): string {
  const first = message.split("\n")[0]?.trim() ?? message;
  const own = first.startsWith(`${file} `) ? first.slice(file.length + 1) : first;
  return own.replace(/^\(Line: (\d+), Col: (\d+)\):\s*/, "line $1, col $2: ");
}

function errorsOf(context: TemplateContext, file: string): string[] {
  return context.errors.getErrors().map((e) => stripFile(e.message, file));
}

/** Strings that GitHub evaluates as expressions: the inside of `${{ }}`, and whole `if:` values. */
function expressionTexts(value: unknown): string[] {
  const out: string[] = [];
  walkStrings(value, (text, path) => {
    out.push(...expressionsIn(text));
    if (path[path.length - 1] === "if" && !text.includes("${{")) out.push(text);
  });
  return out;
}

function referencedNames(texts: string[], context: string): Set<string> {
  const names = new Set<string>();
  const re = new RegExp(`(?<![\\w.-])${context}\\.(${NAME})`, "g");
  for (const t of texts) for (let m = re.exec(t); m; m = re.exec(t)) names.add((m[1] ?? "").toLowerCase());
  return names;
}

function declaredInputs(on: unknown): Set<string> | null {
  if (!isRecord(on)) {
    const events = typeof on === "string" ? [on] : Array.isArray(on) ? on : [];
    return events.includes("workflow_call") || events.includes("workflow_dispatch") ? new Set() : null;
  }
  let found = false;
  const names = new Set<string>();
  for (const event of ["workflow_call", "workflow_dispatch"]) {
    if (!Object.hasOwn(on, event)) continue;
    found = true;
    const spec = on[event];
    if (isRecord(spec) && isRecord(spec.inputs)) for (const k of Object.keys(spec.inputs)) names.add(k.toLowerCase());
  }
  return found ? names : null;
}

/** Checks beyond the schema, on the parsed YAML of a workflow. */
function workflowSemantics(doc: Record<string, unknown>, output: Map<string, OutputFile>): string[] {
  const problems: string[] = [];
  const jobs = isRecord(doc.jobs) ? doc.jobs : {};

  const inputs = declaredInputs(doc.on);
  const usedInputs = referencedNames(expressionTexts({ ...doc, on: undefined }), "inputs");
  for (const name of usedInputs) {
    if (inputs === null) problems.push(`uses inputs.${name}, but the workflow has no workflow_call or workflow_dispatch trigger`);
    else if (!inputs.has(name)) problems.push(`uses inputs.${name}, which is not a declared input`);
  }

  for (const [id, job] of Object.entries(jobs)) {
    if (!isRecord(job)) continue;
    const needs = (typeof job.needs === "string" ? [job.needs] : Array.isArray(job.needs) ? job.needs : []).map((n) => String(n).toLowerCase());
    for (const n of referencedNames(expressionTexts(job), "needs")) {
      if (!needs.includes(n)) problems.push(`job "${id}" reads needs.${n}, but does not list it in needs`);
    }
    if (typeof job.uses === "string" && job.uses.startsWith("./")) {
      const target = job.uses.slice(2).split("@")[0] ?? "";
      if (!output.has(target)) problems.push(`job "${id}" calls ${job.uses}, which this template does not render`);
    }
  }
  return problems;
}

export async function checkGithubWorkflow(file: OutputFile, doc: unknown, output: Map<string, OutputFile>): Promise<Failure[]> {
  const { workflow } = await loadWorkflowParser();
  const fail = (message: string): Failure => ({ check: "github-workflow", file: file.path, message });
  const parsed = workflow.parseWorkflow({ name: file.path, content: file.content }, new workflow.NoOperationTraceWriter());
  if (!parsed.value) return errorsOf(parsed.context, file.path).map(fail);

  // Local reusable workflows that the template renders are read too, so the inputs and secrets
  // passed to them are checked against what they declare.
  const jobs = isRecord(doc) && isRecord(doc.jobs) ? Object.values(doc.jobs) : [];
  const calls = jobs.filter(isRecord).map((j) => j.uses).filter((u): u is string => typeof u === "string");
  const allLocal = calls.every((u) => u.startsWith("./") && output.has(u.slice(2)));
  const converted = await workflow.convertWorkflowTemplate(
    parsed.context,
    parsed.value,
    {
      getFileContent: async (ref) => {
        const target = output.get(ref.path);
        if ("repository" in ref || !target) throw new Error(`${ref.path} is not rendered by this template`);
        return { name: target.path, content: target.content };
      },
    },
    { fetchReusableWorkflowDepth: calls.length > 0 && allLocal ? 1 : 0 },
  );
  const failures = (converted.errors ?? []).map((e) => fail(stripFile(e.Message, file.path)));
  if (isRecord(doc)) failures.push(...workflowSemantics(doc, output).map(fail));
  return dedupe(failures);
}

export async function checkGithubAction(file: OutputFile, doc: unknown, output: Map<string, OutputFile>): Promise<Failure[]> {
  const { action, workflow } = await loadWorkflowParser();
  const fail = (message: string): Failure => ({ check: "github-action", file: file.path, message });
  const parsed = action.parseAction({ name: file.path, content: file.content }, new workflow.NoOperationTraceWriter());
  const failures = errorsOf(parsed.context, file.path).map(fail);
  if (!isRecord(doc)) return [...failures, fail("an action file must be a mapping")];

  if (typeof doc.name !== "string" || !doc.name.trim()) failures.push(fail("has no name"));
  if (typeof doc.description !== "string" || !doc.description.trim()) failures.push(fail("has no description"));
  const runs = isRecord(doc.runs) ? doc.runs : null;
  if (!runs || typeof runs.using !== "string") failures.push(fail("has no runs.using"));
  else if (runs.using === "composite" && (!Array.isArray(runs.steps) || runs.steps.length === 0)) failures.push(fail("a composite action needs runs.steps"));

  const declared = new Set<string>();
  if (doc.inputs !== undefined && !isRecord(doc.inputs)) failures.push(fail("inputs must be a mapping"));
  for (const [name, input] of Object.entries(isRecord(doc.inputs) ? doc.inputs : {})) {
    declared.add(name.toLowerCase());
    if (!isRecord(input) || typeof input.description !== "string" || !input.description.trim()) failures.push(fail(`input "${name}" has no description`));
  }
  for (const name of referencedNames(expressionTexts(doc.runs), "inputs")) {
    if (!declared.has(name)) failures.push(fail(`uses inputs.${name}, which is not a declared input`));
  }
  // Scripts run from the action's own folder must be part of the output.
  const dir = dirname(file.path);
  walkStrings(doc.runs, (text) => {
    const re = /\$\{\{\s*github\.action_path\s*\}\}\/([^\s"'`;|&)]+)/g;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const target = joinPath(dir, m[1] ?? "");
      if (target !== null && !output.has(target)) failures.push(fail(`runs ${m[1]} from the action's folder, but the template does not render ${target}`));
    }
  });
  return dedupe(failures);
}

function dedupe(failures: Failure[]): Failure[] {
  const seen = new Set<string>();
  return failures.filter((f) => {
    const key = `${f.file}\n${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
