// GET /api/v1/slos/export: SLOs as OpenSLO v1 YAML.
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { exportSlos, exportSlosContract } from "@/lib/slos";

export const GET = handle(exportSlosContract, ({ query }) => exportSlos(db(), query));
