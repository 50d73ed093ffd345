// GET /api/v1/incidents: incidents in a time window, filtered by service and status.
import { db } from "@/lib/core/db/client";
import { handle } from "@/lib/core/http/handler";
import { listIncidents, listIncidentsContract } from "@/lib/incidents";

export const GET = handle(listIncidentsContract, ({ query }) => listIncidents(db(), query));
