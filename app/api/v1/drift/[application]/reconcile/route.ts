// POST /api/v1/drift/{application}/reconcile: sync it back to git.
import { handle } from "@/lib/core/http/handler";
import { gitOpsEngine, reconcileDrift, reconcileDriftContract } from "@/lib/delivery";

export const POST = handle(reconcileDriftContract, ({ actor, params, requestId }) => reconcileDrift(actor, gitOpsEngine(), params.application, requestId));
