// Turning a bundle and parameters into the exact files to write: validate the parameters (with
// defaults), evaluate each file's condition, render its target path and content.
import type { TemplateBundle } from "./bundle.ts";
import { validateParameters, type ParameterIssue } from "./parameters.ts";
import { evaluateCondition, renderText, type RenderContext } from "./render.ts";

export interface RenderedFile {
  path: string;
  content: string;
  /** The source file it came from (for the preview). */
  source: string;
}

export type GenerateResult =
  | { ok: true; parameters: Record<string, unknown>; files: RenderedFile[] }
  | { ok: false; issues: ParameterIssue[] };

export function parseRepo(repo: string): { owner: string; name: string } {
  const [owner, name, ...rest] = repo.split("/");
  if (!owner || !name || rest.length) throw new Error(`"${repo}" is not owner/name`);
  return { owner, name };
}

export function generateFiles(bundle: TemplateBundle, input: Record<string, unknown>, repo = "example/repository"): GenerateResult {
  const validated = validateParameters(bundle.manifest.spec.parameters, input);
  if (!validated.ok) return validated;
  const { owner, name } = parseRepo(repo);
  const ctx: RenderContext = {
    params: validated.values,
    template: { name: bundle.manifest.metadata.name, version: bundle.manifest.spec.version },
    target: { repo, owner, name },
  };
  const files: RenderedFile[] = [];
  const seen = new Set<string>();
  for (const f of bundle.manifest.spec.files) {
    if (f.when && !evaluateCondition(f.source, f.when, ctx)) continue;
    const target = renderText(`${f.source} (target)`, f.target, ctx).trim().replace(/^\/+/, "");
    if (!target || target.split("/").some((part) => part === ".." || part === "")) {
      throw new Error(`${f.source}: target "${target}" is not a path inside the repository`);
    }
    if (seen.has(target)) throw new Error(`${f.source}: a second file renders to ${target}`);
    seen.add(target);
    const source = bundle.sources[f.source] ?? "";
    files.push({ path: target, source: f.source, content: f.raw ? source : renderText(f.source, source, ctx) });
  }
  return { ok: true, parameters: validated.values, files };
}
