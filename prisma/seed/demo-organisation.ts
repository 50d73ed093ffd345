// The demo organisation that sandbox mode starts with: three teams, a person for every role,
// the service graph of the seed document plus ten more services, three environments and a few
// SLOs (demo-slos.ts).
// Seeded once, into an empty database, in one transaction with its audit event.
import type { Db } from "../../lib/core/db/client.ts";
import { recordAudit } from "../../lib/core/audit/record.ts";
import { SYSTEM_ACTOR } from "../../lib/core/auth/actor.ts";
import type { RoleName } from "../../lib/core/permissions.ts";
import { roleToDb } from "../../lib/core/permissions.ts";
import { DEMO_SLOS, seedDemoSlos } from "./demo-slos.ts";

export const DEMO_TEAMS = [
  { slug: "payments", name: "Payments", color: "#0ea5e9", description: "Payment processing, ledger and fraud detection." },
  { slug: "storefront", name: "Storefront", color: "#f59e0b", description: "The shop customers see: web, catalog, search, checkout." },
  { slug: "platform", name: "Platform", color: "#8b5cf6", description: "The paved road: shared infrastructure, templates and delivery." },
] as const;

type TeamSlug = (typeof DEMO_TEAMS)[number]["slug"];

export const DEMO_USERS: { login: string; name: string; team: TeamSlug; role: RoleName; title: string }[] = [
  { login: "alice", name: "Alice Martin", team: "platform", role: "platform-admin", title: "Runs the platform" },
  { login: "bob", name: "Bob Chen", team: "payments", role: "developer", title: "Builds payment services" },
  { login: "carol", name: "Carol Diaz", team: "platform", role: "release-manager", title: "Ships releases to production" },
  { login: "frank", name: "Frank Osei", team: "storefront", role: "release-manager", title: "Ships releases to production" },
  { login: "dave", name: "Dave Kowalski", team: "platform", role: "sre", title: "Keeps production healthy" },
  { login: "erin", name: "Erin Park", team: "platform", role: "leadership", title: "VP Engineering" },
  { login: "victor", name: "Victor Nguyen", team: "storefront", role: "viewer", title: "Product manager, read-only" },
];

interface DemoService {
  name: string;
  team: TeamSlug;
  description: string;
  dependsOn: string[];
  strategy: "rolling" | "blue_green" | "canary";
  healthCheckPath: string;
  trafficSteps?: number[];
  migrationScripts?: string[];
}

/** The first four are the seed document's deployment-config.yaml, exactly. */
export const DEMO_SERVICES: DemoService[] = [
  { name: "database", team: "platform", description: "Primary PostgreSQL cluster.", dependsOn: [], strategy: "rolling", healthCheckPath: "/health" },
  {
    name: "backend-api",
    team: "payments",
    description: "Core REST API.",
    dependsOn: ["database"],
    strategy: "blue_green",
    healthCheckPath: "/api/health",
    migrationScripts: ["db-migration.sql"],
  },
  {
    name: "frontend",
    team: "storefront",
    description: "Customer-facing web app.",
    dependsOn: ["backend-api"],
    strategy: "canary",
    healthCheckPath: "/health",
    trafficSteps: [10, 50, 100],
  },
  {
    name: "worker-service",
    team: "payments",
    description: "Background processing of payments and notifications.",
    dependsOn: ["database", "backend-api"],
    strategy: "rolling",
    healthCheckPath: "/worker/health",
  },
  { name: "message-broker", team: "platform", description: "Event bus shared by all services.", dependsOn: [], strategy: "rolling", healthCheckPath: "/health" },
  { name: "auth-service", team: "platform", description: "Sign-in and service-to-service tokens.", dependsOn: ["database"], strategy: "blue_green", healthCheckPath: "/health" },
  {
    name: "api-gateway",
    team: "platform",
    description: "Edge routing, rate limits and authentication.",
    dependsOn: ["auth-service", "backend-api"],
    strategy: "rolling",
    healthCheckPath: "/healthz",
  },
  { name: "ledger", team: "payments", description: "Double-entry ledger of every payment.", dependsOn: ["database", "message-broker"], strategy: "rolling", healthCheckPath: "/health", migrationScripts: ["ledger-schema.sql"] },
  {
    name: "payments-gateway",
    team: "payments",
    description: "Card and wallet payments with the acquirers.",
    dependsOn: ["backend-api", "ledger"],
    strategy: "blue_green",
    healthCheckPath: "/health",
  },
  {
    name: "fraud-detection",
    team: "payments",
    description: "Scores payments for fraud in real time.",
    dependsOn: ["ledger", "message-broker"],
    strategy: "canary",
    healthCheckPath: "/health",
    trafficSteps: [5, 25, 100],
  },
  { name: "catalog-service", team: "storefront", description: "Products, prices and stock.", dependsOn: ["database"], strategy: "rolling", healthCheckPath: "/health" },
  {
    name: "search-service",
    team: "storefront",
    description: "Product search and facets.",
    dependsOn: ["catalog-service"],
    strategy: "canary",
    healthCheckPath: "/health",
    trafficSteps: [10, 50, 100],
  },
  {
    name: "checkout-web",
    team: "storefront",
    description: "Basket and checkout pages.",
    dependsOn: ["frontend", "payments-gateway", "catalog-service"],
    strategy: "canary",
    healthCheckPath: "/health",
    trafficSteps: [10, 25, 50, 100],
  },
  {
    name: "notification-service",
    team: "platform",
    description: "E-mail, SMS and push notifications.",
    dependsOn: ["message-broker", "worker-service"],
    strategy: "rolling",
    healthCheckPath: "/health",
  },
];

export const DEMO_ENVIRONMENTS = [
  { name: "dev", displayName: "Development", position: 1, protected: false, requiredApprovals: 0 },
  { name: "staging", displayName: "Staging", position: 2, protected: false, requiredApprovals: 0 },
  { name: "production", displayName: "Production", position: 3, protected: true, requiredApprovals: 1, promotionMode: "pull_request" },
] as const;

/** Seeds the demo organisation if the database has no teams yet. Returns whether it seeded. */
export async function seedDemoOrganisation(db: Db): Promise<boolean> {
  return db.$transaction(
    async (tx) => {
      if ((await tx.team.count()) > 0) return false;
      const teams = new Map<string, string>();
      for (const t of DEMO_TEAMS) {
        const team = await tx.team.create({ data: { slug: t.slug, name: t.name, description: t.description, color: t.color } });
        teams.set(t.slug, team.id);
      }
      const teamId = (slug: string) => {
        const id = teams.get(slug);
        if (!id) throw new Error(`unknown team ${slug}`);
        return id;
      };
      for (const u of DEMO_USERS) {
        await tx.user.create({
          data: {
            login: u.login,
            name: u.name,
            email: `${u.login}@demo.paved.dev`,
            isDemo: true,
            memberships: { create: { teamId: teamId(u.team), role: roleToDb(u.role) } },
          },
        });
      }
      const services = new Map<string, string>();
      for (const s of DEMO_SERVICES) {
        const created = await tx.service.create({
          data: {
            name: s.name,
            teamId: teamId(s.team),
            description: s.description,
            repository: `demo/${s.name}`,
            strategy: s.strategy,
            healthCheckPath: s.healthCheckPath,
            trafficSteps: s.trafficSteps ?? [],
            migrationScripts: s.migrationScripts ?? [],
            pathGlobs: [`services/${s.name}/**`],
            environments: DEMO_ENVIRONMENTS.map((e) => e.name),
          },
        });
        services.set(s.name, created.id);
      }
      await tx.serviceDependency.createMany({
        data: DEMO_SERVICES.flatMap((s) =>
          s.dependsOn.map((d) => {
            const serviceId = services.get(s.name);
            const dependsOnId = services.get(d);
            if (!serviceId || !dependsOnId) throw new Error(`unknown service in ${s.name} -> ${d}`);
            return { serviceId, dependsOnId };
          }),
        ),
      });
      await tx.environment.createMany({ data: DEMO_ENVIRONMENTS.map((e) => ({ ...e })) });
      await seedDemoSlos(tx);
      await recordAudit(tx, SYSTEM_ACTOR, {
        action: "organisation.seeded",
        target: { type: "organisation", id: "demo", label: "Demo organisation" },
        payload: {
          teams: DEMO_TEAMS.length,
          users: DEMO_USERS.map((u) => u.login),
          services: DEMO_SERVICES.length,
          environments: DEMO_ENVIRONMENTS.map((e) => e.name),
          slos: DEMO_SLOS.length,
        },
      });
      return true;
    },
    { timeout: 60_000, maxWait: 20_000 },
  );
}
