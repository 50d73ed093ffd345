// POST /api/v1/slos/rules/commit: every SLO's rules, committed to the GitOps repository's monitoring/slos/.
import { handle } from "@/lib/core/http/handler";
import { env } from "@/lib/core/env";
import { commitSloRules, commitSloRulesContract } from "@/lib/slos";

export const POST = handle(commitSloRulesContract, ({ actor, request, requestId }) => commitSloRules(actor, { baseUrl: env().authUrl ?? new URL(request.url).origin, requestId }));
