// Branch-per-environment GitOps repositories, on both databases, against the sandbox cluster over a
// real local repository: dev, staging and production each live on their own branch (the
// environment's `branch` setting; each Argo CD Application follows its branch), while main holds
// the Applications and overlays that no environment reads any more. Every read (the matrix, the
// versions git knows, the diff, the skip check, drift, rollback) must come from the environment's
// branch and every write go to it: main's stale overlays would give different answers.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/core/db/client";
import type { GitHost, RepoRef } from "@/lib/core/ports/git-host";
import { gitOpsRepositoryOf, imageTagOf, overlayKustomizationPath, readGitOpsFiles, serviceImages, setImageTag } from "@/lib/gitops/repository";
import { SandboxCluster } from "@/lib/integrations/sandbox-cluster";
import { demoGitOpsRepo } from "@/lib/integrations/localgit/gitops-seed";
import { seedSandboxRepos } from "@/lib/integrations/localgit/seed";
import { setGitOpsEngine } from "@/lib/delivery/engine";
import { executeRun, type RunDeps } from "@/lib/delivery/run";
import type { DeploymentDto, MatrixDto, PromotionDto } from "@/lib/delivery";
import { DEMO_ENVIRONMENTS, DEMO_SERVICES } from "@/prisma/seed/demo-organisation";
import { useSandboxGit } from "../support/catalog";
import { createTestDatabase, useDatabase, useSharedDatabase, type TestDatabase } from "../support/database";
import { makePerson, type TestPerson } from "../support/factory";
import { callJson, expectErrorBody, type ErrorBody } from "../support/http";

let database: TestDatabase;
let host: GitHost;
let repo: RepoRef;
let cluster: SandboxCluster;
let carol: TestPerson;
let frank: TestPerson;
let admin: TestPerson;

type Promotion = PromotionDto & ErrorBody;
const BRANCHES = { dev: "dev", staging: "staging", production: "production" } as const;

/** The tag frontend's overlay of `environment` pins on `branch`. */
async function tagOn(branch: string, environment: string, service = "frontend"): Promise<string | null> {
  return imageTagOf(await readGitOpsFiles(host, repo, branch), service, environment);
}

async function commitTag(branch: string, environment: string, tag: string, service = "frontend"): Promise<void> {
  const files = await readGitOpsFiles(host, repo, branch);
  await host.commitFiles(repo, branch, [{ path: overlayKustomizationPath(service, environment), content: setImageTag(files, service, environment, tag) }], `test: ${service} ${tag} in ${environment} on ${branch}`);
}

const heads = async () => Object.fromEntries(await Promise.all(["main", ...Object.values(BRANCHES)].map(async (b) => [b, await host.getBranch(repo, b)] as const)));

beforeAll(async () => {
  database = await createTestDatabase({ seed: true });
  await useDatabase(database.url);
  const git = await useSandboxGit([]);
  host = git.host;
  // Applications (on main) follow their environment's branch; each branch starts as main.
  await seedSandboxRepos(git.dataDir, [demoGitOpsRepo(DEMO_SERVICES, DEMO_ENVIRONMENTS, { branches: BRANCHES })]);
  repo = gitOpsRepositoryOf(host);
  for (const branch of Object.values(BRANCHES)) await host.createBranch(repo, branch, "main");
  // main's overlays go stale: reading them would give these tags. And dev's branch has a release
  // (3.4.0) that no other branch has.
  for (const [environment, tag] of [["dev", "0.0.1-main"], ["staging", "0.0.2-main"], ["production", "0.0.3-main"]] as const) await commitTag("main", environment, tag);
  await commitTag("dev", "dev", "3.4.0");

  cluster = new SandboxCluster({ db: db(), host, speed: 0 });
  setGitOpsEngine(cluster);
  const team = async (slug: string) => {
    const t = await db().team.findUniqueOrThrow({ where: { slug } });
    return { id: t.id, slug: t.slug };
  };
  carol = await makePerson(["release-manager"], { team: await team("platform"), prefix: "carol" });
  frank = await makePerson(["release-manager"], { team: await team("storefront"), prefix: "frank" });
  admin = await makePerson(["platform-admin"], { team: await team("platform"), prefix: "admin" });
  for (const [name, branch] of Object.entries(BRANCHES)) {
    const res = await callJson<{ branch: string | null }>("PATCH", "/api/v1/environments/{name}", { params: { name }, body: { branch }, token: admin.token });
    expect(res.body.branch).toBe(branch);
  }
  // The cluster runs what each Application's branch pins before any promotion.
  await cluster.listApplications();
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
const execute = (id: string, person = carol) => callJson<Promotion>("POST", "/api/v1/promotions/{id}/execute", { params: { id }, token: person.token });
const get = async (id: string) => (await callJson<PromotionDto>("GET", "/api/v1/promotions/{id}", { params: { id }, token: carol.token })).body;

describe("a branch-per-environment repository", () => {
  it("shows each environment's versions from its own branch in the matrix, with nothing drifted", async () => {
    const res = await callJson<MatrixDto>("GET", "/api/v1/environments/matrix", { token: carol.token });
    expect(res.status).toBe(200);
    expect(res.body.environments.map((e) => [e.name, e.branch])).toEqual([
      ["dev", "dev"],
      ["staging", "staging"],
      ["production", "production"],
    ]);
    const h = await heads();
    expect(res.body.environments.map((e) => e.revision)).toEqual([h.dev, h.staging, h.production]);
    const frontend = res.body.services.find((s) => s.name === "frontend")!;
    expect([frontend.cells.dev?.version, frontend.cells.staging?.version, frontend.cells.production?.version]).toEqual(["3.4.0", "3.2.0", "3.1.2"]);
    // The cluster follows each Application's branch: what runs is what the branch pins.
    expect(frontend.cells.dev).toMatchObject({ sync: "Synced", drift: false, liveImage: "ghcr.io/acme/frontend:3.4.0" });
    const drift = await callJson<{ items: { application: string }[] }>("GET", "/api/v1/drift", { token: carol.token });
    expect(drift.body.items).toEqual([]);
    // A service's own page reads each environment on its branch when given one (by name alone: the default branch).
    const images = await serviceImages(host, "frontend", [{ name: "dev", branch: "dev" }, { name: "production", branch: "production" }, "staging"]);
    expect(images?.map((i) => [i.environment, i.image?.tag])).toEqual([
      ["dev", "3.4.0"],
      ["production", "3.1.2"],
      ["staging", "0.0.2-main"],
    ]);
  });

  it("promotes dev → staging reading dev's and staging's branches and committing to staging's only", async () => {
    const before = await heads();
    // 3.4.0 exists on dev's branch only: known, and not a skipped environment (carol may not skip).
    const res = await promote({ environment: "staging", services: [{ name: "frontend", version: "3.4.0" }] });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ sourceEnvironment: "dev", status: "approved", services: [{ name: "frontend", fromVersion: "3.2.0", toVersion: "3.4.0" }] });
    expect(res.body.diff[0]!.patch).toMatch(/-\s+newTag: "?3\.2\.0"?/);
    expect(res.body.diff[0]!.patch).toMatch(/\+\s+newTag: "?3\.4\.0"?/);
    const started = await execute(res.body.id);
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    await executeRun(started.body.run!.id, deps());
    expect((await get(res.body.id)).status).toBe("succeeded");

    const after = await heads();
    expect(after.staging).not.toBe(before.staging);
    expect({ main: after.main, dev: after.dev, production: after.production }).toEqual({ main: before.main, dev: before.dev, production: before.production });
    expect(await tagOn("staging", "staging")).toBe("3.4.0");
    expect(await tagOn("main", "staging")).toBe("0.0.2-main");
    const deployment = (await callJson<{ items: DeploymentDto[] }>("GET", "/api/v1/deployments", { query: { environment: "staging", service: "frontend" }, token: carol.token })).body.items[0]!;
    expect(deployment).toMatchObject({ version: "3.4.0", previousVersion: "3.2.0", outcome: "succeeded", commitSha: after.staging });
    const app = await cluster.getApplication("frontend-staging");
    expect(app).toMatchObject({ images: ["ghcr.io/acme/frontend:3.4.0"], sync: { status: "Synced", revision: after.staging } });
  });

  it("promotes staging → production through a pull request into production's branch", async () => {
    const before = await heads();
    const res = await promote({ environment: "production", services: [{ name: "frontend", version: "3.4.0" }] });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ sourceEnvironment: "staging", status: "pending_approval", services: [{ name: "frontend", fromVersion: "3.1.2", toVersion: "3.4.0" }] });
    expect((await callJson<Promotion>("POST", "/api/v1/promotions/{id}/approve", { params: { id: res.body.id }, body: {}, token: frank.token })).body.status).toBe("approved");
    const started = await execute(res.body.id);
    await executeRun(started.body.run!.id, deps());
    expect((await get(res.body.id)).status).toBe("succeeded");

    const after = await heads();
    expect({ main: after.main, dev: after.dev, staging: after.staging }).toEqual({ main: before.main, dev: before.dev, staging: before.staging });
    expect(await tagOn("production", "production")).toBe("3.4.0");
    expect(await tagOn("main", "production")).toBe("0.0.3-main");
    const pr = (await host.findPullRequest(repo, `paved/promotion-${res.body.number}-deploy-frontend`, "all"))!;
    expect(pr).toMatchObject({ base: "production", state: "merged" });
    const matrix = (await callJson<MatrixDto>("GET", "/api/v1/environments/matrix", { token: carol.token })).body;
    const frontend = matrix.services.find((s) => s.name === "frontend")!;
    expect([frontend.cells.dev?.version, frontend.cells.staging?.version, frontend.cells.production?.version]).toEqual(["3.4.0", "3.4.0", "3.4.0"]);
    expect(frontend.cells.production).toMatchObject({ sync: "Synced", drift: false });
  });

  it("rolls production back on its own branch", async () => {
    const before = await heads();
    const deployment = (await callJson<{ items: DeploymentDto[] }>("GET", "/api/v1/deployments", { query: { environment: "production", service: "frontend" }, token: carol.token })).body.items[0]!;
    const res = await callJson<Promotion>("POST", "/api/v1/deployments/{id}/rollback", { params: { id: deployment.id }, token: carol.token });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.services).toEqual([{ name: "frontend", fromVersion: "3.4.0", toVersion: "3.1.2" }]);
    await executeRun(res.body.run!.id, deps());
    expect(await tagOn("production", "production")).toBe("3.1.2");
    const after = await heads();
    expect({ main: after.main, dev: after.dev, staging: after.staging }).toEqual({ main: before.main, dev: before.dev, staging: before.staging });
  });

  it("refuses clearly when an environment's branch does not exist", async () => {
    await callJson("PATCH", "/api/v1/environments/{name}", { params: { name: "staging" }, body: { branch: "no-such-branch" }, token: admin.token });
    try {
      const res = await promote({ environment: "staging", services: [{ name: "backend-api", version: "1.6.0-rc.1" }] });
      expect(expectErrorBody(res, 422, "rule_violation").message).toContain('no branch "no-such-branch"');
    } finally {
      await callJson("PATCH", "/api/v1/environments/{name}", { params: { name: "staging" }, body: { branch: "staging" }, token: admin.token });
    }
  });
});
