// A test case's own expectations (files present or absent, text contained or not, values at a
// YAML path) and its golden files (the exact expected output, compared byte for byte).
import { createTwoFilesPatch } from "diff";
import type { TemplateExpectation } from "../manifest.ts";
import type { Failure, OutputFile } from "./types.ts";
import { deepEqual, describe, getPath, parseYamlDocuments } from "./util.ts";

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export function checkExpectations(expectations: TemplateExpectation[], output: Map<string, OutputFile>): Failure[] {
  const failures: Failure[] = [];
  expectations.forEach((e, i) => {
    const label = `expect[${i}]`;
    const fail = (message: string, file = e.file) => failures.push({ check: "expect", file, message: `${label}: ${message}` });
    if (e.file === undefined) {
      // Without a file, the text expectations apply to the whole output.
      const all = [...output.values()];
      for (const text of list(e.contains)) if (!all.some((f) => f.content.includes(text))) fail(`no rendered file contains ${JSON.stringify(text)}`);
      for (const text of list(e.notContains)) {
        const hit = all.find((f) => f.content.includes(text));
        if (hit) fail(`should not contain ${JSON.stringify(text)}`, hit.path);
      }
      if (e.yaml || e.exists !== undefined) fail("yaml and exists need a file");
      return;
    }
    const file = output.get(e.file);
    const shouldExist = e.exists ?? true;
    if (!file) {
      if (shouldExist) fail("is not rendered");
      return;
    }
    if (!shouldExist) return void fail("is rendered, but should not be");
    for (const text of list(e.contains)) if (!file.content.includes(text)) fail(`does not contain ${JSON.stringify(text)}`);
    for (const text of list(e.notContains)) if (file.content.includes(text)) fail(`contains ${JSON.stringify(text)}`);
    if (e.yaml) {
      const parsed = parseYamlDocuments(file.content);
      if (!parsed.ok) return void fail(`is not YAML: ${parsed.message}`);
      const at = getPath(parsed.docs[0], e.yaml.path);
      const wantExists = e.yaml.exists ?? (e.yaml.equals !== undefined ? true : undefined);
      if (wantExists === true && !at.found) fail(`${e.yaml.path} is missing`);
      else if (wantExists === false && at.found) fail(`${e.yaml.path} exists (${describe(at.value)})`);
      else if (e.yaml.equals !== undefined && !deepEqual(at.value, e.yaml.equals)) fail(`${e.yaml.path} is ${describe(at.value)}, expected ${describe(e.yaml.equals)}`);
    }
  });
  return failures;
}

/**
 * Golden files: `goldens` holds the bundle's files under `<folder>/`; the rendered set must equal
 * it exactly (no file missing, none extra, every byte the same).
 */
export function checkGolden(folder: string, goldens: Record<string, string>, output: Map<string, OutputFile>): Failure[] {
  const prefix = `${folder.replace(/\/+$/, "")}/`;
  const expected = new Map(Object.entries(goldens).filter(([p]) => p.startsWith(prefix)).map(([p, c]) => [p.slice(prefix.length), c]));
  if (expected.size === 0) {
    return [{ check: "golden", message: `golden folder ${folder} is empty or missing (write it with --update-golden, then review it)` }];
  }
  const failures: Failure[] = [];
  for (const [path, want] of expected) {
    const got = output.get(path);
    if (!got) failures.push({ check: "golden", file: path, message: `is in ${folder} but was not rendered` });
    else if (got.content !== want) {
      failures.push({
        check: "golden",
        file: path,
        message: `differs from ${prefix}${path}`,
        diff: createTwoFilesPatch(`golden/${path}`, `rendered/${path}`, want, got.content, undefined, undefined, { context: 2 }),
      });
    }
  }
  for (const path of output.keys()) if (!expected.has(path)) failures.push({ check: "golden", file: path, message: `was rendered but is not in ${folder}` });
  return failures;
}
