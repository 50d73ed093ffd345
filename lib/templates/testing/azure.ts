// Azure Pipelines files, checked structurally (no Azure DevOps service or CLI runs here): the
// typed `parameters` list, the stages → jobs → steps shape (template references and `${{ if }}` /
// `${{ each }}` insertions included), `${{ parameters.x }}` naming a declared parameter, and
// `template:` references resolving to a rendered file that declares the parameters passed to it.
import type { Failure, OutputFile } from "./types.ts";
import { dirname, expressionsIn, isRecord, joinPath, walkStrings } from "./util.ts";

const PARAMETER_TYPES = new Set([
  "string", "number", "boolean", "object", "step", "stepList", "job", "jobList",
  "deployment", "deploymentList", "stage", "stageList", "container", "containerList",
]);
const STEP_KEYS = ["task", "script", "bash", "pwsh", "powershell", "checkout", "download", "downloadBuild", "getPackage", "publish", "template", "reviewApp"];
const BODY_KEYS = ["stages", "jobs", "steps", "extends"];

interface Declared {
  name: string;
  hasDefault: boolean;
}

/** The parameters a file declares (typed list form, or the older name → default mapping). */
function declaredParameters(doc: Record<string, unknown>, problems: string[]): Declared[] | null {
  const params = doc.parameters;
  if (params === undefined) return null;
  if (isRecord(params)) return Object.keys(params).map((name) => ({ name, hasDefault: true }));
  if (!Array.isArray(params)) {
    problems.push("parameters must be a list of { name, type, default }");
    return [];
  }
  const out: Declared[] = [];
  params.forEach((p, i) => {
    if (!isRecord(p) || typeof p.name !== "string" || !p.name) {
      problems.push(`parameters[${i}] has no name`);
      return;
    }
    if (out.some((d) => d.name === p.name)) problems.push(`parameter "${p.name}" is declared twice`);
    if (typeof p.type !== "string") problems.push(`parameter "${p.name}" has no type`);
    else if (!PARAMETER_TYPES.has(p.type)) problems.push(`parameter "${p.name}" has an unknown type "${p.type}"`);
    if (p.type === "boolean" && p.default !== undefined && typeof p.default !== "boolean") problems.push(`parameter "${p.name}" is a boolean with a non-boolean default`);
    if (p.type === "number" && p.default !== undefined && typeof p.default !== "number") problems.push(`parameter "${p.name}" is a number with a non-number default`);
    if (Array.isArray(p.values) && p.default !== undefined && !p.values.includes(p.default)) problems.push(`parameter "${p.name}" has a default outside its values`);
    out.push({ name: p.name, hasDefault: p.default !== undefined });
  });
  return out;
}

/** An `${{ if … }}:` / `${{ each … }}:` / `${{ else }}:` insertion: a mapping with one expression key. */
function insertion(item: unknown): unknown[] | null {
  if (!isRecord(item)) return null;
  const keys = Object.keys(item);
  if (keys.length !== 1 || !keys[0]?.trim().startsWith("${{")) return null;
  const value = item[keys[0]];
  return Array.isArray(value) ? value : [value];
}

/** The items of a list, with conditional insertions flattened. */
function items(list: unknown, where: string, problems: string[]): unknown[] {
  if (!Array.isArray(list)) {
    problems.push(`${where} must be a list`);
    return [];
  }
  const out: unknown[] = [];
  for (const item of list) {
    const inserted = insertion(item);
    if (inserted) out.push(...items(inserted, where, problems));
    else out.push(item);
  }
  return out;
}

interface TemplateRef {
  path: string;
  parameters: Record<string, unknown>;
}

function checkSteps(list: unknown, where: string, problems: string[], refs: TemplateRef[]): void {
  items(list, where, problems).forEach((step, i) => {
    if (!isRecord(step)) return void problems.push(`${where}[${i}] is not a step`);
    const kind = STEP_KEYS.filter((k) => Object.hasOwn(step, k));
    if (kind.length !== 1) return void problems.push(`${where}[${i}] must have exactly one of ${STEP_KEYS.join(", ")} (has ${kind.join(", ") || "none"})`);
    if (kind[0] === "task" && (typeof step.task !== "string" || !/^[\w.-]+@\d+$/.test(step.task))) problems.push(`${where}[${i}]: task "${String(step.task)}" is not Name@version`);
    if (kind[0] === "template") refs.push(templateRef(step));
  });
}

function templateRef(item: Record<string, unknown>): TemplateRef {
  return { path: String(item.template), parameters: isRecord(item.parameters) ? item.parameters : {} };
}

function checkJobs(list: unknown, where: string, problems: string[], refs: TemplateRef[]): void {
  items(list, where, problems).forEach((job, i) => {
    const at = `${where}[${i}]`;
    if (!isRecord(job)) return void problems.push(`${at} is not a job`);
    if (typeof job.template === "string") return void refs.push(templateRef(job));
    if (typeof job.job === "string") {
      if (job.steps === undefined) problems.push(`${at} (job ${job.job}) has no steps`);
      else checkSteps(job.steps, `${at}.steps`, problems, refs);
    } else if (typeof job.deployment === "string") {
      if (!isRecord(job.strategy)) problems.push(`${at} (deployment ${job.deployment}) has no strategy`);
      else {
        walkLifecycle(job.strategy, `${at}.strategy`, problems, refs);
      }
    } else problems.push(`${at} needs job, deployment or template`);
  });
}

function walkLifecycle(strategy: Record<string, unknown>, where: string, problems: string[], refs: TemplateRef[]): void {
  for (const [name, phases] of Object.entries(strategy)) {
    if (!isRecord(phases)) continue;
    for (const [phase, hook] of Object.entries(phases)) {
      if (isRecord(hook) && hook.steps !== undefined) checkSteps(hook.steps, `${where}.${name}.${phase}.steps`, problems, refs);
    }
  }
}

function checkStages(list: unknown, problems: string[], refs: TemplateRef[]): void {
  items(list, "stages", problems).forEach((stage, i) => {
    const at = `stages[${i}]`;
    if (!isRecord(stage)) return void problems.push(`${at} is not a stage`);
    if (typeof stage.template === "string") return void refs.push(templateRef(stage));
    if (typeof stage.stage !== "string") return void problems.push(`${at} needs stage or template`);
    if (stage.jobs === undefined) problems.push(`${at} (stage ${stage.stage}) has no jobs`);
    else checkJobs(stage.jobs, `${at}.jobs`, problems, refs);
  });
}

function parametersUsed(value: unknown): Set<string> {
  const used = new Set<string>();
  walkStrings(value, (text) => {
    for (const expr of expressionsIn(text)) {
      const re = /(?<![\w.])parameters\.([A-Za-z_][\w]*)|(?<![\w.])parameters\[\s*'([^']+)'\s*\]/g;
      for (let m = re.exec(expr); m; m = re.exec(expr)) used.add(m[1] ?? m[2] ?? "");
    }
  });
  return used;
}

export function checkAzurePipeline(file: OutputFile, doc: unknown, output: Map<string, OutputFile>, parsed: Map<string, unknown>): Failure[] {
  const problems: string[] = [];
  if (!isRecord(doc)) return [{ check: "azure-pipeline", file: file.path, message: "an Azure Pipelines file must be a mapping" }];
  const declared = declaredParameters(doc, problems);
  const bodies = BODY_KEYS.filter((k) => Object.hasOwn(doc, k));
  const refs: TemplateRef[] = [];
  if (bodies.length === 0 && !Object.hasOwn(doc, "variables")) problems.push(`has none of ${BODY_KEYS.join(", ")}`);
  if (bodies.length > 1) problems.push(`has more than one of ${bodies.join(", ")}`);
  if (Object.hasOwn(doc, "stages")) checkStages(doc.stages, problems, refs);
  if (Object.hasOwn(doc, "jobs")) checkJobs(doc.jobs, "jobs", problems, refs);
  if (Object.hasOwn(doc, "steps")) checkSteps(doc.steps, "steps", problems, refs);
  if (isRecord(doc.extends) && typeof doc.extends.template === "string") refs.push(templateRef(doc.extends));

  const names = new Set((declared ?? []).map((d) => d.name));
  for (const used of parametersUsed({ ...doc, parameters: undefined })) {
    if (!names.has(used)) problems.push(`uses parameters.${used}, which is not a declared parameter`);
  }

  // Template references: a path with "@alias" lives in another repository and is not checked.
  for (const ref of refs) {
    if (ref.path.includes("@") || ref.path.includes("${{")) continue;
    const target = joinPath(ref.path.startsWith("/") ? "" : dirname(file.path), ref.path);
    const targetDoc = target === null ? undefined : parsed.get(target);
    if (target === null || !output.has(target)) {
      problems.push(`template ${ref.path} is not rendered by this template (looked for ${target ?? "a path outside the repository"})`);
      continue;
    }
    if (!isRecord(targetDoc)) continue;
    const targetParams = declaredParameters(targetDoc, []) ?? [];
    for (const passed of Object.keys(ref.parameters)) {
      if (!targetParams.some((p) => p.name === passed)) problems.push(`passes parameter "${passed}" to ${ref.path}, which does not declare it`);
    }
    for (const p of targetParams) {
      if (!p.hasDefault && !Object.hasOwn(ref.parameters, p.name)) problems.push(`does not pass "${p.name}" to ${ref.path}, which requires it`);
    }
  }
  return problems.map((message) => ({ check: "azure-pipeline", file: file.path, message }));
}
