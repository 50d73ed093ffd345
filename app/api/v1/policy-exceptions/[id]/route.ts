// DELETE /api/v1/policy-exceptions/{id}: revoke an exception before it expires.
import { handle } from "@/lib/core/http/handler";
import { revokeException, revokeExceptionContract } from "@/lib/policies";

export const DELETE = handle(revokeExceptionContract, ({ actor, params, requestId }) => revokeException(actor, params.id, requestId));
