// No Docker engine runs where the tests run, so docker-compose.yml cannot be started here. This
// test keeps it honest instead: it parses the file and checks the wiring a `docker compose up`
// depends on, plus the Dockerfile it builds.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const compose = parse(readFileSync(`${ROOT}docker-compose.yml`, "utf8")) as Compose;
const dockerfile = readFileSync(`${ROOT}Dockerfile`, "utf8");

interface Service {
  image?: string;
  build?: string | { context?: string };
  environment?: Record<string, string | number | boolean | null> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  ports?: (string | { target?: number; published?: number | string })[];
  volumes?: (string | { type?: string; source?: string; target?: string })[];
}
interface Compose {
  services?: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

/** Compose's own interpolation, for the forms this file uses: ${VAR}, ${VAR:-default}, ${VAR:?error}. */
function interpolate(value: string, vars: Record<string, string> = {}): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?:(:?[-?])([^}]*))?\}/g, (_m, name: string, op: string | undefined, arg: string | undefined) => {
    const set = vars[name];
    if (op === ":-" || op === "-") return set ?? arg ?? "";
    if (op === ":?" || op === "?") {
      if (set === undefined || set === "") throw new Error(`${name} is required: ${arg}`);
      return set;
    }
    return set ?? "";
  });
}

function environment(service: Service): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((line) => [line.split("=")[0] ?? "", line.split("=").slice(1).join("=")]));
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? "" : String(v)]));
}

function healthcheckCommand(service: Service): string {
  const test = service.healthcheck?.test;
  return Array.isArray(test) ? test.join(" ") : (test ?? "");
}

const services = compose.services ?? {};
const postgres = services.postgres;
const paved = services.paved;

describe("docker-compose.yml", () => {
  it("has a postgres and a paved service, paved built from the Dockerfile", () => {
    expect(postgres).toBeDefined();
    expect(paved).toBeDefined();
    expect(postgres?.image).toMatch(/^postgres:1[56](\b|$)/);
    const build = paved?.build;
    const context = typeof build === "string" ? build : build?.context;
    expect(context).toBe(".");
  });

  it("starts paved only once postgres is healthy", () => {
    const dependsOn = paved?.depends_on;
    expect(dependsOn).toBeDefined();
    expect(Array.isArray(dependsOn)).toBe(false);
    expect((dependsOn as Record<string, { condition?: string }>).postgres?.condition).toBe("service_healthy");
  });

  it("points DATABASE_URL at the postgres service with its database, user and password", () => {
    const pg = environment(postgres as Service);
    const app = environment(paved as Service);
    expect(app.DATABASE_URL).toBeDefined();
    // With nothing set in the shell, and with a password set: both must line up.
    const cases: Record<string, string>[] = [{}, { POSTGRES_PASSWORD: "s3cret" }];
    for (const vars of cases) {
      const url = new URL(interpolate(app.DATABASE_URL as string, vars));
      expect(url.protocol).toBe("postgresql:");
      expect(url.hostname).toBe("postgres");
      expect(url.port === "" || url.port === "5432").toBe(true);
      expect(decodeURIComponent(url.pathname.slice(1))).toBe(interpolate(pg.POSTGRES_DB as string, vars));
      expect(decodeURIComponent(url.username)).toBe(interpolate(pg.POSTGRES_USER as string, vars));
      expect(decodeURIComponent(url.password)).toBe(interpolate(pg.POSTGRES_PASSWORD as string, vars));
    }
  });

  it("requires AUTH_SECRET from the environment and turns sandbox mode on for the demo", () => {
    const app = environment(paved as Service);
    expect(app.AUTH_SECRET).toMatch(/^\$\{AUTH_SECRET:?\?/);
    expect(() => interpolate(app.AUTH_SECRET as string)).toThrow(/AUTH_SECRET is required/);
    expect(interpolate(app.AUTH_SECRET as string, { AUTH_SECRET: "x".repeat(40) })).toBe("x".repeat(40));
    expect(interpolate(app.PAVED_SANDBOX as string)).toBe("true");
  });

  it("only passes variables that Paved reads", async () => {
    const { ENV_DOCS } = await import("../../lib/core/env.ts");
    const known = new Set(Object.keys(ENV_DOCS));
    expect(Object.keys(environment(paved as Service)).filter((k) => !known.has(k))).toEqual([]);
  });

  it("gives both services a healthcheck, paved's on /api/health", () => {
    expect(healthcheckCommand(postgres as Service)).toContain("pg_isready");
    expect(healthcheckCommand(paved as Service)).toMatch(/localhost:3000\/api\/health|127\.0\.0\.1:3000\/api\/health/);
    expect(postgres?.healthcheck?.disable).not.toBe(true);
    expect(paved?.healthcheck?.disable).not.toBe(true);
  });

  it("publishes port 3000", () => {
    const ports = (paved?.ports ?? []).map((p) => (typeof p === "string" ? p : `${p.published ?? ""}:${p.target ?? ""}`));
    expect(ports.some((p) => /(^|:)3000:3000$/.test(p))).toBe(true);
  });

  it("keeps data in declared named volumes", () => {
    const declared = Object.keys(compose.volumes ?? {});
    const named = (service: Service) =>
      (service.volumes ?? []).map((v) => (typeof v === "string" ? v.split(":") : [v.source ?? "", v.target ?? ""]));
    const pgVolume = named(postgres as Service).find(([, target]) => target === "/var/lib/postgresql/data");
    const appVolume = named(paved as Service).find(([, target]) => target === "/app/.data");
    expect(pgVolume?.[0]).toBeTruthy();
    expect(appVolume?.[0]).toBeTruthy();
    expect(declared).toContain(pgVolume?.[0]);
    expect(declared).toContain(appVolume?.[0]);
  });
});

describe("Dockerfile", () => {
  const instructions = dockerfile
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));

  it("builds on node:20-bookworm-slim in stages and runs as a non-root user", () => {
    const froms = instructions.filter((l) => /^FROM\s/i.test(l));
    expect(froms.length).toBeGreaterThanOrEqual(2);
    expect(froms[0]).toMatch(/node:20-bookworm-slim/);
    const users = instructions.filter((l) => /^USER\s/i.test(l));
    expect(users.at(-1)).toBeDefined();
    expect(users.at(-1)).not.toMatch(/^USER\s+(root|0)(:|\s|$)/i);
  });

  it("exposes port 3000", () => {
    expect(instructions.some((l) => /^EXPOSE\s+(.*\s)?3000(\/tcp)?(\s|$)/i.test(l))).toBe(true);
  });

  it("has a HEALTHCHECK on /api/health", () => {
    const healthcheck = instructions.find((l) => /^HEALTHCHECK\s/i.test(l));
    expect(healthcheck).toBeDefined();
    expect(healthcheck).toContain("/api/health");
  });

  it("declares the data folder a volume and starts the launcher", () => {
    expect(instructions.some((l) => /^VOLUME\s/i.test(l) && l.includes("/app/.data"))).toBe(true);
    expect(instructions.find((l) => /^CMD\s/i.test(l))).toContain("scripts/start.ts");
  });
});
