// Paved's configuration: every environment variable the app reads, parsed once with zod.
// README.md has the same table for people; a test keeps the two in step.
import path from "node:path";
import { z } from "zod";

const bool = (fallback: boolean) =>
  z
    .enum(["1", "0", "true", "false", "yes", "no", "on", "off", ""])
    .optional()
    .transform((v) => (v === undefined || v === "" ? fallback : ["1", "true", "yes", "on"].includes(v)));

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v && v.trim() !== "" ? v.trim() : undefined));

const optionalUrl = optionalString.pipe(z.url().optional());

/** Each entry: the variable, its default and what it does (README's configuration table). */
export const ENV_DOCS = {
  PORT: ["3000", "HTTP port of the web server."],
  HOST: ["all interfaces", "Address the web server binds to."],
  DATABASE_URL: ["unset: embedded", "PostgreSQL URL. Unset: an embedded PGlite database in `PAVED_DATA_DIR`."],
  PAVED_DATA_DIR: [".data", "Where the embedded database, the generated auth secret and sandbox git repositories live."],
  PAVED_DB_POOL_SIZE: ["10 (embedded: 4)", "Connections per process in the database pool."],
  PAVED_EMBEDDED_DB_PORT: ["0 (any free port)", "Loopback port on which `npm start` serves the embedded database."],
  PAVED_SANDBOX: ["true when embedded, else false", "Sandbox mode: demo organisation, demo sign-in, sandbox integrations. Never on unless set or embedded."],
  PAVED_SANDBOX_SPEED: ["1", "Sandbox cluster only: multiplies its simulated durations (rollout steps, health checks); 0.2 is five times faster, 0 instant."],
  PAVED_SANDBOX_ALERT_COMPRESSION: ["60", "Sandbox metrics only (no PROMETHEUS_URL, no Alertmanager webhook credentials set): Paved evaluates the SLOs' burn-rate alerts itself every 10 s, with every alert window divided by this factor (60: 1 h → 60 s, 5 m → 5 s), so that a demo's page fires within a minute and resolves within a minute of recovery. 1 to 1440."],
  PAVED_WEB_HEAP_MB: ["256", "V8 old-space limit of the web server process started by `npm start` (keeps its memory bounded; the launcher also gives it a 6 MB young generation and `MALLOC_ARENA_MAX=2`). Holds PAVED_WEB_CONCURRENCY requests at once, whatever the number of clients; 192 uses less memory for about a quarter less throughput (docs/operations.md)."],
  PAVED_WEB_CONCURRENCY: ["8", "Requests one web server process handles at once (`npm start`); the others wait in arrival order. Bounds the memory requests being rendered hold; health checks and static files skip the wait."],
  PAVED_WEB_QUEUE: ["1000", "Requests that may wait for a place (PAVED_WEB_CONCURRENCY) before more are answered 503 with Retry-After."],
  PAVED_WORKER: ["true", "Run the job worker inside `npm start`. Set false when separate `npm run worker` processes run."],
  PAVED_WORKER_CONCURRENCY: ["4", "Jobs a worker process runs at once."],
  PAVED_ADMIN_LOGINS: ["empty", "Comma-separated GitHub logins made platform-admins when they first sign in."],
  AUTH_SECRET: ["generated into the data folder", "Secret that signs sessions. Set it (the same on every instance) when running more than one."],
  AUTH_URL: ["from the request", "Public URL of Paved, for OAuth callbacks behind a proxy."],
  AUTH_GITHUB_ID: ["unset", "GitHub OAuth app client id: enables \"Sign in with GitHub\" (with AUTH_GITHUB_SECRET)."],
  AUTH_GITHUB_SECRET: ["unset", "GitHub OAuth app client secret."],
  GITHUB_TOKEN: ["unset: sandbox git", "GitHub token for the GitHub integration. Unset: local git repositories under the data folder."],
  GITHUB_API_URL: ["https://api.github.com", "GitHub (Enterprise) API base URL."],
  GITHUB_ORG: ["unset", "GitHub organisation that Paved works in."],
  ARGOCD_URL: ["unset: sandbox cluster", "Argo CD server URL. Unset: the sandbox cluster."],
  ARGOCD_TOKEN: ["unset", "Argo CD API token."],
  PROMETHEUS_URL: ["unset: sandbox metrics", "Prometheus base URL. Unset: metrics from the sandbox cluster."],
  OPA_URL: ["unset", "An Open Policy Agent server whose Rego rules Paved also evaluates (REST Data API), next to its own CEL policies."],
  OPA_PACKAGE: ["paved", "The Rego package path Paved asks for `deny` and `warn` message sets, e.g. paved or company/policies."],
  ALERTMANAGER_WEBHOOK_TOKEN: ["unset (sandbox: paved-sandbox-alertmanager)", "Bearer token Alertmanager must send to `POST /api/v1/webhooks/alertmanager` (its `http_config.authorization.credentials`). In sandbox mode, with no webhook credentials set, the token is `paved-sandbox-alertmanager`."],
  ALERTMANAGER_WEBHOOK_USERNAME: ["unset", "Basic-auth user name Alertmanager may send to the webhook instead of the token (its `http_config.basic_auth`); needs ALERTMANAGER_WEBHOOK_PASSWORD."],
  ALERTMANAGER_WEBHOOK_PASSWORD: ["unset", "Basic-auth password for the webhook, with ALERTMANAGER_WEBHOOK_USERNAME."],
  LOG_LEVEL: ["info", "trace, debug, info, warn, error or fatal."],
} as const satisfies Record<string, readonly [string, string]>;

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: optionalString,
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must be a postgresql:// URL")
      .optional(),
  ),
  /** Set by the launcher for its child processes: the URL points at the embedded database. */
  PAVED_DATABASE_MODE: z.enum(["embedded", "external"]).optional(),
  PAVED_DATA_DIR: optionalString,
  PAVED_DB_POOL_SIZE: z.coerce.number().int().min(1).max(100).optional(),
  PAVED_EMBEDDED_DB_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  PAVED_SANDBOX: z.enum(["1", "0", "true", "false", "yes", "no", "on", "off", ""]).optional(),
  PAVED_SANDBOX_SPEED: z.coerce.number().min(0).max(100).default(1),
  PAVED_SANDBOX_ALERT_COMPRESSION: z.coerce.number().min(1).max(1440).default(60),
  PAVED_WEB_HEAP_MB: z.coerce.number().int().min(96).max(16384).default(256),
  PAVED_WEB_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(8),
  PAVED_WEB_QUEUE: z.coerce.number().int().min(0).max(100_000).default(1000),
  PAVED_WORKER: bool(true),
  PAVED_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  PAVED_ADMIN_LOGINS: optionalString,
  AUTH_SECRET: optionalString,
  AUTH_URL: optionalUrl,
  AUTH_GITHUB_ID: optionalString,
  AUTH_GITHUB_SECRET: optionalString,
  GITHUB_TOKEN: optionalString,
  GITHUB_API_URL: optionalUrl,
  GITHUB_ORG: optionalString,
  ARGOCD_URL: optionalUrl,
  ARGOCD_TOKEN: optionalString,
  PROMETHEUS_URL: optionalUrl,
  ALERTMANAGER_WEBHOOK_TOKEN: optionalString,
  ALERTMANAGER_WEBHOOK_USERNAME: optionalString,
  ALERTMANAGER_WEBHOOK_PASSWORD: optionalString,
  OPA_URL: optionalUrl,
  OPA_PACKAGE: z
    .string()
    .regex(/^[A-Za-z0-9_]+([./][A-Za-z0-9_]+)*$/, "a Rego package path such as paved or company.policies")
    .default("paved"),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
});

export type Env = ReturnType<typeof parseEnv>;

/** The Alertmanager webhook's bearer token in sandbox mode when none is configured (a demo's Alertmanager sends it). */
export const SANDBOX_ALERTMANAGER_TOKEN = "paved-sandbox-alertmanager";

export function parseEnv(source: Record<string, string | undefined> = process.env) {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  if (Boolean(e.ALERTMANAGER_WEBHOOK_USERNAME) !== Boolean(e.ALERTMANAGER_WEBHOOK_PASSWORD)) {
    throw new Error("Invalid configuration:\n  ALERTMANAGER_WEBHOOK_USERNAME, ALERTMANAGER_WEBHOOK_PASSWORD: set both or neither (the webhook's basic credentials)");
  }
  if (e.GITHUB_TOKEN && !e.GITHUB_ORG) {
    throw new Error("Invalid configuration:\n  GITHUB_ORG: must be set with GITHUB_TOKEN (the organisation Paved creates and scans repositories in)");
  }
  const embedded = e.PAVED_DATABASE_MODE ? e.PAVED_DATABASE_MODE === "embedded" : e.DATABASE_URL === undefined;
  const sandboxFlag = e.PAVED_SANDBOX;
  // Sandbox mode (demo sign-in!) defaults on only for the embedded database. With a real
  // DATABASE_URL it must be asked for explicitly, so a production deployment cannot fall into it.
  const sandbox =
    sandboxFlag === undefined || sandboxFlag === "" ? embedded : ["1", "true", "yes", "on"].includes(sandboxFlag);
  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    embedded,
    dataDir: path.resolve(/*turbopackIgnore: true*/ e.PAVED_DATA_DIR ?? ".data"),
    poolSize: e.PAVED_DB_POOL_SIZE ?? (embedded ? 4 : 10),
    embeddedDbPort: e.PAVED_EMBEDDED_DB_PORT,
    sandbox,
    webHeapMb: e.PAVED_WEB_HEAP_MB,
    webConcurrency: e.PAVED_WEB_CONCURRENCY,
    webQueue: e.PAVED_WEB_QUEUE,
    worker: e.PAVED_WORKER,
    workerConcurrency: e.PAVED_WORKER_CONCURRENCY,
    adminLogins: (e.PAVED_ADMIN_LOGINS ?? "")
      .split(",")
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
    authSecret: e.AUTH_SECRET,
    authUrl: e.AUTH_URL,
    github: {
      oauth: e.AUTH_GITHUB_ID && e.AUTH_GITHUB_SECRET ? { id: e.AUTH_GITHUB_ID, secret: e.AUTH_GITHUB_SECRET } : undefined,
      token: e.GITHUB_TOKEN,
      apiUrl: e.GITHUB_API_URL ?? "https://api.github.com",
      org: e.GITHUB_ORG,
    },
    argocd: e.ARGOCD_URL ? { url: e.ARGOCD_URL, token: e.ARGOCD_TOKEN } : undefined,
    prometheus: e.PROMETHEUS_URL ? { url: e.PROMETHEUS_URL } : undefined,
    alertmanagerWebhookToken: e.ALERTMANAGER_WEBHOOK_TOKEN,
    /** What the Alertmanager webhook accepts: a bearer token, basic credentials, or both (none configured: it accepts nothing). */
    alertmanagerWebhook: {
      token: e.ALERTMANAGER_WEBHOOK_TOKEN ?? (sandbox && !e.ALERTMANAGER_WEBHOOK_USERNAME ? SANDBOX_ALERTMANAGER_TOKEN : undefined),
      basic: e.ALERTMANAGER_WEBHOOK_USERNAME && e.ALERTMANAGER_WEBHOOK_PASSWORD ? { username: e.ALERTMANAGER_WEBHOOK_USERNAME, password: e.ALERTMANAGER_WEBHOOK_PASSWORD } : undefined,
    },
    opa: e.OPA_URL ? { url: e.OPA_URL, package: e.OPA_PACKAGE } : undefined,
    /** Sandbox alert evaluation (lib/incidents/sandbox-alerts.ts): the factor its alert windows are divided by. */
    sandboxAlertCompression: e.PAVED_SANDBOX_ALERT_COMPRESSION,
    logLevel: e.LOG_LEVEL,
  };
}

let cached: Env | undefined;

/** The process's configuration, parsed on first use. */
export function env(): Env {
  cached ??= parseEnv();
  return cached;
}

/** For tests and the launcher, which change process.env before the app reads it. */
export function resetEnvCache(): void {
  cached = undefined;
}
