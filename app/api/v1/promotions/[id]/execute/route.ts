// POST /api/v1/promotions/{id}/execute: start the run.
import { handle } from "@/lib/core/http/handler";
import { executePromotion, executePromotionContract } from "@/lib/delivery";

export const POST = handle(executePromotionContract, ({ actor, params, requestId }) => executePromotion(actor, params.id, requestId));
