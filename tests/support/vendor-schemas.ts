// The vendors' published API descriptions, for keeping the test doubles honest: every answer a
// double gives is checked against GitHub's OpenAPI description (@octokit/openapi) or Argo CD's
// Swagger document (tests/support/specs, copied from argoproj/argo-cd), so a double cannot drift
// into answering something the real service never would.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { Ajv, type ValidateFunction } from "ajv";

const require = createRequire(import.meta.url);

type JsonObject = Record<string, unknown>;

function load(file: string): JsonObject {
  return JSON.parse(readFileSync(file, "utf8")) as JsonObject;
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });

/** Forbids properties a schema does not list, at every level (the specs mark few fields required). */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== "object") return schema;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(schema as JsonObject)) out[k] = k === "properties" ? Object.fromEntries(Object.entries(v as JsonObject).map(([p, s]) => [p, closed(s)])) : closed(v);
  if (out.type === "object" && out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

function check(validate: ValidateFunction, value: unknown, what: string): void {
  if (!validate(value)) throw new Error(`${what} does not match the published schema: ${ajv.errorsText(validate.errors)}`);
}

// ---- GitHub ----------------------------------------------------------------------------------

let github: JsonObject | undefined;
function githubDescription(): JsonObject {
  github ??= load(require.resolve("@octokit/openapi/generated/api.github.com.json"));
  return github;
}

const githubValidators = new Map<string, ValidateFunction>();

/** The response schema GitHub documents for `method path` → `status`, as a validator. */
function githubResponseValidator(method: string, apiPath: string, status: number): ValidateFunction {
  const key = `${method} ${apiPath} ${status}`;
  const cached = githubValidators.get(key);
  if (cached) return cached;
  const doc = githubDescription();
  const operation = ((doc.paths as JsonObject)[apiPath] as JsonObject | undefined)?.[method.toLowerCase()] as JsonObject | undefined;
  const response = (operation?.responses as JsonObject | undefined)?.[String(status)] as JsonObject | undefined;
  const schema = ((response?.content as JsonObject | undefined)?.["application/json"] as JsonObject | undefined)?.schema;
  if (!schema) throw new Error(`GitHub documents no JSON response for ${key}`);
  const components = doc.components as JsonObject;
  const validate = ajv.compile({ ...(schema as JsonObject), components: { schemas: components.schemas } });
  githubValidators.set(key, validate);
  return validate;
}

export function assertGithubResponse(method: string, apiPath: string, status: number, body: unknown): void {
  check(githubResponseValidator(method, apiPath, status), body, `GitHub ${method} ${apiPath} ${status}`);
}

/** The example GitHub documents for a response, e.g. "rate-limit-overview". */
export function githubExample(name: string): unknown {
  const examples = (githubDescription().components as JsonObject).examples as JsonObject;
  const example = examples[name] as { value?: unknown } | undefined;
  if (!example) throw new Error(`GitHub documents no example ${name}`);
  return example.value;
}

// ---- Argo CD ---------------------------------------------------------------------------------

const ARGOCD_SPEC = path.resolve(import.meta.dirname, "specs/argocd-swagger.json");

let argocd: JsonObject | undefined;
const argocdValidators = new Map<string, ValidateFunction>();

/** Validates an Argo CD answer against a Swagger definition, with unknown fields forbidden. */
export function assertArgocdDefinition(definition: string, body: unknown): void {
  argocd ??= load(ARGOCD_SPEC);
  let validate = argocdValidators.get(definition);
  if (!validate) {
    const definitions = argocd.definitions as JsonObject;
    if (!definitions[definition]) throw new Error(`Argo CD defines no ${definition}`);
    validate = ajv.compile({ ...(closed(definitions[definition]) as JsonObject), definitions: closed(definitions) });
    argocdValidators.set(definition, validate);
  }
  check(validate, body, `Argo CD ${definition}`);
}
