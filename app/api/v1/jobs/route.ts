// GET /api/v1/jobs: background jobs, newest first.
import { handle } from "@/lib/core/http/handler";
import { listJobsContract } from "@/lib/core/jobs/contracts";
import { listJobs } from "@/lib/core/jobs/inspect";

export const GET = handle(listJobsContract, ({ query }) => listJobs(query));
