// GET /api/v1/deployments: the timeline's data.
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { listDeployments, listDeploymentsContract } from "@/lib/delivery";

export const GET = handle(listDeploymentsContract, ({ query }) => listDeployments(db(), query));
