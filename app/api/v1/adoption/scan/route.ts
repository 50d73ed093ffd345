// POST /api/v1/adoption/scan: scan every repository for catalog templates in use.
import { handle } from "@/lib/core/http/handler";
import { requestAdoptionScan, scanAdoptionContract } from "@/lib/templates";

export const POST = handle(scanAdoptionContract, ({ actor, requestId }) => requestAdoptionScan(actor, requestId));
