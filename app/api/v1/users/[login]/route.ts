// PATCH /api/v1/users/{login}: rename, disable or re-enable a person.
import { handle } from "@/lib/core/http/handler";
import { updateUser, updateUserContract } from "@/lib/org";

export const PATCH = handle(updateUserContract, ({ actor, params, body, requestId }) => updateUser(actor, params.login, body, requestId));
