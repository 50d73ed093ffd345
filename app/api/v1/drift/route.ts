// GET /api/v1/drift: applications whose live state differs from git.
import { handle } from "@/lib/core/http/handler";
import { gitOpsEngine, listDrift, listDriftContract } from "@/lib/delivery";

export const GET = handle(listDriftContract, () => listDrift(gitOpsEngine()));
