// A template version as one self-contained value (a "bundle"): its manifest, the content of every
// file it renders, its README and CHANGELOG. Bundles are read from templates-catalog/, stored in
// the database when published (immutable, identified by their digest) and rendered from there,
// so an instance can always be re-rendered exactly as it was made.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import YAML from "yaml";
import { canonicalJson } from "../core/audit/hash.ts";
import { TemplateManifest } from "./manifest.ts";
import { compileParameterSchema } from "./parameters.ts";

export interface TemplateBundle {
  manifest: TemplateManifest;
  /** Every file the manifest names as a source, by its source path. */
  sources: Record<string, string>;
  /** Golden output files of the test cases, by path relative to the template folder. */
  goldens: Record<string, string>;
  readme: string;
  changelog: string;
  /** The parameters in the author's order (JSON objects lose their key order in the database). */
  parameterOrder: string[];
}

export interface LoadedBundle {
  dir: string;
  bundle: TemplateBundle;
  digest: string;
}

export class TemplateLoadError extends Error {
  constructor(
    readonly dir: string,
    readonly problems: string[],
  ) {
    super(`${dir}: ${problems.join("; ")}`);
  }
}

/** sha256 of the bundle's canonical JSON: equal content, equal digest. */
export function bundleDigest(bundle: TemplateBundle): string {
  return createHash("sha256").update(canonicalJson(bundle)).digest("hex");
}

async function readTree(root: string, rel: string, out: Record<string, string>): Promise<void> {
  const dir = path.join(root, rel);
  if (!existsSync(dir)) return;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) await readTree(root, p, out);
    else out[p] = await readFile(path.join(root, p), "utf8");
  }
}

/** Reads one template version folder (the one holding template.yaml). */
export async function loadBundle(dir: string, fallbackDocs?: { readme: string; changelog: string }): Promise<LoadedBundle> {
  const problems: string[] = [];
  let raw: unknown;
  try {
    raw = YAML.parse(await readFile(path.join(dir, "template.yaml"), "utf8"));
  } catch (e) {
    throw new TemplateLoadError(dir, [`template.yaml: ${(e as Error).message}`]);
  }
  const parsed = TemplateManifest.safeParse(raw);
  if (!parsed.success) {
    throw new TemplateLoadError(
      dir,
      parsed.error.issues.map((i) => `template.yaml ${i.path.join(".")}: ${i.message}`),
    );
  }
  const manifest = parsed.data;
  try {
    compileParameterSchema(manifest.spec.parameters);
  } catch (e) {
    problems.push(`spec.parameters is not a valid JSON Schema: ${(e as Error).message}`);
  }
  const sources: Record<string, string> = {};
  for (const f of manifest.spec.files) {
    const file = path.join(dir, f.source);
    if (!path.resolve(file).startsWith(path.resolve(dir) + path.sep)) problems.push(`${f.source}: outside the template folder`);
    else if (!existsSync(file)) problems.push(`${f.source}: file not found`);
    else sources[f.source] = await readFile(file, "utf8");
  }
  const goldens: Record<string, string> = {};
  for (const t of manifest.spec.tests) {
    if (!t.golden) continue;
    const golden = t.golden.replace(/\/$/, "");
    if (!path.resolve(dir, golden).startsWith(path.resolve(dir) + path.sep)) problems.push(`tests ${t.name}: golden "${t.golden}" is outside the template folder`);
    else await readTree(dir, golden, goldens);
  }
  const readmePath = path.join(dir, "README.md");
  const changelogPath = path.join(dir, "CHANGELOG.md");
  const readme = existsSync(readmePath) ? await readFile(readmePath, "utf8") : (fallbackDocs?.readme ?? "");
  const changelog = existsSync(changelogPath) ? await readFile(changelogPath, "utf8") : (fallbackDocs?.changelog ?? "");
  if (!readme.trim()) problems.push("README.md is missing or empty");
  if (problems.length) throw new TemplateLoadError(dir, problems);
  const bundle: TemplateBundle = { manifest, sources, goldens, readme, changelog, parameterOrder: Object.keys(manifest.spec.parameters.properties) };
  return { dir, bundle, digest: bundleDigest(bundle) };
}

/**
 * Every version of one template folder: `<dir>/template.yaml` (the current version) and
 * `<dir>/versions/<any>/template.yaml` (older versions still offered). README and CHANGELOG fall
 * back to the template root's. Each version's metadata.name must equal the folder's name.
 * Broken versions are reported, not thrown.
 */
export async function loadTemplateFolder(dir: string): Promise<{ bundles: LoadedBundle[]; errors: TemplateLoadError[] }> {
  const bundles: LoadedBundle[] = [];
  const errors: TemplateLoadError[] = [];
  const name = path.basename(path.resolve(dir));
  const dirs: string[] = [];
  if (existsSync(path.join(dir, "template.yaml"))) dirs.push(dir);
  const versionsDir = path.join(dir, "versions");
  if (existsSync(versionsDir)) {
    const versions = (await readdir(versionsDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    for (const v of versions.sort()) {
      if (existsSync(path.join(versionsDir, v, "template.yaml"))) dirs.push(path.join(versionsDir, v));
    }
  }
  if (dirs.length === 0) {
    errors.push(new TemplateLoadError(dir, ["no template.yaml"]));
    return { bundles, errors };
  }
  const rootDocs = {
    readme: existsSync(path.join(dir, "README.md")) ? await readFile(path.join(dir, "README.md"), "utf8") : "",
    changelog: existsSync(path.join(dir, "CHANGELOG.md")) ? await readFile(path.join(dir, "CHANGELOG.md"), "utf8") : "",
  };
  for (const d of dirs) {
    try {
      const loaded = await loadBundle(d, rootDocs);
      if (loaded.bundle.manifest.metadata.name !== name) {
        errors.push(new TemplateLoadError(d, [`metadata.name "${loaded.bundle.manifest.metadata.name}" differs from its folder "${name}"`]));
      } else bundles.push(loaded);
    } catch (e) {
      if (e instanceof TemplateLoadError) errors.push(e);
      else throw e;
    }
  }
  return { bundles, errors };
}

/**
 * Every template version in a catalog folder (see loadTemplateFolder). Broken folders are
 * reported, not thrown, so one bad template never hides the others.
 */
export async function loadCatalog(root: string): Promise<{ bundles: LoadedBundle[]; errors: TemplateLoadError[] }> {
  const bundles: LoadedBundle[] = [];
  const errors: TemplateLoadError[] = [];
  if (!existsSync(root)) return { bundles, errors };
  const names = (await readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory() && !e.name.startsWith(".")).map((e) => e.name);
  for (const name of names.sort()) {
    const loaded = await loadTemplateFolder(path.join(root, name));
    bundles.push(...loaded.bundles);
    errors.push(...loaded.errors);
  }
  return { bundles, errors };
}
