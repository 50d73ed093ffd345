// Hostile input for the fuzzer, derived from the OpenAPI document's JSON Schemas: a well-formed
// value for each schema (so that one field at a time can be broken while the rest passes), values
// of the wrong type, strings that attack (path traversal, SQL and LIKE metacharacters, NUL bytes,
// unpaired surrogates, template syntax, huge and deeply nested values), and request bodies that
// are not what the route reads at all (other content types, malformed JSON and YAML).
import { randomUUID } from "node:crypto";
import fc from "fast-check";

export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  default?: unknown;
};

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export interface OpenApiOperation {
  security?: unknown[];
  parameters?: { name: string; in: "path" | "query" | "header" | "cookie"; required?: boolean; schema: JsonSchema }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
}

export function deref(doc: OpenApiDocument, schema: JsonSchema | undefined): JsonSchema {
  let s = schema ?? {};
  for (let i = 0; s.$ref && i < 20; i++) {
    const name = s.$ref.replace("#/components/schemas/", "");
    s = doc.components?.schemas?.[name] ?? {};
  }
  return s;
}

function typeOf(s: JsonSchema): string | undefined {
  if (Array.isArray(s.type)) return s.type.find((t) => t !== "null");
  return s.type;
}

function matches(pattern: string | undefined, value: string): boolean {
  if (!pattern) return true;
  try {
    return new RegExp(pattern, "u").test(value);
  } catch {
    try {
      return new RegExp(pattern).test(value);
    } catch {
      return true;
    }
  }
}

/** Strings that exist in the test database (the demo organisation and the test catalog) or fit common formats. */
const KNOWN_STRINGS = [
  "payments",
  "frontend",
  "alice",
  "hello-workflow",
  "1.0.0",
  "production",
  "staging",
  "dev",
  "demo",
  "frontend-staging",
  "demo/frontend",
  "backend-api",
  "1",
  "a",
  "ab",
  "abc",
  "stable",
  "http",
  "30d",
  "5m",
  "rate(http_requests_total[5m])",
  "A reason long enough to pass any minimum length check.",
];

function validString(s: JsonSchema, hint?: string): string {
  if (s.format === "uuid") return randomUUID();
  if (s.format === "date-time") return new Date().toISOString();
  if (s.format === "date") return new Date().toISOString().slice(0, 10);
  if (s.format === "uri" || s.format === "url") return "https://example.com/x";
  if (s.format === "email") return "someone@example.com";
  const fits = (v: string) => v.length >= (s.minLength ?? 0) && v.length <= (s.maxLength ?? Infinity) && matches(s.pattern, v);
  const candidates = [...(hint ? [hint] : []), ...KNOWN_STRINGS, "x".repeat(Math.max(1, s.minLength ?? 1))];
  return candidates.find(fits) ?? candidates.at(-1)!;
}

/** A value the schema accepts, as far as a schema without a generator can tell (best effort). */
export function validValue(doc: OpenApiDocument, schema: JsonSchema | undefined, hint?: string, depth = 0): unknown {
  const s = deref(doc, schema);
  if (depth > 8) return undefined;
  if (s.const !== undefined) return s.const;
  if (s.enum?.length) return s.enum.find((v) => v !== null) ?? s.enum[0];
  if (s.default !== undefined) return s.default;
  for (const alternatives of [s.anyOf, s.oneOf]) {
    if (alternatives?.length) {
      const concrete = alternatives.filter((a) => typeOf(deref(doc, a)) !== "null");
      return validValue(doc, concrete[0] ?? alternatives[0], hint, depth + 1);
    }
  }
  if (s.allOf?.length) {
    const parts = s.allOf.map((p) => validValue(doc, p, hint, depth + 1));
    return parts.every((p) => p && typeof p === "object" && !Array.isArray(p)) ? Object.assign({}, ...parts) : parts[0];
  }
  switch (typeOf(s)) {
    case "object": {
      const out: Record<string, unknown> = {};
      for (const key of s.required ?? []) out[key] = validValue(doc, s.properties?.[key], key, depth + 1);
      return out;
    }
    case "array": {
      const n = s.minItems ?? 0;
      return Array.from({ length: n }, () => validValue(doc, s.items, hint, depth + 1));
    }
    case "string":
      return validString(s, hint);
    case "integer":
    case "number": {
      const min = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : undefined);
      const max = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : undefined);
      const v = min ?? Math.min(1, max ?? 1);
      return typeOf(s) === "integer" ? Math.ceil(v) : v;
    }
    case "boolean":
      return true;
    default:
      return hint ?? "x";
  }
}

// ---- hostile values ----------------------------------------------------------------------------

/** Any UTF-16 code unit, unpaired surrogates included (fast-check's own units never produce those). */
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

export const ATTACK_STRINGS = [
  "../../../../etc/passwd",
  "..%2F..%2F..%2Fetc%2Fpasswd",
  "..\\..\\windows\\win.ini",
  "/etc/passwd",
  "file:///etc/passwd",
  "' OR '1'='1",
  "'; DROP TABLE teams; --",
  "\" OR \"\"=\"",
  "1; SELECT pg_sleep(10)",
  "%",
  "_",
  "%_%\\",
  "\\",
  "a\u0000b",
  "\u0000",
  "\ud800",
  "x\udfffy",
  "\ufeff",
  "\u202e",
  "${7*7}",
  "{{7*7}}",
  "[[ .Env ]]",
  "<script>alert(1)</script>",
  "javascript:alert(1)",
  "__proto__",
  "constructor",
  "prototype",
  "null",
  "undefined",
  "NaN",
  "Infinity",
  "-1",
  "0",
  "1e309",
  "0x7fffffff",
  "99999999999999999999999",
  " ",
  "",
  "\n",
  "\r\n\r\n",
  "%00",
  "%ZZ",
  "😀".repeat(300),
  "a".repeat(10_000),
  "a".repeat(200_000),
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ATTACK_STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: anyCodeUnit, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
);

/** JSON text of a value nested `depth` levels deep: deeper than JSON.stringify can write (about 4,000 here), not than JSON.parse reads. */
export function nestedJsonText(depth: number, kind: "object" | "array" = "object"): string {
  return kind === "object" ? '{"a":'.repeat(depth) + '"bottom"' + "}".repeat(depth) : "[".repeat(depth) + '"bottom"' + "]".repeat(depth);
}

/** A value nested `depth` levels deep, built without recursion (JSON.stringify writes up to about 4,000 levels). */
export function nested(depth: number, kind: "object" | "array" = "object"): unknown {
  let v: unknown = "bottom";
  for (let i = 0; i < depth; i++) v = kind === "object" ? { a: v } : [v];
  return v;
}

export const deepValue: fc.Arbitrary<unknown> = fc.tuple(fc.constantFrom(64, 1_000, 3_000), fc.constantFrom<"object" | "array">("object", "array")).map(([d, k]) => nested(d, k));

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.constantFrom(-1, 0, 1.5, 2 ** 53 + 1, -(2 ** 63), 1e308, Number.MAX_SAFE_INTEGER) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.array(hostileString, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.dictionary(hostileString, hostileString, { maxKeys: 3 }) },
  { weight: 1, arbitrary: deepValue },
  { weight: 1, arbitrary: fc.array(fc.constant("x"), { minLength: 5_000, maxLength: 5_000 }) },
);

/** A value of another JSON type than the schema asks for. */
export function wrongType(doc: OpenApiDocument, schema: JsonSchema | undefined): fc.Arbitrary<unknown> {
  const t = typeOf(deref(doc, schema));
  const all: Record<string, fc.Arbitrary<unknown>> = {
    string: hostileString,
    number: fc.oneof(fc.integer(), fc.double({ noNaN: true })),
    boolean: fc.boolean(),
    object: fc.dictionary(hostileString, hostileValue, { maxKeys: 3 }),
    array: fc.array(hostileValue, { maxLength: 3 }),
    null: fc.constant(null),
  };
  const others = Object.entries(all)
    .filter(([k]) => k !== t && !(t === "integer" && k === "number"))
    .map(([, a]) => a);
  return fc.oneof(...others);
}

// ---- whole bodies ------------------------------------------------------------------------------

export interface RawBody {
  contentType: string | null;
  text: string;
  what: string;
}

/** Bodies that are not JSON, or not JSON a parser should accept, for a route that reads JSON. */
export function malformedJsonBodies(): RawBody[] {
  const json = "application/json";
  const raw = (text: string, what: string, contentType: string | null = json): RawBody => ({ contentType, text, what });
  return [
    raw("{", "truncated JSON"),
    raw('{"a":}', "a missing value"),
    raw("[1,]", "a trailing comma"),
    raw("{a:1}", "unquoted keys"),
    raw("'single'", "single quotes"),
    raw("NaN", "NaN"),
    raw("1e999999", "a number beyond double"),
    raw('"\\ud800"', "an escaped unpaired surrogate"),
    raw('{"a":"\\u0000"}', "an escaped NUL"),
    raw("\u0000", "a raw NUL"),
    raw("\ufeff{}", "a byte-order mark"),
    raw('{"a":1,"a":2}', "duplicate keys"),
    raw('{"__proto__":{"polluted":true}}', "__proto__"),
    raw('{"constructor":{"prototype":{"polluted":true}}}', "constructor.prototype"),
    raw("[".repeat(200_000) + "]".repeat(200_000), "200,000 nested arrays"),
    raw('{"a":'.repeat(50_000) + "1" + "}".repeat(50_000), "50,000 nested objects"),
    raw("", "an empty body"),
    raw("   ", "only spaces"),
    raw("null", "null"),
    raw("[]", "an array"),
    raw("42", "a number"),
    raw('"text"', "a string"),
    raw(JSON.stringify({ x: "a".repeat(1_100_000) }), "a body over 1 MB"),
    raw("{}", "JSON sent as text/plain", "text/plain"),
    raw("a=1&b=2", "a form", "application/x-www-form-urlencoded"),
    raw('--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--x--\r\n', "multipart", "multipart/form-data; boundary=x"),
    raw("<a/>", "XML", "application/xml"),
    raw("{}", "no content type", null),
    raw("{}", "a made-up JSON-like type", "application/jsonx"),
    raw("{}", "a content type with junk parameters", "application/json; charset=utf-16; x=\"\\\"; y"),
  ];
}

/** Bodies a YAML-reading route must refuse with a 4xx (or accept harmlessly). */
export function malformedYamlBodies(): RawBody[] {
  const yaml = "application/yaml";
  const raw = (text: string, what: string, contentType: string | null = yaml): RawBody => ({ contentType, text, what });
  const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < 12; i++) {
    const prev = String.fromCharCode(96 + i);
    const cur = String.fromCharCode(97 + i);
    laughs.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(",")}]`);
  }
  return [
    raw("a: [", "an unclosed flow sequence"),
    raw("key: 'unclosed", "an unclosed quote"),
    raw("\t- tab", "a tab indent"),
    raw(": : :", "colons"),
    raw(laughs.join("\n"), "an alias bomb (billion laughs)"),
    raw("a: &x\n  b: *x\n", "a self-referencing alias"),
    raw("[".repeat(100_000), "100,000 open brackets"),
    raw("- ".repeat(20_000) + "x", "20,000 nested block sequences"),
    raw("!!js/function 'return process.exit(1)'", "a JavaScript tag"),
    raw("a: !!binary AAAA\nb: !!timestamp 2001-12-14", "binary and timestamp tags"),
    raw("<<: *undefined", "a merge of an unknown alias"),
    raw("---\na: 1\n---\nb: 2\n", "two documents"),
    raw("a: 1\n\u0000", "a NUL byte"),
    raw("a: \ud800", "an unpaired surrogate"),
    raw("", "an empty body"),
    raw("null", "null"),
    raw("42", "a number"),
    raw("- 1\n- 2", "a list"),
    raw(`x: ${"a".repeat(1_100_000)}`, "a body over 1 MB"),
    raw("a: 1", "YAML sent as JSON", "application/json"),
    raw("a: 1", "no content type", null),
    raw("a: 1", "a form", "application/x-www-form-urlencoded"),
  ];
}
