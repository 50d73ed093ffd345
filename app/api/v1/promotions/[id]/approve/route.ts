// POST /api/v1/promotions/{id}/approve.
import { handle } from "@/lib/core/http/handler";
import { approvePromotionContract, decidePromotion } from "@/lib/delivery";

export const POST = handle(approvePromotionContract, ({ actor, params, body, requestId }) => decidePromotion(actor, params.id, "approve", body, requestId));
