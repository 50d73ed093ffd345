import { spawnSync } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { formatReport, runTemplateTests, type CheckName, type RunResult, type TemplateResult } from "./index.ts";

const root = path.resolve(import.meta.dirname, "../../..");
const catalog = path.join(root, "templates-catalog");
const fixtures = path.join(root, "tests/fixtures/templates");

function failuresOf(t: TemplateResult) {
  return [...t.loadFailures, ...t.versions.flatMap((v) => [...v.failures, ...v.cases.flatMap((c) => c.failures)])];
}

describe("the real catalog", () => {
  let result: RunResult;
  beforeAll(async () => {
    result = await runTemplateTests({ paths: [catalog], cwd: root });
  }, 60_000);

  it("passes every case of every version", () => {
    const failures = result.templates.flatMap((t) => failuresOf(t).map((f) => `${t.name}: ${f.file ?? ""}: ${f.message}`));
    expect(failures).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it("ships the issue's templates, dotnet-ci-cd in two major versions", () => {
    const names = result.templates.map((t) => t.name);
    for (const name of ["dotnet-ci-cd", "node-ci-cd", "python-ci-cd", "security-scan", "azure-dotnet-build-stage", "terraform-gitops", "template-validation", "gitops-app"]) {
      expect(names).toContain(name);
    }
    const dotnet = result.templates.find((t) => t.name === "dotnet-ci-cd");
    expect(dotnet?.versions.map((v) => [v.version, v.lifecycle])).toEqual([
      ["2.1.0", "stable"],
      ["1.4.2", "deprecated"],
    ]);
  });

  it("runs a golden case and refuses invalid parameters in every template", () => {
    for (const t of result.templates) {
      const cases = t.versions.flatMap((v) => v.cases);
      expect(cases.some((c) => c.files.length > 0), t.name).toBe(true);
      expect(cases.some((c) => c.files.length === 0 && c.ok), t.name).toBe(true);
    }
  });

  it("tests one template folder on its own", async () => {
    const one = await runTemplateTests({ paths: [path.join(catalog, "dotnet-ci-cd")], cwd: root });
    expect(one.ok).toBe(true);
    expect(one.templates.map((t) => t.name)).toEqual(["dotnet-ci-cd"]);
    expect(one.summary.versions).toBe(2);
  });

  it("reports readably, closing with the line CI reads", () => {
    const report = formatReport(result);
    expect(report).toContain("✓ dotnet-ci-cd");
    expect(report).toMatch(/✓ 1\.4\.2 \(deprecated, github-workflow/);
    expect(report.trimEnd().split("\n").at(-1)).toBe(`Templates: ${result.summary.cases} passed, 0 failed`);
  });
});

describe("broken templates", () => {
  let result: RunResult;
  beforeAll(async () => {
    result = await runTemplateTests({ paths: [fixtures], cwd: root });
  }, 60_000);

  // Each fixture is broken in one way: the checks that must fail and what they must say.
  const broken: Record<string, { checks: CheckName[]; messages: RegExp[] }> = {
    "bad-workflow-key": { checks: ["github-workflow"], messages: [/Unexpected value 'runs_on'/] },
    "golden-mismatch": { checks: ["golden"], messages: [/differs from tests\/golden\/case\/\.github\/workflows\/wf\.yml/] },
    "misspelt-parameter": { checks: ["render"], messages: [/undefined variable: params\.enviroment/] },
    "invalid-yaml": { checks: ["yaml"], messages: [/line 13, column 11/] },
    "failing-expectation": {
      checks: ["expect"],
      messages: [/does not contain "environment: staging"/, /default is "production", expected "staging"/, /is not rendered/],
    },
    "accepted-invalid": { checks: ["parameters"], messages: [/accepted, but environment should have been refused/] },
    "mangled-expression": { checks: ["pass-through"], messages: [/came out as .*deploying HEAD to/] },
    "undeclared-input": {
      checks: ["github-workflow"],
      messages: [/unknown job 'biuld'/, /inputs\.enviroment, which is not a declared input/, /job "report" reads needs\.build/],
    },
    "reusable-input-mismatch": { checks: ["github-workflow"], messages: [/enviroment is not defined in the referenced workflow/, /Input environment is required/] },
    "action-undeclared-input": {
      checks: ["github-action"],
      messages: [/Required property is missing: shell/, /inputs\.scan_type, which is not a declared input/, /does not render \.github\/actions\/scan\/scripts\/scan\.sh/],
    },
    "azure-undeclared-parameter": {
      checks: ["azure-pipeline"],
      messages: [/parameters\.runTest, which is not a declared parameter/, /template \.\.\/steps\/test\.yml is not rendered/],
    },
    "terraform-unbalanced": { checks: ["terraform"], messages: [/"\{" opened on line 1 is never closed/, /var\.projet/] },
    "k8s-missing-name": {
      checks: ["kubernetes"],
      messages: [/metadata\.name is missing/, /matchLabels\.app does not match/, /resources: service\.yaml is not rendered/],
    },
    "broken-manifest": { checks: ["load"], messages: [/spec\.version: a semantic version/, /spec\.files/] },
  };

  it("fails the run", () => {
    expect(result.ok).toBe(false);
    expect(result.summary.failed).toBeGreaterThan(0);
    expect(formatReport(result).trimEnd().split("\n").at(-1)).toMatch(/^Templates: \d+ passed, [1-9]\d* failed$/);
  });

  for (const [name, want] of Object.entries(broken)) {
    it(`${name}: fails with ${want.checks.join(", ")}`, () => {
      const t = result.templates.find((x) => x.name === name);
      expect(t, name).toBeDefined();
      if (!t) return;
      expect(t.ok).toBe(false);
      const failures = failuresOf(t);
      expect([...new Set(failures.map((f) => f.check))].sort()).toEqual([...want.checks].sort());
      for (const m of want.messages) expect(failures.map((f) => f.message).join("\n")).toMatch(m);
    });
  }

  it("names the file of each failure", () => {
    const t = result.templates.find((x) => x.name === "bad-workflow-key");
    expect(t && failuresOf(t).every((f) => f.file === ".github/workflows/wf.yml")).toBe(true);
  });

  it("shows a unified diff for a golden mismatch", () => {
    const t = result.templates.find((x) => x.name === "golden-mismatch");
    const diff = t && failuresOf(t).find((f) => f.check === "golden")?.diff;
    expect(diff).toContain("-name: ok (an older rendering)");
    expect(diff).toContain("+name: ok");
    expect(formatReport(result)).toContain("+name: ok");
  });

  it("passes the fixture that is not broken", () => {
    expect(result.templates.find((x) => x.name === "ok-template")?.ok).toBe(true);
  });

  it("fails on a folder that holds no template, or does not exist", async () => {
    const empty = await runTemplateTests({ paths: [path.join(root, "tests/fixtures")], cwd: root });
    expect(empty.ok).toBe(false);
    const missing = await runTemplateTests({ paths: ["no/such/folder"], cwd: root });
    expect(missing.ok).toBe(false);
    expect(missing.templates[0]?.loadFailures[0]?.message).toBe("no such folder");
  });
});

describe("npm run templates:test", () => {
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ["--import", "tsx", "scripts/templates-test.ts", ...args], { cwd: root, encoding: "utf8", env: { ...process.env, INIT_CWD: root } });

  it("exits 1 with the failure in the report on a broken template", () => {
    const out = run("tests/fixtures/templates/golden-mismatch");
    expect(out.status).toBe(1);
    expect(out.stdout).toContain("✗ golden-mismatch");
    expect(out.stdout).toContain(".github/workflows/wf.yml: differs from tests/golden/case/.github/workflows/wf.yml");
  }, 30_000);

  it("exits 0 and answers JSON with --json on a passing template", () => {
    const out = run("--json", "tests/fixtures/templates/ok-template");
    expect(out.status).toBe(0);
    const parsed = JSON.parse(out.stdout) as RunResult;
    expect(parsed.ok).toBe(true);
    expect(parsed.templates[0]?.versions[0]?.cases.map((c) => c.name)).toEqual(["case", "refused"]);
  }, 30_000);
});
