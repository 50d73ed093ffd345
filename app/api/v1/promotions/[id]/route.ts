// GET /api/v1/promotions/{id}: with its gates, approvals and live run.
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { getPromotion, getPromotionContract } from "@/lib/delivery";

export const GET = handle(getPromotionContract, ({ params }) => getPromotion(db(), params.id));
