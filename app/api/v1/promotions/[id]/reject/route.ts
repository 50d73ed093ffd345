// POST /api/v1/promotions/{id}/reject.
import { handle } from "@/lib/core/http/handler";
import { decidePromotion, rejectPromotionContract } from "@/lib/delivery";

export const POST = handle(rejectPromotionContract, ({ actor, params, body, requestId }) => decidePromotion(actor, params.id, "reject", body, requestId));
