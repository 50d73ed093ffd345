// POST /api/v1/sandbox/repos/{owner}/{name}/pulls/{number}/merge: merge a sandbox pull request.
import { handle } from "@/lib/core/http/handler";
import { mergeSandboxPull, mergeSandboxPullContract } from "@/lib/sandbox/pull-requests";

export const POST = handle(mergeSandboxPullContract, ({ actor, params, requestId }) => mergeSandboxPull(actor, params, requestId));
