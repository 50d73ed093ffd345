// The one route wrapper: authenticate → authorise → parse with zod → call lib → JSON.
// Route handlers hold no try/catch: every error becomes { error: { code, message, details?, requestId } }
// here, through the one table in lib/core/errors.ts.
import { randomUUID } from "node:crypto";
import { getToken } from "next-auth/jwt";
import { z } from "zod";
import { db } from "../db/client.ts";
import { asReadOnlyRequest } from "../db/data-version.ts";
import { Prisma } from "../db/client.ts";
import { env } from "../env.ts";
import { AppError, ForbiddenError, UnauthenticatedError, type FieldIssue } from "../errors.ts";
import { logger, scrubSecretText } from "../logger.ts";
import { loadActorByApiToken, loadActorForSession, requirePermission, type Actor } from "../auth/actor.ts";
import { readJsonBody, readYamlBody } from "./body.ts";
import type { Contract } from "./contract.ts";
import { clientAddress, enforceRateLimit, RateLimitedError } from "./rate-limit.ts";

export interface HandlerContext<C extends Contract> {
  actor: C["access"] extends "public" ? Actor | null : Actor;
  params: C extends { params: infer P extends z.ZodType } ? z.output<P> : Record<string, never>;
  query: C extends { query: infer Q extends z.ZodType } ? z.output<Q> : Record<string, never>;
  body: C extends { body: infer B extends z.ZodType } ? z.output<B> : undefined;
  requestId: string;
  request: Request;
}

/** A handler may choose its status (e.g. health answering 503) by returning a Reply. */
export class Reply<T> {
  constructor(
    readonly status: number,
    readonly body: T,
  ) {}
}

export type HandlerResult<C extends Contract> = z.input<C["response"]> | Reply<z.input<C["response"]>> | JsonText | TextReply;

/**
 * A JSON answer that is already serialised: the graph, cached as text per revision, or a page
 * whose JSON PostgreSQL wrote. It is passed on without parsing; outside production (tests,
 * development) the handler checks it against the contract's response schema all the same, so a
 * query that drifts from the contract fails the tests that read it.
 */
export class JsonText {
  constructor(readonly text: string) {}
}

/**
 * A text answer in one of the contract's `alternativeMediaTypes` (e.g. a table as CSV, when the
 * caller asks for it), with an optional file name for downloads. The domain renders it.
 */
export class TextReply {
  constructor(
    readonly text: string,
    readonly mediaType: "text/csv",
    readonly filename?: string,
  ) {}
}

type RouteContext = { params: Promise<Record<string, string | string[] | undefined>> };

/** Outside production, answers passed on as JSON text are checked against their contract too. */
const CHECK_JSON_TEXT = process.env.NODE_ENV !== "production";

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function zodIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.flatMap((i): FieldIssue[] => {
    const path = i.path.map((p) => (typeof p === "symbol" ? String(p) : p));
    // zod reports unknown fields once, on their parent object: name each field instead.
    if (i.code === "unrecognized_keys") return i.keys.map((key) => ({ path: [...path, key], message: `Unknown field "${key}".`, code: i.code }));
    return [{ path, message: i.message, code: i.code }];
  });
}

function describeIssues(where: string, issues: FieldIssue[]): string {
  const first = issues[0];
  if (!first) return `Invalid ${where}.`;
  const at = first.path.length ? first.path.join(".") : where;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
  return `Invalid ${where}: ${at}: ${first.message}${more}`;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const isUnstorable = (s: string) => s.includes("\u0000") || LONE_SURROGATE.test(s);

/** Text PostgreSQL cannot store (NUL, unpaired surrogates) is bad input, not a 500 from the database. */
function unstorableText(value: unknown, path: (string | number)[] = [], out: FieldIssue[] = []): FieldIssue[] {
  if (typeof value === "string") {
    if (isUnstorable(value)) out.push({ path, message: "Text must not contain NUL characters or unpaired surrogates.", code: "invalid_string" });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => unstorableText(v, [...path, i], out));
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) unstorableText(isUnstorable(k) ? k : v, [...path, k], out);
  }
  return out;
}

function parsePart<T extends z.ZodType>(schema: T, value: unknown, where: "body" | "query" | "path parameters"): z.output<T> {
  const unstorable = unstorableText(value);
  if (unstorable.length) throw new AppError("invalid_input", describeIssues(where, unstorable), { in: where, issues: unstorable });
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = zodIssues(result.error);
    throw new AppError("invalid_input", describeIssues(where, issues), { in: where, issues });
  }
  return result.data;
}

function queryObject(url: URL): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    out[key] = values.length === 1 ? (values[0] as string) : values;
  }
  return out;
}

function isSecure(req: Request): boolean {
  return new URL(req.url).protocol === "https:" || req.headers.get("x-forwarded-proto") === "https";
}

/** Authenticates a request: a bearer API token if one is sent, else the session cookie. */
export async function authenticate(req: Request): Promise<{ actor: Actor; via: "token" | "session" } | null> {
  const authorization = req.headers.get("authorization");
  if (authorization !== null) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match?.[1]) throw new UnauthenticatedError("The Authorization header must be `Bearer <token>`.");
    return { actor: await loadActorByApiToken(db(), match[1]), via: "token" };
  }
  const secret = env().authSecret;
  if (!secret || !(req.headers.get("cookie") ?? "").includes("authjs.session-token")) return null;
  const token = await getToken({ req, secret, secureCookie: isSecure(req) });
  if (!token?.uid) return null;
  const actor = await loadActorForSession(db(), { uid: token.uid, sid: token.sid });
  if (!actor) throw new UnauthenticatedError("Your session has ended (signed out, or the account was disabled): sign in again.");
  return { actor, via: "session" };
}

/** Cookie-authenticated writes must come from Paved's own pages (a CSRF guard). */
function checkSameOrigin(req: Request): void {
  const origin = req.headers.get("origin");
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  if (origin !== null) {
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      originHost = "";
    }
    if (originHost !== host) throw new ForbiddenError("Cross-site request refused: this write must come from Paved itself.");
    return;
  }
  const site = req.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") {
    throw new ForbiddenError("Cross-site request refused: this write must come from Paved itself.");
  }
}

export function errorResponse(code: AppError["code"], status: number, message: string, requestId: string, details?: unknown, headers: Record<string, string> = {}): Response {
  // Messages may quote an outside system's words (GitHub's, Argo CD's): none may carry a secret out.
  const text = JSON.stringify({ error: { code, message, ...(details === undefined ? {} : { details }), requestId } });
  return new Response(scrubSecretText(text), {
    status,
    headers: { ...headers, "content-type": "application/json", "x-request-id": requestId, "cache-control": "no-store" },
  });
}

function toErrorResponse(e: unknown, requestId: string, req: Request): Response {
  if (e instanceof RateLimitedError) {
    return errorResponse(e.code, e.status, e.message, requestId, e.details, { "retry-after": String(e.retryAfterSeconds) });
  }
  if (e instanceof AppError) {
    return errorResponse(e.code, e.status, e.message, requestId, e.details);
  }
  // Safety nets for database errors that domain code did not turn into domain errors.
  if (e instanceof Prisma.PrismaClientKnownRequestError) {
    if (e.code === "P2002") return errorResponse("conflict", 409, "That already exists.", requestId);
    if (e.code === "P2025") return errorResponse("not_found", 404, "Not found.", requestId);
  }
  const message = e instanceof Error ? e.message : String(e);
  const unavailable = /ECONNREFUSED|Can't reach database|Connection terminated|P1001|P1017|timeout exceeded when trying to connect/i.test(message);
  logger.error({ err: e, requestId, method: req.method, url: new URL(req.url).pathname }, "request failed");
  if (unavailable) {
    return errorResponse("unavailable", 503, "The database is unavailable; try again shortly.", requestId);
  }
  return errorResponse("internal", 500, `Something went wrong on our side. Quote request id ${requestId} when reporting it.`, requestId);
}

/** Builds a Next.js route handler from a contract and a domain call. */
export function handle<C extends Contract>(contract: C, fn: (ctx: HandlerContext<C>) => Promise<HandlerResult<C>>) {
  // Reads (GET, HEAD) take the data version once and answer as of it (lib/core/db/data-version.ts).
  return function route(req: Request, context: RouteContext): Promise<Response> {
    return req.method === "GET" || req.method === "HEAD" ? asReadOnlyRequest(() => answer(req, context)) : answer(req, context);
  };

  async function answer(req: Request, context: RouteContext): Promise<Response> {
    const incoming = req.headers.get("x-request-id");
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    try {
      let actor: Actor | null = null;
      if (contract.access !== "public") {
        const auth = await authenticate(req);
        if (!auth) throw new UnauthenticatedError();
        actor = auth.actor;
        if (auth.via === "session" && req.method !== "GET" && req.method !== "HEAD") checkSameOrigin(req);
        if (contract.access !== "authenticated") requirePermission(actor, contract.access);
      }
      if (contract.rateLimit) {
        const { by, ...limit } = contract.rateLimit;
        const key = by === "actor" && actor?.userId ? `user:${actor.userId}` : `address:${clientAddress(req.headers)}`;
        await enforceRateLimit(db(), limit, key);
      }
      const rawParams = (await context?.params) ?? {};
      const params = contract.params ? parsePart(contract.params, rawParams, "path parameters") : {};
      const query = contract.query ? parsePart(contract.query, queryObject(new URL(req.url)), "query") : {};
      const rawBody = contract.body ? (contract.bodyMediaType === "application/yaml" ? await readYamlBody(req) : await readJsonBody(req)) : undefined;
      const body = contract.body ? parsePart(contract.body, rawBody, "body") : undefined;

      let result: unknown = await fn({ actor, params, query, body, requestId, request: req } as HandlerContext<C>);
      let status: number = contract.status ?? 200;
      if (result instanceof Reply) {
        status = result.status;
        result = result.body;
      }
      const headers = { "x-request-id": requestId, "cache-control": "no-store" };
      if (status === 204) return new Response(null, { status, headers });
      if (result instanceof JsonText) {
        if (CHECK_JSON_TEXT) contract.response.parse(JSON.parse(result.text));
        return new Response(result.text, { status, headers: { ...headers, "content-type": "application/json" } });
      }
      if (result instanceof TextReply && contract.alternativeMediaTypes?.includes(result.mediaType)) {
        const textHeaders: Record<string, string> = { ...headers, "content-type": `${result.mediaType}; charset=utf-8`, vary: "accept" };
        if (result.filename) textHeaders["content-disposition"] = `attachment; filename="${result.filename.replace(/[^\w.-]/g, "_")}"`;
        return new Response(result.text, { status, headers: textHeaders });
      }
      if (contract.responseMediaType) {
        return new Response(contract.response.parse(result) as string, { status, headers: { ...headers, "content-type": `${contract.responseMediaType}; charset=utf-8` } });
      }
      const payload = contract.raw ? result : contract.response.parse(result);
      return Response.json(payload, { status, headers });
    } catch (e) {
      return toErrorResponse(e, requestId, req);
    }
  }
}
