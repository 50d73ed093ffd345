// POST /api/v1/compliance/scan: run the compliance scan now.
import { handle } from "@/lib/core/http/handler";
import { requestComplianceScan, scanComplianceContract } from "@/lib/policies";

export const POST = handle(scanComplianceContract, ({ actor, requestId }) => requestComplianceScan(actor, requestId));
