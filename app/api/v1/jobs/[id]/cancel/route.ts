// POST /api/v1/jobs/{id}/cancel: cancel a job that has not finished.
import { handle } from "@/lib/core/http/handler";
import { cancelJobContract } from "@/lib/core/jobs/contracts";
import { cancelJob } from "@/lib/core/jobs/inspect";

export const POST = handle(cancelJobContract, ({ actor, params, requestId }) => cancelJob(actor, params.id, requestId));
