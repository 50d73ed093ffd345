// POST /api/v1/deployments/{id}/rollback: previous versions, dependents first, reverted in git.
import { handle } from "@/lib/core/http/handler";
import { rollbackDeployment, rollbackDeploymentContract } from "@/lib/delivery";

export const POST = handle(rollbackDeploymentContract, ({ actor, params, query, requestId }) => rollbackDeployment(actor, params.id, query.scope, requestId));
