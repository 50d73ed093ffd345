// GET /api/v1/promotions: newest first. POST: ask for a promotion (diff, plan and gates in the answer).
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { createPromotion, createPromotionContract, listPromotions, listPromotionsContract } from "@/lib/delivery";

export const GET = handle(listPromotionsContract, async ({ query }) => ({ items: await listPromotions(db(), query) }));
export const POST = handle(createPromotionContract, ({ actor, body, requestId }) => createPromotion(actor, body, requestId));
