// PATCH /api/v1/environments/{name}: delivery settings of an environment (platform admins).
import { handle } from "@/lib/core/http/handler";
import { patchEnvironment, patchEnvironmentContract } from "@/lib/gitops";

export const PATCH = handle(patchEnvironmentContract, ({ actor, params, body, requestId }) => patchEnvironment(actor, params.name, body, requestId));
