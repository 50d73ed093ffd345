// GET /api/v1/tokens: your API tokens. POST /api/v1/tokens: create one (shown once).
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { createToken, createTokenContract, listTokens, listTokensContract } from "@/lib/org";

export const GET = handle(listTokensContract, async ({ actor }) => ({ items: await listTokens(db(), actor) }));
export const POST = handle(createTokenContract, ({ actor, body, requestId }) => createToken(actor, body, requestId));
