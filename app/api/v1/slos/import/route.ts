// POST /api/v1/slos/import: OpenSLO or Sloth YAML, all or nothing.
import { handle } from "@/lib/core/http/handler";
import { importSlos, importSlosContract } from "@/lib/slos";

export const POST = handle(importSlosContract, ({ actor, body, query, requestId }) => importSlos(actor, body, query, requestId));
