// GET /api/v1/environments: environments in promotion order.
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { listEnvironments, listEnvironmentsContract } from "@/lib/gitops";

export const GET = handle(listEnvironmentsContract, async () => ({ items: await listEnvironments(db()) }));
