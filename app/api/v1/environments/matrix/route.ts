// GET /api/v1/environments/matrix: every service in every environment.
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { environmentsMatrix, gitOpsEngine, matrixContract } from "@/lib/delivery";
import { gitHost } from "@/lib/integrations/git-host";

export const GET = handle(matrixContract, ({ query }) => environmentsMatrix(db(), gitOpsEngine(), gitHost(), query));
