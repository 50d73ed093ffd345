// GET /api/v1/teams: list teams. POST /api/v1/teams: create a team.
import { handle } from "@/lib/core/http/handler";
import { db } from "@/lib/core/db/client";
import { createTeam, createTeamContract, listTeams, listTeamsContract } from "@/lib/org";

export const GET = handle(listTeamsContract, async () => ({ items: await listTeams(db()) }));
export const POST = handle(createTeamContract, ({ actor, body, requestId }) => createTeam(actor, body, requestId));
