// GET, POST /api/v1/gitops/repository: the GitOps repository, and creating it from the gitops-app template.
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { createGitOpsRepositoryContract, getGitOpsRepository, getGitOpsRepositoryContract, requestGitOpsRepository } from "@/lib/gitops";

export const GET = handle(getGitOpsRepositoryContract, () => getGitOpsRepository(db()));
export const POST = handle(createGitOpsRepositoryContract, ({ actor, body, requestId }) => requestGitOpsRepository(db(), actor, body, requestId));
