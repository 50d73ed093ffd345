// GET /api/v1/templates: search the catalog (q, type, lifecycle, tag, owner, sort).
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { listTemplates, listTemplatesContract } from "@/lib/templates";

export const GET = handle(listTemplatesContract, async ({ query }) => ({ items: await listTemplates(db(), query) }));
