// GET /api/v1/graph/export: the graph as deployment-config.yaml.
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { exportGraph, exportGraphContract } from "@/lib/services";

export const GET = handle(exportGraphContract, ({ query }) => exportGraph(db(), query));
