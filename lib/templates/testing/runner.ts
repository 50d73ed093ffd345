// The template test runner: loads a catalog (or one template folder), renders every test case of
// every version and checks the output. Pure of any I/O but reading the catalog (and writing golden
// folders when asked to), so the script, CI and the unit tests share it.
import { existsSync, statSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { loadCatalog, loadTemplateFolder, type LoadedBundle, type TemplateLoadError } from "../bundle.ts";
import { generateFiles, parseRepo } from "../generate.ts";
import { parseSemver, type TemplateTestCase } from "../manifest.ts";
import { compileParameterSchema } from "../parameters.ts";
import { RenderError, renderText, type RenderContext } from "../render.ts";
import { checkAzurePipeline } from "./azure.ts";
import { checkExpectations, checkGolden } from "./expectations.ts";
import { ACTION_FILE, checkGithubAction, checkGithubWorkflow, WORKFLOW_PATH } from "./github.ts";
import { checkKubernetes } from "./kubernetes.ts";
import { checkPassThrough } from "./pass-through.ts";
import { checkShell } from "./shell.ts";
import { checkTerraform } from "./terraform.ts";
import type { CaseResult, Failure, OutputFile, RunResult, TemplateResult, VersionResult } from "./types.ts";
import { isRecord, parseYamlDocuments } from "./util.ts";

/** The repository test cases render for (`target.*` in templates); the sandbox's owner is demo. */
export const TEST_REPO = "demo/sample-service";

export interface RunOptions {
  /** Catalog roots (folders of template folders) or single template folders. */
  paths: string[];
  /** Paths in the result are relative to it (default: the process's working directory). */
  cwd?: string;
  /** Rewrite each golden folder from the rendered output instead of comparing (review the diff!). */
  updateGolden?: boolean;
}

const ms = (start: number) => Math.round((performance.now() - start) * 10) / 10;

/** Checks a set of rendered files: YAML, GitHub, Azure, Terraform, Kubernetes and shell files. */
export async function checkOutput(type: string, files: OutputFile[]): Promise<{ failures: Failure[]; skipped: string[] }> {
  const failures: Failure[] = [];
  const skipped: string[] = [];
  const output = new Map(files.map((f) => [f.path, f]));
  const parsed = new Map<string, unknown>();
  const yamlFiles: { file: OutputFile; docs: unknown[] }[] = [];
  for (const file of files) {
    if (!/\.ya?ml$/.test(file.path)) continue;
    const result = parseYamlDocuments(file.content);
    if (!result.ok) failures.push({ check: "yaml", file: file.path, message: result.message });
    else {
      parsed.set(file.path, result.docs[0]);
      yamlFiles.push({ file, docs: result.docs });
    }
  }
  for (const { file, docs } of yamlFiles) {
    const doc = docs[0];
    if (WORKFLOW_PATH.test(file.path)) failures.push(...(await checkGithubWorkflow(file, doc, output)));
    else if (ACTION_FILE.test(file.path)) failures.push(...(await checkGithubAction(file, doc, output)));
    else if (type === "azure-pipeline") failures.push(...checkAzurePipeline(file, doc, output, parsed));
    else if (type === "gitops-app" || docs.some((d) => isRecord(d) && "apiVersion" in d)) failures.push(...checkKubernetes(file, docs, output));
  }
  for (const file of files) {
    if (file.path.endsWith(".json")) {
      try {
        JSON.parse(file.content);
      } catch (e) {
        failures.push({ check: "yaml", file: file.path, message: `not JSON: ${(e as Error).message}` });
      }
    }
    if (file.path.endsWith(".sh")) {
      const shell = checkShell(file);
      failures.push(...shell.failures);
      if (shell.skipped) skipped.push(shell.skipped);
    }
  }
  const tf = files.filter((f) => /\.tf(vars)?$/.test(f.path));
  if (tf.length) failures.push(...checkTerraform(tf));
  if (type === "terraform") {
    const code = tf.map((f) => f.content).join("\n");
    if (!/^terraform\s*\{/m.test(code)) failures.push({ check: "terraform", message: 'no file has a top-level terraform { } block (required_version, providers, backend)' });
    if (!/^(resource|module)\s+"/m.test(code)) failures.push({ check: "terraform", message: "no file declares a resource or a module" });
    if (!/^variable\s+"/m.test(code)) failures.push({ check: "terraform", message: "no file declares a variable" });
  }
  return { failures, skipped };
}

export async function runCase(loaded: LoadedBundle, test: TemplateTestCase, options: { updateGolden?: boolean } = {}): Promise<CaseResult> {
  const start = performance.now();
  const { bundle } = loaded;
  const failures: Failure[] = [];
  const skipped: string[] = [];
  const done = (files: string[]): CaseResult => ({
    name: test.name,
    ...(test.description ? { description: test.description } : {}),
    ok: failures.length === 0,
    files,
    failures,
    skipped,
    durationMs: ms(start),
  });

  let result: ReturnType<typeof generateFiles>;
  try {
    result = generateFiles(bundle, test.parameters, TEST_REPO);
  } catch (e) {
    const file = e instanceof RenderError ? e.file : undefined;
    const message = e instanceof RenderError ? e.message.slice(e.file.length + 2) : (e as Error).message;
    failures.push({ check: "render", ...(file ? { file } : {}), message });
    return done([]);
  }

  if (test.invalid) {
    if (result.ok) failures.push({ check: "parameters", message: `the parameters were accepted, but ${test.invalid.join(", ")} should have been refused` });
    else {
      const named = new Set(result.issues.map((i) => i.path));
      for (const field of test.invalid) if (!named.has(field)) failures.push({ check: "parameters", message: `${field} was not named as invalid (named: ${[...named].join(", ")})` });
      for (const issue of result.issues) {
        if (!test.invalid.includes(issue.path)) failures.push({ check: "parameters", message: `${issue.path || "(root)"} was refused too: ${issue.message}` });
      }
    }
    return done([]);
  }
  if (!result.ok) {
    for (const issue of result.issues) failures.push({ check: "parameters", message: `${issue.path || "(root)"}: ${issue.message}` });
    return done([]);
  }

  const files: OutputFile[] = result.files.map((f) => ({ path: f.path, content: f.content, source: f.source }));
  const output = new Map(files.map((f) => [f.path, f]));
  const checked = await checkOutput(bundle.manifest.spec.type, files);
  failures.push(...checked.failures);
  skipped.push(...checked.skipped);

  const ctx: RenderContext = {
    params: result.parameters,
    template: { name: bundle.manifest.metadata.name, version: bundle.manifest.spec.version },
    target: { repo: TEST_REPO, ...parseRepo(TEST_REPO) },
  };
  // Outputs are rendered by the portal after instantiation: they must render with these parameters too.
  for (const o of bundle.manifest.spec.outputs) {
    try {
      renderText(`spec.outputs ${o.name}`, o.value, ctx);
    } catch (e) {
      failures.push({ check: "render", file: "template.yaml", message: (e as Error).message });
    }
  }

  const raw = new Set(bundle.manifest.spec.files.filter((f) => f.raw).map((f) => f.source));
  for (const f of result.files) {
    if (raw.has(f.source)) continue;
    const pass = checkPassThrough(f.source, bundle.sources[f.source] ?? "", f.path, f.content, ctx);
    failures.push(...pass.failures);
    if (pass.skipped) skipped.push(pass.skipped);
  }

  failures.push(...checkExpectations(test.expect, output));
  if (test.golden) {
    if (options.updateGolden) await writeGolden(path.join(loaded.dir, test.golden), files);
    else failures.push(...checkGolden(test.golden, bundle.goldens, output));
  }
  return done(files.map((f) => f.path));
}

async function writeGolden(folder: string, files: OutputFile[]): Promise<void> {
  await rm(folder, { recursive: true, force: true });
  for (const f of files) {
    const target = path.join(folder, f.path);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, f.content);
  }
}

/** Problems of a version as a whole, before any case runs. */
export function checkVersion(loaded: LoadedBundle): Failure[] {
  const { manifest, changelog } = loaded.bundle;
  const failures: Failure[] = [];
  const fail = (message: string, file = "template.yaml") => failures.push({ check: "catalog", file, message });
  const { version } = manifest.spec;
  if (manifest.spec.tests.length === 0) fail("has no test cases (spec.tests)");
  else if (!manifest.spec.tests.some((t) => t.golden && !t.invalid)) fail("has no test case with golden files (spec.tests[].golden)");
  const escaped = version.replace(/\./g, "\\.");
  if (!new RegExp(`^##\\s*\\[?v?${escaped}\\]?(\\s|$)`, "m").test(changelog)) fail(`has no "## [${version}]" entry`, "CHANGELOG.md");
  const names = new Set<string>();
  for (const t of manifest.spec.tests) {
    if (names.has(t.name)) fail(`test case "${t.name}" is named twice`);
    names.add(t.name);
    if (t.invalid && (t.expect.length || t.golden)) fail(`test case "${t.name}" refuses its parameters, so its expect and golden would never run`);
    if (t.invalid?.length === 0) fail(`test case "${t.name}" has an empty invalid list`);
  }
  for (const [name, prop] of Object.entries(manifest.spec.parameters.properties)) {
    if (prop.type === undefined && prop.enum === undefined && prop.const === undefined) fail(`parameter "${name}" has no type`);
    if (typeof prop.description !== "string" || !prop.description.trim()) fail(`parameter "${name}" has no description`);
    if (!loaded.bundle.readme.includes(`\`${name}\``)) fail(`parameter "${name}" is not documented (no \`${name}\` in README.md)`, "README.md");
    if (prop.default !== undefined) {
      const validate = compileParameterSchema({ type: "object", properties: { [name]: prop } });
      if (!validate({ [name]: structuredClone(prop.default) })) fail(`parameter "${name}": its default ${JSON.stringify(prop.default)} does not match its own schema`);
    }
  }
  for (const req of manifest.spec.parameters.required ?? []) {
    if (!Object.hasOwn(manifest.spec.parameters.properties, req)) fail(`required parameter "${req}" is not in properties`);
  }
  return failures;
}

/** Problems across the versions of one template, each attached to the version it concerns. */
function checkTemplate(bundles: LoadedBundle[], templateDir: string): Map<LoadedBundle, Failure[]> {
  const out = new Map<LoadedBundle, Failure[]>(bundles.map((b) => [b, []]));
  const add = (b: LoadedBundle, message: string) => out.get(b)?.push({ check: "catalog", file: "template.yaml", message });
  const seen = new Map<string, LoadedBundle>();
  for (const b of bundles) {
    const v = b.bundle.manifest.spec.version;
    const other = seen.get(v);
    if (other) add(b, `version ${v} is also in ${path.relative(templateDir, other.dir) || "the template's root"}`);
    seen.set(v, b);
  }
  const lowest = Math.min(...bundles.map((b) => parseSemver(b.bundle.manifest.spec.version).major));
  for (const b of bundles) {
    const { version, migration } = b.bundle.manifest.spec;
    if (parseSemver(version).major > lowest && !migration?.trim()) add(b, `${version} is a new major version but has no spec.migration note`);
  }
  // The folder's root holds the current version; versions/ only older ones.
  const current = bundles.find((b) => path.resolve(b.dir) === path.resolve(templateDir));
  if (current) {
    for (const b of bundles) {
      if (b !== current && compareVersionsDesc(b, current) < 0) {
        add(b, `${b.bundle.manifest.spec.version} is newer than the current version ${current.bundle.manifest.spec.version} at the template's root`);
      }
    }
  }
  return out;
}

function loadFailures(errors: TemplateLoadError[], cwd: string): Failure[] {
  return errors.flatMap((e) => e.problems.map((problem) => ({ check: "load" as const, file: path.relative(cwd, e.dir) || ".", message: problem.split("\n")[0]?.trim() ?? problem })));
}

interface Target {
  name: string;
  dir: string;
  bundles: LoadedBundle[];
  errors: TemplateLoadError[];
}

async function resolveTargets(paths: string[], cwd: string): Promise<{ targets: Target[]; problems: Failure[] }> {
  const targets: Target[] = [];
  const problems: Failure[] = [];
  for (const p of paths) {
    const dir = path.resolve(cwd, p);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      problems.push({ check: "load", file: p, message: "no such folder" });
      continue;
    }
    if (existsSync(path.join(dir, "template.yaml")) || existsSync(path.join(dir, "versions"))) {
      const { bundles, errors } = await loadTemplateFolder(dir);
      targets.push({ name: path.basename(dir), dir, bundles, errors });
      continue;
    }
    const { bundles, errors } = await loadCatalog(dir);
    const byName = new Map<string, Target>();
    const target = (name: string) => {
      let t = byName.get(name);
      if (!t) byName.set(name, (t = { name, dir: path.join(dir, name), bundles: [], errors: [] }));
      return t;
    };
    for (const b of bundles) target(b.bundle.manifest.metadata.name).bundles.push(b);
    for (const e of errors) target(path.relative(dir, e.dir).split(path.sep)[0] ?? e.dir).errors.push(e);
    if (byName.size === 0) problems.push({ check: "load", file: p, message: "holds no template (no <name>/template.yaml)" });
    targets.push(...[...byName.values()].sort((a, b) => a.name.localeCompare(b.name)));
  }
  return { targets, problems };
}

function compareVersionsDesc(a: LoadedBundle, b: LoadedBundle): number {
  const x = parseSemver(a.bundle.manifest.spec.version);
  const y = parseSemver(b.bundle.manifest.spec.version);
  return y.major - x.major || y.minor - x.minor || y.patch - x.patch;
}

export async function runTemplateTests(options: RunOptions): Promise<RunResult> {
  const start = performance.now();
  const cwd = options.cwd ?? process.cwd();
  const { targets, problems } = await resolveTargets(options.paths, cwd);
  const templates: TemplateResult[] = [];
  for (const problem of problems) {
    templates.push({ name: problem.file ?? "?", dir: problem.file ?? "?", ok: false, versions: [], loadFailures: [problem] });
  }
  for (const t of targets) {
    const bundles = [...t.bundles].sort(compareVersionsDesc);
    const templateFailures = checkTemplate(bundles, t.dir);
    const versions: VersionResult[] = [];
    for (const loaded of bundles) {
      const { manifest } = loaded.bundle;
      const cases: CaseResult[] = [];
      for (const test of manifest.spec.tests) cases.push(await runCase(loaded, test, options));
      const failures = [...(templateFailures.get(loaded) ?? []), ...checkVersion(loaded)];
      versions.push({
        version: manifest.spec.version,
        lifecycle: manifest.spec.lifecycle,
        type: manifest.spec.type,
        dir: path.relative(cwd, loaded.dir) || ".",
        digest: loaded.digest,
        ok: failures.length === 0 && cases.every((c) => c.ok),
        failures,
        cases,
      });
    }
    const loadFails = loadFailures(t.errors, cwd);
    templates.push({
      name: t.name,
      dir: path.relative(cwd, t.dir) || ".",
      ok: loadFails.length === 0 && versions.every((v) => v.ok),
      versions,
      loadFailures: loadFails,
    });
  }
  const cases = templates.flatMap((t) => t.versions.flatMap((v) => v.cases));
  const summary = {
    templates: templates.length,
    versions: templates.reduce((n, t) => n + t.versions.length, 0),
    cases: cases.length,
    passed: cases.filter((c) => c.ok).length,
    failed: cases.filter((c) => !c.ok).length,
    broken: templates.reduce((n, t) => n + t.loadFailures.length + t.versions.reduce((m, v) => m + (v.failures.length ? 1 : 0), 0), 0),
  };
  return { ok: templates.every((t) => t.ok) && templates.length > 0, root: cwd, templates, summary, durationMs: ms(start) };
}
