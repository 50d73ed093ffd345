// Every route of the OpenAPI document, called with invalid and hostile input generated with
// fast-check from the document's own schemas: wrong types, missing and unknown fields, huge
// strings, deep nesting, NUL bytes and unpaired surrogates, path traversal and SQL metacharacters
// in path and query parameters, other content types, malformed JSON and YAML, bodies over the
// limit. As a person holding every role (so that no permission check hides a bug), through the
// real route handlers in process (tests/support/http.ts).
//
// For every answer: never a 5xx; every 4xx is `{ error: { code, message, requestId, details? } }`
// with the status its code maps to. For every refused request: the database is exactly as before
// (a fingerprint of every table's rows, tests/resilience/support/fingerprint.ts, which lists what
// it leaves out and why). Reading routes must not change it either, whatever they answer.
//
// Reproduce a run with PAVED_FUZZ_SEED (printed at the start); PAVED_FUZZ_RUNS sets how many
// generated cases each route gets (default 16) on top of the fixed ones.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiDocument } from "@/lib/api/openapi";
import { db } from "@/lib/core/db/client";
import { SANDBOX_ALERTMANAGER_TOKEN } from "@/lib/core/env";
import { HTTP_STATUS } from "@/lib/core/errors";
import type { HttpMethod } from "@/lib/core/http/contract";
import { ROLES } from "@/lib/core/permissions";
import { setGitOpsEngine } from "@/lib/delivery/engine";
import { prepareSandbox } from "@/scripts/lib/catalog";
import { seedTestCatalog, useSandboxGit } from "../support/catalog";
import { createTestDatabase, useDatabase, useSharedDatabase, type TestDatabase } from "../support/database";
import { makePerson, type TestPerson } from "../support/factory";
import { ORIGIN, routeHandler } from "../support/http";
import { changedTables, fingerprint, type Fingerprint } from "./support/fingerprint";
import {
  deref,
  hostileString,
  hostileValue,
  malformedJsonBodies,
  malformedYamlBodies,
  nestedJsonText,
  validValue,
  wrongType,
  type OpenApiDocument,
  type OpenApiOperation,
  type RawBody,
} from "./support/hostile";

const SEED = Number(process.env.PAVED_FUZZ_SEED ?? Date.now() % 2 ** 31);
const RUNS = Number(process.env.PAVED_FUZZ_RUNS ?? 16);

const doc = openApiDocument() as unknown as OpenApiDocument;
const METHODS = ["get", "post", "put", "patch", "delete"] as const;
const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
  METHODS.filter((m) => item[m]).map((m) => ({ path, method: m.toUpperCase() as HttpMethod, op: item[m] as OpenApiOperation })),
);

/** Path parameters that name something the test database has, so that a body is checked past its route's lookups. */
function paramHint(path: string, name: string): string | undefined {
  if (name === "slug") return "payments";
  if (name === "login") return "alice";
  if (name === "version") return "1.0.0";
  if (name === "owner") return "demo";
  if (name === "number") return "1";
  if (name === "application") return "frontend-staging";
  if (name === "name") {
    if (path.startsWith("/api/v1/templates/")) return "hello-workflow";
    if (path.startsWith("/api/v1/environments/")) return "staging";
    return "frontend";
  }
  return undefined;
}

interface Case {
  what: string;
  params: Record<string, string>;
  query?: Record<string, string | string[]>;
  json?: unknown;
  raw?: RawBody;
  headers?: Record<string, string>;
}

function describeValue(v: unknown): string {
  let text: string;
  try {
    text = typeof v === "string" ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  } catch {
    text = "(too deep to print)";
  }
  return text.length > 120 ? `${text.slice(0, 120)}… (${text.length} chars)` : text;
}

function casesFor(path: string, method: HttpMethod, op: OpenApiOperation): Case[] {
  const pathParams = (op.parameters ?? []).filter((p) => p.in === "path");
  const queryParams = (op.parameters ?? []).filter((p) => p.in === "query");
  const validParams = Object.fromEntries(pathParams.map((p) => [p.name, String(validValue(doc, p.schema, paramHint(path, p.name)))]));
  const bodyEntry = Object.entries(op.requestBody?.content ?? {})[0];
  const bodyType = bodyEntry?.[0];
  const bodySchema = deref(doc, bodyEntry?.[1].schema);
  const seed = (salt: number) => ({ seed: SEED + salt, numRuns: RUNS });
  const cases: Case[] = [];

  // Path parameters: each one hostile in turn, the others valid.
  for (const [i, p] of pathParams.entries()) {
    for (const value of fc.sample(hostileString, seed(i))) cases.push({ what: `path parameter ${p.name} = ${describeValue(value)}`, params: { ...validParams, [p.name]: value } });
  }

  // Query parameters: hostile values, repeated keys, unknown keys.
  const queryCase = fc.oneof(
    ...(queryParams.length
      ? [
          fc.tuple(fc.constantFrom(...queryParams.map((q) => q.name)), hostileString).map(([k, v]) => ({ [k]: v }) as Record<string, string | string[]>),
          fc.tuple(fc.constantFrom(...queryParams.map((q) => q.name)), fc.array(hostileString, { minLength: 2, maxLength: 3 })).map(([k, v]) => ({ [k]: v }) as Record<string, string | string[]>),
        ]
      : []),
    fc.tuple(hostileString.filter((k) => k.length > 0 && k.length < 100), hostileString).map(([k, v]) => ({ [k]: v }) as Record<string, string | string[]>),
  );
  for (const query of fc.sample(queryCase, seed(100))) cases.push({ what: `query ${describeValue(query)}`, params: validParams, query });

  // Hostile headers the handler reads before anything else (request id, client address for rate limits).
  cases.push({ what: "hostile x-request-id and x-forwarded-for", params: validParams, headers: { "x-request-id": "../../etc/passwd' OR 1=1", "x-forwarded-for": "'; DROP TABLE teams; --, 999.999.999.999" } });

  if (!bodyType) return cases;

  if (bodyType === "application/json") {
    const skeleton = validValue(doc, bodySchema) as Record<string, unknown>;
    const props = Object.keys(bodySchema.properties ?? {});
    const isObject = skeleton !== null && typeof skeleton === "object" && !Array.isArray(skeleton);
    const mutation: fc.Arbitrary<{ what: string; body: unknown }> = fc.oneof(
      // The whole body of the wrong type.
      wrongType(doc, bodySchema).map((body) => ({ what: `body ${describeValue(body)}`, body })),
      // Random objects with hostile keys and values.
      fc.dictionary(fc.oneof(hostileString, ...(props.length ? [fc.constantFrom(...props)] : [])), hostileValue, { maxKeys: 4 }).map((body) => ({ what: `body ${describeValue(body)}`, body })),
      // A well-formed body with one field broken: missing, of the wrong type, hostile; or an unknown field.
      ...(isObject && props.length
        ? [
            fc.constantFrom(...props).map((p) => {
              const body = { ...skeleton };
              delete body[p];
              return { what: `body without ${p}`, body };
            }),
            fc.tuple(fc.constantFrom(...props), fc.constant(null)).chain(([p]) =>
              wrongType(doc, bodySchema.properties?.[p]).map((v) => ({ what: `body with ${p} = ${describeValue(v)}`, body: { ...skeleton, [p]: v } })),
            ),
            fc.tuple(fc.constantFrom(...props), hostileValue).map(([p, v]) => ({ what: `body with ${p} = ${describeValue(v)}`, body: { ...skeleton, [p]: v } })),
          ]
        : []),
      fc.tuple(hostileString.filter((k) => k !== "__proto__"), hostileValue).map(([k, v]) => ({ what: `body with an unknown field ${describeValue(k)}`, body: isObject ? { ...skeleton, [k]: v } : { [k]: v } })),
    );
    for (const m of fc.sample(mutation, seed(200))) cases.push({ what: m.what, params: validParams, json: m.body });
    // Deeper than JSON.stringify can write: sent as text.
    if (isObject && props.length) {
      for (const p of props.slice(0, 3)) {
        const text = JSON.stringify({ ...skeleton, [p]: "__DEEP__" }).replace('"__DEEP__"', nestedJsonText(50_000));
        cases.push({ what: `body with ${p} nested 50,000 levels deep`, params: validParams, raw: { contentType: "application/json", text, what: "deep field" } });
      }
    }
    for (const raw of malformedJsonBodies()) cases.push({ what: `body: ${raw.what}`, params: validParams, raw });
  } else {
    for (const raw of malformedYamlBodies()) cases.push({ what: `body: ${raw.what}`, params: validParams, raw });
    const yamlish = fc.oneof(
      hostileString,
      fc.dictionary(hostileString, hostileValue, { maxKeys: 3 }).map((o) => JSON.stringify(o)),
      fc.tuple(hostileString, hostileString).map(([k, v]) => `${k}: ${v}`),
    );
    for (const text of fc.sample(yamlish, seed(300))) cases.push({ what: `YAML body ${describeValue(text)}`, params: validParams, raw: { contentType: bodyType, text, what: "generated" } });
  }
  return cases;
}

let database: TestDatabase;
let admin: TestPerson;

beforeAll(async () => {
  console.log(`[fuzz] seed ${SEED} (PAVED_FUZZ_SEED=${SEED} reproduces this run), ${RUNS} generated cases per kind, ${operations.length} operations`);
  database = await createTestDatabase({ seed: true });
  await useDatabase(database.url);
  await seedTestCatalog(db());
  // The sandbox's git repositories (the GitOps repository included) and its cluster, as `npm start`
  // prepares them, so that delivery, SLO and template routes get past "no repository".
  const git = await useSandboxGit([]);
  setGitOpsEngine(undefined);
  await prepareSandbox(git.dataDir, () => {}, db());
  const platform = await db().team.findUniqueOrThrow({ where: { slug: "platform" } });
  admin = await makePerson([...ROLES], { team: { id: platform.id, slug: platform.slug }, prefix: "fuzz-admin" });
  // The guardrails' single row is created on its first read (lib/incidents): read it once before
  // the fuzzer compares what reads change.
  const settings = await (await routeHandler("GET", "/api/v1/remediation-settings"))(
    new Request(`${ORIGIN}/api/v1/remediation-settings`, { headers: { authorization: `Bearer ${admin.token}` } }),
    { params: Promise.resolve({}) },
  );
  expect(settings.status).toBe(200);
}, 300_000);

afterAll(async () => {
  setGitOpsEngine(undefined);
  await useSharedDatabase();
  await database?.drop();
});

function encodeSegment(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return "%EF%BF%BD"; // an unpaired surrogate cannot be percent-encoded; Next.js would hand over U+FFFD
  }
}

async function send(path: string, method: HttpMethod, op: OpenApiOperation, c: Case): Promise<Response> {
  const handler = await routeHandler(method, path);
  const url = new URL(
    path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeSegment(c.params[name] ?? "")),
    ORIGIN,
  );
  for (const [k, v] of Object.entries(c.query ?? {})) for (const one of Array.isArray(v) ? v : [v]) url.searchParams.append(k, one);
  const headers = new Headers({ host: new URL(ORIGIN).host });
  // Public routes: the Alertmanager webhook checks its own credentials, so it gets them too.
  headers.set("authorization", `Bearer ${op.security?.length === 0 ? SANDBOX_ALERTMANAGER_TOKEN : admin.token}`);
  for (const [k, v] of Object.entries(c.headers ?? {})) headers.set(k, v);
  let body: string | undefined;
  if (c.raw) {
    body = c.raw.text;
    if (c.raw.contentType !== null) headers.set("content-type", c.raw.contentType);
  } else if (c.json !== undefined) {
    body = JSON.stringify(c.json);
    headers.set("content-type", "application/json");
  }
  const request = new Request(url, { method, headers, body: method === "GET" ? undefined : body });
  return handler(request, { params: Promise.resolve(c.params) });
}

/** What is wrong with an answer, or null. */
async function checkAnswer(res: Response): Promise<{ problem: string | null; text: string }> {
  const text = await res.text();
  if (res.status >= 500) return { problem: `answered ${res.status}: ${text.slice(0, 300)}`, text };
  if (res.status < 400) return { problem: null, text };
  let body: { error?: { code?: unknown; message?: unknown; requestId?: unknown } } & Record<string, unknown>;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return { problem: `answered ${res.status} with a body that is not JSON: ${text.slice(0, 200)}`, text };
  }
  const error = body.error;
  const code = error?.code;
  if (Object.keys(body).join() !== "error" || !error || typeof code !== "string" || typeof error.message !== "string" || !error.message || typeof error.requestId !== "string") {
    return { problem: `answered ${res.status} without the error shape: ${text.slice(0, 200)}`, text };
  }
  const expected = HTTP_STATUS[code as keyof typeof HTTP_STATUS];
  if (expected !== res.status) return { problem: `answered ${res.status} with code ${code}, which maps to ${expected ?? "no status"}`, text };
  if (!/^application\/json/.test(res.headers.get("content-type") ?? "")) return { problem: `answered ${res.status} as ${res.headers.get("content-type")}`, text };
  return { problem: null, text };
}

describe("the fuzzer's inputs", () => {
  it("cover every operation of the OpenAPI document the API serves", async () => {
    const served = (await (await (await routeHandler("GET", "/api/v1/openapi.json"))(new Request(`${ORIGIN}/api/v1/openapi.json`), { params: Promise.resolve({}) })).json()) as OpenApiDocument;
    const servedOps = Object.entries(served.paths).flatMap(([p, item]) => METHODS.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${p}`));
    expect(operations.map((o) => `${o.method} ${o.path}`).sort()).toEqual(servedOps.sort());
    expect(operations.length).toBeGreaterThan(80);
  });
});

describe.each(operations)("$method $path", ({ path, method, op }) => {
  it("answers hostile input with a 4xx in the error shape, never a 5xx, and changes nothing when it refuses", async () => {
    const cases = casesFor(path, method, op);
    const problems: string[] = [];
    const reading = method === "GET";
    const rateLimited = /Rate limited/.test((op as { description?: string }).description ?? "");
    const start: Fingerprint = await fingerprint(db());
    let before = start;
    const counts = { refused: 0, accepted: 0 };
    for (const c of cases) {
      if (rateLimited) await db().$executeRawUnsafe(`DELETE FROM rate_limit_counters`);
      let res: Response;
      try {
        res = await send(path, method, op, c);
      } catch (e) {
        problems.push(`${c.what}: the handler threw instead of answering: ${(e as Error).stack ?? String(e)}`);
        continue;
      }
      const { problem } = await checkAnswer(res);
      if (problem) problems.push(`${c.what}: ${problem}`);
      if (res.status >= 400) counts.refused++;
      else counts.accepted++;
      if (!reading) {
        const after = await fingerprint(db());
        if (res.status >= 400) {
          const changed = changedTables(before, after);
          if (changed.length) problems.push(`${c.what}: refused with ${res.status} but changed ${changed.join(", ")}`);
        }
        before = after;
      }
    }
    if (reading) {
      const changed = changedTables(start, await fingerprint(db()));
      if (changed.length) problems.push(`reading changed ${changed.join(", ")}`);
    }
    const polluted = ({} as Record<string, unknown>).polluted;
    if (polluted !== undefined) problems.push(`Object.prototype was polluted: ${String(polluted)}`);
    expect(problems, `${cases.length} cases (${counts.refused} refused, ${counts.accepted} accepted), seed ${SEED}`).toEqual([]);
    // The cases are meant to be refused: a route accepting most of them is not being fuzzed.
    if (op.parameters?.length || op.requestBody) expect(counts.refused).toBeGreaterThan(0);
  });
});
