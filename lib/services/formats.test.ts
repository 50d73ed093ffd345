import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AppError } from "../core/errors.ts";
import { parseBackstageCatalog, parseDeploymentConfig, parseEntityRef, parseImport, writeDeploymentConfig, type ExportedService } from "./formats.ts";

const SEED = readFileSync(path.resolve(import.meta.dirname, "../../tests/fixtures/graph/deployment-config.yaml"), "utf8");

function issuesOf(fn: () => unknown): { message: string; details: { issues: { path: unknown[]; message: string; line?: number; column?: number }[] } } {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as never;
  }
  throw new Error("expected an error");
}

describe("deployment-config.yaml", () => {
  it("reads the seed's file", () => {
    const parsed = parseDeploymentConfig(SEED);
    expect(parsed.services.map((s) => s.name)).toEqual(["database", "backend-api", "frontend", "worker-service"]);
    expect(parsed.services[1]).toMatchObject({ dependsOn: ["database"], strategy: "blue_green", healthCheckPath: "/api/health", migrationScripts: ["db-migration.sql"], line: 8 });
    expect(parsed.services[2]).toMatchObject({ strategy: "canary", trafficSteps: [10, 50, 100] });
    expect(parsed.services[3]?.dependsOn).toEqual(["database", "backend-api"]);
  });

  it("writes the seed's file back in the seed's style", () => {
    const services: ExportedService[] = parseDeploymentConfig(SEED).services.map((s) => ({
      name: s.name,
      dependsOn: s.dependsOn,
      strategy: s.strategy ?? "rolling",
      healthCheckPath: s.healthCheckPath ?? "/health",
      migrationScripts: s.migrationScripts ?? [],
      trafficSteps: s.trafficSteps ?? [],
    }));
    const normalise = (t: string) =>
      t
        .split("\n")
        .filter((l) => !l.startsWith("#"))
        .map((l) => l.trimEnd())
        .join("\n")
        .trim();
    // Written in any order, it comes out in deployment order, as the seed lists it.
    expect(normalise(writeDeploymentConfig([...services].reverse()))).toBe(normalise(SEED));
  });

  it("round-trips any acyclic graph with Paved's fields: write, read, write gives the same text", () => {
    const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);
    fc.assert(
      fc.property(fc.uniqueArray(name, { minLength: 1, maxLength: 12 }), fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 30 }), (names, pairs) => {
        const deps = new Map(names.map((n) => [n, new Set<string>()]));
        for (const [a, b] of pairs) {
          const i = a % names.length;
          const j = b % names.length;
          if (i > j) deps.get(names[i]!)!.add(names[j]!);
        }
        const services: ExportedService[] = names.map((n, i) => ({
          name: n,
          dependsOn: [...deps.get(n)!],
          strategy: (["rolling", "blue_green", "canary"] as const)[i % 3]!,
          healthCheckPath: `/h${i}`,
          migrationScripts: i % 2 ? [`m${i}.sql`] : [],
          trafficSteps: i % 3 === 2 ? [5, 100] : [],
          owner: "payments",
          description: i % 2 ? `Service "${n}": it does things` : "",
          repository: `acme/${n}`,
          pathGlobs: [`services/${n}/**`],
          environments: ["dev", "production"],
        }));
        const text = writeDeploymentConfig(services, { paved: true });
        const read = parseDeploymentConfig(text).services;
        const again = writeDeploymentConfig(
          read.map((s) => ({
            name: s.name,
            dependsOn: s.dependsOn,
            strategy: s.strategy!,
            healthCheckPath: s.healthCheckPath!,
            migrationScripts: s.migrationScripts ?? [],
            trafficSteps: s.trafficSteps ?? [],
            owner: s.owner!,
            description: s.description ?? "",
            repository: s.repository ?? null,
            pathGlobs: s.pathGlobs ?? [],
            environments: s.environments ?? [],
          })),
          { paved: true },
        );
        expect(again).toBe(text);
      }),
      { numRuns: 100 },
    );
  });

  it("reports YAML that does not parse with its line and column", () => {
    const err = issuesOf(() => parseDeploymentConfig("services:\n  api:\n    dependencies: [database\n  web: {}\n"));
    expect(err.message).toMatch(/^The YAML does not parse at line \d+, column \d+/);
    expect(err.details.issues[0]).toMatchObject({ line: expect.any(Number), column: expect.any(Number) });
  });

  it("names the line of a misspelt field, an unknown strategy and a bad service name", () => {
    const err = issuesOf(() => parseDeploymentConfig("services:\n  api:\n    dependencies: []\n    deployment_stratgy: rolling\n  web:\n    deployment_strategy: big_bang\n  Bad_Name: {}\n"));
    const byPath = Object.fromEntries(err.details.issues.map((i) => [i.path.join("."), i.line]));
    expect(byPath["services.api.deployment_stratgy"]).toBe(4);
    expect(byPath["services.web.deployment_strategy"]).toBe(6);
    expect(Object.keys(byPath).some((k) => k.includes("Bad_Name"))).toBe(true);
  });

  it("refuses duplicate keys, an empty file and traffic steps that do not end at 100", () => {
    expect(issuesOf(() => parseDeploymentConfig("services:\n  api: {}\n  api: {}\n")).message).toMatch(/line 3/);
    expect(issuesOf(() => parseImport("  \n", "auto")).message).toContain("empty");
    expect(issuesOf(() => parseDeploymentConfig("services:\n  api:\n    traffic_split: [10, 50]\n")).details.issues[0]?.line).toBe(3);
  });

  // Found by tests/resilience/fuzz.res.test.ts: these answered 500 from POST /api/v1/graph/import.
  it("refuses an alias bomb and a merge of an alias that does not exist as bad input", () => {
    const bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 12; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(",")}]`);
    for (const text of [bomb.join("\n"), "<<: *undefined"]) {
      for (const format of ["deployment-config", "backstage", "auto"] as const) {
        const err = issuesOf(() => parseImport(text, format));
        expect((err as unknown as AppError).code).toBe("invalid_input");
      }
    }
  });
});

describe("Backstage catalog", () => {
  const catalog = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: orders-api
  description: Takes orders
  annotations:
    github.com/project-slug: acme/orders-api
spec:
  type: service
  owner: group:default/payments
  dependsOn:
    - resource:default/orders-db
    - component:auth-service
    - api:payments-api
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata:
  name: orders-db
spec:
  type: database
  owner: payments
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: shop
spec:
  owner: storefront
`;

  it("reads Components and Resources with their dependsOn and owner, and says what it ignored", () => {
    const parsed = parseImport(catalog, "auto");
    expect(parsed.format).toBe("backstage");
    expect(parsed.services).toEqual([
      expect.objectContaining({ name: "orders-api", owner: "payments", dependsOn: ["orders-db", "auth-service"], description: "Takes orders", repository: "acme/orders-api", line: 4 }),
      expect.objectContaining({ name: "orders-db", owner: "payments", dependsOn: [] }),
    ]);
    expect(parsed.ignored.map((i) => i.entity)).toEqual(["Component:orders-api → api:payments-api", "System:shop"]);
  });

  it("parses entity references", () => {
    expect(parseEntityRef("component:default/backend-api")).toEqual({ kind: "component", name: "backend-api" });
    expect(parseEntityRef("resource:database")).toEqual({ kind: "resource", name: "database" });
    expect(parseEntityRef("ledger")).toEqual({ kind: "component", name: "ledger" });
    expect(parseEntityRef("group:default/payments", "group")).toEqual({ kind: "group", name: "payments" });
  });

  it("refuses an entity defined twice and a name that cannot be a service", () => {
    const twice = `${catalog.split("---")[1]}---${catalog.split("---")[1]}`;
    expect(issuesOf(() => parseBackstageCatalog(twice)).message).toContain("defined twice");
    expect(issuesOf(() => parseBackstageCatalog("apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: Orders_API\n")).message).toContain("not a valid service name");
  });
});
