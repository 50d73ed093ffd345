// GET /api/v1/compliance/violations: what the last scan found, with file and line.
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { listViolations, violationsContract } from "@/lib/policies";

export const GET = handle(violationsContract, async ({ query }) => ({ items: await listViolations(db(), query) }));
