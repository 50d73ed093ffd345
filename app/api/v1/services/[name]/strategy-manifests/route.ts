// POST /api/v1/services/{name}/strategy-manifests: the service's strategy, written into git.
import { handle } from "@/lib/core/http/handler";
import { writeStrategyContract, writeStrategyManifests } from "@/lib/delivery";

export const POST = handle(writeStrategyContract, ({ actor, params, body, requestId }) => writeStrategyManifests(actor, params.name, body, requestId));
