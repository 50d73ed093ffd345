// GET /api/v1/audit/verify: verify the audit hash chain end to end.
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { verifyAuditChain, verifyAuditContract } from "@/lib/audit";

export const GET = handle(verifyAuditContract, () => verifyAuditChain(db()));
