// GET/PATCH/DELETE /api/v1/services/{name}.
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { deleteService, deleteServiceContract, getService, getServiceContract, patchService, patchServiceContract } from "@/lib/services";

export const GET = handle(getServiceContract, ({ params }) => getService(db(), params.name));
export const PATCH = handle(patchServiceContract, ({ actor, params, body, requestId }) => patchService(actor, params.name, body, requestId));
export const DELETE = handle(deleteServiceContract, ({ actor, params, query, requestId }) => deleteService(actor, params.name, query, requestId));
