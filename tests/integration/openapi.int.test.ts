// GET /api/v1/openapi.json: a valid OpenAPI 3.1 document (checked with a validator of the
// OpenAPI schema), listing every contract with its permission and error responses, and agreeing
// with what the routes actually answer.
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import { beforeAll, describe, expect, it } from "vitest";
import { ALL_CONTRACTS } from "@/lib/api/contracts";
import { HTTP_STATUS } from "@/lib/core/errors";
import type { HttpMethod } from "@/lib/core/http/contract";
import { makePerson, type TestPerson } from "../support/factory";
import { callJson } from "../support/http";

interface Operation {
  "x-permission"?: string;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; required?: boolean }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Partial<Record<Lowercase<HttpMethod>, Operation>>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
}

let doc: OpenApiDocument;
let admin: TestPerson;

beforeAll(async () => {
  const res = await callJson<OpenApiDocument>("GET", "/api/v1/openapi.json");
  expect(res.status).toBe(200);
  doc = res.body;
  admin = await makePerson(["platform-admin"]);
});

const operation = (method: HttpMethod, path: string): Operation | undefined => doc.paths[path]?.[method.toLowerCase() as Lowercase<HttpMethod>];

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.1", async () => {
    expect(doc.openapi).toBe("3.1.0");
    const result = await new Validator().validate(doc as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("describes every contract, and nothing else", () => {
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(documented.sort()).toEqual(ALL_CONTRACTS.map((c) => `${c.method} ${c.path}`).sort());
  });

  it("names each route's permission and security", () => {
    for (const c of ALL_CONTRACTS) {
      const op = operation(c.method, c.path);
      const name = `${c.method} ${c.path}`;
      expect(op, name).toBeDefined();
      if (c.access === "public" || c.access === "authenticated") expect(op?.["x-permission"], name).toBeUndefined();
      else expect(op?.["x-permission"], name).toBe(c.access);
      expect(op?.security, name).toEqual(c.access === "public" ? [] : [{ bearerToken: [] }, { sessionCookie: [] }]);
      for (const param of [...c.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])) {
        expect(op?.parameters?.find((p) => p.in === "path" && p.name === param), `${name} {${param}}`).toMatchObject({ required: true });
      }
    }
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(["bearerToken", "sessionCookie"]);
  });

  it("documents the error responses each route can give, all with the Error schema", () => {
    expect(doc.components.schemas.Error).toBeDefined();
    for (const c of ALL_CONTRACTS) {
      const op = operation(c.method, c.path);
      const name = `${c.method} ${c.path}`;
      const statuses = Object.keys(op?.responses ?? {});
      const errors = statuses.filter((s) => Number(s) >= 400);
      for (const status of errors) {
        expect(op?.responses[status]?.content?.["application/json"]?.schema, `${name} ${status}`).toEqual({ $ref: "#/components/schemas/Error" });
      }
      const expected = new Set<number>((c.errors ?? []).map((e) => HTTP_STATUS[e]));
      if (c.access !== "public") expected.add(401);
      if (c.access !== "public" && c.access !== "authenticated") expected.add(403);
      if (c.params || c.query || c.body) expected.add(400);
      if (c.rateLimit) expected.add(429);
      if (c.body) {
        expected.add(413);
        expected.add(415);
        expect(op?.requestBody?.content[c.bodyMediaType ?? "application/json"], name).toBeDefined();
      }
      expect(errors.map(Number).sort(), name).toEqual([...expected].sort());
      expect(statuses, name).toContain(String(c.status ?? 200));
    }
  });
});

describe("the document matches the answers", () => {
  let ajv: Ajv2020;
  beforeAll(() => {
    ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
    ajv.addSchema({ ...doc, $id: "paved-openapi.json" } as unknown as object);
  });

  const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, "~0").replace(/\//g, "~1")).join("/");

  function assertMatches(method: HttpMethod, path: string, status: number, body: unknown): void {
    const ref = `paved-openapi.json#/paths/${pointer(path, method.toLowerCase(), "responses", String(status), "content", "application/json", "schema")}`;
    const validate = ajv.compile({ $ref: ref });
    expect(validate(body), `${method} ${path} ${status}: ${ajv.errorsText(validate.errors)}`).toBe(true);
  }

  it.each([
    ["/api/health"],
    ["/api/v1/me"],
    ["/api/v1/teams"],
    ["/api/v1/users"],
    ["/api/v1/tokens"],
    ["/api/v1/services"],
    ["/api/v1/environments"],
    ["/api/v1/audit"],
    ["/api/v1/audit/verify"],
    ["/api/v1/jobs"],
  ])("GET %s", async (path) => {
    const res = await callJson("GET", path, { token: admin.token });
    expect(res.status).toBe(200);
    assertMatches("GET", path, 200, res.body);
  });

  it("GET /api/v1/teams/{slug}/members", async () => {
    const res = await callJson("GET", "/api/v1/teams/{slug}/members", { token: admin.token, params: { slug: "payments" } });
    expect(res.status).toBe(200);
    assertMatches("GET", "/api/v1/teams/{slug}/members", 200, res.body);
  });

  it("would notice an answer that does not match", () => {
    const validate = ajv.compile({ $ref: `paved-openapi.json#/paths/${pointer("/api/v1/me", "get", "responses", "200", "content", "application/json", "schema")}` });
    expect(validate({ user: { login: "x" }, permissions: [], via: "session" })).toBe(false);
  });

  it("error answers", async () => {
    const unauthenticated = await callJson("GET", "/api/v1/me");
    assertMatches("GET", "/api/v1/me", 401, unauthenticated.body);
    const invalid = await callJson("POST", "/api/v1/teams", { token: admin.token, body: { slug: 1 } });
    expect(invalid.status).toBe(400);
    assertMatches("POST", "/api/v1/teams", 400, invalid.body);
  });
});
