// docs/architecture.md shows the role table and the role × permission matrix for people;
// lib/core/permissions.ts is what the code enforces. This test keeps the two in step.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { PERMISSIONS, ROLE_DEFINITIONS, ROLES } from "../../lib/core/permissions.ts";

const DOC = readFileSync(fileURLToPath(new URL("../../docs/architecture.md", import.meta.url)), "utf8");

/** Table rows of the document whose first cell is a `code` name: name → the other cells. */
function rows(markdown: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of markdown.split("\n")) {
    if (!line.startsWith("|")) continue;
    const cells = line.split("|").slice(1, -1).map((c) => c.trim());
    const name = /^`([a-z][a-z.-]*)`$/.exec(cells[0] ?? "")?.[1];
    if (name) out.set(name, cells.slice(1));
  }
  return out;
}

describe("docs/architecture.md permissions", () => {
  const table = rows(DOC);

  it("describes every role with its scope", () => {
    for (const role of ROLES) {
      expect(table.get(role)?.[0], role).toBe(ROLE_DEFINITIONS[role].scope);
    }
  });

  it("shows exactly the permissions each role has", () => {
    const header = DOC.split("\n").find((l) => /^\|\s*permission\s*\|/.test(l));
    expect(header).toBeDefined();
    const columns = (header ?? "").split("|").slice(2, -1).map((c) => c.trim());
    expect([...columns].sort()).toEqual([...ROLES].sort());
    for (const permission of Object.keys(PERMISSIONS)) {
      const marks = table.get(permission);
      expect(marks, `${permission} is missing from the matrix`).toBeDefined();
      columns.forEach((role, i) => {
        const granted = (ROLE_DEFINITIONS[role as keyof typeof ROLE_DEFINITIONS].permissions as readonly string[]).includes(permission);
        expect(marks?.[i] === "✓", `${role} × ${permission}`).toBe(granted);
      });
    }
    const lines = DOC.split("\n");
    const start = lines.indexOf(header ?? "");
    const end = lines.findIndex((l, i) => i > start && !l.startsWith("|"));
    const listed = [...rows(lines.slice(start, end === -1 ? undefined : end).join("\n")).keys()];
    expect(listed.filter((p) => !(p in PERMISSIONS))).toEqual([]);
  });
});
