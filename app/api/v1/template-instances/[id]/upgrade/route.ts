// POST /api/v1/template-instances/{id}/upgrade: open an upgrade pull request.
import { handle } from "@/lib/core/http/handler";
import { requestUpgrade, upgradeInstanceContract } from "@/lib/templates";

export const POST = handle(upgradeInstanceContract, ({ actor, params, body, requestId }) => requestUpgrade(actor, params.id, body.version, requestId));
