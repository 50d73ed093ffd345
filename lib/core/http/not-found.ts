import { randomUUID } from "node:crypto";
import { errorResponse } from "./handler.ts";

export async function notFoundRoute(req: Request): Promise<Response> {
  const path = new URL(req.url).pathname;
  return errorResponse("not_found", 404, `No API route ${req.method} ${path}. See /api/v1/openapi.json.`, randomUUID());
}
