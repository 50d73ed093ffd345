// What policies evaluate, read from files: Kubernetes manifests (multi-document YAML or JSON,
// `kind: List` flattened as kubectl does) and Terraform plans (`terraform show -json` output,
// recognised by `format_version` next to `resource_changes` or `planned_values`). Each object
// keeps where it came from (file, 1-based document, item of a List, line) so that a finding
// points at the manifest a person has to change.
import path from "node:path";
import YAML, { LineCounter, isMap, isSeq, type Node } from "yaml";
import type { Subject } from "../format.ts";
import { terraformPlanSubject } from "../subjects.ts";

export interface SourceObject {
  file: string;
  /** 1-based document of a multi-document file (1 for JSON). */
  document: number;
  /** 0-based index in a `kind: List`'s items, or null. */
  item: number | null;
  /** 1-based line where the object starts, when known. */
  line: number | null;
  subject: Subject;
}

export interface SkippedDocument {
  file: string;
  document: number;
  line: number | null;
  reason: string;
}

export interface SourceProblem {
  file: string;
  document: number | null;
  line: number | null;
  message: string;
}

export interface ReadResult {
  objects: SourceObject[];
  skipped: SkippedDocument[];
  problems: SourceProblem[];
}

export const MANIFEST_EXTENSIONS = [".yaml", ".yml", ".json"] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `terraform show -json` output: a format_version with the plan's resources. */
export function isTerraformPlan(value: unknown): value is Record<string, unknown> {
  return (
    isRecord(value) &&
    typeof value.format_version === "string" &&
    (Array.isArray(value.resource_changes) || isRecord(value.planned_values)) &&
    !("kind" in value)
  );
}

function isKubernetesObject(value: unknown): value is Subject {
  return isRecord(value) && typeof value.apiVersion === "string" && value.apiVersion !== "" && typeof value.kind === "string" && value.kind !== "";
}

/** A plan's subject name: its file name without `.json` ("network.plan.json" → "network.plan"). */
export function planName(file: string): string {
  return path.basename(file).replace(/\.json$/i, "");
}

/**
 * The objects of one document's value. `lineOfItem` gives the line of a List's item when the
 * document came from YAML.
 */
function objectsOf(
  file: string,
  document: number,
  line: number | null,
  value: unknown,
  lineOfItem: (i: number) => number | null,
): { objects: SourceObject[]; skipped?: SkippedDocument } {
  if (value === null || value === undefined) return { objects: [] };
  if (isTerraformPlan(value)) return { objects: [{ file, document, item: null, line, subject: terraformPlanSubject(planName(file), value) }] };
  if (isKubernetesObject(value)) {
    if (value.kind.endsWith("List") && Array.isArray(value.items)) {
      const objects: SourceObject[] = [];
      value.items.forEach((item, i) => {
        if (isKubernetesObject(item)) objects.push({ file, document, item: i, line: lineOfItem(i), subject: item });
      });
      return { objects };
    }
    return { objects: [{ file, document, item: null, line, subject: value }] };
  }
  return { objects: [], skipped: { file, document, line, reason: "not a Kubernetes object or a Terraform plan" } };
}

/** Reads every object of a file's text; `file` is only used to name things and to tell JSON from YAML. */
export function readObjects(file: string, text: string): ReadResult {
  const result: ReadResult = { objects: [], skipped: [], problems: [] };
  if (/\.json$/i.test(file)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      result.problems.push({ file, document: 1, line: null, message: `JSON: ${(e as Error).message}` });
      return result;
    }
    const values = Array.isArray(value) ? value : [value];
    values.forEach((v, i) => {
      const { objects, skipped } = objectsOf(file, Array.isArray(value) ? i + 1 : 1, Array.isArray(value) ? null : 1, v, () => null);
      result.objects.push(...objects);
      if (skipped) result.skipped.push(skipped);
    });
    return result;
  }

  const counter = new LineCounter();
  const docs = YAML.parseAllDocuments(text, { lineCounter: counter, prettyErrors: true, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, i) => {
    const document = i + 1;
    const contents = doc.contents as Node | null;
    const offset = contents?.range?.[0];
    const line = offset === undefined ? null : counter.linePos(offset).line;
    const error = doc.errors[0];
    if (error) {
      result.problems.push({ file, document, line: error.linePos?.[0]?.line ?? line, message: `YAML: ${error.message.split("\n")[0]}` });
      return;
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    const lineOfItem = (index: number): number | null => {
      if (!isMap(contents)) return null;
      const items = contents.get("items", true);
      const node = isSeq(items) ? (items.items[index] as Node | undefined) : undefined;
      const start = node?.range?.[0];
      return start === undefined ? null : counter.linePos(start).line;
    };
    const { objects, skipped } = objectsOf(file, document, line, value, lineOfItem);
    result.objects.push(...objects);
    if (skipped) result.skipped.push(skipped);
  });
  return result;
}

/** "apps/v1 Deployment shop/web", the way a person finds an object again. */
export function describeSubject(subject: Subject): string {
  const ns = subject.metadata?.namespace;
  const name = subject.metadata?.name ?? "(unnamed)";
  return `${subject.kind} ${ns ? `${ns}/` : ""}${name}`;
}

/** "deploy/web.yaml#2" (document 2), "list.yaml#1[3]" (item 3 of a List), "plan.json". */
export function describeLocation(o: { file: string; document: number; item: number | null; line: number | null }): string {
  return `${o.file}#${o.document}${o.item !== null ? `[${o.item}]` : ""}${o.line !== null ? ` (line ${o.line})` : ""}`;
}
