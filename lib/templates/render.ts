// Rendering template files with LiquidJS, a well-kept engine that evaluates no JavaScript.
// Paved's own expressions use [[ … ]] and [% … %], so that the expressions the rendered files
// carry for their own platforms pass through untouched: GitHub Actions' ${{ inputs.x }}, Azure
// DevOps' ${{ parameters.x }} and $(Build.BuildId), Terraform's ${var.x}, shell's $VAR.
// Variables are strict: a misspelt parameter is an error, never an empty string.
import { Liquid } from "liquidjs";

export const liquid = new Liquid({
  outputDelimiterLeft: "[[",
  outputDelimiterRight: "]]",
  tagDelimiterLeft: "[%",
  tagDelimiterRight: "%]",
  strictVariables: true,
  strictFilters: true,
  ownPropertyOnly: true,
  greedy: false,
  cache: false,
});

export interface RenderContext {
  /** Parameters after validation, with their defaults applied. */
  params: Record<string, unknown>;
  template: { name: string; version: string };
  target: { repo: string; owner: string; name: string };
}

export class RenderError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
  }
}

function scope(ctx: RenderContext): Record<string, unknown> {
  return { params: ctx.params, template: ctx.template, target: ctx.target };
}

export function renderText(file: string, text: string, ctx: RenderContext): string {
  try {
    return liquid.parseAndRenderSync(text, scope(ctx)) as string;
  } catch (e) {
    throw new RenderError(file, (e as Error).message.split("\n")[0] ?? "render failed");
  }
}

/** Evaluates a file's `when` condition (a Liquid expression such as `params.run-tests`). */
export function evaluateCondition(file: string, expression: string, ctx: RenderContext): boolean {
  try {
    const value: unknown = liquid.evalValueSync(expression, scope(ctx));
    return value !== false && value !== null && value !== undefined && value !== "" && value !== 0;
  } catch (e) {
    throw new RenderError(file, `condition "${expression}": ${(e as Error).message.split("\n")[0]}`);
  }
}
