// No Docker engine runs where the tests run, so docker-compose.yml cannot be started here. This
// test keeps it honest instead: it parses the file and checks the wiring a `docker compose up`
// depends on (PostgreSQL, the web server, a separate worker, Prometheus and Alertmanager wired to
// Paved's own routes), runs promtool and amtool on the monitoring configuration, and checks the
// Dockerfile it builds. tests/infra/slo-rules-sync.test.ts runs the rules sidecar against a real
// Prometheus started with that configuration.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseEnv } from "../../lib/core/env.ts";
import { alertmanagerWebhookContract } from "../../lib/incidents/contracts.ts";
import { sandboxMetricsContract } from "../../lib/metrics/contracts.ts";
import { allSloRulesContract } from "../../lib/slos/contracts.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const compose = parse(readFileSync(`${ROOT}docker-compose.yml`, "utf8")) as Compose;
const dockerfile = readFileSync(`${ROOT}Dockerfile`, "utf8");

interface Service {
  image?: string;
  command?: string | string[];
  entrypoint?: string | string[];
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
const worker = services.worker;
const prometheus = services.prometheus;
const alertmanager = services.alertmanager;
const sloRules = services["slo-rules"];
const run = promisify(execFile);
const PROMTOOL = process.env.PAVED_TEST_PROMTOOL ?? "/usr/bin/promtool";
const AMTOOL = process.env.PAVED_TEST_AMTOOL ?? "/usr/bin/amtool";

/** A bind mount's host file (relative to the repository) for a container path. */
function bindMount(service: Service | undefined, target: string): string | undefined {
  for (const v of service?.volumes ?? []) {
    const [source, at] = typeof v === "string" ? v.split(":") : [v.source ?? "", v.target ?? ""];
    if (at === target && source?.startsWith("./")) return source.slice(2);
  }
  return undefined;
}

/** The named volume mounted at a container path. */
function namedVolume(service: Service | undefined, target: string): string | undefined {
  for (const v of service?.volumes ?? []) {
    const [source, at] = typeof v === "string" ? v.split(":") : [v.source ?? "", v.target ?? ""];
    if (at === target && source && !source.startsWith(".") && !source.startsWith("/")) return source;
  }
  return undefined;
}

const asList = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

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

describe("docker-compose.yml: web, worker and monitoring", () => {
  const prometheusFile = bindMount(prometheus, "/etc/prometheus/prometheus.yml");
  const alertmanagerFile = bindMount(alertmanager, "/etc/alertmanager/alertmanager.yml");
  const prometheusConfig = parse(readFileSync(`${ROOT}${prometheusFile}`, "utf8")) as {
    rule_files?: string[];
    alerting?: { alertmanagers?: { static_configs?: { targets?: string[] }[] }[] };
    scrape_configs?: { job_name: string; metrics_path?: string; static_configs?: { targets?: string[] }[] }[];
  };
  const alertmanagerConfig = parse(readFileSync(`${ROOT}${alertmanagerFile}`, "utf8")) as {
    route?: { receiver?: string };
    receivers?: { name: string; webhook_configs?: { url: string; send_resolved?: boolean; http_config?: { authorization?: { type?: string; credentials_file?: string } } }[] }[];
  };

  it("has the web server, a separate worker, Prometheus, Alertmanager and the rules sidecar", () => {
    expect(Object.keys(services).sort()).toEqual(["alertmanager", "paved", "postgres", "prometheus", "slo-rules", "worker"]);
    expect(prometheus?.image).toMatch(/^prom\/prometheus:v2\.\d+\.\d+$/);
    expect(alertmanager?.image).toMatch(/^prom\/alertmanager:v0\.\d+\.\d+$/);
  });

  it("runs jobs in the worker only: the web server has PAVED_WORKER=false, the worker runs `npm run worker`", async () => {
    expect(interpolate(environment(paved as Service).PAVED_WORKER as string)).toBe("false");
    const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")) as { scripts: Record<string, string> };
    // The worker script without npm in between (so SIGTERM reaches it), from the web server's image.
    expect(asList(worker?.command).join(" ")).toBe(pkg.scripts.worker);
    expect(worker?.image).toBe(paved?.image);
    expect(worker?.build).toBeUndefined();
    // The same configuration (database, secret, integrations), so both see the same Paved.
    expect(environment(worker as Service)).toEqual(environment(paved as Service));
    const { ENV_DOCS } = await import("../../lib/core/env.ts");
    expect(Object.keys(environment(worker as Service)).filter((k) => !(k in ENV_DOCS))).toEqual([]);
    // The worker starts once the web server's launcher has migrated (it is healthy then).
    expect((worker?.depends_on as Record<string, { condition?: string }>).paved?.condition).toBe("service_healthy");
  });

  it("shares the data folder between web server and worker (the sandbox's git repositories)", () => {
    const web = namedVolume(paved, "/app/.data");
    expect(web).toBeDefined();
    expect(namedVolume(worker, "/app/.data")).toBe(web);
  });

  it("points Alertmanager's webhook at Paved's route with a bearer token read from a file", () => {
    expect(alertmanagerConfig.route?.receiver).toBe("paved");
    const receiver = alertmanagerConfig.receivers?.find((r) => r.name === "paved");
    const hook = receiver?.webhook_configs?.[0];
    const url = new URL(hook?.url ?? "");
    expect(url.host).toBe("paved:3000");
    expect(url.pathname).toBe(alertmanagerWebhookContract.path);
    expect(alertmanagerWebhookContract.method).toBe("POST");
    expect(hook?.send_resolved).toBe(true);
    expect(hook?.http_config?.authorization?.type).toBe("Bearer");
    // The entrypoint writes that file from ALERTMANAGER_WEBHOOK_TOKEN before starting Alertmanager.
    const file = hook?.http_config?.authorization?.credentials_file ?? "";
    const script = [...asList(alertmanager?.entrypoint), ...asList(alertmanager?.command)].join(" ");
    expect(script).toContain(`"$$ALERTMANAGER_WEBHOOK_TOKEN" > ${file}`);
    expect(script).toMatch(/exec \/bin\/alertmanager --config\.file=\/etc\/alertmanager\/alertmanager\.yml/);
  });

  it("has Alertmanager send exactly the token Paved accepts, in the sandbox and with a token set", () => {
    const pavedEnv = environment(paved as Service);
    const amEnv = environment(alertmanager as Service);
    const cases: Record<string, string>[] = [{ AUTH_SECRET: "x".repeat(40) }, { AUTH_SECRET: "x".repeat(40), ALERTMANAGER_WEBHOOK_TOKEN: "a-long-random-token" }];
    for (const vars of cases) {
      const resolved = Object.fromEntries(Object.entries(pavedEnv).map(([k, v]) => [k, interpolate(v, vars)]));
      const accepted = parseEnv(resolved).alertmanagerWebhook.token;
      expect(accepted).toBeDefined();
      expect(interpolate(amEnv.ALERTMANAGER_WEBHOOK_TOKEN as string, vars)).toBe(accepted);
    }
    // Outside the sandbox without a token Paved accepts nothing (Alertmanager's calls get 401),
    // rather than the sandbox's well-known token.
    const production = Object.fromEntries(Object.entries(pavedEnv).map(([k, v]) => [k, interpolate(v, { AUTH_SECRET: "x".repeat(40), PAVED_SANDBOX: "false" })]));
    expect(parseEnv(production).alertmanagerWebhook.token).toBeUndefined();
  });

  it("has Prometheus load the rules the sidecar fetches from Paved's rules route, and alert to Alertmanager", () => {
    // The sidecar fetches GET /api/v1/slos/rules and writes paved-slos.yml into a volume…
    const sidecar = readFileSync(`${ROOT}${asList(sloRules?.command).at(-1)}`, "utf8");
    expect(allSloRulesContract.method).toBe("GET");
    expect(sidecar).toContain("`${config.pavedUrl}" + allSloRulesContract.path + "`");
    expect(sidecar).toContain('RULES_FILE = "paved-slos.yml"');
    expect(sidecar).toContain("/-/reload");
    const sidecarEnv = environment(sloRules as Service);
    expect(new URL(sidecarEnv.PAVED_URL ?? "").host).toBe("paved:3000");
    expect(new URL(sidecarEnv.PROMETHEUS_URL ?? "").host).toBe("prometheus:9090");
    const rulesVolume = namedVolume(sloRules, "/app/.data");
    expect(rulesVolume).toBeDefined();
    expect(sloRules?.image).toBe(paved?.image);
    // …which Prometheus mounts where its rule_files glob looks, and reloads on request.
    const ruleDir = (prometheus?.volumes ?? [])
      .map((v) => (typeof v === "string" ? v.split(":") : [v.source ?? "", v.target ?? ""]))
      .find(([source]) => source === rulesVolume)?.[1];
    expect(ruleDir).toBeDefined();
    expect(prometheusConfig.rule_files).toEqual([`${ruleDir}/*.yml`]);
    expect(asList(prometheus?.command)).toContain("--web.enable-lifecycle");
    expect(prometheusConfig.alerting?.alertmanagers?.[0]?.static_configs?.[0]?.targets).toEqual(["alertmanager:9093"]);
  });

  it("has Prometheus scrape Paved's sandbox metrics route", () => {
    const job = prometheusConfig.scrape_configs?.find((j) => j.metrics_path === sandboxMetricsContract.path);
    expect(job).toBeDefined();
    expect(job?.static_configs?.[0]?.targets).toEqual(["paved:3000"]);
  });

  it("gives promtool and amtool configuration files they accept", async () => {
    const prom = await run(PROMTOOL, ["check", "config", `${ROOT}${prometheusFile}`]);
    expect(prom.stdout).toMatch(/SUCCESS/);
    const am = await run(AMTOOL, ["check-config", `${ROOT}${alertmanagerFile}`]);
    expect(am.stdout).toMatch(/SUCCESS/);
    expect(am.stdout).toMatch(/1 receivers/);
  });

  it("declares every named volume it mounts", () => {
    const declared = new Set(Object.keys(compose.volumes ?? {}));
    for (const [name, service] of Object.entries(services)) {
      for (const v of service.volumes ?? []) {
        const source = typeof v === "string" ? (v.split(":")[0] ?? "") : (v.source ?? "");
        if (source.startsWith(".") || source.startsWith("/")) {
          expect(() => readFileSync(`${ROOT}${source.replace(/^\.\//, "")}`), `${name}: ${source}`).not.toThrow();
        } else {
          expect(declared.has(source), `${name}: ${source}`).toBe(true);
        }
      }
    }
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
