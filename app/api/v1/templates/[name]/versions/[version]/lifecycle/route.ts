// PUT /api/v1/templates/{name}/versions/{version}/lifecycle: change a version's lifecycle.
import { handle } from "@/lib/core/http/handler";
import { setLifecycleContract, setVersionLifecycle, toVersionSummary } from "@/lib/templates";

export const PUT = handle(setLifecycleContract, async ({ actor, params, body, requestId }) =>
  toVersionSummary(await setVersionLifecycle(actor, params.name, params.version, body, requestId)),
);
