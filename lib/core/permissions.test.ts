import { describe, expect, it } from "vitest";
import {
  hasPermission,
  hasPermissionOnTeam,
  PERMISSIONS,
  permissionsOf,
  roleFromDb,
  roleToDb,
  ROLE_DEFINITIONS,
  ROLES,
  type Grant,
  type Permission,
  type RoleName,
} from "./permissions.ts";

const PAYMENTS = { teamId: "team-payments", teamSlug: "payments" };
const STOREFRONT = { teamId: "team-storefront", teamSlug: "storefront" };

const grant = (role: RoleName, team = PAYMENTS): Grant => ({ role, ...team });

const READ: Permission[] = ["catalog.read", "delivery.read", "governance.read", "services.read", "slos.read", "tokens.self"];

// Written out by hand on purpose: a change to who may do what must change this table too.
const EXPECTED: Record<RoleName, Permission[]> = {
  viewer: READ,
  developer: [...READ, "promotions.request", "services.write", "slos.define", "templates.instantiate"],
  "release-manager": [...READ, "audit.read", "insights.read", "promotions.approve", "promotions.execute", "promotions.request", "services.write"],
  sre: [...READ, "audit.read", "insights.read", "jobs.read", "promotions.execute", "slos.define", "slos.write"],
  "platform-admin": Object.keys(PERMISSIONS) as Permission[],
  leadership: [...READ, "audit.read", "insights.read"],
};

describe("role → permission table", () => {
  it.each(ROLES)("%s has exactly its permissions", (role) => {
    expect(permissionsOf([grant(role)])).toEqual([...EXPECTED[role]].sort());
  });

  it("knows every role and no other", () => {
    expect([...ROLES].sort()).toEqual(Object.keys(EXPECTED).sort());
    expect(Object.keys(ROLE_DEFINITIONS).sort()).toEqual([...ROLES].sort());
  });

  it("grants nothing without a role", () => {
    expect(permissionsOf([])).toEqual([]);
    expect(hasPermission([], "tokens.self")).toBe(false);
    expect(hasPermissionOnTeam([], "services.read", PAYMENTS.teamId)).toBe(false);
  });

  it("unions the permissions of several roles", () => {
    const both = permissionsOf([grant("viewer"), grant("sre", STOREFRONT)]);
    expect(both).toEqual([...new Set([...EXPECTED.viewer, ...EXPECTED.sre])].sort());
  });
});

describe("hasPermission (route level)", () => {
  it("is true when any grant gives the permission, wherever its team", () => {
    expect(hasPermission([grant("developer", STOREFRONT)], "services.write")).toBe(true);
    expect(hasPermission([grant("viewer"), grant("platform-admin", STOREFRONT)], "teams.manage")).toBe(true);
  });

  it("is false when no grant gives it", () => {
    expect(hasPermission([grant("viewer")], "services.write")).toBe(false);
    expect(hasPermission([grant("release-manager"), grant("sre")], "teams.manage")).toBe(false);
    expect(hasPermission([grant("leadership")], "jobs.read")).toBe(false);
  });
});

describe("hasPermissionOnTeam (object level)", () => {
  it("limits a team-scoped role to its own team", () => {
    expect(ROLE_DEFINITIONS.developer.scope).toBe("team");
    const dev = [grant("developer", PAYMENTS)];
    expect(hasPermissionOnTeam(dev, "services.write", PAYMENTS.teamId)).toBe(true);
    expect(hasPermissionOnTeam(dev, "services.write", STOREFRONT.teamId)).toBe(false);
    expect(hasPermissionOnTeam(dev, "templates.instantiate", STOREFRONT.teamId)).toBe(false);
  });

  it("lets organisation-scoped roles act on every team", () => {
    for (const role of ["viewer", "release-manager", "sre", "platform-admin", "leadership"] as const) {
      expect(ROLE_DEFINITIONS[role].scope).toBe("organisation");
      expect(hasPermissionOnTeam([grant(role, PAYMENTS)], "services.read", STOREFRONT.teamId)).toBe(true);
    }
    expect(hasPermissionOnTeam([grant("release-manager", PAYMENTS)], "services.write", STOREFRONT.teamId)).toBe(true);
  });

  it("never gives a permission the role lacks, even on its own team", () => {
    expect(hasPermissionOnTeam([grant("developer", PAYMENTS)], "promotions.approve", PAYMENTS.teamId)).toBe(false);
    expect(hasPermissionOnTeam([grant("viewer", PAYMENTS)], "services.write", PAYMENTS.teamId)).toBe(false);
  });

  it("combines a team role in one team with an organisation role", () => {
    const grants = [grant("developer", PAYMENTS), grant("viewer", STOREFRONT)];
    expect(hasPermissionOnTeam(grants, "services.write", PAYMENTS.teamId)).toBe(true);
    expect(hasPermissionOnTeam(grants, "services.write", STOREFRONT.teamId)).toBe(false);
    expect(hasPermissionOnTeam(grants, "services.read", STOREFRONT.teamId)).toBe(true);
  });
});

describe("database role names", () => {
  it("round-trips every role", () => {
    for (const role of ROLES) expect(roleFromDb(roleToDb(role))).toBe(role);
    expect(roleToDb("platform-admin")).toBe("platform_admin");
    expect(roleFromDb("release_manager")).toBe("release-manager");
  });

  it("refuses unknown roles", () => {
    expect(() => roleFromDb("owner")).toThrow(/Unknown role owner/);
  });
});
