// Shapes of teams, people, memberships and API tokens, shared by routes, forms and tests.
import { z } from "zod";
import { PERMISSIONS, ROLES } from "../core/permissions.ts";

export const RoleSchema = z.enum(ROLES).meta({ id: "Role" });
export const PermissionSchema = z.enum(Object.keys(PERMISSIONS) as [keyof typeof PERMISSIONS, ...(keyof typeof PERMISSIONS)[]]);

export const Slug = z
  .string()
  .min(2)
  .max(40)
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "lower-case letters, digits and single hyphens");

export const Login = z
  .string()
  .min(1)
  .max(39)
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/, "a GitHub-style login: letters, digits and hyphens")
  .transform((s) => s.toLowerCase());

export const GrantDto = z.object({ role: RoleSchema, team: z.string() }).meta({ id: "Grant" });

export const TeamDto = z
  .object({
    id: z.string(),
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    color: z.string(),
    memberCount: z.number().int(),
    serviceCount: z.number().int(),
    createdAt: z.string(),
  })
  .meta({ id: "Team" });
export type TeamDto = z.infer<typeof TeamDto>;

export const CreateTeamBody = z
  .object({
    slug: Slug,
    name: z.string().trim().min(1).max(80),
    description: z.string().max(500).default(""),
    color: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/, "a colour like #0ea5e9")
      .default("#6366f1"),
  })
  .strict();

export const UpdateTeamBody = z
  .object({
    name: z.string().trim().min(1).max(80).optional(),
    description: z.string().max(500).optional(),
    color: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/, "a colour like #0ea5e9")
      .optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, "Send at least one field to change.");

export const TeamParams = z.object({ slug: Slug });
export const MemberParams = z.object({ slug: Slug, login: Login });

export const UserDto = z
  .object({
    id: z.string(),
    login: z.string(),
    name: z.string(),
    email: z.string().nullable(),
    avatarUrl: z.string().nullable(),
    isDemo: z.boolean(),
    disabled: z.boolean(),
    lastSeenAt: z.string().nullable(),
    grants: z.array(GrantDto),
  })
  .meta({ id: "User" });
export type UserDto = z.infer<typeof UserDto>;

export const MemberDto = z
  .object({ login: z.string(), name: z.string(), avatarUrl: z.string().nullable(), roles: z.array(RoleSchema), disabled: z.boolean() })
  .meta({ id: "Member" });
export type MemberDto = z.infer<typeof MemberDto>;

export const SetMemberRolesBody = z
  .object({ roles: z.array(RoleSchema).min(1, "Give at least one role; to remove the member use DELETE.").max(ROLES.length) })
  .strict();

export const CreateUserBody = z
  .object({
    login: Login,
    name: z.string().trim().min(1).max(100),
    email: z.email().optional(),
    team: Slug,
    roles: z.array(RoleSchema).min(1).max(ROLES.length),
  })
  .strict();

export const UpdateUserBody = z
  .object({ name: z.string().trim().min(1).max(100).optional(), disabled: z.boolean().optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, "Send at least one field to change.");

export const UserParams = z.object({ login: Login });

export const MeDto = z
  .object({
    user: UserDto,
    permissions: z.array(PermissionSchema),
    via: z.enum(["session", "token"]),
  })
  .meta({ id: "Me" });

export const TokenDto = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    status: z.enum(["active", "expired", "revoked"]),
  })
  .meta({ id: "ApiToken" });
export type TokenDto = z.infer<typeof TokenDto>;

export const CreateTokenBody = z
  .object({
    name: z.string().trim().min(1).max(80),
    expiresInDays: z.number().int().min(1).max(365).nullable().default(90).meta({ description: "null: never expires." }),
  })
  .strict();

export const CreatedTokenDto = TokenDto.extend({
  token: z.string().meta({ description: "Shown once: store it now." }),
}).meta({ id: "CreatedApiToken" });

export const TokenParams = z.object({ id: z.uuid("a token id") });
