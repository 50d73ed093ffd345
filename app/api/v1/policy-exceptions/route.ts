// GET /api/v1/policy-exceptions: exceptions. POST: grant one (platform admins).
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { createException, createExceptionContract, listExceptions, listExceptionsContract } from "@/lib/policies";

export const GET = handle(listExceptionsContract, async ({ query }) => ({ items: await listExceptions(db(), query) }));
export const POST = handle(createExceptionContract, ({ actor, body, requestId }) => createException(actor, body, requestId));
