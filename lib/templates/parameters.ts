// Validating template parameters against the template's JSON Schema (2020-12) with ajv: the same
// module runs in the browser (the form's inline errors) and on the server (the API), so the two
// can never disagree. Defaults from the schema are applied to the result.
import Ajv2020, { type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

export interface ParameterIssue {
  /** The parameter (top-level property) or nested path, e.g. "environment" or "regions.0". */
  path: string;
  message: string;
}

const ajv = new Ajv2020({ allErrors: true, useDefaults: true, strict: false, coerceTypes: false });
addFormats(ajv);

const compiled = new WeakMap<object, ValidateFunction>();

/** Compiles (once per schema object) or explains why the schema itself is broken. */
export function compileParameterSchema(schema: object): ValidateFunction {
  const cached = compiled.get(schema);
  if (cached) return cached;
  const fn = ajv.compile(schema);
  compiled.set(schema, fn);
  return fn;
}

function issueOf(e: ErrorObject): ParameterIssue {
  const base = e.instancePath.replace(/^\//, "").replace(/\//g, ".");
  if (e.keyword === "required") {
    const field = (e.params as { missingProperty: string }).missingProperty;
    return { path: base ? `${base}.${field}` : field, message: "Required." };
  }
  if (e.keyword === "additionalProperties") {
    const field = (e.params as { additionalProperty: string }).additionalProperty;
    return { path: base ? `${base}.${field}` : field, message: "Not a parameter of this template." };
  }
  if (e.keyword === "enum") {
    const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
    return { path: base, message: `Must be one of: ${allowed.map((v) => JSON.stringify(v)).join(", ")}.` };
  }
  if (e.keyword === "pattern") {
    return { path: base, message: `Does not match the expected format (${(e.params as { pattern: string }).pattern}).` };
  }
  const message = e.message ? e.message.charAt(0).toUpperCase() + e.message.slice(1) + "." : "Invalid.";
  return { path: base, message };
}

export function validateParameters(
  schema: object,
  input: Record<string, unknown>,
): { ok: true; values: Record<string, unknown> } | { ok: false; issues: ParameterIssue[] } {
  const validate = compileParameterSchema(schema);
  const values = structuredClone(input);
  if (validate(values)) return { ok: true, values };
  const seen = new Set<string>();
  const issues: ParameterIssue[] = [];
  for (const e of validate.errors ?? []) {
    const issue = issueOf(e);
    if (seen.has(issue.path)) continue;
    seen.add(issue.path);
    issues.push(issue);
  }
  return { ok: false, issues };
}

/** The schema's defaults for every top-level property that has one (for a fresh form). */
export function defaultParameters(schema: { properties?: Record<string, { default?: unknown }> }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, prop] of Object.entries(schema.properties ?? {})) if (prop.default !== undefined) out[name] = prop.default;
  return out;
}
