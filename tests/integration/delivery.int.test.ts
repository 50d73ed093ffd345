// Delivery end to end on both databases, against the sandbox cluster over a real local GitOps
// repository: a promotion's diff, plan and gates; approvals (not your own, twice counts once);
// the run wave by wave with canary steps; one run per service and environment; a bad version
// halting the run and rolling back dependents first; a run that survives its worker dying; the
// engine unreachable pausing and resuming; rollback on a click; drift; the matrix; the audit.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/core/db/client";
import { EngineUnavailableError, type GitOpsEngine } from "@/lib/core/ports/gitops-engine";
import type { GitHost, RepoRef } from "@/lib/core/ports/git-host";
import { gitOpsRepositoryOf } from "@/lib/gitops/repository";
import { SandboxCluster } from "@/lib/integrations/sandbox-cluster";
import { setGitOpsEngine } from "@/lib/delivery/engine";
import { gitopsSnapshot, versionIn } from "@/lib/delivery/gitops-state";
import { executeRun, type RunDeps } from "@/lib/delivery/run";
import { scanDrift } from "@/lib/delivery/rollback";
import type { DeploymentDto, MatrixDto, PromotionDto } from "@/lib/delivery";
import { useDemoGitOps } from "../support/catalog";
import { createTestDatabase, useDatabase, useSharedDatabase, type TestDatabase } from "../support/database";
import { makePerson, type TestPerson } from "../support/factory";
import { callJson, expectErrorBody, type ErrorBody } from "../support/http";

let database: TestDatabase;
let host: GitHost;
let repo: RepoRef;
let cluster: SandboxCluster;
let carol: TestPerson;
let frank: TestPerson;
let bob: TestPerson;
let admin: TestPerson;

type Promotion = PromotionDto & ErrorBody;

beforeAll(async () => {
  database = await createTestDatabase({ seed: true });
  await useDatabase(database.url);
  const git = await useDemoGitOps();
  host = git.host;
  repo = gitOpsRepositoryOf(host);
  cluster = new SandboxCluster({ db: db(), host, speed: 0 });
  setGitOpsEngine(cluster);
  // The cluster runs what git pins before any promotion (as `npm start` prepares it).
  await cluster.listApplications();
  const team = async (slug: string) => {
    const t = await db().team.findUniqueOrThrow({ where: { slug } });
    return { id: t.id, slug: t.slug };
  };
  carol = await makePerson(["release-manager"], { team: await team("platform"), prefix: "carol" });
  frank = await makePerson(["release-manager"], { team: await team("storefront"), prefix: "frank" });
  bob = await makePerson(["developer"], { team: await team("payments"), prefix: "bob" });
  admin = await makePerson(["platform-admin"], { team: await team("platform"), prefix: "admin" });
});

afterAll(async () => {
  setGitOpsEngine(undefined);
  await useSharedDatabase();
  await database?.drop();
});

function deps(overrides: Partial<RunDeps> = {}): RunDeps {
  return { db: db(), engine: cluster, host, pollMs: 5, analysisMs: 5, sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 5))), errorRate: (s, e) => cluster.errorRate(s, e), ...overrides };
}

const promote = (body: Record<string, unknown>, person = carol) => callJson<Promotion>("POST", "/api/v1/promotions", { body, token: person.token });
const decide = (id: string, decision: "approve" | "reject", person: TestPerson) => callJson<Promotion>("POST", `/api/v1/promotions/{id}/${decision}`, { params: { id }, body: {}, token: person.token });
const execute = (id: string, person = carol) => callJson<Promotion>("POST", "/api/v1/promotions/{id}/execute", { params: { id }, token: person.token });
const get = async (id: string) => (await callJson<PromotionDto>("GET", "/api/v1/promotions/{id}", { params: { id }, token: carol.token })).body;
const pinned = async (service: string, environment: string) => versionIn((await gitopsSnapshot(host))!, service, environment);
const gate = (p: PromotionDto, id: string) => p.gates.find((g) => g.id === id);

describe("a promotion from staging to production", () => {
  let promotion: PromotionDto;

  it("shows the diff, the plan in dependency order and the gates, with approvals pending", async () => {
    const res = await promote({ environment: "production", services: [{ name: "frontend", version: "3.2.0" }, { name: "backend-api", version: "1.5.0" }], reason: "Release 42" });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    promotion = res.body;
    expect(promotion).toMatchObject({ environment: "production", sourceEnvironment: "staging", status: "pending_approval", requiredApprovals: 1, ready: false });
    expect(promotion.services).toEqual([
      { name: "backend-api", fromVersion: "1.4.0", toVersion: "1.5.0" },
      { name: "frontend", fromVersion: "3.1.2", toVersion: "3.2.0" },
    ]);
    const frontend = promotion.diff.find((d) => d.service === "frontend")!;
    expect(frontend).toMatchObject({ strategy: "canary", trafficSteps: [10, 50, 100], image: "ghcr.io/acme/frontend:3.2.0", file: "apps/frontend/overlays/production/kustomization.yaml" });
    expect(frontend.patch).toMatch(/-\s+newTag: "?3\.1\.2"?/);
    expect(frontend.patch).toMatch(/\+\s+newTag: "?3\.2\.0"?/);
    expect(promotion.diff.find((d) => d.service === "backend-api")?.migrationScripts).toEqual(["db-migration.sql"]);
    expect(promotion.plan.waves).toEqual([["backend-api"], ["frontend"]]);
    expect(gate(promotion, "approvals")).toMatchObject({ status: "pending" });
    expect(gate(promotion, "source-health")).toMatchObject({ status: "passed" });
    // The demo's SLOs on production, read from the sandbox's healthy traffic: budget left.
    expect(gate(promotion, "error-budget")).toMatchObject({ status: "passed", details: expect.arrayContaining([expect.stringMatching(/^backend-api: \d+(\.\d)?% left$/)]) });
  });

  it("refuses to run before approval, refuses self-approval, counts a second approval once", async () => {
    expectErrorBody(await execute(promotion.id), 422, "rule_violation");
    expectErrorBody(await decide(promotion.id, "approve", carol), 403, "forbidden");
    const approved = await decide(promotion.id, "approve", frank);
    expect(approved.body).toMatchObject({ status: "approved", ready: true });
    const twice = await decide(promotion.id, "approve", frank);
    expect(twice.body.approvals).toHaveLength(1);
    expect(gate(twice.body, "approvals")).toMatchObject({ status: "passed", message: `Approved by ${frank.login}.` });
  });

  it("runs backend-api, then frontend through its canary steps 10/50/100, and records the deployments", async () => {
    const started = await execute(promotion.id);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    expect(started.body.run?.steps.map((s) => `${s.service}:${s.kind}`)).toEqual([
      "backend-api:migrate",
      "backend-api:commit",
      "backend-api:sync",
      "backend-api:rollout",
      "frontend:commit",
      "frontend:sync",
      "frontend:rollout",
    ]);
    // A second run of the same promotion, or of the same services, is refused.
    expectErrorBody(await execute(promotion.id), 409, "conflict");
    await executeRun(started.body.run!.id, deps());
    const done = await get(promotion.id);
    expect(done.status).toBe("succeeded");
    expect(done.run?.status).toBe("succeeded");
    expect(done.run?.steps.every((s) => s.status === "succeeded")).toBe(true);
    const rollout = done.run!.steps.find((s) => s.service === "frontend" && s.kind === "rollout")!;
    expect(rollout.detail.weights).toEqual([10, 50, 100]);
    const backendDone = done.run!.steps.find((s) => s.service === "backend-api" && s.kind === "rollout")!.finishedAt!;
    const frontendCommit = done.run!.steps.find((s) => s.service === "frontend" && s.kind === "commit")!.startedAt!;
    expect(Date.parse(frontendCommit)).toBeGreaterThanOrEqual(Date.parse(backendDone));
    expect(await pinned("backend-api", "production")).toBe("1.5.0");
    expect(await pinned("frontend", "production")).toBe("3.2.0");
    expect((await cluster.getApplication("frontend-production"))?.images).toEqual(["ghcr.io/acme/frontend:3.2.0"]);
    const deployments = (await callJson<{ items: DeploymentDto[] }>("GET", "/api/v1/deployments", { query: { environment: "production" }, token: bob.token })).body.items;
    expect(deployments.map((d) => [d.service, d.version, d.previousVersion, d.outcome, d.promotionNumber]).sort()).toEqual([
      ["backend-api", "1.5.0", "1.4.0", "succeeded", promotion.number],
      ["frontend", "3.2.0", "3.1.2", "succeeded", promotion.number],
    ]);
    // Production promotes through a pull request that Paved merged.
    const merge = (await host.findPullRequest(repo, `paved/promotion-${promotion.number}-deploy-frontend`, "all"))!;
    expect(merge.state).toBe("merged");
    const actions = (await db().auditEvent.findMany({ where: { targetId: promotion.id }, orderBy: { seq: "asc" } })).map((e) => e.action);
    expect(actions).toEqual(["promotion.requested", "promotion.approved", "promotion.started"]);
  });
});

describe("refusals", () => {
  it("answers 400 for an unknown version or service, 404 for an unknown environment, 403 for another team's service or a skipped environment", async () => {
    expect(expectErrorBody(await promote({ environment: "staging", services: [{ name: "frontend", version: "9.9.9" }] }), 400, "invalid_input").message).toContain("9.9.9");
    expectErrorBody(await promote({ environment: "staging", services: [{ name: "nope", version: "1.0.0" }] }), 400, "invalid_input");
    expectErrorBody(await promote({ environment: "qa", services: [{ name: "frontend", version: "3.2.0" }] }), 404, "not_found");
    expect(expectErrorBody(await promote({ environment: "staging", services: [{ name: "frontend", version: "3.3.0-rc.2" }] }, bob), 403, "forbidden").message).toContain("frontend");
    // ledger 0.16.0-rc.1 runs in dev only: straight to production skips staging.
    const skip = await promote({ environment: "production", services: [{ name: "ledger", version: "0.16.0-rc.1" }] });
    expect(expectErrorBody(skip, 403, "forbidden").details).toMatchObject({ permission: "promotions.skip" });
    const allowed = await promote({ environment: "production", services: [{ name: "ledger", version: "0.16.0-rc.1" }] }, admin);
    expect(allowed.status).toBe(201);
    expect((await promote({ environment: "staging", services: [{ name: "frontend", version: "3.2.0" }] })).status).toBe(400);
  });
});

describe("a bad version", () => {
  it("halts the run and rolls back what it changed, dependents first, by reverting in git", async () => {
    await cluster.markBadVersion("frontend", "3.3.0-rc.2", "errors");
    const res = await promote({ environment: "staging", services: [{ name: "backend-api", version: "1.6.0-rc.1" }, { name: "frontend", version: "3.3.0-rc.2" }] });
    expect(res.body).toMatchObject({ status: "approved", ready: true });
    const started = await execute(res.body.id);
    await executeRun(started.body.run!.id, deps());
    const done = await get(res.body.id);
    expect(done.status).toBe("rolled_back");
    expect(done.run?.status).toBe("rolled_back");
    expect(done.run?.message).toContain("frontend");
    const failed = done.run!.steps.find((s) => s.status === "failed")!;
    expect(failed).toMatchObject({ service: "frontend" });
    const rollback = done.run!.steps.filter((s) => s.kind.startsWith("rollback_"));
    // frontend (the dependent) first, then backend-api.
    expect(rollback.map((s) => `${s.service}:${s.kind}:${s.status}`)).toEqual([
      "frontend:rollback_commit:succeeded",
      "frontend:rollback_sync:succeeded",
      "frontend:rollback_rollout:succeeded",
      "backend-api:rollback_commit:succeeded",
      "backend-api:rollback_sync:succeeded",
      "backend-api:rollback_rollout:succeeded",
    ]);
    expect(await pinned("frontend", "staging")).toBe("3.2.0");
    expect(await pinned("backend-api", "staging")).toBe("1.5.0");
    const staging = (await callJson<{ items: DeploymentDto[] }>("GET", "/api/v1/deployments", { query: { environment: "staging" }, token: carol.token })).body.items;
    expect(staging.filter((d) => d.kind === "deploy").map((d) => `${d.service}:${d.outcome}`).sort()).toEqual(["backend-api:rolled_back", "frontend:failed"]);
    expect(staging.filter((d) => d.kind === "rollback").map((d) => `${d.service}:${d.version}:${d.outcome}`).sort()).toEqual(["backend-api:1.5.0:succeeded", "frontend:3.2.0:succeeded"]);
    // The locks are released: the services can be promoted again.
    expect(await db().deliveryLock.count()).toBe(0);
    await cluster.clearBadVersion("frontend", "3.3.0-rc.2");
  });
});

describe("durability", () => {
  it("resumes a run whose worker died, without committing twice", async () => {
    const res = await promote({ environment: "staging", services: [{ name: "catalog-service", version: "4.1.0" }] });
    const started = await execute(res.body.id);
    const runId = started.body.run!.id;
    // A cluster slow enough that following the rollout has to wait, and a worker that dies
    // (hangs forever, as a killed process would never answer) in the middle of that wait.
    const slow = new SandboxCluster({ db: db(), host, speed: 0.2 });
    let died!: () => void;
    const dead = new Promise<void>((r) => (died = r));
    void executeRun(runId, deps({ engine: slow, sleep: () => (died(), new Promise<void>(() => {})) }));
    await dead;
    const halfway = await get(res.body.id);
    expect(halfway.run?.status).toBe("running");
    expect(halfway.run?.steps.find((s) => s.kind === "commit")?.status).toBe("succeeded");
    expect(halfway.run?.steps.find((s) => s.kind === "rollout")?.status).toBe("running");
    // Another worker finds the run's heartbeat stale and takes it over.
    await db().deliveryRun.update({ where: { id: runId }, data: { heartbeatAt: new Date(Date.now() - 60_000) } });
    await executeRun(runId, deps({ engine: slow, sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 50))) }));
    const done = await get(res.body.id);
    expect(done.status).toBe("succeeded");
    expect(await db().deployment.count({ where: { runId } })).toBe(1);
    expect(done.run!.steps.find((s) => s.kind === "commit")?.attempts).toBe(1);
  });

  it("pauses while the engine is unreachable and resumes when it answers", async () => {
    const res = await promote({ environment: "staging", services: [{ name: "search-service", version: "1.4.1" }] });
    const started = await execute(res.body.id);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    let failures = 3;
    const statuses: string[] = [];
    const flaky: GitOpsEngine = new Proxy(cluster, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver) as unknown;
        if (prop !== "sync" || typeof value !== "function") return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        return async (...args: unknown[]) => {
          if (failures-- > 0) throw new EngineUnavailableError("connect ECONNREFUSED 10.0.0.1:443", null);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    await executeRun(
      started.body.run!.id,
      deps({
        engine: flaky,
        sleep: async () => {
          statuses.push((await db().deliveryRun.findUniqueOrThrow({ where: { id: started.body.run!.id } })).status);
        },
      }),
    );
    expect(statuses).toContain("paused");
    expect((await get(res.body.id)).status).toBe("succeeded");
  });
});

describe("strategy manifests", () => {
  it("writes frontend's canary Rollout into the GitOps repository once, and promotions still deploy it", async () => {
    const res = await callJson<{ files: string[]; sha: string | null }>("POST", "/api/v1/services/{name}/strategy-manifests", { params: { name: "frontend" }, body: { mesh: "istio" }, token: carol.token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.files.sort()).toEqual(["apps/frontend/base/kustomization.yaml", "apps/frontend/base/strategy.yaml"]);
    const text = await host.readFile(repo, "apps/frontend/base/strategy.yaml");
    expect(text).toContain("kind: Rollout");
    expect(text).toContain("kind: VirtualService");
    const again = await callJson<{ files: string[] }>("POST", "/api/v1/services/{name}/strategy-manifests", { params: { name: "frontend" }, body: { mesh: "istio" }, token: carol.token });
    expect(again.body.files).toEqual([]);
    expectErrorBody(await callJson("POST", "/api/v1/services/{name}/strategy-manifests", { params: { name: "frontend" }, body: {}, token: bob.token }), 403, "forbidden");
  });
});

describe("rollback on a click, drift, the matrix", () => {
  it("rolls a deployment back to the version before it", async () => {
    const deployment = (await callJson<{ items: DeploymentDto[] }>("GET", "/api/v1/deployments", { query: { service: "catalog-service" }, token: carol.token })).body.items[0]!;
    expect(deployment).toMatchObject({ version: "4.1.0", previousVersion: "4.0.3", outcome: "succeeded" });
    expectErrorBody(await callJson("POST", "/api/v1/deployments/{id}/rollback", { params: { id: deployment.id }, token: bob.token }), 403, "forbidden");
    const res = await callJson<Promotion>("POST", "/api/v1/deployments/{id}/rollback", { params: { id: deployment.id }, token: carol.token });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    await executeRun(res.body.run!.id, deps());
    expect(await pinned("catalog-service", "staging")).toBe("4.0.3");
    const after = (await callJson<{ items: DeploymentDto[] }>("GET", "/api/v1/deployments", { query: { service: "catalog-service" }, token: carol.token })).body.items;
    expect(after.map((d) => `${d.kind}:${d.version}:${d.outcome}`)).toEqual(["rollback:4.0.3:succeeded", "deploy:4.1.0:rolled_back"]);
    expectErrorBody(await callJson("POST", "/api/v1/deployments/{id}/rollback", { params: { id: deployment.id }, token: carol.token }), 409, "conflict");
  });

  it("lists drift with the differing resources and reconciles it on a click", async () => {
    await cluster.simulateDrift("worker-service-staging", { replicas: 7 });
    const drift = await callJson<{ items: { application: string; resources: { kind: string; liveState: string | null }[] }[] }>("GET", "/api/v1/drift", { token: carol.token });
    const item = drift.body.items.find((i) => i.application === "worker-service-staging")!;
    expect(item.resources.some((r) => r.kind === "Deployment" && (r.liveState ?? "").includes("7"))).toBe(true);
    const reconciled = await callJson("POST", "/api/v1/drift/{application}/reconcile", { params: { application: "worker-service-staging" }, token: carol.token });
    expect(reconciled.status).toBe(202);
    const after = await callJson<{ items: { application: string }[] }>("GET", "/api/v1/drift", { token: carol.token });
    expect(after.body.items.map((i) => i.application)).not.toContain("worker-service-staging");
    expect(await db().auditEvent.count({ where: { action: "drift.reconciled", targetId: "worker-service-staging" } })).toBe(1);
  });

  it("reconciles drift automatically where the environment says so, and not while a run deploys the service", async () => {
    expectErrorBody(await callJson("PATCH", "/api/v1/environments/{name}", { params: { name: "dev" }, body: { autoReconcile: true }, token: carol.token }), 403, "forbidden");
    const patched = await callJson<{ autoReconcile: boolean }>("PATCH", "/api/v1/environments/{name}", { params: { name: "dev" }, body: { autoReconcile: true }, token: admin.token });
    expect(patched.body.autoReconcile).toBe(true);
    await cluster.simulateDrift("ledger-dev", { replicas: 4 });
    await cluster.simulateDrift("ledger-staging", { replicas: 4 });
    const result = await scanDrift(db(), cluster);
    expect(result.drifted).toEqual(expect.arrayContaining(["ledger-dev", "ledger-staging"]));
    // dev reconciles (frontend-dev too: the strategy commit above left it out of sync); staging waits for a click.
    expect(result.reconciled).toContain("ledger-dev");
    expect(result.reconciled.every((a) => a.endsWith("-dev"))).toBe(true);
    expect(await db().auditEvent.count({ where: { action: "environment.updated", targetLabel: "dev" } })).toBe(1);
  });

  it("shows every service in every environment", async () => {
    const res = await callJson<MatrixDto>("GET", "/api/v1/environments/matrix", { token: bob.token });
    expect(res.body.environments.map((e) => e.name)).toEqual(["dev", "staging", "production"]);
    const frontend = res.body.services.find((s) => s.name === "frontend")!;
    expect(frontend.cells.production).toMatchObject({ version: "3.2.0", health: "Healthy", lastDeployment: { version: "3.2.0", outcome: "succeeded" } });
    // The strategy commit changed frontend's manifests in git: production has not synced it yet.
    expect(frontend.cells.production).toMatchObject({ sync: "OutOfSync", drift: true });
    expect(res.body.services.find((s) => s.name === "ledger")!.cells.production).toMatchObject({ sync: "Synced", drift: false });
    expect(frontend.cells.staging?.lastDeployment).toMatchObject({ version: "3.2.0", outcome: "succeeded" });
    const filtered = await callJson<MatrixDto>("GET", "/api/v1/environments/matrix", { query: { team: "payments" }, token: bob.token });
    expect(filtered.body.services.every((s) => s.team === "payments")).toBe(true);
  });
});

describe("the timeline's pages", () => {
  it("pages newest first with a keyset cursor, and refuses a cursor it did not give", async () => {
    const all = (await callJson<{ items: DeploymentDto[]; next: string | null }>("GET", "/api/v1/deployments", { query: { limit: "500" }, token: bob.token })).body;
    expect(all.items.length).toBeGreaterThan(3);
    expect(all.next).toBeNull();
    const seen: string[] = [];
    let before: string | null = null;
    for (let page = 0; page < 50; page++) {
      const res: { status: number; body: { items: DeploymentDto[]; next: string | null } } = await callJson("GET", "/api/v1/deployments", { query: { limit: "2", ...(before ? { before } : {}) }, token: bob.token });
      expect(res.status).toBe(200);
      seen.push(...res.body.items.map((d) => d.id));
      before = res.body.next;
      if (!before) break;
    }
    expect(seen).toEqual(all.items.map((d) => d.id));
    const starts = all.items.map((d) => Date.parse(d.startedAt));
    expect([...starts].sort((a, b) => b - a)).toEqual(starts);
    expectErrorBody(await callJson("GET", "/api/v1/deployments", { query: { before: "yesterday" }, token: bob.token }), 400, "invalid_input");
  });
});
