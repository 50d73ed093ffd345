// GET /api/v1/compliance: compliance overall, per team, policy and environment, with its trend.
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { complianceContract, getCompliance } from "@/lib/policies";

export const GET = handle(complianceContract, () => getCompliance(db()));
