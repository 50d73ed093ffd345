// GET /api/v1/slos/rules: every SLO's rules in one Prometheus rule file.
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { env } from "@/lib/core/env";
import { allSloRules, allSloRulesContract } from "@/lib/slos";

export const GET = handle(allSloRulesContract, ({ query, request }) => allSloRules(db(), query, { baseUrl: env().authUrl ?? new URL(request.url).origin }));
