// POST /api/v1/plans: a deployment or rollback plan in dependency order (writes nothing).
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { createPlanContract, planDeployment } from "@/lib/services";

export const POST = handle(createPlanContract, ({ body }) => planDeployment(db(), body));
