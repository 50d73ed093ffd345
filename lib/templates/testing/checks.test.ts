import { describe, expect, it } from "vitest";
import type { RenderContext } from "../render.ts";
import { checkAzurePipeline } from "./azure.ts";
import { checkExpectations, checkGolden } from "./expectations.ts";
import { checkPassThrough } from "./pass-through.ts";
import { checkTerraform, scanTerraform } from "./terraform.ts";
import type { OutputFile } from "./types.ts";
import { parseYamlDocuments } from "./util.ts";

const file = (path: string, content: string): OutputFile => ({ path, content, source: path });
const outputOf = (...files: OutputFile[]) => new Map(files.map((f) => [f.path, f]));

describe("scanTerraform", () => {
  it("balances braces across strings, interpolations, comments and heredocs", () => {
    const hcl = [
      'variable "name" {',
      '  default = "a } b ${upper("x{")} $${literal} %{ if true }y%{ endif }"',
      "}",
      "# a comment with { and }",
      "/* a block comment {",
      "   still } a comment */",
      'resource "aws_iam_policy" "p" {',
      "  policy = <<-EOT",
      "    { \"Version\": \"2012-10-17\" ${var.name}",
      "  EOT",
      "  tags = { Name = var.name } // trailing {",
      "}",
      "",
    ].join("\n");
    const scan = scanTerraform(hcl);
    expect(scan.problems).toEqual([]);
    expect(scan.blocks.map((b) => [b.kind, ...b.labels])).toEqual([
      ["variable", "name"],
      ["resource", "aws_iam_policy", "p"],
    ]);
  });

  it("reports what does not close, closes the wrong bracket, or is outside any block", () => {
    expect(scanTerraform('resource "a" "b" {\n  x = [1, 2)\n}\n').problems).toEqual(['line 2: ")" closes "[" opened on line 2']);
    expect(scanTerraform('resource "a" "b" {\n  x = "unterminated\n').problems).toEqual(["a string is never closed", '"{" opened on line 1 is never closed']);
    expect(scanTerraform('x = 1\nlocals {\n  y = 2\n}\n').problems).toEqual(['line 1: "x = 1" is outside any block']);
    expect(scanTerraform('resourse "a" "b" {\n}\n').problems).toEqual(['"resourse "a" "b" {" is not a Terraform block']);
    expect(scanTerraform('region = "eu-west-1"\ntags = {\n  a = "b"\n}\n', true).problems).toEqual([]);
  });

  it("finds undeclared variables and locals per folder, not in comments or literal strings", () => {
    const failures = checkTerraform([
      file("infra/variables.tf", 'variable "project" {}\nlocals {\n  prefix = var.project\n}\n'),
      file("infra/main.tf", '# var.commented is fine\nresource "x" "y" {\n  name = "${local.prefix}-${var.region} var.literal"\n  other = local.missing\n}\n'),
      file("other/main.tf", 'output "o" {\n  value = var.project\n}\n'),
    ]);
    expect(failures.map((f) => `${f.file}: ${f.message}`)).toEqual([
      'infra/main.tf: uses var.region, but no variable "region" is declared in this folder',
      'infra/main.tf: uses local.missing, but no local "missing" is declared in this folder',
      'other/main.tf: uses var.project, but no variable "project" is declared in this folder',
    ]);
  });
});

describe("checkPassThrough", () => {
  const ctx: RenderContext = { params: { on: false, name: "x" }, template: { name: "t", version: "1.0.0" }, target: { repo: "a/b", owner: "a", name: "b" } };

  it("accepts lines that survive, with their [[ ]] parts rendered, and lines rightly removed by a false condition", () => {
    const source = "a: ${{ inputs.a }}\nb: [[ params.name ]]-${{ inputs.b }}\n[% if params.on %]\nc: $(Build.BuildId)\n[% endif %]\n";
    const rendered = "a: ${{ inputs.a }}\nb: x-${{ inputs.b }}\n\n";
    expect(checkPassThrough("src", source, "out", rendered, ctx)).toEqual({ failures: [] });
  });

  it("reports a line whose expression was changed", () => {
    const source = '[% capture s %]\nrun: ${{ github.sha }}\n[% endcapture %][[ s | replace: "github", "gh" ]]';
    const { failures } = checkPassThrough("src", source, "out", "\nrun: ${{ gh.sha }}\n", ctx);
    expect(failures.map((f) => f.message)).toEqual(['src line 2 changed in rendering: "run: ${{ github.sha }}" came out as "run: ${{ gh.sha }}"']);
  });
});

describe("checkAzurePipeline", () => {
  const parsed = (files: OutputFile[]) => new Map(files.map((f) => [f.path, (parseYamlDocuments(f.content) as { docs: unknown[] }).docs[0]]));
  const step = file("t/steps/test.yml", "parameters:\n- name: configuration\n  type: string\nsteps:\n- script: dotnet test -c ${{ parameters.configuration }}\n");

  it("checks the parameters passed to a step template against what it declares", () => {
    const stage = file(
      "t/stages/build.yml",
      "parameters:\n- name: runTests\n  type: boolean\n  default: true\njobs:\n- job: Build\n  steps:\n  - ${{ if eq(parameters.runTests, true) }}:\n    - template: ../steps/test.yml\n      parameters:\n        config: Release\n",
    );
    const files = [stage, step];
    const messages = checkAzurePipeline(stage, parsed(files).get(stage.path), outputOf(...files), parsed(files)).map((f) => f.message);
    expect(messages).toEqual(['passes parameter "config" to ../steps/test.yml, which does not declare it', 'does not pass "configuration" to ../steps/test.yml, which requires it']);
  });

  it("checks parameter types and the step shape", () => {
    const bad = file("p.yml", "parameters:\n- name: n\n  type: text\n- name: b\n  type: boolean\n  default: 'yes'\nsteps:\n- task: DotNetCoreCLI\n- displayName: nothing to run\n");
    const messages = checkAzurePipeline(bad, parsed([bad]).get(bad.path), outputOf(bad), parsed([bad])).map((f) => f.message);
    expect(messages).toEqual([
      'parameter "n" has an unknown type "text"',
      'parameter "b" is a boolean with a non-boolean default',
      'steps[0]: task "DotNetCoreCLI" is not Name@version',
      "steps[1] must have exactly one of task, script, bash, pwsh, powershell, checkout, download, downloadBuild, getPackage, publish, template, reviewApp (has none)",
    ]);
  });
});

describe("expectations and golden files", () => {
  const out = outputOf(file("a.yml", "on:\n  push:\n    branches: [main]\nlist:\n  - x\n"));

  it("reads YAML paths, including list indexes, and exists: false", () => {
    expect(
      checkExpectations(
        [
          { file: "a.yml", yaml: { path: "on.push.branches", equals: ["main"] } },
          { file: "a.yml", yaml: { path: "list.0", equals: "x" } },
          { file: "a.yml", yaml: { path: "list.1", exists: false } },
          { file: "b.yml", exists: false },
          { notContains: "secret" },
        ],
        out,
      ),
    ).toEqual([]);
  });

  it("wants the rendered set and the golden set to be equal", () => {
    const failures = checkGolden("tests/golden/x", { "tests/golden/x/a.yml": "on: {}\n", "tests/golden/x/gone.yml": "" }, out);
    expect(failures.map((f) => `${f.file}: ${f.message}`)).toEqual([
      "a.yml: differs from tests/golden/x/a.yml",
      "gone.yml: is in tests/golden/x but was not rendered",
    ]);
    expect(checkGolden("tests/golden/y", {}, out)[0]?.message).toMatch(/empty or missing/);
  });
});
