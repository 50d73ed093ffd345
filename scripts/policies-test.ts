// npm run policies:test [-- [--json] [--quiet] [--only name,name] [folder …]]
// Runs every case of every policy (lib/policies/testing) like `kyverno test` / `gator verify`:
// folders hold `<name>.yaml` policies and their `<name>.cases.yaml` (default: policies/).
// Exit code 1 on any failure, a policy that does not load included; 2 on a usage error.
import path from "node:path";
import { formatReport, runPolicyTests } from "../lib/policies/testing/index.ts";

const args = process.argv.slice(2);
const usage = "usage: npm run policies:test -- [--json] [--quiet] [--only name,name] [policies-folder …]";
const flags = new Set<string>();
const dirs: string[] = [];
let only: string[] | undefined;
for (let i = 0; i < args.length; i++) {
  const a = args[i] ?? "";
  if (a === "--only") only = (args[++i] ?? "").split(",").filter(Boolean);
  else if (a.startsWith("--only=")) only = a.slice("--only=".length).split(",").filter(Boolean);
  else if (a.startsWith("--")) flags.add(a);
  else dirs.push(a);
}
const unknown = [...flags].filter((f) => !["--json", "--quiet", "--help"].includes(f));
if (flags.has("--help") || unknown.length) {
  if (unknown.length) console.error(`unknown option ${unknown.join(", ")}`);
  console.error(usage);
  process.exit(unknown.length ? 2 : 0);
}

const root = path.resolve(import.meta.dirname, "..");
// npm runs scripts from the package root; relative paths mean the caller's folder.
const cwd = process.env.INIT_CWD ?? process.cwd();
const result = await runPolicyTests({ dirs: dirs.length ? dirs : [path.join(root, "policies")], cwd, ...(only ? { only } : {}) });
if (flags.has("--json")) console.log(JSON.stringify(result, null, 2));
else console.log(formatReport(result, { color: process.stdout.isTTY, verbose: !flags.has("--quiet") }));
process.exitCode = result.ok ? 0 : 1;
