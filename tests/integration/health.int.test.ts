// GET /api/health: its shape, 503 when the database does not answer, and each integration's mode
// and health: a real Prometheus started here, and doubles of Argo CD and GitHub whose answers are
// checked against the vendors' published API descriptions. An integration that fails makes the
// instance "degraded", never a 5xx.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { resetEnvCache } from "@/lib/core/env";
import type { HealthDto } from "@/lib/api/health";
import { resetIntegrationHealthCache } from "@/lib/integrations/health";
import { useDatabase, useSharedDatabase } from "../support/database";
import { callJson } from "../support/http";
import { freePort, sendJson, startDouble, startPrometheus, type HttpDouble, type RunningPrometheus } from "../support/servers";
import { assertArgocdDefinition, assertGithubResponse, githubExample } from "../support/vendor-schemas";

const MODE = inject("testDatabase").mode;
const INTEGRATION_VARS = ["GITHUB_TOKEN", "GITHUB_API_URL", "GITHUB_ORG", "ARGOCD_URL", "ARGOCD_TOKEN", "PROMETHEUS_URL"] as const;

/** Configures integrations for one test (process.env → env()), with a fresh health cache. */
function configure(vars: Partial<Record<(typeof INTEGRATION_VARS)[number], string>>): void {
  for (const name of INTEGRATION_VARS) delete process.env[name];
  Object.assign(process.env, vars);
  resetEnvCache();
  resetIntegrationHealthCache();
}

afterEach(() => configure({}));

async function health(): Promise<{ status: number; body: HealthDto; headers: Headers }> {
  return callJson<HealthDto>("GET", "/api/health");
}

describe("GET /api/health", () => {
  it("answers without credentials, in its documented shape", async () => {
    const res = await health();
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.body).toEqual({
      status: "ok",
      version: expect.any(String),
      sandbox: true,
      database: { mode: MODE, ok: true, latencyMs: expect.any(Number) },
      integrations: {
        github: { mode: "sandbox", ok: true, detail: expect.any(String), checkedAt: expect.any(String) },
        argocd: { mode: "sandbox", ok: true, detail: expect.any(String), checkedAt: expect.any(String) },
        prometheus: { mode: "sandbox", ok: true, detail: expect.any(String), checkedAt: expect.any(String) },
      },
      policies: { ok: true, loaded: expect.any(Number), errors: [] },
    });
    expect(res.body.policies.loaded).toBeGreaterThan(0);
  });

  it("answers 503 with status down when the database does not answer", async () => {
    const deadUrl = `postgresql://postgres@127.0.0.1:${await freePort()}/paved?sslmode=disable`;
    try {
      await useDatabase(deadUrl);
      const res = await health();
      expect(res.status).toBe(503);
      expect(res.body.status).toBe("down");
      expect(res.body.database).toEqual({ mode: MODE, ok: false, latencyMs: null, error: "The database does not answer." });
      expect(JSON.stringify(res.body)).not.toContain(deadUrl);
      expect(Object.keys(res.body.integrations).sort()).toEqual(["argocd", "github", "prometheus"]);
    } finally {
      await useSharedDatabase();
    }
    expect((await health()).status).toBe(200);
  });
});

describe("Prometheus (a real one)", () => {
  let prometheus: RunningPrometheus;
  let prefixed: RunningPrometheus;

  beforeAll(async () => {
    [prometheus, prefixed] = await Promise.all([startPrometheus(), startPrometheus({ routePrefix: "/prometheus" })]);
  });
  afterAll(async () => {
    await Promise.all([prometheus?.stop(), prefixed?.stop()]);
  });

  it("reports mode prometheus, ok, with its version", async () => {
    const info = (await (await fetch(`${prometheus.url}/api/v1/status/buildinfo`)).json()) as { data: { version: string } };
    expect(info.data.version).toMatch(/^\d+\.\d+\.\d+/);
    configure({ PROMETHEUS_URL: prometheus.url });
    const res = await health();
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("ok");
    expect(res.body.integrations.prometheus).toMatchObject({ mode: "prometheus", ok: true, detail: `Prometheus ${info.data.version}` });
  });

  it("works behind a path prefix, with or without a trailing slash", async () => {
    for (const url of [prefixed.url, `${prefixed.url}/`]) {
      configure({ PROMETHEUS_URL: url });
      expect((await health()).body.integrations.prometheus).toMatchObject({ mode: "prometheus", ok: true });
    }
  });

  it("reports ok: false and status degraded, not a 5xx, when Prometheus does not answer", async () => {
    configure({ PROMETHEUS_URL: `http://127.0.0.1:${await freePort()}` });
    const res = await health();
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("degraded");
    expect(res.body.database.ok).toBe(true);
    expect(res.body.integrations.prometheus).toMatchObject({ mode: "prometheus", ok: false, detail: expect.stringMatching(/^Prometheus did not answer/) });
  });
});

describe("Argo CD (a double of its published API)", () => {
  const TOKEN = "argocd-test-token";
  // Field for field the VersionMessage of Argo CD 3.6 (specs/argocd-swagger.json: versionVersionMessage).
  const VERSION = {
    Version: "v3.6.0+8f4e1c2",
    BuildDate: "2026-05-04T12:00:00Z",
    GitCommit: "8f4e1c2d9b0a7e6f5d4c3b2a1908f7e6d5c4b3a2",
    GitTag: "v3.6.0",
    GitTreeState: "clean",
    GoVersion: "go1.24.4",
    Compiler: "gc",
    Platform: "linux/amd64",
    KustomizeVersion: "v5.6.0 2025-01-14T12:00:00Z",
    HelmVersion: "v3.17.3+ge4da497",
    KubectlVersion: "v0.33.1",
    JsonnetVersion: "v0.21.0",
    ExtraBuildInfo: "",
  };
  let argocd: HttpDouble;

  beforeAll(async () => {
    argocd = await startDouble((req, res) => {
      if (req.method !== "GET" || req.url !== "/api/version") {
        return sendJson(res, 404, { code: 5, error: "Not Found", message: "Not Found" });
      }
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        const body = { code: 16, error: "invalid session: token is malformed", message: "invalid session: token is malformed" };
        assertArgocdDefinition("runtimeError", body);
        return sendJson(res, 401, body);
      }
      assertArgocdDefinition("versionVersionMessage", VERSION);
      sendJson(res, 200, VERSION);
    });
  });
  afterAll(async () => {
    await argocd?.close();
  });

  it("reports mode argocd, ok, with the server's version, and sends the bearer token", async () => {
    configure({ ARGOCD_URL: argocd.url, ARGOCD_TOKEN: TOKEN });
    const before = argocd.requests.length;
    const res = await health();
    expect(res.status).toBe(200);
    expect(res.body.integrations.argocd).toMatchObject({ mode: "argocd", ok: true, detail: `Argo CD ${VERSION.Version}` });
    const sent = argocd.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ method: "GET", url: "/api/version" });
    expect(sent[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it("checks at most once per 30 s until the cache is reset", async () => {
    configure({ ARGOCD_URL: argocd.url, ARGOCD_TOKEN: TOKEN });
    const before = argocd.requests.length;
    const first = await health();
    const second = await health();
    expect(argocd.requests.length - before).toBe(1);
    expect(second.body.integrations.argocd.checkedAt).toBe(first.body.integrations.argocd.checkedAt);
    resetIntegrationHealthCache();
    await health();
    expect(argocd.requests.length - before).toBe(2);
  });

  it("reports ok: false and degraded when Argo CD refuses the token", async () => {
    configure({ ARGOCD_URL: argocd.url, ARGOCD_TOKEN: "wrong" });
    const res = await health();
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("degraded");
    expect(res.body.integrations.argocd).toMatchObject({ mode: "argocd", ok: false, detail: "Argo CD answered 401" });
  });

  it("gives up on an Argo CD that never answers, within its timeout", async () => {
    const silent = await startDouble(() => {
      // Accepts the request and never answers.
    });
    try {
      configure({ ARGOCD_URL: silent.url, ARGOCD_TOKEN: TOKEN });
      const started = Date.now();
      const res = await health();
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(res.status).toBe(200);
      expect(res.body.status).toBe("degraded");
      expect(res.body.integrations.argocd).toMatchObject({ mode: "argocd", ok: false, detail: expect.stringMatching(/^Argo CD did not answer/) });
    } finally {
      await silent.close();
    }
  });
});

describe("GitHub (a double of its published API)", () => {
  const TOKEN = "ghp_pavedTestToken0123456789abcdefghijklm";
  let github: HttpDouble;
  const rateLimit = githubExample("rate-limit-overview") as { resources: { core: { limit: number; remaining: number } } };

  beforeAll(async () => {
    github = await startDouble((req, res) => {
      if (req.method !== "GET" || req.url !== "/rate_limit") return sendJson(res, 404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
      if (!/^(token|bearer) /i.test(req.headers.authorization ?? "") || !req.headers.authorization?.endsWith(TOKEN)) {
        return sendJson(res, 401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" });
      }
      assertGithubResponse("GET", "/rate_limit", 200, rateLimit);
      sendJson(res, 200, rateLimit, {
        "x-ratelimit-limit": String(rateLimit.resources.core.limit),
        "x-ratelimit-remaining": String(rateLimit.resources.core.remaining),
        "x-ratelimit-reset": "1691591363",
        "x-github-api-version-selected": "2022-11-28",
      });
    });
  });
  afterAll(async () => {
    await github?.close();
  });

  it("reports mode github, ok, with the calls left, and sends the token", async () => {
    configure({ GITHUB_TOKEN: TOKEN, GITHUB_API_URL: github.url, GITHUB_ORG: "demo" });
    const before = github.requests.length;
    const res = await health();
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("ok");
    const { core } = rateLimit.resources;
    expect(res.body.integrations.github).toMatchObject({ mode: "github", ok: true, detail: `${core.remaining}/${core.limit} API calls left this hour` });
    const sent = github.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ method: "GET", url: "/rate_limit" });
    expect(sent[0]?.headers.authorization).toMatch(new RegExp(`^(token|bearer) ${TOKEN}$`, "i"));
  });

  it("reports ok: false and degraded when GitHub refuses the token", async () => {
    configure({ GITHUB_TOKEN: "ghp_wrong", GITHUB_API_URL: github.url, GITHUB_ORG: "demo" });
    const res = await health();
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("degraded");
    expect(res.body.integrations.github).toMatchObject({ mode: "github", ok: false, detail: "GitHub refused the token (401)" });
  });

  it("reports ok: false when GitHub cannot be reached", async () => {
    configure({ GITHUB_TOKEN: TOKEN, GITHUB_API_URL: `http://127.0.0.1:${await freePort()}`, GITHUB_ORG: "demo" });
    const res = await health();
    expect(res.status).toBe(200);
    expect(res.body.integrations.github).toMatchObject({ mode: "github", ok: false, detail: expect.stringMatching(/^GitHub did not answer/) });
  });
});
