// README.md's configuration table and ENV_DOCS in lib/core/env.ts describe the same variables:
// one is for people, the other is what the code reads. This test keeps them in step, both ways,
// and keeps each default as ENV_DOCS states it.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ENV_DOCS } from "../../lib/core/env.ts";

const README = readFileSync(fileURLToPath(new URL("../../README.md", import.meta.url)), "utf8");

/** The rows of the first table under the `## Configuration` heading: variable → default. */
function configurationTable(markdown: string): Map<string, string> {
  const lines = markdown.split("\n");
  const start = lines.findIndex((l) => /^##\s+Configuration\s*$/.test(l));
  expect(start, "README.md has no `## Configuration` section").toBeGreaterThanOrEqual(0);
  const rows = new Map<string, string>();
  let inTable = false;
  for (const line of lines.slice(start + 1)) {
    if (/^##\s/.test(line)) break;
    if (!line.startsWith("|")) {
      if (inTable) break;
      continue;
    }
    inTable = true;
    const cells = line
      .replace(/\\\|/g, "\uE000")
      .split("|")
      .slice(1, -1)
      .map((c) => c.replace(/\uE000/g, "|").trim());
    const name = /^`([A-Z][A-Z0-9_]*)`$/.exec(cells[0] ?? "")?.[1];
    if (!name) continue; // header and separator rows
    expect(rows.has(name), `${name} is listed twice`).toBe(false);
    rows.set(name, (cells[1] ?? "").replace(/`/g, ""));
  }
  return rows;
}

describe("README configuration table", () => {
  const table = configurationTable(README);
  const documented = Object.keys(ENV_DOCS);

  it("lists every variable in ENV_DOCS", () => {
    expect(documented.filter((name) => !table.has(name))).toEqual([]);
  });

  it("lists no variable that ENV_DOCS lacks", () => {
    expect([...table.keys()].filter((name) => !(name in ENV_DOCS))).toEqual([]);
  });

  it("gives each variable the default ENV_DOCS states", () => {
    const wrong = documented
      .filter((name) => table.has(name))
      .filter((name) => table.get(name) !== ENV_DOCS[name as keyof typeof ENV_DOCS][0].replace(/`/g, ""))
      .map((name) => `${name}: README says "${table.get(name)}", ENV_DOCS says "${ENV_DOCS[name as keyof typeof ENV_DOCS][0]}"`);
    expect(wrong).toEqual([]);
  });
});
