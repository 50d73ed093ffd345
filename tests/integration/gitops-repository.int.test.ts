// Creating the GitOps repository from the gitops-app template, on both databases: through the API
// with the sandbox's local git host (the request checks and queues the job; the job lays the
// repository out), then a promotion in it, end to end against the sandbox cluster; and through the
// GitHub adapter against the GitHub double (every request and answer checked against GitHub's
// description), where the delivery code promotes in the repository it created.
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadActorByUserId, SYSTEM_ACTOR, type Actor } from "@/lib/core/auth/actor";
import { db } from "@/lib/core/db/client";
import type { GitHost, RepoRef } from "@/lib/core/ports/git-host";
import { createPromotion, decidePromotion, executePromotion, environmentsMatrix, type MatrixDto, type PromotionDto } from "@/lib/delivery";
import { setGitOpsEngine } from "@/lib/delivery/engine";
import { gitopsSnapshot, versionIn } from "@/lib/delivery/gitops-state";
import { executeRun, type RunDeps } from "@/lib/delivery/run";
import { createGitOpsRepository, requestGitOpsRepository, type GitOpsRepositoryDto, type GitOpsRepositoryPlanDto } from "@/lib/gitops";
import { imageTagOf, overlayKustomizationPath, readGitOpsFiles, setImageTag } from "@/lib/gitops/repository";
import { GitHubGitHost } from "@/lib/integrations/github/git-host";
import { SandboxCluster } from "@/lib/integrations/sandbox-cluster";
import { loadTemplateFolder } from "@/lib/templates/bundle";
import { syncCatalog } from "@/lib/templates/sync";
import { DEMO_SERVICES } from "@/prisma/seed/demo-organisation";
import { useSandboxGit } from "../support/catalog";
import { createTestDatabase, useDatabase, useSharedDatabase, type TestDatabase } from "../support/database";
import { makePerson, type TestPerson } from "../support/factory";
import { startGithubDouble, type GithubDouble } from "../support/github-double";
import { callJson, expectErrorBody, type ErrorBody } from "../support/http";

let database: TestDatabase;
let admin: TestPerson;
let carol: TestPerson;
let frank: TestPerson;

const ENVIRONMENTS = ["dev", "staging", "production"];
const GITOPS_APP = path.resolve(import.meta.dirname, "../../templates-catalog/gitops-app");

beforeAll(async () => {
  database = await createTestDatabase({ seed: true });
  await useDatabase(database.url);
  // The real catalog's gitops-app template, published as every start publishes it.
  const { bundles, errors } = await loadTemplateFolder(GITOPS_APP);
  expect(errors).toEqual([]);
  const report = await syncCatalog(db(), bundles, SYSTEM_ACTOR);
  expect(report.refused).toEqual([]);
  const team = async (slug: string) => {
    const t = await db().team.findUniqueOrThrow({ where: { slug } });
    return { id: t.id, slug: t.slug };
  };
  admin = await makePerson(["platform-admin"], { team: await team("platform"), prefix: "admin" });
  carol = await makePerson(["release-manager"], { team: await team("platform"), prefix: "carol" });
  frank = await makePerson(["release-manager"], { team: await team("storefront"), prefix: "frank" });
});

afterAll(async () => {
  setGitOpsEngine(undefined);
  await useSharedDatabase();
  await database?.drop();
});

function runDeps(host: GitHost, cluster: SandboxCluster): RunDeps {
  return { db: db(), engine: cluster, host, pollMs: 5, analysisMs: 5, sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 5))), errorRate: (s, e) => cluster.errorRate(s, e) };
}

/** What every created repository must hold: the seed's layout for each service in each environment it deploys to. */
function expectLayout(files: Record<string, string>, registry: string, tag: string): void {
  for (const svc of DEMO_SERVICES) {
    for (const f of ["deployment.yaml", "service.yaml", "kustomization.yaml"]) expect(Object.keys(files), `${svc.name} base`).toContain(`apps/${svc.name}/base/${f}`);
    for (const env of ENVIRONMENTS) {
      expect(imageTagOf(files, svc.name, env), `${svc.name} in ${env}`).toBe(tag);
      const app = files[`argocd/${svc.name}-${env}.yaml`]!;
      expect(app, `${svc.name}-${env} Application`).toContain(`name: ${svc.name}-${env}`);
      expect(app).toContain(`path: apps/${svc.name}/overlays/${env}`);
      expect(app).toContain(`kubectl apply -n argocd -f argocd/${svc.name}-${env}.yaml`);
    }
    expect(files[`apps/${svc.name}/base/deployment.yaml`]).toContain(`image: ${registry}/${svc.name}:`);
    expect(files[`apps/${svc.name}/base/deployment.yaml`]).toContain(`path: ${svc.healthCheckPath}`);
  }
  // The template's own place for Applications is not used: the engine reads argocd/.
  expect(Object.keys(files).some((p) => /^apps\/[^/]+\/argocd\//.test(p))).toBe(false);
}

describe("through the API, in the sandbox", () => {
  let host: GitHost;
  let repo: RepoRef;
  let cluster: SandboxCluster;

  beforeAll(async () => {
    host = (await useSandboxGit([])).host;
    repo = { owner: "demo", name: "gitops" };
  });

  it("says there is no repository yet, and what would be in it", async () => {
    const res = await callJson<GitOpsRepositoryDto>("GET", "/api/v1/gitops/repository", { token: carol.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ repository: "demo/gitops", exists: false, webUrl: null, revision: null, job: null });
    expect(res.body.services.every((s) => !s.inRepository)).toBe(true);
    // Nothing can be promoted until it exists, and the refusal says how to make it.
    const refused = await callJson<ErrorBody>("POST", "/api/v1/promotions", { body: { environment: "staging", services: [{ name: "frontend", version: "1.0.0" }] }, token: carol.token });
    expect(expectErrorBody(refused, 422, "rule_violation").message).toContain("POST /api/v1/gitops/repository");
  });

  it("is requested by platform admins only, with valid settings; the request queues the job and is audited", async () => {
    expectErrorBody(await callJson("POST", "/api/v1/gitops/repository", { body: {}, token: carol.token }), 403, "forbidden");
    expectErrorBody(await callJson("POST", "/api/v1/gitops/repository", { body: { registry: "GHCR.io/Acme!" }, token: admin.token }), 400, "invalid_input");
    expectErrorBody(await callJson("POST", "/api/v1/gitops/repository", { body: { imageTag: "-bad" }, token: admin.token }), 400, "invalid_input");
    const res = await callJson<GitOpsRepositoryPlanDto>("POST", "/api/v1/gitops/repository", { body: { registry: "ghcr.io/acme", imageTag: "1.0.0" }, token: admin.token });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toMatchObject({ repository: "demo/gitops", template: { name: "gitops-app", version: "1.0.0" }, registry: "ghcr.io/acme", imageTag: "1.0.0", skipped: [] });
    expect(res.body.jobId).toEqual(expect.any(String));
    expect(res.body.services.sort()).toEqual(DEMO_SERVICES.map((s) => s.name).sort());
    expect(res.body.environments).toEqual(ENVIRONMENTS.map((name) => ({ name, branch: "main" })));
    const event = await db().auditEvent.findFirst({ where: { action: "gitops.repository_requested" } });
    expect(event).toMatchObject({ targetId: "demo/gitops", actorLogin: admin.login });
    // The request wrote nothing to git: the job does.
    expect(await host.getRepo(repo)).toBeNull();
  });

  it("the job lays the repository out as the seed does, for every service in every environment", async () => {
    const result = await createGitOpsRepository(db(), host, { registry: "ghcr.io/acme", imageTag: "1.0.0", requestedBy: admin.login });
    expect(result).toMatchObject({ repository: "demo/gitops", skipped: [], branches: [] });
    const files = await readGitOpsFiles(host, repo);
    const all = await host.listFiles(repo);
    for (const p of ["README.md", "infrastructure/README.md", "policies/README.md"]) expect(all).toContain(p);
    expectLayout(files, "ghcr.io/acme", "1.0.0");
    expect(await db().auditEvent.count({ where: { action: "gitops.repository_created", targetId: "demo/gitops" } })).toBe(1);
    // Run again (a retried job): nothing new is committed.
    const again = await createGitOpsRepository(db(), host, { registry: "ghcr.io/acme", imageTag: "1.0.0", requestedBy: admin.login });
    expect(again.sha).toBe(result.sha);

    expectErrorBody(await callJson("POST", "/api/v1/gitops/repository", { body: {}, token: admin.token }), 409, "conflict");
    const state = await callJson<GitOpsRepositoryDto>("GET", "/api/v1/gitops/repository", { token: carol.token });
    expect(state.body).toMatchObject({ exists: true, defaultBranch: "main", revision: result.sha });
    expect(state.body.services.every((s) => s.inRepository)).toBe(true);
    expect(state.body.environments.every((e) => e.exists)).toBe(true);
    expect(state.body.job).toMatchObject({ state: expect.any(String) });
  });

  it("is a repository Paved promotes in: dev → staging → production, against the sandbox cluster", async () => {
    cluster = new SandboxCluster({ db: db(), host, speed: 0 });
    setGitOpsEngine(cluster);
    const apps = await cluster.listApplications();
    expect(apps).toHaveLength(DEMO_SERVICES.length * ENVIRONMENTS.length);
    expect(apps.every((a) => a.health.status === "Healthy" && a.sync.status === "Synced")).toBe(true);
    // CI publishes 1.1.0 of notification-service into dev, which Argo CD syncs.
    const files = await readGitOpsFiles(host, repo);
    await host.commitFiles(repo, "main", [{ path: overlayKustomizationPath("notification-service", "dev"), content: setImageTag(files, "notification-service", "dev", "1.1.0") }], "ci: notification-service 1.1.0 in dev");
    await cluster.sync("notification-service-dev");

    const staging = await callJson<PromotionDto & ErrorBody>("POST", "/api/v1/promotions", { body: { environment: "staging", services: [{ name: "notification-service", version: "1.1.0" }] }, token: carol.token });
    expect(staging.status, JSON.stringify(staging.body)).toBe(201);
    expect(staging.body).toMatchObject({ status: "approved", services: [{ name: "notification-service", fromVersion: "1.0.0", toVersion: "1.1.0" }] });
    const started = await callJson<PromotionDto>("POST", "/api/v1/promotions/{id}/execute", { params: { id: staging.body.id }, token: carol.token });
    await executeRun(started.body.run!.id, runDeps(host, cluster));
    expect((await callJson<PromotionDto>("GET", "/api/v1/promotions/{id}", { params: { id: staging.body.id }, token: carol.token })).body.status).toBe("succeeded");

    const production = await callJson<PromotionDto & ErrorBody>("POST", "/api/v1/promotions", { body: { environment: "production", services: [{ name: "notification-service", version: "1.1.0" }] }, token: carol.token });
    expect(production.status, JSON.stringify(production.body)).toBe(201);
    await callJson("POST", "/api/v1/promotions/{id}/approve", { params: { id: production.body.id }, body: {}, token: frank.token });
    const run = await callJson<PromotionDto>("POST", "/api/v1/promotions/{id}/execute", { params: { id: production.body.id }, token: carol.token });
    await executeRun(run.body.run!.id, runDeps(host, cluster));
    expect((await callJson<PromotionDto>("GET", "/api/v1/promotions/{id}", { params: { id: production.body.id }, token: carol.token })).body.status).toBe("succeeded");

    const matrix = (await callJson<MatrixDto>("GET", "/api/v1/environments/matrix", { token: carol.token })).body;
    const row = matrix.services.find((s) => s.name === "notification-service")!;
    expect(ENVIRONMENTS.map((e) => row.cells[e]?.version)).toEqual(["1.1.0", "1.1.0", "1.1.0"]);
    expect(row.cells.production).toMatchObject({ health: "Healthy", sync: "Synced", liveImage: "ghcr.io/acme/notification-service:1.1.0" });
  });
});

describe("through the GitHub adapter, against the GitHub double", () => {
  let double: GithubDouble;
  let github: GitHubGitHost;
  let cluster: SandboxCluster;
  let carolActor: Actor;
  let frankActor: Actor;
  let adminActor: Actor;
  const repo: RepoRef = { owner: "acme", name: "gitops" };

  beforeAll(async () => {
    double = await startGithubDouble({ login: "paved-bot", orgs: ["acme"] });
    github = new GitHubGitHost({ token: double.token, baseUrl: double.url, owner: "acme", retryBaseMs: 5, writeIntervalMs: 0, notifyingWriteIntervalMs: 0, rateLimitSecondMs: 20 });
    const actor = async (p: TestPerson) => (await loadActorByUserId(db(), p.id))!;
    [carolActor, frankActor, adminActor] = await Promise.all([actor(carol), actor(frank), actor(admin)]);
    // A database of the sandbox part's: its applications are forgotten, the cluster here reads GitHub.
    await db().sandboxApplication.deleteMany({});
  });
  afterEach(() => {
    // Every request the adapter made, and every answer the double gave, followed GitHub's description.
    expect(double.violations.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    await double?.close();
  });

  it("creates acme/gitops with the layout, branches per environment included", async () => {
    // Production on its own branch: the repository gets it, and production's Applications follow it.
    await db().environment.update({ where: { name: "production" }, data: { branch: "production" } });
    try {
      const plan = await requestGitOpsRepository(db(), adminActor, { registry: "ghcr.io/acme", imageTag: "2.0.0" }, undefined, github);
      expect(plan).toMatchObject({ repository: "acme/gitops", skipped: [], environments: [{ name: "dev", branch: "main" }, { name: "staging", branch: "main" }, { name: "production", branch: "production" }] });
      const result = await createGitOpsRepository(db(), github, { registry: "ghcr.io/acme", imageTag: "2.0.0", requestedBy: admin.login });
      expect(result.branches).toEqual(["production"]);
      expect(await github.getRepo(repo)).toMatchObject({ private: true, defaultBranch: "main" });
      const files = await readGitOpsFiles(github, repo);
      expectLayout(files, "ghcr.io/acme", "2.0.0");
      expect(files["argocd/frontend-production.yaml"]).toContain("targetRevision: production");
      expect(files["argocd/frontend-staging.yaml"]).toContain("targetRevision: main");
      expect(await github.getBranch(repo, "production")).toBe(result.sha);
      // Created through the Git Data API: one commit of blobs on a tree, fast-forwarded.
      expect(double.callsTo("git/create-commit").length).toBeGreaterThan(0);
      await expect(requestGitOpsRepository(db(), adminActor, { imageTag: "2.0.0" }, undefined, github)).rejects.toMatchObject({ code: "conflict" });
    } finally {
      await db().environment.update({ where: { name: "production" }, data: { branch: null } });
    }
    // Back to one branch for the promotions below: production's Applications follow main again.
    const files = await readGitOpsFiles(github, repo);
    await github.commitFiles(
      repo,
      "main",
      DEMO_SERVICES.map((s) => ({ path: `argocd/${s.name}-production.yaml`, content: files[`argocd/${s.name}-production.yaml`]!.replace("targetRevision: production", "targetRevision: main") })),
      "production follows main",
    );
  });

  it("is a repository the delivery code promotes in, through GitHub", async () => {
    cluster = new SandboxCluster({ db: db(), host: github, speed: 0 });
    setGitOpsEngine(cluster);
    expect((await cluster.listApplications()).length).toBe(DEMO_SERVICES.length * ENVIRONMENTS.length);
    const snapshot = (await gitopsSnapshot(github))!;
    expect(DEMO_SERVICES.every((s) => ENVIRONMENTS.every((e) => versionIn(snapshot, s.name, e) === "2.0.0"))).toBe(true);
    const files = await readGitOpsFiles(github, repo);
    await github.commitFiles(repo, "main", [{ path: overlayKustomizationPath("ledger", "staging"), content: setImageTag(files, "ledger", "staging", "2.1.0") }], "ci: ledger 2.1.0 in staging");
    await cluster.sync("ledger-staging");

    const requested = await createPromotion(carolActor, { environment: "production", services: [{ name: "ledger", version: "2.1.0" }], reason: "" }, undefined, github);
    expect(requested).toMatchObject({ sourceEnvironment: "staging", status: "pending_approval", services: [{ name: "ledger", fromVersion: "2.0.0", toVersion: "2.1.0" }] });
    expect((await decidePromotion(frankActor, requested.id, "approve", { comment: "" }, undefined, github)).status).toBe("approved");
    const started = await executePromotion(carolActor, requested.id, undefined, github);
    await executeRun(started.run!.id, runDeps(github, cluster));
    const done = await db().promotion.findUniqueOrThrow({ where: { id: requested.id } });
    expect(done.status).toBe("succeeded");
    // Production promotes through a pull request on GitHub, which Paved merged.
    expect((await github.findPullRequest(repo, `paved/promotion-${requested.number}-deploy-ledger`, "all"))?.state).toBe("merged");
    expect(imageTagOf(await readGitOpsFiles(github, repo), "ledger", "production")).toBe("2.1.0");
    const matrix: MatrixDto = await environmentsMatrix(db(), cluster, github);
    expect(matrix.services.find((s) => s.name === "ledger")?.cells.production).toMatchObject({ version: "2.1.0", health: "Healthy", sync: "Synced" });
  });
});
