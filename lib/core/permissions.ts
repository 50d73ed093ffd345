// Roles and permissions are data. A route names the one permission it needs; object rules
// (team ownership, no self-approval) live in the domain functions.
//
// Scope: a team-scoped role grants its permissions on its team's resources only; an
// organisation-scoped role grants them everywhere.

export const PERMISSIONS = {
  "catalog.read": "Browse the template catalog",
  "templates.instantiate": "Instantiate templates into repositories",
  "templates.manage": "Publish templates and move versions through their lifecycle",
  "services.read": "See services, their dependencies and environments",
  "services.write": "Create and edit services and their dependencies",
  "delivery.read": "See environments, promotions and deployments",
  "promotions.request": "Request promotions",
  "promotions.approve": "Approve or reject promotions",
  "promotions.execute": "Run promotions and roll back deployments",
  "promotions.skip": "Promote a version that has not run in the environment before the target",
  "environments.manage": "Change environment settings (protection, approvals)",
  "slos.read": "See SLOs, error budgets and incidents",
  "slos.define": "Define and change the SLOs of a team's services",
  "slos.write": "Change self-healing's settings and remediation guardrails",
  "governance.read": "See policies, violations and compliance",
  "policies.manage": "Manage policies and grant exceptions",
  "insights.read": "See leadership insights and DORA metrics",
  "audit.read": "Read the audit trail",
  "teams.manage": "Create teams and manage memberships",
  "jobs.read": "See background jobs",
  "jobs.manage": "Retry and cancel background jobs",
  "tokens.self": "Create and revoke one's own API tokens",
} as const;

export type Permission = keyof typeof PERMISSIONS;

export const ROLES = ["viewer", "developer", "release-manager", "sre", "platform-admin", "leadership"] as const;
export type RoleName = (typeof ROLES)[number];

interface RoleDefinition {
  title: string;
  description: string;
  scope: "team" | "organisation";
  permissions: readonly Permission[];
}

const READ: readonly Permission[] = [
  "catalog.read",
  "services.read",
  "delivery.read",
  "slos.read",
  "governance.read",
  "tokens.self",
];

export const ROLE_DEFINITIONS = {
  viewer: {
    title: "Viewer",
    description: "Reads the catalog, services, delivery, SLOs and governance.",
    scope: "organisation",
    permissions: READ,
  },
  developer: {
    title: "Developer",
    description: "Instantiates templates, edits services, defines their SLOs and requests promotions for their own team.",
    scope: "team",
    permissions: [...READ, "templates.instantiate", "services.write", "slos.define", "promotions.request"],
  },
  "release-manager": {
    title: "Release manager",
    description: "Edits the dependency graph, approves and runs promotions, rolls back.",
    scope: "organisation",
    permissions: [
      ...READ,
      "services.write",
      "promotions.request",
      "promotions.approve",
      "promotions.execute",
      "insights.read",
      "audit.read",
    ],
  },
  sre: {
    title: "SRE",
    description: "Owns SLOs, alerting and self-healing; rolls back.",
    scope: "organisation",
    permissions: [...READ, "slos.define", "slos.write", "promotions.execute", "insights.read", "audit.read", "jobs.read"],
  },
  "platform-admin": {
    title: "Platform admin",
    description: "Runs the platform: templates, policies, environments, teams, integrations, jobs.",
    scope: "organisation",
    permissions: Object.keys(PERMISSIONS) as Permission[],
  },
  leadership: {
    title: "Leadership",
    description: "Reads insights, compliance and the audit trail.",
    scope: "organisation",
    permissions: [...READ, "insights.read", "audit.read"],
  },
} as const satisfies Record<RoleName, RoleDefinition>;

/** A role held in a team (see the Membership table). */
export interface Grant {
  role: RoleName;
  teamId: string;
  teamSlug: string;
}

/** Whether any grant gives `permission` at all (the route-level check). */
export function hasPermission(grants: readonly Grant[], permission: Permission): boolean {
  return grants.some((g) => (ROLE_DEFINITIONS[g.role].permissions as readonly Permission[]).includes(permission));
}

/**
 * Whether the grants give `permission` on a resource owned by `teamId` (the object-level check).
 * Organisation-scoped roles apply to every team; team-scoped roles only to their own.
 */
export function hasPermissionOnTeam(grants: readonly Grant[], permission: Permission, teamId: string): boolean {
  return grants.some((g) => {
    const def = ROLE_DEFINITIONS[g.role];
    if (!(def.permissions as readonly Permission[]).includes(permission)) return false;
    return def.scope === "organisation" || g.teamId === teamId;
  });
}

/** Every permission the grants give, sorted (for the UI and /api/v1/me). */
export function permissionsOf(grants: readonly Grant[]): Permission[] {
  const set = new Set<Permission>();
  for (const g of grants) for (const p of ROLE_DEFINITIONS[g.role].permissions) set.add(p);
  return [...set].sort();
}

/** Database enum values use underscores; the API and UI use the hyphenated role names. */
export function roleFromDb(value: string): RoleName {
  const name = value.replace(/_/g, "-");
  if (!(ROLES as readonly string[]).includes(name)) throw new Error(`Unknown role ${value}`);
  return name as RoleName;
}

export function roleToDb<T extends string>(role: RoleName): T {
  return role.replace(/-/g, "_") as T;
}
