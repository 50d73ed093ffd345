// GET /api/v1/audit: audit events, filtered and paged.
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { listAuditContract, listAuditEvents } from "@/lib/audit";

export const GET = handle(listAuditContract, ({ query }) => listAuditEvents(db(), query));
