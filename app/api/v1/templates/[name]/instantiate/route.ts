// POST /api/v1/templates/{name}/instantiate: queue an instance (pull request or new repository).
import { handle } from "@/lib/core/http/handler";
import { instantiateTemplateContract, requestInstantiation } from "@/lib/templates";

export const POST = handle(instantiateTemplateContract, async ({ actor, params, body, requestId }) => (await requestInstantiation(actor, params.name, body, requestId)).instance);
