// GET /api/v1/graph: the whole dependency graph and its revision.
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { getGraph, getGraphContract } from "@/lib/services";

export const GET = handle(getGraphContract, () => getGraph(db()));
