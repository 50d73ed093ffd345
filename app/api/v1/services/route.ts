// GET /api/v1/services: services with owners and dependencies.
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { listServices, listServicesContract } from "@/lib/services";

export const GET = handle(listServicesContract, async ({ query }) => ({ items: await listServices(db(), query) }));
