// PATCH /api/v1/teams/{slug}: change a team's name, description or colour.
import { handle } from "@/lib/core/http/handler";
import { updateTeam, updateTeamContract } from "@/lib/org";

export const PATCH = handle(updateTeamContract, ({ actor, params, body, requestId }) => updateTeam(actor, params.slug, body, requestId));
