// GET /api/v1/remediations: what self-healing decided, newest first.
import { db } from "@/lib/core/db/client";
import { handle } from "@/lib/core/http/handler";
import { listRemediations, listRemediationsContract } from "@/lib/incidents";

export const GET = handle(listRemediationsContract, ({ query }) => listRemediations(db(), query));
