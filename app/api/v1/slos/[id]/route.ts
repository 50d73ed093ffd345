// GET/PATCH/DELETE /api/v1/slos/{id}: one SLO with its status (budget in requests too), change it, delete it.
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { metricsSource } from "@/lib/metrics";
import { deleteSlo, deleteSloContract, getSlo, getSloContract, liveStatus, patchSlo, patchSloContract } from "@/lib/slos";

export const GET = handle(getSloContract, ({ params }) => getSlo(db(), params.id, { status: liveStatus(metricsSource(), { totals: true }) }));
export const PATCH = handle(patchSloContract, ({ actor, params, body, requestId }) => patchSlo(actor, params.id, body, requestId));
export const DELETE = handle(deleteSloContract, ({ actor, params, query, requestId }) => deleteSlo(actor, params.id, query, requestId));
