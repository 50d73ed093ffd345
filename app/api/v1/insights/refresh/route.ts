// POST /api/v1/insights/refresh: recompute the daily roll-ups now (queued, 202).
import { handle } from "@/lib/core/http/handler";
import { refreshInsightsContract, requestInsightsRefresh } from "@/lib/insights";

export const POST = handle(refreshInsightsContract, ({ actor, body, requestId }) => requestInsightsRefresh(actor, body, requestId));
