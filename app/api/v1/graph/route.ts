// GET /api/v1/graph: the whole dependency graph and its revision (cached as JSON text per change).
import { handle, JsonText } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { getGraphContract, getGraphJson } from "@/lib/services";

export const GET = handle(getGraphContract, async () => new JsonText(await getGraphJson(db())));
