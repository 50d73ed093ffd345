// GitHub's published REST API description (@octokit/openapi, generated/api.github.com.json) as a
// router and a validator for the GitHub double: a request must name a documented path and method,
// its path and query parameters and its JSON body must match the operation's schemas, and each
// answer must match the schema documented for its status. Objects are closed (no property the
// description does not list), since the description marks few fields required: a client that
// sends a misspelt field, or a double that answers an invented one, fails.
// Loaded once per test file (the description is ~13 MB).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsPlugin from "ajv-formats";

type Json = Record<string, unknown>;

const require = createRequire(import.meta.url);

export interface Operation {
  method: string;
  /** The documented path template, e.g. "/repos/{owner}/{repo}/git/refs/{ref}". */
  path: string;
  operationId: string;
  spec: Json;
}

export interface MatchedOperation extends Operation {
  pathParams: Record<string, string>;
}

interface Route {
  template: string;
  regex: RegExp;
  names: string[];
  literals: number;
  methods: Record<string, Json>;
}

/** Forbids properties a schema does not list, at every level. */
function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (schema === null || typeof schema !== "object") return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema as Json)) {
    if (k === "properties" && v && typeof v === "object") out[k] = Object.fromEntries(Object.entries(v as Json).map(([p, s]) => [p, closed(s)]));
    else if (k === "example" || k === "examples" || k === "description") continue;
    else out[k] = closed(v);
  }
  if (out.properties && out.additionalProperties === undefined && out.type === "object") out.additionalProperties = false;
  return out;
}

/** Points "#/components/…" references of an inline schema at the description added to ajv as "gh". */
function rebase(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rebase);
  if (schema === null || typeof schema !== "object") return schema;
  return Object.fromEntries(
    Object.entries(schema as Json).map(([k, v]) => [k, k === "$ref" && typeof v === "string" && v.startsWith("#/") ? `gh${v}` : rebase(v)]),
  );
}

export class GithubSpec {
  private readonly doc: Json;
  private readonly routes: Route[] = [];
  private readonly ajv: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor() {
    this.doc = JSON.parse(readFileSync(require.resolve("@octokit/openapi/generated/api.github.com.json"), "utf8")) as Json;
    this.ajv = new Ajv({ strict: false, allErrors: true, logger: false });
    // ajv-formats is CommonJS; its default export arrives wrapped or not depending on the loader.
    const addFormats = ((addFormatsPlugin as unknown as { default?: unknown }).default ?? addFormatsPlugin) as (ajv: Ajv) => void;
    addFormats(this.ajv);
    const components = this.doc.components as Json;
    this.ajv.addSchema({ components: { schemas: closed(components.schemas) } }, "gh");

    for (const [template, item] of Object.entries(this.doc.paths as Json)) {
      const names: string[] = [];
      let literals = 0;
      const methods: Record<string, Json> = {};
      for (const [method, op] of Object.entries(item as Json)) if (["get", "post", "put", "patch", "delete"].includes(method)) methods[method.toUpperCase()] = op as Json;
      const multi = new Set<string>();
      for (const op of Object.values(methods)) for (const p of this.parameters(op)) if (p["x-multi-segment"] === true) multi.add(p.name as string);
      const pattern = template
        .split("/")
        .map((segment) => {
          const m = /^\{([^}]+)\}$/.exec(segment);
          if (!m) {
            literals++;
            return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
          }
          names.push(m[1] as string);
          // Octokit encodes "/" inside a parameter as %2F; a client may also send it raw where GitHub allows it.
          return multi.has(m[1] as string) ? "(.+)" : "([^/]+)";
        })
        .join("/");
      this.routes.push({ template, regex: new RegExp(`^${pattern}$`), names, literals, methods });
    }
    // Prefer the most specific template (most literal segments) when several match.
    this.routes.sort((a, b) => b.literals - a.literals);
  }

  private resolve(value: unknown): Json {
    let v = value as Json;
    while (typeof v?.$ref === "string") {
      const parts = (v.$ref as string).replace(/^#\//, "").split("/");
      v = parts.reduce<unknown>((node, key) => (node as Json)[key], this.doc) as Json;
    }
    return v;
  }

  private parameters(op: Json): Json[] {
    return ((op.parameters as unknown[]) ?? []).map((p) => this.resolve(p));
  }

  /** The documented operation for `method` and the raw (still percent-encoded) path; null when GitHub has none. */
  match(method: string, rawPath: string): MatchedOperation | null {
    for (const route of this.routes) {
      const m = route.regex.exec(rawPath);
      if (!m) continue;
      const op = route.methods[method];
      if (!op) continue;
      const pathParams: Record<string, string> = {};
      route.names.forEach((name, i) => (pathParams[name] = decodeURIComponent(m[i + 1] as string)));
      return { method, path: route.template, operationId: op.operationId as string, spec: op, pathParams };
    }
    return null;
  }

  /** The properties a component schema lists (the double answers with exactly these). */
  schemaProperties(name: string): string[] {
    const schema = ((this.doc.components as Json).schemas as Json)[name] as Json | undefined;
    if (!schema?.properties) throw new Error(`GitHub's description has no schema ${name} with properties`);
    return Object.keys(schema.properties as Json);
  }

  /** Whether GitHub documents `method path` (a template); the double checks its own routing table with it. */
  documents(method: string, template: string): boolean {
    return Boolean(((this.doc.paths as Json)[template] as Json | undefined)?.[method.toLowerCase()]);
  }

  private compile(key: string, schema: unknown): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(rebase(closed(schema)) as Json);
      this.validators.set(key, validate);
    }
    return validate;
  }

  private errors(validate: ValidateFunction): string {
    return this.ajv.errorsText(validate.errors, { separator: "; " });
  }

  /** Problems with a request: parameters (path and query, strings coerced per their schema) and body. */
  validateRequest(op: MatchedOperation, query: URLSearchParams, body: unknown, hasBody: boolean): string[] {
    const problems: string[] = [];
    const params = this.parameters(op.spec);
    for (const where of ["path", "query"] as const) {
      const declared = params.filter((p) => p.in === where);
      const given: Record<string, unknown> = {};
      const source: [string, string][] = where === "path" ? Object.entries(op.pathParams) : [...query.entries()];
      for (const [name, raw] of source) {
        const param = declared.find((p) => p.name === name);
        if (!param) {
          problems.push(`${where} parameter "${name}" is not documented for ${op.method} ${op.path}`);
          continue;
        }
        const type = (this.resolve(param.schema) as Json | undefined)?.type;
        given[name] = (type === "integer" || type === "number") && /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : type === "boolean" && (raw === "true" || raw === "false") ? raw === "true" : raw;
      }
      for (const param of declared) {
        const name = param.name as string;
        if (!(name in given)) {
          if (param.required === true) problems.push(`${where} parameter "${name}" is required by ${op.method} ${op.path}`);
          continue;
        }
        const validate = this.compile(`param ${op.method} ${op.path} ${name}`, param.schema ?? {});
        if (!validate(given[name])) problems.push(`${where} parameter "${name}": ${this.errors(validate)}`);
      }
    }
    const requestBody = this.resolve(op.spec.requestBody) as Json | undefined;
    const schema = ((requestBody?.content as Json | undefined)?.["application/json"] as Json | undefined)?.schema;
    if (!hasBody) {
      if (requestBody?.required === true) problems.push(`${op.method} ${op.path} requires a JSON body`);
    } else if (!schema) {
      problems.push(`${op.method} ${op.path} takes no JSON body`);
    } else {
      const validate = this.compile(`request ${op.method} ${op.path}`, schema);
      if (!validate(body)) problems.push(`request body: ${this.errors(validate)}`);
    }
    return problems;
  }

  /**
   * Problems with an answer: the status must be documented for the operation and the body must
   * match its schema. `generic` statuses (auth, not found, rate limits, 5xx), which GitHub may
   * give for any operation though it documents them for few, are checked against basic-error.
   */
  validateResponse(op: Operation, status: number, body: unknown, hasBody: boolean): string[] {
    const responses = op.spec.responses as Json;
    const documented = responses[String(status)];
    let schema: unknown;
    if (documented) {
      const response = this.resolve(documented);
      const content = response.content as Json | undefined;
      if (!content) return hasBody ? [`${op.method} ${op.path} ${status} is documented without a body`] : [];
      schema = (content["application/json"] as Json | undefined)?.schema;
      if (!schema) return [`${op.method} ${op.path} ${status} documents no JSON body`];
    } else if ([401, 403, 404, 429, 500, 502, 503].includes(status) || UNDOCUMENTED_ANSWERS[`${op.method} ${op.path}`]?.includes(status)) {
      schema = { $ref: "#/components/schemas/basic-error" };
    } else {
      return [`GitHub documents no ${status} answer for ${op.method} ${op.path}`];
    }
    if (!hasBody) return [`${op.method} ${op.path} ${status} needs a JSON body`];
    const validate = this.compile(`response ${op.method} ${op.path} ${status}`, schema);
    return validate(body) ? [] : [`response ${op.method} ${op.path} ${status}: ${this.errors(validate)}`];
  }
}

/**
 * Answers GitHub gives that its description leaves out, by operation: a workflow dispatch names
 * only 200 and 204, yet GitHub answers 422 for a ref that does not exist ("No ref found for: …"),
 * a workflow without a workflow_dispatch trigger and undeclared inputs. Checked as basic-error.
 */
const UNDOCUMENTED_ANSWERS: Record<string, number[]> = {
  "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches": [422],
};

let shared: GithubSpec | undefined;

/** The description, parsed once per test file. */
export function githubSpec(): GithubSpec {
  shared ??= new GithubSpec();
  return shared;
}
