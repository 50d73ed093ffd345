// Structured JSON logs on stdout (pino). Secrets never go into a log line, in three layers:
// 1. `redact` paths strip the usual fields at the top level and one or two levels down
//    (authorization headers, cookies, tokens, passwords, secrets, private keys);
// 2. `formatters.log` walks whatever object a caller logs (to a bounded depth) and censors every
//    field whose name says it holds a secret (`*secret*`, `*token*`, `*password*`, `authorization`,
//    `cookie`, `*privateKey*`, `credentials`), however deep;
// 3. the finished line is scrubbed of secret-shaped text (bearer credentials, Paved API tokens,
//    GitHub tokens, PEM private keys, passwords in URLs) and of the configured secrets' values
//    (AUTH_SECRET, GITHUB_TOKEN, …), so an error message that quotes one is caught too.
import pino from "pino";
import { env, type Env } from "./env.ts";

export const CENSOR = "[redacted]";

/** Field names that hold a secret, wherever they appear in a logged object. */
const SECRET_KEY = /secret|token|passw(or)?d|authorization|^cookie$|^set-cookie$|private_?key|^credentials?$|^api_?key$/i;
/** …except these, which only describe one (a token's id, prefix, name or expiry, a hash-free count). */
const NOT_SECRET_KEY = /^(token_?id|tokenPrefix|token_?name|tokenCount|tokens?_?expires?_?at|actorTokenId|expiresAt)$/i;

const REDACT_PATHS = [
  "authorization",
  "*.authorization",
  "headers.authorization",
  "*.headers.authorization",
  "cookie",
  "*.cookie",
  "headers.cookie",
  "*.headers.cookie",
  'headers["set-cookie"]',
  "token",
  "*.token",
  "*.*.token",
  "accessToken",
  "*.accessToken",
  "refreshToken",
  "*.refreshToken",
  "password",
  "*.password",
  "*.*.password",
  "secret",
  "*.secret",
  "*.*.secret",
  "clientSecret",
  "*.clientSecret",
  "authSecret",
  "*.authSecret",
  "privateKey",
  "*.privateKey",
  "credentials",
  "*.credentials",
];

const MAX_DEPTH = 8;

/** A copy of a logged value with every secret-named field censored (plain objects and arrays only; errors keep their serializer). */
export function censorSecrets(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => censorSecrets(v, depth + 1));
  if (value instanceof Error) {
    // pino's error serializer reads these; nested secret fields (e.g. an HTTP client's request headers) go.
    const out: Record<string, unknown> = { type: value.name, message: value.message, stack: value.stack };
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) && !NOT_SECRET_KEY.test(k) ? CENSOR : censorSecrets(v, depth + 1);
    if (value.cause !== undefined) out.cause = censorSecrets(value.cause, depth + 1);
    return out;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) && !NOT_SECRET_KEY.test(k) && v !== null && v !== undefined && typeof v !== "boolean" && typeof v !== "number" ? CENSOR : censorSecrets(v, depth + 1);
  }
  return out;
}

/** Text that is a secret whatever field it sits in. */
const SECRET_TEXT: [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, CENSOR],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${CENSOR}`],
  [/\bpvd_[A-Za-z0-9_-]{8,}/g, CENSOR],
  [/\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g, CENSOR],
  // user:password@ in URLs (a DATABASE_URL in an error message).
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@"]+):[^\s@/"]+@/gi, `$1:${CENSOR}@`],
];

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

let compiled: { env: Env; patterns: RegExp[] } | undefined;

/** Patterns of the configured secrets' values, as they would appear inside a JSON string (compiled once per configuration). */
function configuredSecrets(): RegExp[] {
  let e: Env;
  try {
    e = env();
  } catch {
    return [];
  }
  if (compiled?.env === e) return compiled.patterns;
  const values = [
    e.authSecret,
    e.github.token,
    e.github.oauth?.secret,
    e.argocd?.token,
    e.alertmanagerWebhookToken,
    e.alertmanagerWebhook.basic?.password,
    e.databaseUrl ? passwordOf(e.databaseUrl) : undefined,
  ];
  // Short values would censor ordinary words; secrets worth the name are longer.
  const patterns = values
    .filter((v): v is string => typeof v === "string" && v.length >= 8)
    .map((v) => new RegExp(escapeRegExp(JSON.stringify(v).slice(1, -1)), "g"));
  compiled = { env: e, patterns };
  return patterns;
}

function passwordOf(url: string): string | undefined {
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

/** Removes secret-shaped text and the configured secrets from a finished log line (or any text). */
export function scrubSecretText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRET_TEXT) out = out.replace(pattern, replacement);
  for (const secret of configuredSecrets()) out = out.replace(secret, CENSOR);
  return out;
}

const taps = new Set<(line: string) => void>();

/** Calls `listener` with every line as written (after scrubbing), until the returned function is called. For tests. */
export function tapLogLines(listener: (line: string) => void): () => void {
  taps.add(listener);
  return () => taps.delete(listener);
}

export const logger = pino({
  level: process.env.LOG_LEVEL ?? env().logLevel,
  base: { app: "paved" },
  redact: { paths: REDACT_PATHS, censor: CENSOR },
  formatters: {
    log: (object) => censorSecrets(object) as Record<string, unknown>,
  },
  hooks: {
    streamWrite(line) {
      const clean = scrubSecretText(line);
      for (const tap of taps) tap(clean);
      return clean;
    },
  },
});

export type Logger = typeof logger;
