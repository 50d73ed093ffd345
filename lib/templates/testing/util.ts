// Small helpers shared by the checks: YAML documents with readable errors, dotted paths into
// parsed YAML, and the `${{ … }}` expressions a value carries.
import YAML from "yaml";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Every document of a YAML file, or the first parse error (with its line and column). */
export function parseYamlDocuments(content: string): { ok: true; docs: unknown[] } | { ok: false; message: string } {
  const docs = YAML.parseAllDocuments(content, { prettyErrors: true, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    const error = doc.errors[0];
    if (error) return { ok: false, message: error.message.split("\n")[0] ?? "invalid YAML" };
  }
  return { ok: true, docs: list.map((d) => d.toJS({ maxAliasCount: 100 })).filter((d) => d !== null && d !== undefined) };
}

/**
 * A value at a dotted path ("on.workflow_call.inputs.dotnet-version.default"; numeric segments
 * index lists). `found` is false when any segment is missing.
 */
export function getPath(value: unknown, dotted: string): { found: boolean; value: unknown } {
  let current: unknown = value;
  for (const segment of dotted.split(".")) {
    if (Array.isArray(current) && /^\d+$/.test(segment) && Number(segment) < current.length) current = current[Number(segment)];
    else if (isRecord(current) && Object.hasOwn(current, segment)) current = current[segment];
    else return { found: false, value: undefined };
  }
  return { found: true, value: current };
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** The inside of every `${{ … }}` in a string. */
export function expressionsIn(text: string): string[] {
  const out: string[] = [];
  const re = /\$\{\{([\s\S]*?)\}\}/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1] ?? "");
  return out;
}

/** Visits every string in a parsed YAML value, with its key path; object keys are visited too. */
export function walkStrings(value: unknown, visit: (text: string, path: string[]) => void, path: string[] = []): void {
  if (typeof value === "string") visit(value, path);
  else if (Array.isArray(value)) value.forEach((v, i) => walkStrings(v, visit, [...path, String(i)]));
  else if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) {
      visit(k, [...path, k]);
      walkStrings(v, visit, [...path, k]);
    }
  }
}

export function dirname(p: string): string {
  const i = p.lastIndexOf("/");
  return i < 0 ? "" : p.slice(0, i);
}

/** Joins a relative reference onto a folder inside the output, resolving "." and ".."; null when it climbs out. */
export function joinPath(dir: string, ref: string): string | null {
  const parts = ref.startsWith("/") ? [] : dir.split("/").filter(Boolean);
  for (const part of ref.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join("/");
}

export function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}
