// GET /api/v1/teams/{slug}/members: a team's members and their roles.
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { listMembers, listMembersContract } from "@/lib/org";

export const GET = handle(listMembersContract, async ({ params }) => ({ items: await listMembers(db(), params.slug) }));
