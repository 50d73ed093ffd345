// POST /api/v1/graph/import: deployment-config.yaml or a Backstage catalog, all or nothing.
import { handle } from "@/lib/core/http/handler";
import { importGraph, importGraphContract } from "@/lib/services";

export const POST = handle(importGraphContract, ({ actor, body, query, requestId }) => importGraph(actor, body, query, requestId));
