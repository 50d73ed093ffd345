// DELETE /api/v1/tokens/{id}: revoke one of your API tokens.
import { handle } from "@/lib/core/http/handler";
import { revokeToken, revokeTokenContract } from "@/lib/org";

export const DELETE = handle(revokeTokenContract, async ({ actor, params, requestId }) => {
  await revokeToken(actor, params.id, requestId);
  return null;
});
