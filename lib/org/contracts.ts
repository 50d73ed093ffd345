// HTTP contracts of the organisation: who am I, teams, members, people, API tokens.
import { z } from "zod";
import { defineContract } from "../core/http/contract.ts";
import {
  CreatedTokenDto,
  CreateTeamBody,
  CreateTokenBody,
  CreateUserBody,
  MemberDto,
  MemberParams,
  MeDto,
  SetMemberRolesBody,
  TeamDto,
  TeamParams,
  TokenDto,
  TokenParams,
  UpdateTeamBody,
  UpdateUserBody,
  UserDto,
  UserParams,
} from "./schemas.ts";

export const meContract = defineContract({
  method: "GET",
  path: "/api/v1/me",
  tag: "Organisation",
  summary: "The signed-in user, their roles and permissions",
  access: "authenticated",
  response: MeDto,
});

export const listTeamsContract = defineContract({
  method: "GET",
  path: "/api/v1/teams",
  tag: "Organisation",
  summary: "List teams",
  access: "services.read",
  response: z.object({ items: z.array(TeamDto) }),
});

export const createTeamContract = defineContract({
  method: "POST",
  path: "/api/v1/teams",
  tag: "Organisation",
  summary: "Create a team",
  access: "teams.manage",
  body: CreateTeamBody,
  response: TeamDto,
  status: 201,
  errors: ["conflict"],
});

export const updateTeamContract = defineContract({
  method: "PATCH",
  path: "/api/v1/teams/{slug}",
  tag: "Organisation",
  summary: "Change a team's name, description or colour",
  access: "teams.manage",
  params: TeamParams,
  body: UpdateTeamBody,
  response: TeamDto,
  errors: ["not_found"],
});

export const listMembersContract = defineContract({
  method: "GET",
  path: "/api/v1/teams/{slug}/members",
  tag: "Organisation",
  summary: "List a team's members and their roles",
  access: "services.read",
  params: TeamParams,
  response: z.object({ items: z.array(MemberDto) }),
  errors: ["not_found"],
});

export const setMemberRolesContract = defineContract({
  method: "PUT",
  path: "/api/v1/teams/{slug}/members/{login}",
  tag: "Organisation",
  summary: "Set a person's roles in a team",
  description: "Replaces the person's roles in this team (adding them to the team if needed).",
  access: "teams.manage",
  params: MemberParams,
  body: SetMemberRolesBody,
  response: MemberDto,
  errors: ["not_found", "rule_violation"],
});

export const removeMemberContract = defineContract({
  method: "DELETE",
  path: "/api/v1/teams/{slug}/members/{login}",
  tag: "Organisation",
  summary: "Remove a person from a team",
  access: "teams.manage",
  params: MemberParams,
  response: z.null(),
  status: 204,
  errors: ["not_found", "rule_violation"],
});

export const listUsersContract = defineContract({
  method: "GET",
  path: "/api/v1/users",
  tag: "Organisation",
  summary: "List people and their roles",
  access: "teams.manage",
  response: z.object({ items: z.array(UserDto) }),
});

export const createUserContract = defineContract({
  method: "POST",
  path: "/api/v1/users",
  tag: "Organisation",
  summary: "Add a person ahead of their first GitHub sign-in",
  access: "teams.manage",
  body: CreateUserBody,
  response: UserDto,
  status: 201,
  errors: ["conflict", "not_found"],
});

export const updateUserContract = defineContract({
  method: "PATCH",
  path: "/api/v1/users/{login}",
  tag: "Organisation",
  summary: "Rename, disable or re-enable a person",
  description: "A disabled person's sessions and API tokens stop working at once.",
  access: "teams.manage",
  params: UserParams,
  body: UpdateUserBody,
  response: UserDto,
  errors: ["not_found", "rule_violation"],
});

export const listTokensContract = defineContract({
  method: "GET",
  path: "/api/v1/tokens",
  tag: "API tokens",
  summary: "List your API tokens",
  access: "tokens.self",
  response: z.object({ items: z.array(TokenDto) }),
});

export const createTokenContract = defineContract({
  method: "POST",
  path: "/api/v1/tokens",
  tag: "API tokens",
  summary: "Create an API token",
  description: "The token is in this answer only; Paved stores its hash.",
  access: "tokens.self",
  body: CreateTokenBody,
  response: CreatedTokenDto,
  status: 201,
  // A person rarely needs more than a few tokens an hour; a script minting them in a loop is stopped.
  rateLimit: { bucket: "tokens.create", limit: 10, windowSeconds: 3600, by: "actor" },
});

export const revokeTokenContract = defineContract({
  method: "DELETE",
  path: "/api/v1/tokens/{id}",
  tag: "API tokens",
  summary: "Revoke one of your API tokens",
  access: "tokens.self",
  params: TokenParams,
  response: z.null(),
  status: 204,
  errors: ["not_found"],
});

export const orgContracts = [
  meContract,
  listTeamsContract,
  createTeamContract,
  updateTeamContract,
  listMembersContract,
  setMemberRolesContract,
  removeMemberContract,
  listUsersContract,
  createUserContract,
  updateUserContract,
  listTokensContract,
  createTokenContract,
  revokeTokenContract,
];
