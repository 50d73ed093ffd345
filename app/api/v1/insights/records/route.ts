// GET /api/v1/insights/records: the records behind a number, a page at a time (or all as CSV).
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { insightsRecordsContract, recordsAnswer } from "@/lib/insights";

export const GET = handle(insightsRecordsContract, ({ query, request }) => recordsAnswer(db(), query, request));
