// PUT /api/v1/services/{name}/dependencies: replace what a service depends on.
import { handle } from "@/lib/core/http/handler";
import { putDependenciesContract, setDependencies } from "@/lib/services";

export const PUT = handle(putDependenciesContract, ({ actor, params, body, requestId }) => setDependencies(actor, params.name, body, requestId));
