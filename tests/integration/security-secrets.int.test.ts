// No secret in logs or API answers (issue 9). Paved is configured here with every secret it
// handles (AUTH_SECRET, the GitHub OAuth secret and token, the Argo CD token, the Alertmanager
// webhook's token and password), its GitHub and Argo CD are doubles that misbehave by echoing the
// credentials they are sent, and requests carry API tokens and session cookies. Every log line
// written meanwhile (captured at trace level) and every JSON answer is then searched for each
// secret: the health route, error answers (401, 400, an unexpected 500), the token list and the
// audit trail. The one answer that holds a secret on purpose is the token's creation, once.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { db } from "@/lib/core/db/client";
import { env, resetEnvCache } from "@/lib/core/env";
import { hashApiToken } from "@/lib/core/auth/tokens";
import { defineContract } from "@/lib/core/http/contract";
import { handle } from "@/lib/core/http/handler";
import { logger, tapLogLines } from "@/lib/core/logger";
import { resetIntegrationHealthCache } from "@/lib/integrations/health";
import { makePerson } from "../support/factory";
import { buildRequest, callJson } from "../support/http";
import { sendJson, startDouble, type HttpDouble } from "../support/servers";

const secret = (prefix = "") => `${prefix}${randomBytes(18).toString("base64url")}`;
const SECRETS = {
  AUTH_SECRET: secret(),
  AUTH_GITHUB_ID: "Iv1.0123456789abcdef",
  AUTH_GITHUB_SECRET: secret(),
  GITHUB_TOKEN: `ghp_${randomBytes(18).toString("hex")}`,
  ARGOCD_TOKEN: secret("argo."),
  ALERTMANAGER_WEBHOOK_TOKEN: secret(),
  ALERTMANAGER_WEBHOOK_USERNAME: "alertmanager",
  ALERTMANAGER_WEBHOOK_PASSWORD: secret(),
};
const CONFIGURED = ["AUTH_SECRET", "AUTH_GITHUB_SECRET", "GITHUB_TOKEN", "ARGOCD_TOKEN", "ALERTMANAGER_WEBHOOK_TOKEN", "ALERTMANAGER_WEBHOOK_PASSWORD"] as const;

let echo: HttpDouble;
const saved: Record<string, string | undefined> = {};
const lines: string[] = [];
let untap: () => void;
let previousLevel: string;

beforeAll(async () => {
  // A GitHub and an Argo CD that answer 500 quoting the credentials they were sent.
  echo = await startDouble((req, res) => sendJson(res, 500, { message: `upstream broke; you sent ${req.headers.authorization ?? "nothing"}` }));
  const vars = { ...SECRETS, GITHUB_API_URL: echo.url, GITHUB_ORG: "acme", ARGOCD_URL: echo.url };
  for (const [k, v] of Object.entries(vars)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
  resetEnvCache();
  resetIntegrationHealthCache();
  previousLevel = logger.level;
  logger.level = "trace";
  untap = tapLogLines((line) => lines.push(line));
});

afterAll(async () => {
  untap();
  logger.level = previousLevel;
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetEnvCache();
  resetIntegrationHealthCache();
  await echo.close();
});

/** Fails naming the secret and where it leaked. */
function expectNone(where: string, text: string, secrets: Record<string, string>): void {
  for (const [name, value] of Object.entries(secrets)) {
    expect(text.includes(value), `${name} leaked into ${where}: ${text.slice(0, 400)}`).toBe(false);
  }
}

const configured = () => Object.fromEntries(CONFIGURED.map((k) => [k, SECRETS[k]]));

describe("no secret in API answers or logs", () => {
  it("is configured with every secret (the test would prove nothing otherwise)", () => {
    const e = env();
    expect(e.authSecret).toBe(SECRETS.AUTH_SECRET);
    expect(e.github.token).toBe(SECRETS.GITHUB_TOKEN);
    expect(e.github.oauth?.secret).toBe(SECRETS.AUTH_GITHUB_SECRET);
    expect(e.argocd?.token).toBe(SECRETS.ARGOCD_TOKEN);
    expect(e.alertmanagerWebhook.basic?.password).toBe(SECRETS.ALERTMANAGER_WEBHOOK_PASSWORD);
  });

  it("GET /api/health, asked with credentials, while GitHub and Argo CD echo theirs", async () => {
    const me = await makePerson(["viewer"]);
    const res = await callJson("GET", "/api/health", { token: me.token, headers: { cookie: me.cookie } });
    expect(res.status).toBe(200);
    const text = JSON.stringify(res.body);
    // The doubles did get the credentials, and did echo them…
    expect(echo.requests.some((r) => String(r.headers.authorization).includes(SECRETS.GITHUB_TOKEN))).toBe(true);
    expect(echo.requests.some((r) => String(r.headers.authorization).includes(SECRETS.ARGOCD_TOKEN))).toBe(true);
    expect(text).toContain("degraded");
    // …but the answer carries none of them.
    expectNone("the health answer", text, { ...configured(), apiToken: me.token, cookie: me.cookie.split("=")[1] ?? "" });
    expectNone("the log", lines.join("\n"), { ...configured(), apiToken: me.token });
  });

  it("error answers: a bad token (401), a secret in a refused body (400), an unexpected error (500)", async () => {
    const forged = `pvd_${randomBytes(24).toString("base64url")}`;
    const unauthenticated = await callJson("GET", "/api/v1/me", { token: forged });
    expect(unauthenticated.status).toBe(401);
    expectNone("a 401", JSON.stringify(unauthenticated.body), { forged });

    const me = await makePerson(["developer"]);
    const refused = await callJson("POST", "/api/v1/tokens", { token: me.token, body: { name: 42, token: SECRETS.GITHUB_TOKEN, password: SECRETS.AUTH_SECRET } });
    expect(refused.status).toBe(400);
    expectNone("a 400", JSON.stringify(refused.body), configured());

    // An unexpected error whose message quotes secrets (a driver quoting its URL, a client its header).
    const boom = handle(
      defineContract({ method: "POST", path: "/api/v1/test-boom", tag: "Test", summary: "boom", access: "authenticated", response: z.null() }),
      async () => {
        throw new Error(
          `connect to postgresql://paved:${SECRETS.ALERTMANAGER_WEBHOOK_PASSWORD}@db:5432/paved failed; header was Bearer ${me.token}; GitHub said ${SECRETS.GITHUB_TOKEN}`,
        );
      },
    );
    const res = await boom(buildRequest("POST", "/api/v1/test-boom", { token: me.token, headers: { cookie: me.cookie } }), { params: Promise.resolve({}) });
    expect(res.status).toBe(500);
    const body = await res.text();
    expectNone("a 500", body, { ...configured(), apiToken: me.token });
    const logged = lines.find((l) => l.includes('"request failed"') && l.includes(res.headers.get("x-request-id") ?? "?"));
    expect(logged, "the 500 is logged").toBeDefined();
    expect(logged).toContain("[redacted]");
    expectNone("the 500's log line", logged ?? "", { ...configured(), apiToken: me.token, forged });
  });

  it("the token list and the audit trail never show a token or its hash; only its creation answer does, once", async () => {
    const me = await makePerson(["platform-admin"]);
    const created = await callJson<{ id: string; token: string }>("POST", "/api/v1/tokens", { token: me.token, body: { name: "leak-check" } });
    expect(created.status).toBe(201);
    const token = created.body.token;
    const hash = hashApiToken(token);
    const forbidden = { token, hash, setupToken: me.token, setupHash: hashApiToken(me.token) };

    const list = await callJson("GET", "/api/v1/tokens", { token: me.token });
    expect(list.status).toBe(200);
    expectNone("the token list", JSON.stringify(list.body), forbidden);

    const audit = await callJson<{ items: { action: string; target: { id: string } }[] }>("GET", "/api/v1/audit", { token: me.token, query: { action: "token.*" } });
    expect(audit.status).toBe(200);
    expect(audit.body.items.some((e) => e.action === "token.created" && e.target.id === created.body.id)).toBe(true);
    expectNone("the audit trail", JSON.stringify(audit.body), forbidden);
    // The stored events too (their payload is what the audit API shows and the chain hashes).
    const stored = await db().auditEvent.findMany({ where: { targetId: created.body.id } });
    expectNone("stored audit events", JSON.stringify(stored, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)), forbidden);

    // Using the new token, then revoking it, logs nothing that holds it.
    expect((await callJson("GET", "/api/v1/me", { token })).status).toBe(200);
    expect((await callJson("DELETE", "/api/v1/tokens/{id}", { token: me.token, params: { id: created.body.id } })).status).toBe(204);
    expect((await callJson("GET", "/api/v1/me", { token })).status).toBe(401);
    expectNone("the log", lines.join("\n"), { ...forbidden, ...configured() });
  });

  it("a whole configuration, request headers or nested credentials logged by mistake", () => {
    const pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----";
    const apiToken = `pvd_${randomBytes(24).toString("base64url")}`;
    const before = lines.length;
    logger.info({ config: env() }, "configuration");
    logger.warn({ headers: { authorization: `Bearer ${apiToken}`, cookie: "authjs.session-token=abc.def.ghi" }, method: "GET" }, "request");
    logger.error({ github: { app: { privateKey: pem, clientSecret: SECRETS.AUTH_GITHUB_SECRET } }, deep: { a: { b: { c: { webhookToken: apiToken } } } } }, "integration");
    logger.error(new Error(`Argo CD said: token ${SECRETS.ARGOCD_TOKEN} is invalid`));
    const written = lines.slice(before);
    expect(written).toHaveLength(4);
    const text = written.join("\n");
    expectNone("the log", text, { ...configured(), apiToken, pem: "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", cookie: "abc.def.ghi" });
    // The lines are still useful: what is not a secret stays.
    expect(written[0]).toContain(`"sandbox":true`);
    expect(written[0]).toContain(`"org":"acme"`);
    expect(written[1]).toContain(`"method":"GET"`);
    expect(written[3]).toContain("Argo CD said");
  });
});
