// npm run templates:test [-- [--json] [--update-golden] [--quiet] [path …]]
// Renders every test case of every template version and checks the output (lib/templates/testing).
// Paths are catalog roots or single template folders (default: templates-catalog), so a template
// repository can run it on its own folder. Exit code 1 on any failure.
import path from "node:path";
import { formatReport, runTemplateTests } from "../lib/templates/testing/index.ts";

const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith("--")));
const known = new Set(["--json", "--update-golden", "--quiet", "--help"]);
const unknown = [...flags].filter((f) => !known.has(f));
if (flags.has("--help") || unknown.length) {
  if (unknown.length) console.error(`unknown option ${unknown.join(", ")}`);
  console.error("usage: npm run templates:test -- [--json] [--quiet] [--update-golden] [catalog-root | template-folder …]");
  process.exit(unknown.length ? 2 : 0);
}
const paths = args.filter((a) => !a.startsWith("--"));
const root = path.resolve(import.meta.dirname, "..");

// npm runs scripts from the package root; relative paths mean the caller's folder.
const cwd = process.env.INIT_CWD ?? process.cwd();
const result = await runTemplateTests({
  paths: paths.length ? paths : [path.join(root, "templates-catalog")],
  cwd,
  updateGolden: flags.has("--update-golden"),
});
if (flags.has("--json")) console.log(JSON.stringify(result, null, 2));
else console.log(formatReport(result, { color: process.stdout.isTTY, verbose: !flags.has("--quiet") }));
process.exitCode = result.ok ? 0 : 1;
