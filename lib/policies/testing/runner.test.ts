// The policy test runner: the shipped policies pass every case (and each has the cases the issue
// asks for), the broken fixtures in tests/fixtures/policies/broken fail each for its reason while
// the others still run, and `npm run policies:test` exits and reports accordingly.
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { formatReport, parseCasesFile, runPolicyTests, type PolicyTestResult, type RunResult } from "./index.ts";

const root = path.resolve(import.meta.dirname, "../../..");
const policiesDir = path.join(root, "policies");
const broken = path.join(root, "tests/fixtures/policies/broken");

describe("the shipped policies", () => {
  let result: RunResult;
  beforeAll(async () => {
    result = await runPolicyTests({ dirs: [policiesDir], cwd: root });
  });

  it("pass every case", () => {
    const failures = result.policies.flatMap((p) => [...p.problems.map((x) => `${p.name}: ${x.message}`), ...p.cases.filter((c) => !c.ok).map((c) => `${p.name} / ${c.name}: ${c.failures.join("; ")}`)]);
    expect(failures).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.summary.cases).toBeGreaterThanOrEqual(150);
  });

  it("are the issue's policies, with the action each was given", () => {
    expect(Object.fromEntries(result.policies.map((p) => [p.name, p.action]))).toEqual({
      "audit-error-budget-overrides": "Audit",
      "disallow-latest-tag": "Deny",
      "disallow-plain-secrets": "Deny",
      "disallow-retired-templates": "Deny",
      "promotion-error-budget": "Deny",
      "promotion-release-manager-approval": "Deny",
      "promotion-unhealthy-source": "Warn",
      "require-internal-load-balancer": "Deny",
      "require-resource-limits": "Deny",
      "require-run-as-non-root": "Deny",
      "require-workload-labels": "Warn",
      "restrict-image-registries": "Deny",
      "terraform-no-open-ingress": "Deny",
      "terraform-no-public-buckets": "Deny",
      "terraform-required-tags": "Deny",
    });
  });

  it("each have an allowed case, a violating case with its messages, a waiver that applies and one that has expired", () => {
    for (const p of result.policies) {
      const action = p.action?.toLowerCase();
      const loaded = parseCasesFile(p.casesFile ?? "", readFileSync(path.join(root, p.casesFile ?? ""), "utf8"));
      const cases = loaded.cases.map((c) => c.testCase);
      expect(cases.some((c) => c.expect === "allow" && !c.exceptions), `${p.name}: an allowed case`).toBe(true);
      expect(cases.some((c) => c.expect === action && !c.exceptions && c.messages?.length), `${p.name}: a ${action} case`).toBe(true);
      expect(cases.some((c) => c.exceptions?.length && c.expect === "allow" && c.waived === true), `${p.name}: a waiver that applies`).toBe(true);
      expect(cases.some((c) => c.exceptions?.length && c.expect === action && c.waived === false), `${p.name}: an expired waiver`).toBe(true);
    }
  });

  it("keep the seed's messages", () => {
    const messages = (name: string) => result.policies.find((p) => p.name === name)?.cases.flatMap((c) => c.actual?.messages ?? []);
    expect(messages("require-run-as-non-root")).toContain("Containers must run as non-root user");
    expect(messages("require-internal-load-balancer")).toContain("LoadBalancer services must be internal");
  });

  it("report readably, closing with the line CI reads", () => {
    const report = formatReport(result);
    expect(report).toContain("✓ require-run-as-non-root (Deny) policies/require-run-as-non-root.yaml");
    expect(report).toMatch(/✓ the seed's case, a Deployment without any securityContext, is denied → deny, /);
    expect(report).toMatch(/✓ an exception for the node agent waives it until it expires → allow \(waived\)/);
    expect(report.trimEnd().split("\n").at(-1)).toBe(`Policies: ${result.summary.cases} passed, 0 failed`);
    expect(formatReport(result, { verbose: false }).split("\n").filter(Boolean)).toHaveLength(2);
  });

  it("keep every fixture file in use", () => {
    const used = new Set(result.policies.flatMap((p) => p.cases.map((c) => c.file)));
    expect(used.size).toBe(result.policies.length);
    const fixtures = readdirSync(path.join(policiesDir, "fixtures"), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    const cases = readdirSync(policiesDir).filter((f) => f.endsWith(".cases.yaml")).map((f) => readFileSync(path.join(policiesDir, f), "utf8")).join("\n");
    for (const f of fixtures) expect(cases, f.name).toContain(path.relative(policiesDir, path.join(f.parentPath, f.name)));
  });
});

describe("the broken fixtures", () => {
  let result: RunResult;
  const policy = (name: string): PolicyTestResult => {
    const p = result.policies.find((x) => x.name === name);
    if (!p) throw new Error(`no result for ${name}`);
    return p;
  };
  beforeAll(async () => {
    result = await runPolicyTests({ dirs: [broken], cwd: root });
  });

  it("fail the run, and the policy that is right still passes", () => {
    expect(result.ok).toBe(false);
    expect(policy("passing").ok).toBe(true);
    expect(result.summary).toEqual({ policies: 8, cases: 9, passed: 3, failed: 6, broken: 5 });
  });

  it("a case that expects deny when the policy allows", () => {
    const c = policy("allows-what-it-should-deny").cases.find((x) => x.name === "the forbidden name is denied");
    expect(c?.ok).toBe(false);
    expect(c?.failures).toEqual(["expected deny, got allow", "the messages differ"]);
    expect(c?.line).toBe(5);
    expect(c?.actual).toMatchObject({ outcome: "allow", messages: [], applies: true });
  });

  it("a policy with a CEL syntax error, reported with its file and line; its cases are not run", () => {
    expect(policy("cel-syntax-error").problems).toEqual([
      {
        file: "tests/fixtures/policies/broken/cel-syntax-error.yaml",
        line: 16,
        message: expect.stringMatching(/^spec\.validations\.0\.expression: CEL does not parse: .* \(1 case not run\)$/),
      },
    ]);
  });

  it("a policy that is not valid YAML, and a cases file that is not", () => {
    expect(policy("invalid-yaml").problems[0]).toMatchObject({ file: "tests/fixtures/policies/broken/invalid-yaml.yaml", message: expect.stringMatching(/^YAML: Missing closing "quote/) });
    expect(policy("bad-cases").problems).toEqual([{ file: "tests/fixtures/policies/broken/bad-cases.cases.yaml", line: 4, message: expect.stringMatching(/^YAML: /) }]);
  });

  it("a policy without cases, and cases without a policy", () => {
    expect(policy("no-cases").problems[0]?.message).toBe("no test cases: add no-cases.cases.yaml next to it");
    expect(policy("orphan").problems[0]?.message).toBe("no policy named orphan in tests/fixtures/policies/broken");
  });

  it("cases that expect the wrong messages, a waiver that expired, a missing fixture, or that the policy does not apply", () => {
    const failures = Object.fromEntries(policy("wrong-expectations").cases.map((c) => [c.name, c.failures]));
    expect(failures).toEqual({
      "expects another message": ["the messages differ"],
      "expects deny without listing messages": ["a case that expects deny lists the messages it expects"],
      "expects a waiver that has expired": ["expected allow, got deny", "expected an exception to waive the finding; none did"],
      "names a fixture that does not exist": ["fixture fixtures/missing.yaml does not exist"],
      "expects the policy not to apply": ["expected the policy not to apply to the object; it matches it"],
    });
  });

  it("show expected and actual in the report", () => {
    const report = formatReport(result, { verbose: false });
    expect(report).not.toContain("passing");
    expect(report).toContain('        expected: deny "this ConfigMap name is forbidden"\n        actual:   allow (no messages)');
    expect(report).toContain("✗ tests/fixtures/policies/broken/cel-syntax-error.yaml:16: spec.validations.0.expression: CEL does not parse");
    expect(report.trimEnd().split("\n").at(-1)).toBe("Policies: 3 passed, 11 failed");
  });

  it("only: runs the named policies", async () => {
    const only = await runPolicyTests({ dirs: [broken], cwd: root, only: ["passing"] });
    expect(only.ok).toBe(true);
    expect(only.policies.map((p) => p.name)).toEqual(["passing"]);
  });

  it("a folder that does not exist fails", async () => {
    const missing = await runPolicyTests({ dirs: ["no/such/folder"], cwd: root });
    expect(missing.ok).toBe(false);
    expect(missing.policies[0]?.problems[0]?.message).toBe("no such folder");
  });
});

describe("npm run policies:test", () => {
  const run = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "scripts/policies-test.ts", ...args], { cwd: root, encoding: "utf8", env: { ...process.env, INIT_CWD: root } });

  it("exits 0 on the shipped policies", () => {
    const out = run("--quiet");
    expect(out.status).toBe(0);
    expect(out.stdout.trimEnd().split("\n").at(-1)).toMatch(/^Policies: \d+ passed, 0 failed$/);
  }, 30_000);

  it("exits 1 on the broken fixtures and answers JSON with --json", () => {
    const out = run("--json", "tests/fixtures/policies/broken");
    expect(out.status).toBe(1);
    const parsed = JSON.parse(out.stdout) as RunResult;
    expect(parsed.ok).toBe(false);
    expect(parsed.policies.find((p) => p.name === "cel-syntax-error")?.problems[0]?.line).toBe(16);
  }, 30_000);

  it("exits 2 on an unknown option", () => {
    const out = run("--frobnicate");
    expect(out.status).toBe(2);
    expect(out.stderr).toContain("unknown option --frobnicate");
  }, 30_000);
});
