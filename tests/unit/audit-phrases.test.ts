// Every audit action Paved records reads as words on the Audit page: an action added without a
// phrase would show as "slo rules committed" instead of a sentence.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { describeAction } from "@/components/audit/format";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return name === "generated" ? [] : sources(file);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [file] : [];
  });
}

describe("audit action phrases", () => {
  it("has a phrase for every action the domains record", () => {
    const root = path.resolve(import.meta.dirname, "../../lib");
    const actions = new Set<string>();
    for (const file of sources(root)) {
      for (const m of readFileSync(file, "utf8").matchAll(/action: "([a-z_]+\.[a-z_.]+)"/g)) actions.add(m[1]!);
    }
    expect(actions.size).toBeGreaterThan(30);
    const missing = [...actions].filter((a) => describeAction(a) === a.replace(/[._]/g, " ")).sort();
    expect(missing).toEqual([]);
  });
});
