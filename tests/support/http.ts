// Calling Paved's real route handlers in-process: the route module is found from the contract
// path (`/api/v1/teams/{slug}` → app/api/v1/teams/[slug]/route.ts) and called the way Next.js
// calls it, with a Request and a params promise.
import path from "node:path";
import { expect } from "vitest";
import type { HttpMethod } from "@/lib/core/http/contract";

export const ORIGIN = "http://localhost:3000";

type RouteHandler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

export const APP_DIR = path.resolve(import.meta.dirname, "../../app");

/** The route file of an OpenAPI-style path. */
export function routeFile(templatePath: string): string {
  return path.join(APP_DIR, templatePath.replace(/\{(\w+)\}/g, "[$1]"), "route.ts");
}

export async function routeHandler(method: HttpMethod, templatePath: string): Promise<RouteHandler> {
  const mod = (await import(/* @vite-ignore */ routeFile(templatePath))) as Record<string, unknown>;
  const handler = mod[method];
  if (typeof handler !== "function") throw new Error(`${templatePath} exports no ${method} handler`);
  return handler as RouteHandler;
}

export interface CallOptions {
  params?: Record<string, string>;
  query?: Record<string, string>;
  /** A value to send as JSON (with content-type), or a raw string body (no content-type added). */
  body?: unknown;
  rawBody?: string | Uint8Array | ReadableStream<Uint8Array>;
  token?: string;
  cookie?: string;
  /** Origin header; cookie-authenticated writes get Paved's own origin unless set (null: none). */
  origin?: string | null;
  headers?: Record<string, string>;
}

export function buildRequest(method: HttpMethod, templatePath: string, options: CallOptions = {}): Request {
  const concrete = templatePath.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const value = options.params?.[name];
    if (value === undefined) throw new Error(`missing path parameter ${name} for ${templatePath}`);
    return encodeURIComponent(value);
  });
  const url = new URL(concrete, ORIGIN);
  for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
  const headers = new Headers({ host: new URL(ORIGIN).host, ...options.headers });
  if (options.token) headers.set("authorization", `Bearer ${options.token}`);
  if (options.cookie) {
    headers.set("cookie", options.cookie);
    if (method !== "GET" && options.origin === undefined) headers.set("origin", ORIGIN);
  }
  if (options.origin) headers.set("origin", options.origin);
  let body: BodyInit | undefined;
  if (options.rawBody !== undefined) {
    body = options.rawBody as BodyInit;
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  return new Request(url, { method, headers, body, ...(body instanceof ReadableStream ? { duplex: "half" } : {}) } as RequestInit);
}

/** Calls the route handler of `method templatePath` with a request built from `options`. */
export async function callRoute(method: HttpMethod, templatePath: string, options: CallOptions = {}): Promise<Response> {
  const handler = await routeHandler(method, templatePath);
  return handler(buildRequest(method, templatePath, options), { params: Promise.resolve(options.params ?? {}) });
}

/** Calls a route and returns status and parsed JSON body (null for an empty body). */
export async function callJson<T = unknown>(method: HttpMethod, templatePath: string, options: CallOptions = {}): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await callRoute(method, templatePath, options);
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T, headers: res.headers };
}

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown; requestId: string };
}

/** Asserts the exact error shape `{ error: { code, message, details?, requestId } }` and returns it. */
export function expectErrorBody(res: { status: number; body: unknown; headers?: Headers }, status: number, code: string): ErrorBody["error"] {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  const body = res.body as ErrorBody;
  expect(Object.keys(body)).toEqual(["error"]);
  const keys = Object.keys(body.error).sort();
  expect(keys.filter((k) => k !== "details")).toEqual(["code", "message", "requestId"]);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe("string");
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(body.error.requestId).toMatch(/^[A-Za-z0-9._-]{1,64}$/);
  if (res.headers) expect(res.headers.get("x-request-id")).toBe(body.error.requestId);
  return body.error;
}
