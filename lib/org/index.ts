// The organisation: teams, people, memberships and personal API tokens.
export * from "./schemas.ts";
export * from "./contracts.ts";
export { listTeams, getTeamOrThrow, createTeam, updateTeam, listMembers, setMemberRoles, removeMember } from "./teams.ts";
export { listUsers, getUserDto, createUser, updateUser, toUserDto } from "./users.ts";
export { listTokens, createToken, revokeToken, issueTokenFromCli } from "./tokens.ts";
