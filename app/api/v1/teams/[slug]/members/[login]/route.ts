// PUT /api/v1/teams/{slug}/members/{login}: set roles. DELETE: remove from the team.
import { handle } from "@/lib/core/http/handler";
import { removeMember, removeMemberContract, setMemberRoles, setMemberRolesContract } from "@/lib/org";

export const PUT = handle(setMemberRolesContract, ({ actor, params, body, requestId }) =>
  setMemberRoles(actor, params.slug, params.login, body.roles, requestId),
);
export const DELETE = handle(removeMemberContract, async ({ actor, params, requestId }) => {
  await removeMember(actor, params.slug, params.login, requestId);
  return null;
});
