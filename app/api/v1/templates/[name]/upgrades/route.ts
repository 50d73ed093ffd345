// POST /api/v1/templates/{name}/upgrades: upgrade pull requests for every older instance.
import { handle } from "@/lib/core/http/handler";
import { bulkUpgradeContract, requestBulkUpgrade } from "@/lib/templates";

export const POST = handle(bulkUpgradeContract, ({ actor, params, body, requestId }) => requestBulkUpgrade(actor, params.name, body.version, requestId));
