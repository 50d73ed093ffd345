// npm run policy -- check [--policies dir] [--exceptions file] [--params key=value …] [--now iso] [--output text|json] [--verbose] <files or dirs …>
// npm run policy -- export [--policies dir] [--out file]
// npm run policy -- bench [--policies dir] [--seconds n] [manifest]
// check: conftest for Paved's policies (lib/policies/testing/check.ts): exit 1 on any denied
// object, a file that does not parse or a policy that does not load; warnings do not fail.
// export: the Kubernetes-subject policies as ValidatingAdmissionPolicy + binding (+ params
// ConfigMap) YAML for `kubectl apply -f` (lib/policies/export.ts).
// bench: evaluations per second of one object (default: the reference Deployment of
// policies/fixtures/compliant-app.yaml) against every policy, in this one thread.
// Exit code 2 on a usage error.
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { evaluateSubject, loadPolicies } from "../lib/policies/engine.ts";
import { admissionPoliciesYaml, exportAdmissionPolicies } from "../lib/policies/export.ts";
import { CheckUsageError, checkPaths, formatCheckReport } from "../lib/policies/testing/check.ts";
import { describeSubject, readObjects } from "../lib/policies/testing/documents.ts";

const USAGE = `usage:
  npm run policy -- check [--policies dir] [--exceptions file] [--params key=value] [--now iso-time] [--output text|json] [--verbose] <file or folder>…
  npm run policy -- export [--policies dir] [--out file]
  npm run policy -- bench [--policies dir] [--seconds n] [manifest]`;

function fail(message: string): never {
  console.error(message);
  console.error(USAGE);
  process.exit(2);
}

const root = path.resolve(import.meta.dirname, "..");
// npm runs scripts from the package root; relative paths mean the caller's folder.
const cwd = process.env.INIT_CWD ?? process.cwd();
const [command, ...rest] = process.argv.slice(2);

const options: { policies?: string; exceptions?: string; params: string[]; now?: string; output: string; out?: string; seconds: string; verbose: boolean } = {
  params: [],
  output: "text",
  seconds: "3",
  verbose: false,
};
const positional: string[] = [];
const valued = new Set(["--policies", "--exceptions", "--params", "--now", "--output", "--out", "--seconds"]);
for (let i = 0; i < rest.length; i++) {
  const arg = rest[i] ?? "";
  if (arg === "--help" || arg === "-h") {
    console.log(USAGE);
    process.exit(0);
  }
  if (arg === "--verbose" || arg === "-v") {
    options.verbose = true;
    continue;
  }
  if (!arg.startsWith("--")) {
    positional.push(arg);
    continue;
  }
  const eq = arg.indexOf("=");
  const name = eq > 0 ? arg.slice(0, eq) : arg;
  if (!valued.has(name)) fail(`unknown option ${name}`);
  const value = eq > 0 ? arg.slice(eq + 1) : rest[++i];
  if (value === undefined) fail(`${name} needs a value`);
  if (name === "--params") options.params.push(value);
  else if (name === "--policies") options.policies = value;
  else if (name === "--exceptions") options.exceptions = value;
  else if (name === "--now") options.now = value;
  else if (name === "--output") options.output = value;
  else if (name === "--seconds") options.seconds = value;
  else options.out = value;
}
const policiesDir = options.policies ? path.resolve(cwd, options.policies) : path.join(root, "policies");

if (command === "check") {
  if (positional.length === 0) fail("check needs files or folders");
  if (!["text", "json"].includes(options.output)) fail(`--output ${options.output}: text or json`);
  const now = options.now ? new Date(options.now) : undefined;
  if (now && Number.isNaN(now.getTime())) fail(`--now ${options.now}: not a date`);
  try {
    const result = await checkPaths({
      paths: positional,
      policiesDir,
      cwd,
      params: options.params,
      ...(options.exceptions ? { exceptionsFile: options.exceptions } : {}),
      ...(now ? { now } : {}),
    });
    if (options.output === "json") console.log(JSON.stringify(result, null, 2));
    else console.log(formatCheckReport(result, { color: process.stdout.isTTY, verbose: options.verbose }));
    process.exitCode = result.ok ? 0 : 1;
  } catch (e) {
    if (e instanceof CheckUsageError) fail(e.message);
    throw e;
  }
} else if (command === "export") {
  if (positional.length) fail(`export takes no files (${positional.join(" ")})`);
  const { policies, errors } = await loadPolicies(policiesDir);
  if (errors.length) {
    // An export without the broken policy would silently drop a rule from the cluster.
    for (const e of errors) console.error(`${e.file}${e.line ? `:${e.line}` : ""}: ${e.message}`);
    console.error(`${errors.length} polic${errors.length === 1 ? "y does" : "ies do"} not load: nothing exported`);
    process.exit(1);
  }
  const objects = exportAdmissionPolicies(policies);
  const skipped = policies.filter((p) => !p.kubernetes).map((p) => p.name);
  const yaml = admissionPoliciesYaml(
    objects,
    `Generated by \`npm run policy -- export\` from ${path.relative(cwd, policiesDir) || "."}: do not edit, change the policies.\n` +
      `Not exported (Paved's own subjects): ${skipped.join(", ") || "none"}.`,
  );
  if (options.out) {
    await writeFile(path.resolve(cwd, options.out), yaml);
    console.error(`${objects.length} objects from ${policies.length - skipped.length} policies written to ${options.out}`);
  } else process.stdout.write(yaml);
} else if (command === "bench") {
  const seconds = Number(options.seconds);
  if (!(seconds > 0)) fail(`--seconds ${options.seconds}: a positive number`);
  const file = positional[0] ? path.resolve(cwd, positional[0]) : path.join(root, "policies/fixtures/compliant-app.yaml");
  const subject = readObjects(file, readFileSync(file, "utf8")).objects[0]?.subject;
  if (!subject) fail(`${file} holds no object`);
  const { policies, errors } = await loadPolicies(policiesDir);
  if (errors.length) console.error(`${errors.length} policies do not load; benchmarking the others`);
  const applying = evaluateSubject(policies, subject).evaluated.length;
  // Warm up the JIT, then count whole evaluations (every policy: match, then run those that apply).
  for (let i = 0; i < 2000; i++) evaluateSubject(policies, subject);
  let n = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    for (let i = 0; i < 100; i++) evaluateSubject(policies, subject);
    n += 100;
  }
  const perSecond = n / ((performance.now() - started) / 1000);
  const fmt = (x: number) => Math.round(x).toLocaleString("en-US");
  console.log(`${describeSubject(subject)} against ${policies.length} policies (${applying} apply), one thread, ${seconds} s:`);
  console.log(`  ${fmt(perSecond)} objects/s`);
  console.log(`  ${fmt(perSecond * policies.length)} object × policy evaluations/s (${fmt(perSecond * applying)}/s counting only the ${applying} that apply)`);
} else {
  fail(command ? `unknown command ${command}` : "which command?");
}
