// GET /api/v1/openapi.json: the OpenAPI 3.1 document of /api/v1, generated from the contracts.
import { handle } from "@/lib/core/http/handler";
import { openApiContract } from "@/lib/api/contracts";
import { openApiDocument } from "@/lib/api/openapi";

export const GET = handle(openApiContract, async () => openApiDocument() as unknown as Record<string, unknown>);
