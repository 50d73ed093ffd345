// GET /api/v1/services: services, a page at a time. POST: create one.
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { createService, createServiceContract, listServices, listServicesContract } from "@/lib/services";

export const GET = handle(listServicesContract, ({ query }) => listServices(db(), query));
export const POST = handle(createServiceContract, ({ actor, body, requestId }) => createService(actor, body, requestId));
