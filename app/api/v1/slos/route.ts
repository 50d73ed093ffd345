// GET/POST /api/v1/slos: list SLOs (with their status from the metrics source, one batch per page), define one.
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { metricsSource } from "@/lib/metrics";
import { createSlo, createSloContract, listSlos, listSlosContract, liveStatus } from "@/lib/slos";

export const GET = handle(listSlosContract, ({ query }) => listSlos(db(), query, { status: liveStatus(metricsSource()) }));
export const POST = handle(createSloContract, ({ actor, body, requestId }) => createSlo(actor, body, requestId));
