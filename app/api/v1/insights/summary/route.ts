// GET /api/v1/insights/summary: the enterprise metrics and DORA keys over a period (JSON or CSV).
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { insightsSummaryContract, summaryAnswer } from "@/lib/insights";

export const GET = handle(insightsSummaryContract, ({ query, request }) => summaryAnswer(db(), query, request));
