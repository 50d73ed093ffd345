// An API contract: method, path, the permission it needs and the zod schemas of what goes in
// and out. Route handlers are built from it (handler.ts), the OpenAPI document is generated from
// it (openapi.ts) and the route × role test walks it. Each domain keeps its contracts beside its
// schemas (lib/<domain>/contracts.ts); lib/api lists them all.
import type { z } from "zod";
import type { ErrorCode } from "../errors.ts";
import type { Permission } from "../permissions.ts";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface Contract {
  method: HttpMethod;
  /** OpenAPI-style path, e.g. "/api/v1/tokens/{id}". */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  /** The permission the caller needs; "authenticated" for any signed-in caller; "public" for none. */
  access: Permission | "public" | "authenticated";
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response: z.ZodType;
  /** Success status; 204 sends no body. */
  status?: 200 | 201 | 202 | 204;
  /** Error codes worth documenting beyond the ones every route can answer. */
  errors?: ErrorCode[];
  /** Answer with the handler's result as is (e.g. the OpenAPI document) without parsing it. */
  raw?: boolean;
  /** The body is YAML text (read as a string and parsed by the domain, which reports lines and columns), not JSON. */
  bodyMediaType?: "application/yaml";
  /** The success answer is text of this media type (the handler returns a string), not JSON: YAML, or Prometheus' text exposition format. */
  responseMediaType?: "application/yaml" | "text/plain; version=0.0.4";
  /** Other media types the caller may ask for (`?format=csv` or `Accept`); the handler then returns a TextReply. */
  alternativeMediaTypes?: readonly "text/csv"[];
  /**
   * Opt-in rate limit, shared by every instance (lib/core/http/rate-limit.ts): counted after the
   * caller is authenticated and authorised and before anything is parsed or done, per signed-in
   * person (`by: "actor"`; the caller's address when there is none) or per address (`by: "address"`).
   * Over the limit: 429 `rate_limited` with `Retry-After`, and nothing happens.
   */
  rateLimit?: { bucket: string; limit: number; windowSeconds: number; by: "actor" | "address" };
}

/** Keeps the exact schemas of a contract in its type, so handlers get typed params, query and body. */
export function defineContract<const C extends Contract>(contract: C): C {
  return contract;
}

export const MUTATING_METHODS: readonly HttpMethod[] = ["POST", "PUT", "PATCH", "DELETE"];
