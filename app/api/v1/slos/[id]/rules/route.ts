// GET /api/v1/slos/{id}/rules: the SLO's Prometheus rule file.
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { env } from "@/lib/core/env";
import { sloRules, sloRulesContract } from "@/lib/slos";

export const GET = handle(sloRulesContract, ({ params, request }) => sloRules(db(), params.id, { baseUrl: env().authUrl ?? new URL(request.url).origin }));
