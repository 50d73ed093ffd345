// GET /api/v1/adoption: which repositories use which templates, from the last scan.
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { getAdoption, getAdoptionContract } from "@/lib/templates";

export const GET = handle(getAdoptionContract, ({ query }) => getAdoption(db(), query));
