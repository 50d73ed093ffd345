import { buildOpenApiDocument } from "../core/http/openapi.ts";
import { ALL_CONTRACTS } from "./contracts.ts";
import { VERSION } from "./health.ts";

let cached: ReturnType<typeof buildOpenApiDocument> | undefined;

/** The OpenAPI document, built once per process. */
export function openApiDocument() {
  cached ??= buildOpenApiDocument(ALL_CONTRACTS, { version: VERSION });
  return cached;
}
