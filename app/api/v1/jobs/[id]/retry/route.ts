// POST /api/v1/jobs/{id}/retry: retry a failed or cancelled job.
import { handle } from "@/lib/core/http/handler";
import { retryJobContract } from "@/lib/core/jobs/contracts";
import { retryJob } from "@/lib/core/jobs/inspect";

export const POST = handle(retryJobContract, ({ actor, params, requestId }) => retryJob(actor, params.id, requestId));
