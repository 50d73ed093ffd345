// npm run slos:test [-- --keep]
// Proves the generated SLO rules with Prometheus' own tools: for every fixture SLO of
// tests/fixtures/slos/promtool-fixtures.yaml (7d, 28d and 30d windows; availability and latency;
// the common HTTP metrics and raw queries; alerting on and off) and the SLOs of the OpenSLO and
// Sloth fixtures and the demo organisation's, writes the rule files Paved serves and runs `promtool check rules` on them, one
// per SLO and all in one file; then `promtool test rules` with cases that prove the page alert
// fires on a fast burn, the ticket alert on a slow one, both stay quiet on a healthy series, and
// the recorded error ratios equal the input's (lib/slos/testing/promtool.ts). Last, a case with
// a deliberately wrong expectation must fail, so that the cases cannot pass vacuously.
// Exits 1 with promtool's output on any failure; --keep leaves the files in a temp folder.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import YAML from "yaml";
import { z } from "zod";
import { parseOpenSlo, parseSloth } from "../lib/slos/formats.ts";
import { rulesFile, type RuleSlo } from "../lib/slos/rules.ts";
import { Automation, SliSchema, SloKind, SloWindow } from "../lib/slos/schemas.ts";
import { sliIssues } from "../lib/slos/sli.ts";
import { promtoolTests, type RawSeries } from "../lib/slos/testing/promtool.ts";
import { DEMO_SLOS } from "../prisma/seed/demo-slos.ts";

const root = path.resolve(import.meta.dirname, "..");
const FIXTURES = path.join(root, "tests/fixtures/slos");
const BASE_URL = "https://paved.example.com";
const keep = process.argv.includes("--keep");

const Fixture = z.object({
  slo: z.object({
    id: z.uuid(),
    name: z.string(),
    service: z.string(),
    kind: SloKind,
    objective: z.number(),
    window: SloWindow,
    sli: SliSchema,
    environment: z.string(),
    alerting: z.boolean(),
    automation: Automation,
  }),
  series: z.object({ good: z.string().optional(), bad: z.string().optional(), total: z.string() }).optional(),
});

function promtool(): string {
  const candidates = [process.env.PAVED_TEST_PROMTOOL, "/usr/bin/promtool", "/usr/local/bin/promtool"].filter((p): p is string => Boolean(p));
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    console.error("slos:test: promtool not found (tried " + candidates.join(", ") + "). Install Debian's `prometheus` package, or set PAVED_TEST_PROMTOOL.");
    process.exit(1);
  }
  return found;
}

function run(bin: string, args: string[], cwd: string): { ok: boolean; output: string } {
  try {
    return { ok: true, output: execFileSync(bin, args, { cwd, encoding: "utf8", stdio: "pipe" }) };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${err.stdout ?? ""}${err.stderr ?? ""}` || err.message };
  }
}

const bin = promtool();
const dir = mkdtempSync(path.join(tmpdir(), "paved-slos-test-"));
let failed = false;
const fail = (what: string, output: string) => {
  failed = true;
  console.error(`✗ ${what}\n${output.trim().replace(/^/gm, "    ")}`);
};

try {
  const fixtures = z.array(Fixture).parse(YAML.parse(readFileSync(path.join(FIXTURES, "promtool-fixtures.yaml"), "utf8")));
  const tested: { slo: RuleSlo; series?: RawSeries }[] = fixtures.map((f) => ({ slo: f.slo, ...(f.series ? { series: f.series } : {}) }));
  // The import fixtures' SLOs and the demo organisation's: their rules must load too.
  let n = 0;
  const imported: RuleSlo[] = [
    ...parseOpenSlo(readFileSync(path.join(FIXTURES, "openslo.yaml"), "utf8")).slos,
    ...parseSloth(readFileSync(path.join(FIXTURES, "sloth.yaml"), "utf8")).slos,
  ].map((s) => ({
    id: `00000000-0000-4000-8000-${String(++n).padStart(12, "0")}`,
    name: s.name,
    service: s.service,
    kind: s.kind,
    objective: s.objective,
    window: s.window,
    sli: s.sli,
    environment: s.environment ?? "production",
    alerting: s.alerting ?? true,
    automation: s.automation ?? "none",
  }));

  for (const { slo } of tested) {
    const issues = sliIssues(slo.kind, slo.sli);
    if (issues.length) fail(`fixture ${slo.service}/${slo.name} is not a valid SLO`, issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n"));
  }

  const ruleFiles: string[] = [];
  const testFiles: string[] = [];
  tested.forEach(({ slo, series }, i) => {
    const rules = `rules-${i + 1}-${slo.service}-${slo.name}.yml`;
    writeFileSync(path.join(dir, rules), rulesFile([slo], { baseUrl: BASE_URL }));
    ruleFiles.push(rules);
    const tests = `tests-${i + 1}-${slo.service}-${slo.name}.yml`;
    writeFileSync(path.join(dir, tests), promtoolTests(slo, rules, { baseUrl: BASE_URL, ...(series ? { raw: series } : {}) }));
    testFiles.push(tests);
  });
  writeFileSync(path.join(dir, "rules-imported.yml"), rulesFile(imported, { baseUrl: BASE_URL }));
  writeFileSync(path.join(dir, "rules-all.yml"), rulesFile([...tested.map((t) => t.slo), ...imported], { baseUrl: BASE_URL }));
  // The demo organisation's, as GET /api/v1/slos/rules serves them after a fresh start.
  const demo: RuleSlo[] = DEMO_SLOS.map((s) => ({ ...s, id: `00000000-0000-4000-9000-${String(++n).padStart(12, "0")}`, environment: "production", alerting: s.alerting ?? true }));
  writeFileSync(path.join(dir, "rules-demo.yml"), rulesFile(demo, { baseUrl: BASE_URL }));
  ruleFiles.push("rules-imported.yml", "rules-all.yml", "rules-demo.yml");

  const check = run(bin, ["check", "rules", ...ruleFiles], dir);
  if (check.ok) console.log(`✓ promtool check rules: ${ruleFiles.length} files (${tested.length + imported.length + demo.length} SLOs)`);
  else fail("promtool check rules", check.output);

  for (const [i, file] of testFiles.entries()) {
    const result = run(bin, ["test", "rules", file], dir);
    const what = tested[i]!.slo.alerting ? "fast burn pages, slow burn tickets, healthy quiet; recorded ratios" : "alerting off: recorded ratios only";
    if (result.ok) console.log(`✓ promtool test rules: ${file} (${what})`);
    else fail(`promtool test rules ${file}`, result.output);
  }

  // The cases must be able to fail: a healthy service that pages is a wrong expectation.
  const paging = tested.find((t) => t.slo.alerting)!;
  const wrong = promtoolTests(paging.slo, ruleFiles[tested.indexOf(paging)]!, { baseUrl: BASE_URL, ...(paging.series ? { raw: paging.series } : {}) }).replace(/exp_alerts: \[\]/, "exp_alerts:\n          - exp_labels: { severity: page }");
  writeFileSync(path.join(dir, "tests-must-fail.yml"), wrong);
  const mustFail = run(bin, ["test", "rules", "tests-must-fail.yml"], dir);
  if (mustFail.ok) fail("a case with a wrong expectation passed: the promtool cases prove nothing", mustFail.output);
  else if (!/alertname: SloErrorBudgetBurn/.test(mustFail.output)) fail("the case with a wrong expectation failed for another reason", mustFail.output);
  else console.log("✓ a case with a wrong expectation fails, as it should");
} catch (e) {
  fail("slos:test could not run", e instanceof Error ? (e.stack ?? e.message) : String(e));
} finally {
  if (keep) console.log(`files kept in ${dir}`);
  else rmSync(dir, { recursive: true, force: true });
}

if (failed) {
  console.error("slos:test failed");
  process.exitCode = 1;
} else {
  console.log("slos:test passed");
}
