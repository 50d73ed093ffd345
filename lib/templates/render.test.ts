import { describe, expect, it } from "vitest";
import { evaluateCondition, RenderError, renderText, type RenderContext } from "./render.ts";

const ctx: RenderContext = {
  params: { "dotnet-version": "8.0.x", environment: "production", runTests: true, region: "eu-west-1", "run-tests": false },
  template: { name: "dotnet-ci-cd", version: "2.1.0" },
  target: { repo: "demo/sample-service", owner: "demo", name: "sample-service" },
};

describe("renderText", () => {
  it.each([
    "dotnet-version: ${{ inputs.dotnet-version }}",
    "creds: ${{ secrets.AZURE_CREDENTIALS }}",
    "- ${{ if eq(parameters.runTests, true) }}:",
    "arguments: '--output $(Build.ArtifactStagingDirectory) /p:Version=1.0.$(Build.BuildId)'",
    'bucket = "${var.project}-${var.region}"',
    "if: ${{ always() && inputs.run-tests }}",
    "run: echo \"$GITHUB_SHA\" {{ not.liquid }} {% not_a_tag %}",
  ])("leaves %s untouched", (line) => {
    expect(renderText("f.yml", line, ctx)).toBe(line);
  });

  it("renders Paved's own [[ ]] expressions next to the platform's", () => {
    const source = "default: '[[ params[\"dotnet-version\"] ]]' # ${{ inputs.dotnet-version }} for [[ target.repo ]] $(Build.BuildId)";
    expect(renderText("f.yml", source, ctx)).toBe("default: '8.0.x' # ${{ inputs.dotnet-version }} for demo/sample-service $(Build.BuildId)");
  });

  it("keeps a whole workflow's expressions while rendering its [% %] tags", () => {
    const source = [
      "[% if params.runTests -%]",
      "      - if: ${{ inputs.run-tests }}",
      "        run: dotnet test --configuration ${{ inputs.configuration }}",
      "[% endif -%]",
      "      - run: echo ${{ secrets.AZURE_CREDENTIALS != '' }}",
      "",
    ].join("\n");
    expect(renderText("f.yml", source, ctx)).toBe(
      [
        "      - if: ${{ inputs.run-tests }}",
        "        run: dotnet test --configuration ${{ inputs.configuration }}",
        "      - run: echo ${{ secrets.AZURE_CREDENTIALS != '' }}",
        "",
      ].join("\n"),
    );
  });

  it("throws on an undefined parameter instead of rendering an empty string", () => {
    expect(() => renderText("files/wf.yml", "environment: [[ params.x ]]", ctx)).toThrow(RenderError);
    expect(() => renderText("files/wf.yml", "environment: [[ params.enviroment ]]", ctx)).toThrow(/files\/wf\.yml: undefined variable: params\.enviroment/);
    expect(() => renderText("f", "[% if params.missing %]x[% endif %]", ctx)).toThrow(/undefined variable/);
  });

  it("throws on an unknown filter", () => {
    expect(() => renderText("f", "[[ params.environment | shout ]]", ctx)).toThrow(RenderError);
  });

  it("evaluates no JavaScript and reads only own properties", () => {
    expect(() => renderText("f", "[[ params.constructor ]]", ctx)).toThrow(RenderError);
  });
});

describe("evaluateCondition", () => {
  it("reads hyphenated parameters with either syntax", () => {
    expect(evaluateCondition("f", 'params["run-tests"]', ctx)).toBe(false);
    expect(evaluateCondition("f", "params.runTests", ctx)).toBe(true);
    expect(evaluateCondition("f", 'params.environment == "production"', ctx)).toBe(true);
  });

  it("throws on an undefined parameter", () => {
    expect(() => evaluateCondition("f", "params.sonar", ctx)).toThrow(/condition "params\.sonar"/);
  });
});
