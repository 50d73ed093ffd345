// POST /api/v1/remediations/{id}/approve: approve a remediation waiting for one; it runs at once.
import { db } from "@/lib/core/db/client";
import { handle } from "@/lib/core/http/handler";
import { approveRemediation, approveRemediationContract } from "@/lib/incidents";

export const POST = handle(approveRemediationContract, ({ actor, params, body, requestId }) => approveRemediation(db(), actor, params.id, body.comment, requestId));
