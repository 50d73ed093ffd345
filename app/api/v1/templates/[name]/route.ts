// GET /api/v1/templates/{name}: a template, its versions, and a version's docs and parameters.
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { getTemplate, getTemplateContract } from "@/lib/templates";

export const GET = handle(getTemplateContract, ({ params, query }) => getTemplate(db(), params.name, query.version));
