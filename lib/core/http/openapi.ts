// The OpenAPI 3.1 document of /api/v1, generated from the contracts (the same zod schemas that
// validate requests and shape responses), so the document cannot drift from the code.
import { OpenAPIRegistry, OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import { HTTP_STATUS, type ErrorCode } from "../errors.ts";
import { PERMISSIONS } from "../permissions.ts";
import { MAX_BODY_BYTES } from "./body.ts";
import type { Contract } from "./contract.ts";

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(HTTP_STATUS) as [ErrorCode, ...ErrorCode[]]),
      message: z.string().meta({ description: "Safe to show to a person." }),
      details: z.unknown().optional().meta({ description: "For invalid input: `{ in, issues: [{ path, message, code }] }`." }),
      requestId: z.string(),
    }),
  })
  .meta({ id: "Error" });

const ERROR_DESCRIPTIONS: Partial<Record<ErrorCode, string>> = {
  invalid_input: "Invalid input: `details.issues` names each field path",
  unauthenticated: "No credentials, or bad, expired or revoked ones",
  forbidden: "The caller lacks the permission",
  not_found: "Not found",
  conflict: "Conflicts with the current state",
  payload_too_large: `Body over ${MAX_BODY_BYTES / 1024 / 1024} MB`,
  unsupported_media_type: "Body is not JSON",
  rule_violation: "Refused by a rule",
  rate_limited: "Too many requests: wait for the `Retry-After` header's seconds",
};

function errorResponses(contract: Contract) {
  const codes = new Set<ErrorCode>(contract.errors ?? []);
  if (contract.access !== "public") codes.add("unauthenticated");
  if (contract.access !== "public" && contract.access !== "authenticated") codes.add("forbidden");
  if (contract.params || contract.query || contract.body) codes.add("invalid_input");
  if (contract.rateLimit) codes.add("rate_limited");
  if (contract.body) {
    codes.add("payload_too_large");
    codes.add("unsupported_media_type");
  }
  const byStatus = new Map<number, string[]>();
  for (const code of codes) {
    const status = HTTP_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), ERROR_DESCRIPTIONS[code] ?? code]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, descriptions]) => [
      String(status),
      { description: descriptions.join("; "), content: { "application/json": { schema: ErrorBody } } },
    ]),
  );
}

export function buildOpenApiDocument(contracts: readonly Contract[], info: { version: string }) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent("securitySchemes", "bearerToken", {
    type: "http",
    scheme: "bearer",
    description: "A personal API token (Settings → API tokens, or `npm run token -- --user <login>`).",
  });
  registry.registerComponent("securitySchemes", "sessionCookie", {
    type: "apiKey",
    in: "cookie",
    name: "authjs.session-token",
    description: "The browser session of a signed-in user.",
  });
  for (const c of contracts) {
    const status = c.status ?? 200;
    const permission = c.access === "public" || c.access === "authenticated" ? undefined : c.access;
    registry.registerPath({
      method: c.method.toLowerCase() as "get" | "post" | "put" | "patch" | "delete",
      path: c.path,
      summary: c.summary,
      description: [
        c.description,
        permission ? `Requires the \`${permission}\` permission (${PERMISSIONS[permission]}).` : undefined,
        c.rateLimit ? `Rate limited: at most ${c.rateLimit.limit} requests every ${c.rateLimit.windowSeconds} s per ${c.rateLimit.by === "actor" ? "person" : "client address"} (429 \`rate_limited\` with \`Retry-After\` beyond).` : undefined,
      ]
        .filter(Boolean)
        .join("\n\n"),
      tags: [c.tag],
      security: c.access === "public" ? [] : [{ bearerToken: [] }, { sessionCookie: [] }],
      ...(permission ? { "x-permission": permission } : {}),
      request: {
        ...(c.params ? { params: c.params as z.ZodObject } : {}),
        ...(c.query ? { query: c.query as z.ZodObject } : {}),
        ...(c.body ? { body: { required: true, content: { [c.bodyMediaType ?? "application/json"]: { schema: c.body } } } } : {}),
      },
      responses: {
        [String(status)]:
          status === 204
            ? { description: "Done" }
            : {
                description: "Success",
                content: {
                  [c.responseMediaType ?? "application/json"]: { schema: c.response },
                  ...Object.fromEntries((c.alternativeMediaTypes ?? []).map((m) => [m, { schema: z.string() }])),
                },
              },
        ...errorResponses(c),
      },
    });
  }
  const generator = new OpenApiGeneratorV31(registry.definitions);
  return generator.generateDocument({
    openapi: "3.1.0",
    info: {
      title: "Paved API",
      version: info.version,
      description:
        "The API behind Paved's pages. Authenticate with `Authorization: Bearer <token>`. Errors are `{ error: { code, message, details?, requestId } }`.",
    },
    servers: [{ url: "/" }],
  });
}
