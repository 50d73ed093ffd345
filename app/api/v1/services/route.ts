// GET /api/v1/services: services, a page at a time. POST: create one.
import { handle, JsonText } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { createService, createServiceContract, listServicesJson, listServicesContract } from "@/lib/services";

// PostgreSQL writes the page's JSON; it is passed on as it is.
export const GET = handle(listServicesContract, async ({ query }) => new JsonText(await listServicesJson(db(), query)));
export const POST = handle(createServiceContract, ({ actor, body, requestId }) => createService(actor, body, requestId));
