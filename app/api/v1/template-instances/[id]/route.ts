// GET /api/v1/template-instances/{id}: one instance with its pull request and upgrades.
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { getInstanceContract, getInstanceOrThrow } from "@/lib/templates";

export const GET = handle(getInstanceContract, ({ params }) => getInstanceOrThrow(db(), params.id));
