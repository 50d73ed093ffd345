import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { env, parseEnv, resetEnvCache } from "./env.ts";

const PG = "postgresql://paved@db.internal:5432/paved";

describe("database mode and sandbox defaults", () => {
  it("is embedded and in sandbox mode with nothing configured", () => {
    const e = parseEnv({});
    expect(e.embedded).toBe(true);
    expect(e.sandbox).toBe(true);
    expect(e.databaseUrl).toBeUndefined();
    expect(e.poolSize).toBe(4);
  });

  it("is external and never in sandbox mode with DATABASE_URL unless PAVED_SANDBOX says so", () => {
    const e = parseEnv({ DATABASE_URL: PG });
    expect(e.embedded).toBe(false);
    expect(e.sandbox).toBe(false);
    expect(e.databaseUrl).toBe(PG);
    expect(e.poolSize).toBe(10);
    expect(parseEnv({ DATABASE_URL: PG, PAVED_SANDBOX: "" }).sandbox).toBe(false);
    expect(parseEnv({ DATABASE_URL: `  ${PG}  ` }).databaseUrl).toBe(PG);
  });

  it.each(["1", "true", "yes", "on"])("turns sandbox mode on with PAVED_SANDBOX=%s", (value) => {
    expect(parseEnv({ DATABASE_URL: PG, PAVED_SANDBOX: value }).sandbox).toBe(true);
  });

  it.each(["0", "false", "no", "off"])("turns sandbox mode off with PAVED_SANDBOX=%s, even when embedded", (value) => {
    expect(parseEnv({ PAVED_SANDBOX: value }).sandbox).toBe(false);
  });

  it("trusts the launcher's PAVED_DATABASE_MODE for the URL it serves the embedded database on", () => {
    const e = parseEnv({ DATABASE_URL: "postgresql://postgres@127.0.0.1:40000/postgres", PAVED_DATABASE_MODE: "embedded" });
    expect(e.embedded).toBe(true);
    expect(e.sandbox).toBe(true);
    expect(parseEnv({ DATABASE_URL: PG, PAVED_DATABASE_MODE: "external" }).sandbox).toBe(false);
  });
});

describe("other settings", () => {
  it("has documented defaults", () => {
    const e = parseEnv({});
    expect(e.port).toBe(3000);
    expect(e.worker).toBe(true);
    expect(e.workerConcurrency).toBe(4);
    expect(e.logLevel).toBe("info");
    expect(e.dataDir).toBe(path.resolve(".data"));
    expect(e.adminLogins).toEqual([]);
    expect(e.github).toEqual({ oauth: undefined, token: undefined, apiUrl: "https://api.github.com", org: undefined });
    expect(e.argocd).toBeUndefined();
    expect(e.prometheus).toBeUndefined();
  });

  it("parses numbers, switches, lists and integrations", () => {
    const e = parseEnv({
      PORT: "8080",
      PAVED_WORKER: "false",
      PAVED_DB_POOL_SIZE: "7",
      PAVED_ADMIN_LOGINS: " Alice, bob ,,",
      AUTH_GITHUB_ID: "id",
      AUTH_GITHUB_SECRET: "secret",
      ARGOCD_URL: "https://argocd.example.com",
      ARGOCD_TOKEN: "t",
      PROMETHEUS_URL: "http://prometheus:9090",
      PAVED_DATA_DIR: "/var/lib/paved",
    });
    expect(e.port).toBe(8080);
    expect(e.worker).toBe(false);
    expect(e.poolSize).toBe(7);
    expect(e.adminLogins).toEqual(["alice", "bob"]);
    expect(e.github.oauth).toEqual({ id: "id", secret: "secret" });
    expect(e.argocd).toEqual({ url: "https://argocd.example.com", token: "t" });
    expect(e.prometheus).toEqual({ url: "http://prometheus:9090" });
    expect(e.dataDir).toBe("/var/lib/paved");
  });

  it("offers GitHub sign-in only when both its variables are set", () => {
    expect(parseEnv({ AUTH_GITHUB_ID: "id" }).github.oauth).toBeUndefined();
    expect(parseEnv({ AUTH_GITHUB_SECRET: "secret" }).github.oauth).toBeUndefined();
  });
});

describe("invalid configuration", () => {
  it.each([
    [{ DATABASE_URL: "mysql://localhost/paved" }, /DATABASE_URL: DATABASE_URL must be a postgresql:\/\/ URL/],
    [{ PAVED_SANDBOX: "maybe" }, /PAVED_SANDBOX/],
    [{ PAVED_WORKER: "sometimes" }, /PAVED_WORKER/],
    [{ PORT: "http" }, /PORT/],
    [{ PORT: "70000" }, /PORT/],
    [{ PAVED_DB_POOL_SIZE: "0" }, /PAVED_DB_POOL_SIZE/],
    [{ PROMETHEUS_URL: "not a url" }, /PROMETHEUS_URL/],
    [{ LOG_LEVEL: "loud" }, /LOG_LEVEL/],
    [{ NODE_ENV: "staging" }, /NODE_ENV/],
  ])("refuses %j with a message naming the variable", (source, message) => {
    expect(() => parseEnv(source)).toThrow(/^Invalid configuration:\n/);
    expect(() => parseEnv(source)).toThrow(message);
  });

  it("lists every bad variable at once", () => {
    let message = "";
    try {
      parseEnv({ PORT: "x", PAVED_SANDBOX: "maybe" });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^\s+PORT: /m);
    expect(message).toMatch(/^\s+PAVED_SANDBOX: /m);
  });
});

describe("env()", () => {
  const saved = process.env.PAVED_ADMIN_LOGINS;
  afterEach(() => {
    if (saved === undefined) delete process.env.PAVED_ADMIN_LOGINS;
    else process.env.PAVED_ADMIN_LOGINS = saved;
    resetEnvCache();
  });

  it("reads process.env once, until the cache is reset", () => {
    process.env.PAVED_ADMIN_LOGINS = "first";
    resetEnvCache();
    expect(env().adminLogins).toEqual(["first"]);
    process.env.PAVED_ADMIN_LOGINS = "second";
    expect(env().adminLogins).toEqual(["first"]);
    resetEnvCache();
    expect(env().adminLogins).toEqual(["second"]);
  });
});
