// GitHub and Argo CD slow, failing (5xx) and unreachable in the middle of a promotion run, through
// their real adapters against the doubles that follow the vendors' published descriptions
// (tests/support/github-double, tests/support/argocd-double), each behind a TCP proxy
// (tests/support/proxy.ts) that can refuse or reset every connection.
//
// For each dependency and each kind of outage: the run pauses with the reason on the promotion
// (the API shows it), /api/health shows the integration degraded, the run retries with growing
// waits, the adapter's circuit breaker (lib/integrations/circuit-breaker.ts) keeps the number of
// requests the dead dependency receives bounded, and once it is back the run finishes on its own
// and health says ok again.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadActorByUserId, type Actor } from "@/lib/core/auth/actor";
import { db } from "@/lib/core/db/client";
import { resetEnvCache } from "@/lib/core/env";
import type { FileChange, GitHost } from "@/lib/core/ports/git-host";
import type { GitOpsEngine } from "@/lib/core/ports/gitops-engine";
import { createPromotion, executePromotion } from "@/lib/delivery";
import { setGitOpsEngine } from "@/lib/delivery/engine";
import { gitopsSnapshot, versionIn } from "@/lib/delivery/gitops-state";
import { executeRun } from "@/lib/delivery/run";
import { ArgoCdEngine } from "@/lib/integrations/argocd";
import { GitHubGitHost } from "@/lib/integrations/github/git-host";
import { resetIntegrationHealthCache } from "@/lib/integrations/health";
import { demoGitOpsFiles } from "@/lib/integrations/localgit/gitops-seed";
import { DEMO_ENVIRONMENTS, DEMO_SERVICES } from "@/prisma/seed/demo-organisation";
import { startArgoCdDouble, type ArgoCdDouble } from "../support/argocd-double";
import { useDemoGitOps } from "../support/catalog";
import { createTestDatabase, useDatabase, useSharedDatabase, type TestDatabase } from "../support/database";
import { makePerson } from "../support/factory";
import { startGithubDouble, type GithubDouble } from "../support/github-double";
import { callJson } from "../support/http";
import { startTcpProxy, type TcpProxy } from "../support/proxy";
import { delay, until } from "./support/wait";

const ENVIRONMENTS = DEMO_ENVIRONMENTS.map((e) => e.name);
/** Breaker settings for the adapters under test: small, so that an outage of a few seconds shows its whole cycle. */
const BREAKER = { failureThreshold: 3, cooldownMs: 500, maxCooldownMs: 2000 };
/** How long each outage lasts once the run has paused. */
const OUTAGE_MS = 4000;
/** Other callers of the same adapter during the outage. */
const OTHER_CALLERS = 8;

let database: TestDatabase;
let local: GitHost;
let argo: ArgoCdDouble;
let argoProxy: TcpProxy;
let github: GithubDouble;
let githubProxy: TcpProxy;
let carol: Actor;
let carolToken: string;
const savedEnv = { ...process.env };

beforeAll(async () => {
  database = await createTestDatabase({ seed: true });
  await useDatabase(database.url);
  const git = await useDemoGitOps();
  local = git.host;

  argo = await startArgoCdDouble();
  argoProxy = await startTcpProxy(hostPort(argo.url));
  github = await startGithubDouble({ login: "paved-bot", orgs: ["demo"] });
  await github.seedRepo("demo", "gitops", { files: demoGitOpsFiles(DEMO_SERVICES, ENVIRONMENTS) });
  githubProxy = await startTcpProxy(hostPort(github.url));

  // Argo CD runs every service in every environment at the version git pins.
  const snapshot = (await gitopsSnapshot(local))!;
  for (const s of DEMO_SERVICES) {
    for (const e of ENVIRONMENTS) {
      argo.seedApplication({
        name: `${s.name}-${e}`,
        project: "default",
        labels: { service: s.name, environment: e },
        source: { repoURL: "https://github.com/demo/gitops.git", path: `apps/${s.name}/overlays/${e}`, targetRevision: "main" },
        destination: { server: "https://kubernetes.default.svc", namespace: `${s.name}-${e}` },
        images: [`ghcr.io/acme/${s.name}:${versionIn(snapshot, s.name, e)}`],
      });
    }
  }
  // Promotions are planned against a healthy Argo CD (the source environment's health gate).
  setGitOpsEngine(new ArgoCdEngine({ url: argo.url, token: argo.token }));

  // /api/health checks both, through the proxies.
  Object.assign(process.env, { GITHUB_TOKEN: github.token, GITHUB_API_URL: `http://127.0.0.1:${githubProxy.port}`, GITHUB_ORG: "demo", ARGOCD_URL: `http://127.0.0.1:${argoProxy.port}`, ARGOCD_TOKEN: argo.token });
  resetEnvCache();

  const platform = await db().team.findUniqueOrThrow({ where: { slug: "platform" } });
  const person = await makePerson(["release-manager"], { team: { id: platform.id, slug: platform.slug }, prefix: "carol" });
  carol = (await loadActorByUserId(db(), person.id))!;
  carolToken = person.token;
}, 180_000);

afterEach(async () => {
  await argoProxy.restore();
  await githubProxy.restore();
  argo.clearFaults();
  argo.latencyMs = 0;
  github.latencyMs = 0;
  failing.github = false;
  // Every request the adapters made, and every answer the doubles gave, followed the vendors' descriptions.
  expect(argo.violations.splice(0)).toEqual([]);
  expect(github.violations.splice(0)).toEqual([]);
});

afterAll(async () => {
  for (const k of ["GITHUB_TOKEN", "GITHUB_API_URL", "GITHUB_ORG", "ARGOCD_URL", "ARGOCD_TOKEN"]) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
  resetEnvCache();
  setGitOpsEngine(undefined);
  await argoProxy?.close();
  await githubProxy?.close();
  await argo?.close();
  await github?.close();
  await useSharedDatabase();
  await database?.drop();
});

function hostPort(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) };
}

const failing = { github: false };

/** The adapters under test: through the proxies, with short timeouts and retries, and small breakers. */
function argoEngine(): ArgoCdEngine {
  return new ArgoCdEngine({ url: `http://127.0.0.1:${argoProxy.port}`, token: argo.token, timeoutMs: 500, retries: 1, retryBaseMs: 20, breaker: BREAKER });
}
function githubHost(): GitHubGitHost {
  const host = new GitHubGitHost({
    token: github.token,
    baseUrl: `http://127.0.0.1:${githubProxy.port}`,
    owner: "demo",
    retries: 1,
    retryBaseMs: 20,
    requestTimeoutMs: 500,
    writeIntervalMs: 0,
    notifyingWriteIntervalMs: 0,
    rateLimitSecondMs: 20,
    breaker: BREAKER,
  });
  return host;
}

/**
 * The host the run commits through, telling Argo CD's double about each commit (as Argo CD's repo
 * server would read it from git), so that syncs to that revision find the images it pins.
 */
function landingInArgo(host: GitHost): GitHost {
  const land = (files: FileChange[], sha: string) => {
    for (const f of files) {
      const m = /^apps\/([^/]+)\/overlays\/([^/]+)\/kustomization\.yaml$/.exec(f.path);
      const tag = f.content ? /newTag:\s*"?([^"\s]+)"?/.exec(f.content)?.[1] : undefined;
      if (m && tag) argo.setHead(`${m[1]}-${m[2]}`, sha, [`ghcr.io/acme/${m[1]}:${tag}`]);
    }
  };
  return new Proxy(host, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function") return value;
      if (prop !== "commitFiles") return (value as (...a: unknown[]) => unknown).bind(target);
      return async (...args: unknown[]) => {
        const sha = (await (value as (...a: unknown[]) => Promise<string>).apply(target, args)) as string;
        land(args[2] as FileChange[], sha);
        return sha;
      };
    },
  });
}

interface Outage {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Requests the dependency received (or connections it was asked for) since start(). */
  requests(): number;
}

function outage(dependency: "github" | "argocd", kind: "unreachable" | "failing" | "slow"): Outage {
  const proxy = dependency === "github" ? githubProxy : argoProxy;
  const calls = () => (dependency === "github" ? github.calls.length : argo.calls.length);
  let from = 0;
  if (kind === "unreachable") {
    return {
      async start() {
        proxy.resetCounts();
        await proxy.cut("reset");
      },
      stop: () => proxy.restore(),
      requests: () => proxy.attempts,
    };
  }
  if (kind === "failing") {
    return {
      async start() {
        from = calls();
        if (dependency === "github") {
          failing.github = true;
          github.inject({ status: 503, times: Number.MAX_SAFE_INTEGER, when: () => failing.github });
        } else {
          argo.inject({ answer: 503, times: Infinity });
        }
      },
      async stop() {
        if (dependency === "github") failing.github = false;
        else argo.clearFaults();
      },
      requests: () => calls() - from,
    };
  }
  // Slower than the adapters' 500 ms per attempt and the health check's 2 s.
  return {
    async start() {
      from = calls();
      if (dependency === "github") github.latencyMs = 2500;
      else argo.latencyMs = 2500;
    },
    async stop() {
      github.latencyMs = 0;
      argo.latencyMs = 0;
    },
    requests: () => calls() - from,
  };
}

async function health() {
  resetIntegrationHealthCache();
  return (await callJson<{ status: string; integrations: Record<string, { ok: boolean; detail: string }> }>("GET", "/api/health")).body;
}

/** Promotes `service` to staging (its dev version), with `host` as the git host; returns the promotion and its run. */
async function promote(service: string, host: GitHost): Promise<{ promotionId: string; runId: string }> {
  const snapshot = (await gitopsSnapshot(host))!;
  const version = versionIn(snapshot, service, "dev")!;
  const promotion = await createPromotion(carol, { environment: "staging", services: [{ name: service, version }], reason: "resilience" }, undefined, host);
  expect(promotion.status, JSON.stringify(promotion.gates)).toBe("approved");
  const started = await executePromotion(carol, promotion.id, undefined, host);
  return { promotionId: promotion.id, runId: started.run!.id };
}

const CASES = [
  { dependency: "argocd", kind: "unreachable", service: "worker-service" },
  { dependency: "argocd", kind: "failing", service: "catalog-service" },
  { dependency: "argocd", kind: "slow", service: "notification-service" },
  { dependency: "github", kind: "unreachable", service: "database" },
  { dependency: "github", kind: "failing", service: "auth-service" },
  { dependency: "github", kind: "slow", service: "ledger" },
] as const;

describe.each(CASES)("$dependency $kind in the middle of a run ($service)", ({ dependency, kind, service }) => {
  it("pauses the run with the reason, shows the integration degraded, backs off, stops hammering, and recovers", async () => {
    const engine: GitOpsEngine = dependency === "argocd" ? argoEngine() : new ArgoCdEngine({ url: argo.url, token: argo.token });
    const host = landingInArgo(dependency === "github" ? githubHost() : local);
    const { promotionId, runId } = await promote(service, host);
    expect((await health()).integrations[dependency]?.ok).toBe(true);

    const trouble = outage(dependency, kind);
    await trouble.start();
    const startedAt = Date.now();
    // The run's waits between attempts, as it asks for them (1 s, 2 s, 4 s …); slept a twentieth of.
    const waits: number[] = [];
    // The first wait is held until the paused run has been read through the API: slept a twentieth
    // of, it would otherwise end (and the run retry, "running" again) between the two reads.
    let releaseFirstWait: () => void = () => {};
    const firstWaitHeld = new Promise<void>((r) => (releaseFirstWait = r));
    const running = executeRun(runId, {
      db: db(),
      engine,
      host,
      pollMs: 20,
      analysisMs: 20,
      errorRate: async () => null,
      sleep: async (ms) => {
        waits.push(ms);
        if (waits.length === 1) await firstWaitHeld;
        await delay(Math.min(ms / 20, 400));
      },
    });
    let runError: unknown = null;
    running.catch((e: unknown) => (runError = e));

    // Paused, with the reason, where the API shows it.
    const paused = await until("the run to pause", 20_000, async () => {
      if (runError) throw runError;
      const r = await db().deliveryRun.findUniqueOrThrow({ where: { id: runId } });
      return r.status === "paused" ? r : null;
    });
    const reason = dependency === "argocd" ? /^The GitOps engine is unreachable \(Argo CD .+\); retrying/ : /^The git host is unreachable \(.*GitHub.+\); retrying/;
    try {
      expect(paused.message).toMatch(reason);
      const api = await callJson<{ run: { status: string; message: string | null } }>("GET", "/api/v1/promotions/{id}", { params: { id: promotionId }, token: carolToken });
      expect(api.body.run).toMatchObject({ status: "paused", message: expect.stringMatching(reason) });
    } finally {
      releaseFirstWait();
    }

    // Meanwhile the rest of the process keeps asking too (pages, other runs and jobs): callers
    // that each ask every 50 ms, through the same adapter.
    let quiet = false;
    const others = Array.from({ length: OTHER_CALLERS }, async () => {
      while (!quiet) {
        try {
          if (dependency === "argocd") await engine.getApplication(`${service}-dev`);
          else await host.getRepo({ owner: "demo", name: "gitops" });
        } catch {
          // refused, as expected
        }
        await delay(50);
      }
    });

    // Health shows the integration degraded, with what it got.
    const degraded = await health();
    expect(degraded.status).toBe("degraded");
    expect(degraded.integrations[dependency]).toMatchObject({ ok: false });

    await delay(Math.max(0, OUTAGE_MS - (Date.now() - startedAt)));
    const received = trouble.requests();
    const window = Date.now() - startedAt;
    quiet = true;
    await Promise.all(others);
    await trouble.stop();

    // Bounded: what was in flight when the outage began (one per caller), the breaker's threshold,
    // then one trial per cooldown at most (the cooldown only grows), each a request with its
    // retry, plus the health checks (two per check at most). Without the breaker the callers
    // above alone send hundreds.
    const perRequest = 2;
    const bound = OTHER_CALLERS + 1 + perRequest * (BREAKER.failureThreshold + Math.ceil(window / BREAKER.cooldownMs) + 1) + 4;
    expect(received, `${received} requests in ${window} ms`).toBeLessThanOrEqual(bound);
    expect(received).toBeGreaterThan(0);
    // Backing off: the run asked for longer and longer waits.
    expect(waits.length).toBeGreaterThanOrEqual(2);
    expect(waits[1]!).toBeGreaterThan(waits[0]!);

    // Back: the run finishes by itself, and health says ok again.
    await Promise.race([running, delay(30_000).then(() => Promise.reject(new Error("the run did not finish within 30 s of the dependency's return")))]);
    const done = await db().deliveryRun.findUniqueOrThrow({ where: { id: runId } });
    expect(done.status, done.message ?? "").toBe("succeeded");
    expect((await db().promotion.findUniqueOrThrow({ where: { id: promotionId } })).status).toBe("succeeded");
    expect(await db().deployment.count({ where: { runId, outcome: "succeeded" } })).toBe(1);
    const healthy = await until("health to say ok", 10_000, async () => {
      const h = await health();
      return h.integrations[dependency]?.ok ? h : null;
    });
    expect(healthy.integrations[dependency]?.ok).toBe(true);
  });
});
