// `npm run policy -- check`: reading manifests and plans (documents, Lists, lines), judging them
// with exceptions and parameter overrides, the report, and the CLI's exit codes and JSON, on the
// fixtures in tests/fixtures/policies/manifests.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { checkPaths, formatCheckReport, type CheckResult } from "./check.ts";
import { isTerraformPlan, readObjects } from "./documents.ts";

const root = path.resolve(import.meta.dirname, "../../..");
const manifests = "tests/fixtures/policies/manifests";
const policiesDir = path.join(root, "policies");
const now = new Date("2026-06-01T00:00:00Z");

describe("reading files", () => {
  it("numbers YAML documents from 1 with the line each starts on, flattens Lists and skips what is not an object", () => {
    const text = "# comment\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\n---\n---\nvalues: 1\n---\napiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Secret\n    metadata: { name: s }\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: { name: c }\n";
    const read = readObjects("x.yaml", text);
    expect(read.objects.map((o) => [o.document, o.item, o.line, o.subject.kind, o.subject.metadata?.name])).toEqual([
      [1, null, 2, "ConfigMap", "a"],
      [4, 0, 12, "Secret", "s"],
      [4, 1, 15, "ConfigMap", "c"],
    ]);
    expect(read.skipped).toEqual([{ file: "x.yaml", document: 3, line: 7, reason: "not a Kubernetes object or a Terraform plan" }]);
    expect(read.problems).toEqual([]);
  });

  it("reports a YAML error with its document and line, and reads the other documents", () => {
    const read = readObjects("x.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a }\n---\nkey: [unclosed\n");
    expect(read.objects).toHaveLength(1);
    expect(read.problems).toEqual([{ file: "x.yaml", document: 2, line: expect.any(Number), message: expect.stringMatching(/^YAML: /) }]);
  });

  it("recognises `terraform show -json` output and names the plan after its file", () => {
    const plan = { format_version: "1.2", terraform_version: "1.9.5", resource_changes: [] };
    expect(isTerraformPlan(plan)).toBe(true);
    expect(isTerraformPlan({ format_version: "1.0", values: {} })).toBe(false);
    expect(isTerraformPlan({ ...plan, kind: "ConfigMap" })).toBe(false);
    const read = readObjects("infra/network.plan.json", JSON.stringify(plan));
    expect(read.objects[0]?.subject).toMatchObject({ apiVersion: "terraform.paved.dev/v1", kind: "TerraformPlan", metadata: { name: "network.plan" }, resource_changes: [] });
  });

  it("reads JSON objects and arrays of objects, and reports JSON that does not parse", () => {
    expect(readObjects("a.json", '[{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}},{"apiVersion":"v1","kind":"Secret","metadata":{"name":"b"}}]').objects.map((o) => o.document)).toEqual([1, 2]);
    expect(readObjects("a.json", "{").problems[0]?.message).toMatch(/^JSON: /);
  });
});

describe("checking", () => {
  const check = (paths: string[], options: Partial<Parameters<typeof checkPaths>[0]> = {}) => checkPaths({ paths, policiesDir, cwd: root, now, ...options });

  it("judges every object of every file in a folder, recursively, and fails on a deny or an unreadable file", async () => {
    const result = await check([manifests]);
    expect(result.ok).toBe(false);
    expect(result.summary).toEqual({ files: 9, objects: 10, denied: 3, warnings: 2, audited: 0, waived: 0, skipped: 2, problems: 1, policyErrors: 0 });
    const web = result.files.find((f) => f.file.endsWith("app/web.yaml"));
    expect(web?.objects.map((o) => [o.document, o.line, o.kind, o.name, o.decision])).toEqual([
      [1, 2, "Deployment", "web", "allow"],
      [2, 22, "Service", "web", "deny"],
      [3, 32, "Deployment", "worker", "warn"],
    ]);
    expect(web?.objects[1]?.results).toEqual([expect.objectContaining({ policy: "require-internal-load-balancer", action: "Deny", message: "LoadBalancer services must be internal", exception: null })]);
    const plan = result.files.find((f) => f.file.endsWith("network.plan.json"))?.objects[0];
    expect(plan).toMatchObject({ kind: "TerraformPlan", name: "network.plan", decision: "deny" });
    expect(plan?.results.map((r) => r.policy)).toEqual(["terraform-no-open-ingress", "terraform-no-public-buckets", "terraform-required-tags"]);
    expect(result.files.find((f) => f.file.endsWith("broken.yaml"))?.problems[0]?.message).toMatch(/^YAML: Missing closing/);
    expect(result.files.some((f) => f.file.endsWith("README.md"))).toBe(false);
  });

  it("passes when only warnings are found", async () => {
    const result = await check([`${manifests}/warn-only`, `${manifests}/clean`]);
    expect(result.ok).toBe(true);
    expect(result.summary).toMatchObject({ objects: 4, denied: 0, warnings: 1 });
  });

  it("applies exceptions until they expire, and says which have expired", async () => {
    const result = await check([`${manifests}/app`], { exceptionsFile: `${manifests}/exceptions.yaml` });
    const service = result.files.flatMap((f) => f.objects).find((o) => o.kind === "Service");
    expect(service?.decision).toBe("allow");
    expect(service?.results[0]?.exception).toEqual({ id: `${manifests}/exceptions.yaml#1`, reason: "public storefront until the gateway migration (NET-88)", approver: "carol", expiresAt: "2026-12-31T00:00:00.000Z" });
    const secret = result.files.flatMap((f) => f.objects).find((o) => o.kind === "Secret");
    expect(secret?.decision).toBe("deny");
    expect(result.exceptions).toEqual({ file: `${manifests}/exceptions.yaml`, loaded: 2, expired: [{ id: `${manifests}/exceptions.yaml#2`, policy: "disallow-plain-secrets", expiresAt: "2025-12-31T00:00:00.000Z" }], unknownPolicies: [] });
    // After the first exception's expiry, the Service is denied again.
    const later = await check([`${manifests}/app`], { exceptionsFile: `${manifests}/exceptions.yaml`, now: new Date("2026-12-31T00:00:00Z") });
    expect(later.files.flatMap((f) => f.objects).find((o) => o.kind === "Service")?.decision).toBe("deny");
  });

  it("overrides parameters for every policy that has them, or for one policy", async () => {
    const strict = await check([`${manifests}/clean`], { params: ["registries=ghcr.io/acme"] });
    expect(strict.summary.denied).toBe(1);
    expect(strict.files[0]?.objects[0]?.results[0]?.message).toBe("Images must come from an approved registry (ghcr.io/acme): registry.acme.io/shop/api:2.0.1");
    const labels = await check([`${manifests}/clean`], { params: ["require-workload-labels.labels=team,service,tier"] });
    expect(labels.summary.warnings).toBe(1);
    await expect(check([manifests], { params: ["nope=1"] })).rejects.toThrow("no policy has a parameter nope");
    await expect(check([manifests], { params: ["restrict-image-registries.nope=1"] })).rejects.toThrow("policy restrict-image-registries has no parameter nope");
  });

  it("reports paths that do not exist, policies that do not load, and refuses an exceptions file that is wrong", async () => {
    const missing = await check(["no/such/file.yaml"]);
    expect(missing.ok).toBe(false);
    expect(missing.files[0]?.problems[0]?.message).toBe("no such file or folder");
    const brokenPolicies = await check([`${manifests}/clean`], { policiesDir: path.join(root, "tests/fixtures/policies/broken") });
    expect(brokenPolicies.ok).toBe(false);
    expect(brokenPolicies.policies.errors.map((e) => [e.file, e.line])).toEqual([
      ["tests/fixtures/policies/broken/cel-syntax-error.yaml", 16],
      ["tests/fixtures/policies/broken/invalid-yaml.yaml", 8],
    ]);
    await expect(check([manifests], { exceptionsFile: `${manifests}/app/kustomization.yml` })).rejects.toThrow("expected a list of exceptions");
    await expect(check([manifests], { exceptionsFile: "nope.yaml" })).rejects.toThrow("--exceptions nope.yaml: no such file");
  });

  it("reports FAIL and WARN lines per file and object, waived findings, and the summary", async () => {
    const result = await check([`${manifests}/app`], { exceptionsFile: `${manifests}/exceptions.yaml` });
    const report = formatCheckReport(result);
    expect(report).toContain(
      [
        "tests/fixtures/policies/manifests/app/web.yaml",
        "  #2 v1 Service shop/web (line 22)",
        "    WAIVED require-internal-load-balancer: LoadBalancer services must be internal (exception tests/fixtures/policies/manifests/exceptions.yaml#1 by carol until 2026-12-31T00:00:00.000Z: public storefront until the gateway migration (NET-88))",
        "  #3 apps/v1 Deployment shop/worker (line 32)",
        "    WARN require-workload-labels: Deployment worker is missing required labels: team, service",
      ].join("\n"),
    );
    expect(report).toContain("  #1 v1 Secret shop/db (line 1)\n    FAIL disallow-plain-secrets: Secret db holds password in plain text; commit a SealedSecret or an ExternalSecret instead");
    expect(report).toContain("note: exception tests/fixtures/policies/manifests/exceptions.yaml#2 (disallow-plain-secrets) expired at 2025-12-31T00:00:00.000Z and no longer applies");
    expect(report.split("\n").at(-1)).toBe("5 objects, 1 denied, 1 warning (15 policies, 3 files, 1 finding waived)");
    expect(formatCheckReport(result, { verbose: true })).toContain("  #1 apps/v1 Deployment shop/web (line 2)\n    ok 5 policies");
  });
});

describe("npm run policy -- check", () => {
  const run = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "scripts/policy.ts", ...args], { cwd: root, encoding: "utf8", env: { ...process.env, INIT_CWD: root } });

  it("exits 1 on a denied object, and answers JSON with --output json", () => {
    const out = run("check", "--output", "json", "--now", now.toISOString(), `${manifests}/app`);
    expect(out.status).toBe(1);
    const result = JSON.parse(out.stdout) as CheckResult;
    expect(result.ok).toBe(false);
    expect(result.summary).toMatchObject({ objects: 5, denied: 2, warnings: 1 });
    expect(result.files.find((f) => f.file.endsWith("secret.json"))?.objects[0]).toMatchObject({ document: 1, kind: "Secret", decision: "deny" });
  }, 30_000);

  it("exits 0 when only warnings are found", () => {
    const out = run("check", `${manifests}/warn-only`, `${manifests}/clean/app.yaml`);
    expect(out.status).toBe(0);
    expect(out.stdout).toContain("WARN require-workload-labels: Job migrate is missing required labels: team, service");
    expect(out.stdout.trimEnd().split("\n").at(-1)).toBe("3 objects, 0 denied, 1 warning (15 policies, 2 files, 1 document skipped)");
  }, 30_000);

  it("exits 0 when the exceptions waive every denial", () => {
    const out = run("check", "--exceptions", `${manifests}/exceptions.yaml`, "--now", now.toISOString(), `${manifests}/app/web.yaml`);
    expect(out.status).toBe(0);
  }, 30_000);

  it("exits 2 on a usage error", () => {
    expect(run("check").status).toBe(2);
    expect(run("check", "--params", "nope=1", manifests).stderr).toContain("no policy has a parameter nope");
    expect(run("frobnicate").status).toBe(2);
    expect(run("check", "--output", "xml", manifests).status).toBe(2);
  }, 30_000);
});

describe("npm run policy -- export", () => {
  const run = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "scripts/policy.ts", ...args], { cwd: root, encoding: "utf8", env: { ...process.env, INIT_CWD: root } });

  it("prints the admission policies as multi-document YAML, naming what it left out", () => {
    const out = run("export");
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/^# Generated by `npm run policy -- export` from policies/);
    expect(out.stdout).toContain("# Not exported (Paved's own subjects): audit-error-budget-overrides, disallow-retired-templates,");
    const kinds = YAML.parseAllDocuments(out.stdout).map((d) => (d.toJS() as { kind: string }).kind);
    expect(kinds.filter((k) => k === "ValidatingAdmissionPolicy")).toHaveLength(7);
    expect(kinds.filter((k) => k === "ValidatingAdmissionPolicyBinding")).toHaveLength(7);
  }, 30_000);

  it("exports nothing and exits 1 when a policy does not load", () => {
    const out = run("export", "--policies", "tests/fixtures/policies/broken");
    expect(out.status).toBe(1);
    expect(out.stdout).toBe("");
    expect(out.stderr).toContain("tests/fixtures/policies/broken/cel-syntax-error.yaml:16: spec.validations.0.expression: CEL does not parse");
  }, 30_000);
});
