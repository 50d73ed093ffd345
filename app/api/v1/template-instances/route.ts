// GET /api/v1/template-instances: instances, filtered by template, repository, team, status.
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { listInstances, listInstancesContract } from "@/lib/templates";

export const GET = handle(listInstancesContract, async ({ query }) => ({ items: await listInstances(db(), query) }));
