// GET /api/v1/insights/teams: the same numbers per team (JSON or CSV).
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { insightsTeamsContract, teamsAnswer } from "@/lib/insights";

export const GET = handle(insightsTeamsContract, ({ query, request }) => teamsAnswer(db(), query, request));
