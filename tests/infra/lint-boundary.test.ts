// The lint rule that keeps lib/ free of app/ and components/ (STYLE.md, habit 2) must not vanish
// in a config edit: lint code that crosses the boundary, as if it were a file under lib/, through
// ESLint's Node API with the project's own eslint.config.mjs.
//
// The probe is linted with lintText + a filePath under lib/ (config lookup, `files` globs and
// ignores all go by that path) rather than written to disk, so a concurrent `npm run lint` or
// `tsc` on the same checkout never sees it.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PROBE = path.join(ROOT, "lib", "core", "__lint_boundary_probe__.ts");

let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT });
});

async function ruleIds(code: string, filePath = PROBE): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath, warnIgnored: true });
  expect(result, "ESLint returned no result").toBeDefined();
  const messages = result?.messages ?? [];
  // A fatal message (parse error, ignored file) would make the assertions below meaningless.
  expect(messages.filter((m) => m.fatal || m.ruleId === null)).toEqual([]);
  return messages.map((m) => m.ruleId ?? "");
}

describe("lint boundary: lib/ never imports app/ or components/", () => {
  it("is switched on, as an error, for files under lib/", async () => {
    const config = (await eslint.calculateConfigForFile(PROBE)) as { rules?: Record<string, unknown> };
    const rule = config.rules?.["no-restricted-imports"];
    // Normalised form: [severity, options]; 2 = "error" (a warning would still fail --max-warnings 0,
    // but "off" must not slip through).
    expect(Array.isArray(rule) ? rule[0] : rule).toBe(2);
  });

  it("reports lib/ importing @/components/ui/button", { timeout: 60_000 }, async () => {
    const ids = await ruleIds(`import { Button } from "@/components/ui/button";\nexport const probe = Button;\n`);
    expect(ids).toContain("no-restricted-imports");
  });

  it("reports relative paths, type-only imports, re-exports and dynamic imports into app/ or components/", { timeout: 60_000 }, async () => {
    const cases = [
      `import { Button } from "../../components/ui/button";\nexport const probe = Button;\n`,
      `import type { ReactNode } from "@/app/layout";\nexport type Probe = ReactNode;\n`,
      `export * from "@/app/layout";\n`,
      `export const probe = () => import("@/components/ui/button");\n`,
    ];
    for (const code of cases) {
      const ids = await ruleIds(code);
      expect(ids.some((id) => id === "no-restricted-imports" || id === "no-restricted-syntax"), code).toBe(true);
    }
  });

  it("allows lib/ importing lib/, and app/ importing components/", { timeout: 60_000 }, async () => {
    expect(await ruleIds(`import { env } from "@/lib/core/env";\nexport const probe = env;\n`)).not.toContain("no-restricted-imports");
    const inApp = path.join(ROOT, "app", "__lint_boundary_probe__.ts");
    expect(await ruleIds(`import { Button } from "@/components/ui/button";\nexport const probe = Button;\n`, inApp)).not.toContain(
      "no-restricted-imports",
    );
  });
});
