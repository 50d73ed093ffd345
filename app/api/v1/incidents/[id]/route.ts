// GET /api/v1/incidents/{id}: an incident with its timeline of decisions and its remediations.
import { db } from "@/lib/core/db/client";
import { handle } from "@/lib/core/http/handler";
import { getIncident, getIncidentContract } from "@/lib/incidents";

export const GET = handle(getIncidentContract, ({ params }) => getIncident(db(), params.id));
