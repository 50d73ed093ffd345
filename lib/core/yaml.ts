// YAML files people upload (deployment-config.yaml, Backstage catalogs, OpenSLO, Sloth): parsed
// with positions, so every refusal names its line and column, and turned into plain data without
// crashing on hostile input (alias bombs, aliases to nothing). Shared by the importers.
import YAML, { LineCounter, isMap, isScalar, type Document } from "yaml";
import type { z } from "zod";
import { ValidationError, type FieldIssue } from "./errors.ts";

export interface ImportIssue extends FieldIssue {
  line?: number;
  column?: number;
}

export interface YamlSource {
  docs: Document[];
  counter: LineCounter;
}

function yamlError(e: { message: string; linePos?: [{ line: number; col: number }, ...unknown[]] }): ValidationError {
  const pos = e.linePos?.[0];
  const first = e.message.split("\n")[0] ?? e.message;
  const issue: ImportIssue = { path: [], message: first, code: "yaml", ...(pos ? { line: pos.line, column: pos.col } : {}) };
  return new ValidationError(`The YAML does not parse${pos ? ` at line ${pos.line}, column ${pos.col}` : ""}: ${first.replace(/ at line \d+, column \d+.*$/, "")}`, [issue]);
}

/** Every non-empty document of a file, or 400 with the first parse error's line and column. Duplicate keys are errors. */
export function parseYamlDocuments(text: string): YamlSource {
  const counter = new LineCounter();
  const docs = YAML.parseAllDocuments(text, { lineCounter: counter, prettyErrors: true, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [docs];
  for (const d of list) {
    const err = d.errors[0];
    if (err) throw yamlError(err as never);
  }
  return { docs: list.filter((d) => d.contents !== null), counter };
}

/** "Invalid <what>: <first issue> (and N more)", with every issue in the details. */
export function invalidFile(what: string, issues: ImportIssue[]): ValidationError {
  const first = issues[0];
  const at = first ? `${first.path.join(".")}${first.line ? ` (line ${first.line}, column ${first.column})` : ""}: ${first.message}` : "";
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  return new ValidationError(`Invalid ${what}: ${at}${more}`, issues);
}

/** A document as plain data. An alias bomb (more than 100 alias expansions) or an alias to nothing is bad input, not a crash. */
export function plainValue(doc: Document): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw invalidFile("YAML", [{ path: [], message: (e as Error).message }]);
  }
}

/** Where a path points in the document: the key of its last segment when there is one (that is the line people look for), else the nearest node. */
export function positionOf(doc: Document, counter: LineCounter, path: readonly (string | number)[]): { line: number; column: number } | undefined {
  for (let n = path.length; n >= 0; n--) {
    if (n > 0) {
      const parent = doc.getIn(path.slice(0, n - 1), true);
      if (isMap(parent)) {
        const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(path[n - 1]));
        const range = isScalar(pair?.key) ? pair.key.range : undefined;
        if (range) {
          const p = counter.linePos(range[0]);
          return { line: p.line, column: p.col };
        }
      }
    }
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === "object" && node.range) {
      const p = counter.linePos(node.range[0]);
      return { line: p.line, column: p.col };
    }
  }
  return undefined;
}

/**
 * A zod error on a document's data as issues with lines: unknown fields named one by one, each
 * issue placed where its path points; `prefix` goes in front of the reported paths only (e.g.
 * "document 2"), not into the lookup.
 */
export function zodIssuesWithLines(doc: Document, counter: LineCounter, error: z.ZodError, prefix: readonly (string | number)[] = []): ImportIssue[] {
  return error.issues.flatMap((i) => {
    const path = i.path.map((p) => (typeof p === "symbol" ? String(p) : p));
    const keys = i.code === "unrecognized_keys" ? i.keys : [undefined];
    return keys.map((key) => {
      const full = key === undefined ? path : [...path, key];
      const pos = positionOf(doc, counter, full);
      return { path: [...prefix, ...full], message: key === undefined ? i.message : `Unknown field "${key}".`, code: i.code, ...(pos ?? {}) };
    });
  });
}
