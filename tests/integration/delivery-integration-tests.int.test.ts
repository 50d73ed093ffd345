// The cross-service integration-tests gate, on both databases, against the sandbox cluster over a
// real local GitOps repository: configured per environment (PATCH /api/v1/environments/{name}),
// shown on the promotion as checked at run start, awaited by the run before its first wave, and
// turned into passed or blocked with the reason. An HTTP check that passes, answers the wrong
// status, or is unreachable; a workflow run (the local git host plays one out) that succeeds,
// fails, or cannot start; one awaited across a worker that died; and no check configured. Then
// the GitHub adapter's workflow calls against the GitHub double.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/core/db/client";
import type { RepoRef } from "@/lib/core/ports/git-host";
import { GitHostError } from "@/lib/core/ports/git-host";
import type { IntegrationCheck } from "@/lib/gitops/environments";
import { GitHubGitHost } from "@/lib/integrations/github/git-host";
import type { LocalGitHost } from "@/lib/integrations/localgit/git-host";
import { readMeta } from "@/lib/integrations/localgit/meta";
import { SandboxCluster } from "@/lib/integrations/sandbox-cluster";
import { setGitOpsEngine } from "@/lib/delivery/engine";
import { gitopsSnapshot, versionIn } from "@/lib/delivery/gitops-state";
import { runIntegrationCheck } from "@/lib/delivery/integration-tests";
import { executeRun, type RunDeps } from "@/lib/delivery/run";
import type { PromotionDto } from "@/lib/delivery";
import { useDemoGitOps } from "../support/catalog";
import { createTestDatabase, useDatabase, useSharedDatabase, type TestDatabase } from "../support/database";
import { makePerson, type TestPerson } from "../support/factory";
import { startGithubDouble, type GithubDouble } from "../support/github-double";
import { callJson, expectErrorBody, type ErrorBody } from "../support/http";

let database: TestDatabase;
let host: LocalGitHost;
let cluster: SandboxCluster;
let carol: TestPerson;
let admin: TestPerson;
let server: Server;
let serverUrl: string;
let answerStatus = 200;
let requests: string[] = [];

const E2E: RepoRef = { owner: "demo", name: "e2e-tests" };
const WORKFLOW = `name: Cross-service integration tests
on:
  workflow_dispatch:
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: npm test
`;

type Promotion = PromotionDto & ErrorBody;
type Gate = PromotionDto["gates"][number];

beforeAll(async () => {
  database = await createTestDatabase({ seed: true });
  await useDatabase(database.url);
  const git = await useDemoGitOps([{ name: "e2e-tests", files: { "README.md": "# e2e\n", ".github/workflows/integration-tests.yml": WORKFLOW } }]);
  host = git.host as LocalGitHost;
  cluster = new SandboxCluster({ db: db(), host, speed: 0 });
  setGitOpsEngine(cluster);
  await cluster.listApplications();
  const team = async (slug: string) => {
    const t = await db().team.findUniqueOrThrow({ where: { slug } });
    return { id: t.id, slug: t.slug };
  };
  carol = await makePerson(["release-manager"], { team: await team("platform"), prefix: "carol" });
  admin = await makePerson(["platform-admin"], { team: await team("platform"), prefix: "admin" });
  server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(answerStatus, { "content-type": "text/plain" });
    res.end(answerStatus === 200 ? "all green" : "failing");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  setGitOpsEngine(undefined);
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await useSharedDatabase();
  await database?.drop();
});

function deps(overrides: Partial<RunDeps> = {}): RunDeps {
  return { db: db(), engine: cluster, host, pollMs: 10, analysisMs: 5, sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 10))), errorRate: (s, e) => cluster.errorRate(s, e), ...overrides };
}

const configure = (integrationTests: Record<string, unknown> | null, person = admin) =>
  callJson<{ integrationTests: IntegrationCheck | null } & ErrorBody>("PATCH", "/api/v1/environments/{name}", { params: { name: "staging" }, body: { integrationTests }, token: person.token });
const promote = (service: string, version: string) => callJson<Promotion>("POST", "/api/v1/promotions", { body: { environment: "staging", services: [{ name: service, version }] }, token: carol.token });
const get = async (id: string) => (await callJson<PromotionDto>("GET", "/api/v1/promotions/{id}", { params: { id }, token: carol.token })).body;
const gate = (p: PromotionDto): Gate => p.gates.find((g) => g.id === "integration-tests")!;
const pinned = async (service: string) => versionIn((await gitopsSnapshot(host))!, service, "staging");

/** Promotes `service` to staging and runs it to its end; the promotion as it ends. */
async function promoteAndRun(service: string, version: string, overrides: Partial<RunDeps> = {}): Promise<{ requested: PromotionDto; done: PromotionDto }> {
  const res = await promote(service, version);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const started = await callJson<Promotion>("POST", "/api/v1/promotions/{id}/execute", { params: { id: res.body.id }, token: carol.token });
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  await executeRun(started.body.run!.id, deps(overrides));
  return { requested: res.body, done: await get(res.body.id) };
}

/** A failed check: the run failed before its first wave, nothing committed or deployed, the locks released. */
async function expectNothingDeployed(done: PromotionDto, service: string, before: string | null): Promise<void> {
  expect(done.status).toBe("failed");
  expect(done.run?.status).toBe("failed");
  expect(done.run?.message).toContain("Nothing was deployed.");
  expect(done.run!.steps.filter((s) => s.kind !== "integration_tests").every((s) => s.status === "skipped")).toBe(true);
  expect(await pinned(service)).toBe(before);
  expect(await db().deployment.count({ where: { runId: done.run!.id } })).toBe(0);
  expect(await db().deliveryLock.count({ where: { runId: done.run!.id } })).toBe(0);
}

afterEach(async () => {
  answerStatus = 200;
  requests = [];
  await host.setWorkflowOutcome(E2E, "integration-tests.yml", null);
});

describe("the integration-tests setting", () => {
  it("is skipped, and the run has no such step, when the environment has no check", async () => {
    const { requested, done } = await promoteAndRun("worker-service", "1.9.0");
    expect(gate(requested)).toMatchObject({ status: "skipped", message: "No cross-service integration check is configured for this environment." });
    expect(done.status).toBe("succeeded");
    expect(done.run!.steps.some((s) => s.kind === "integration_tests")).toBe(false);
  });

  it("is set by platform admins only, validated, with defaults, and audited", async () => {
    expectErrorBody(await configure({ kind: "http", url: `${serverUrl}/health` }, carol), 403, "forbidden");
    const bad = expectErrorBody(await configure({ kind: "http", url: "ftp://example.com/x" }), 400, "invalid_input");
    expect(JSON.stringify(bad.details)).toContain("integrationTests");
    expectErrorBody(await configure({ kind: "workflow", repository: "not a repo", workflow: "x.yml" }), 400, "invalid_input");
    expectErrorBody(await configure({ kind: "workflow", repository: "demo/e2e-tests", workflow: "../../etc/passwd" }), 400, "invalid_input");
    expectErrorBody(await configure({ kind: "carrier-pigeon" }), 400, "invalid_input");
    const ok = await configure({ kind: "http", url: `${serverUrl}/health` });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.integrationTests).toEqual({ kind: "http", url: `${serverUrl}/health`, expectedStatus: 200, timeoutSeconds: 10 });
    const listed = await callJson<{ items: { name: string; integrationTests: IntegrationCheck | null }[] }>("GET", "/api/v1/environments", { token: carol.token });
    expect(listed.body.items.find((e) => e.name === "staging")?.integrationTests).toMatchObject({ kind: "http" });
    const event = await db().auditEvent.findFirst({ where: { action: "environment.updated", targetLabel: "staging" }, orderBy: { seq: "desc" } });
    expect(event?.payload).toMatchObject({ changes: { integrationTests: { from: null, to: { kind: "http", url: `${serverUrl}/health` } } } });
    // The same setting again changes nothing and records nothing.
    const count = await db().auditEvent.count({ where: { action: "environment.updated" } });
    await configure({ kind: "http", url: `${serverUrl}/health` });
    expect(await db().auditEvent.count({ where: { action: "environment.updated" } })).toBe(count);
  });
});

describe("an HTTP check", () => {
  it("passes when the URL answers the expected status: checked before the first wave, the gate says why", async () => {
    await configure({ kind: "http", url: `${serverUrl}/health` });
    const { requested, done } = await promoteAndRun("catalog-service", "4.1.0");
    expect(gate(requested)).toMatchObject({ status: "scheduled", message: `Checked when the run starts, before its first wave: GET ${serverUrl}/health answers 200 within 10 s.` });
    expect(requested).toMatchObject({ status: "approved", ready: true });
    expect(done.status).toBe("succeeded");
    expect(done.run!.steps[0]).toMatchObject({ position: 0, wave: 0, kind: "integration_tests", status: "succeeded" });
    const checked = Date.parse(done.run!.steps[0]!.finishedAt!);
    expect(Date.parse(done.run!.steps.find((s) => s.kind === "commit")!.startedAt!)).toBeGreaterThanOrEqual(checked);
    expect(gate(done)).toMatchObject({ status: "passed", message: `GET ${serverUrl}/health answered 200, as expected.` });
    expect(requests).toEqual(["GET /health"]);
    expect(await pinned("catalog-service")).toBe("4.1.0");
  });

  it("blocks when it answers another status: the run fails before anything is deployed", async () => {
    await configure({ kind: "http", url: `${serverUrl}/health` });
    answerStatus = 503;
    const { done } = await promoteAndRun("search-service", "1.4.1");
    expect(gate(done)).toMatchObject({ status: "blocked", message: `GET ${serverUrl}/health answered 503, not the expected 200.` });
    expect(done.run?.message).toBe(`Integration tests failed: GET ${serverUrl}/health answered 503, not the expected 200. Nothing was deployed.`);
    await expectNothingDeployed(done, "search-service", "1.4.0");
  });

  it("blocks when it is unreachable, after three attempts", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await configure({ kind: "http", url: `http://127.0.0.1:${port}/ready`, timeoutSeconds: 2 });
    const { done } = await promoteAndRun("search-service", "1.4.1");
    expect(gate(done)).toMatchObject({ status: "blocked", message: `http://127.0.0.1:${port}/ready is unreachable (3 attempts): connection refused (ECONNREFUSED).` });
    await expectNothingDeployed(done, "search-service", "1.4.0");
  });
});

describe("a workflow run", () => {
  const check = { kind: "workflow", repository: "demo/e2e-tests", workflow: "integration-tests.yml" };

  it("passes when the run it dispatched succeeds, and links to it", async () => {
    await configure(check);
    await host.setWorkflowOutcome(E2E, "integration-tests.yml", { conclusion: "success", durationMs: 50 });
    const { requested, done } = await promoteAndRun("auth-service", "2.8.0-rc.1");
    expect(gate(requested).message).toBe("Checked when the run starts, before its first wave: GitHub Actions workflow integration-tests.yml in demo/e2e-tests (its default branch), awaited for up to 30 min.");
    expect(done.status).toBe("succeeded");
    const runs = (await readMeta(host.gitDir(E2E))).runs;
    expect(runs.at(-1)).toMatchObject({ workflow: "integration-tests.yml", ref: "main" });
    const id = runs.at(-1)!.id;
    expect(gate(done)).toMatchObject({ status: "passed", message: `Run ${id} of integration-tests.yml in demo/e2e-tests succeeded.` });
    expect(gate(done).details).toEqual(["GitHub Actions workflow integration-tests.yml in demo/e2e-tests (its default branch)", expect.stringContaining(`workflow-run=${id}`)]);
    expect(done.run!.steps[0]!.detail).toMatchObject({ runId: id, passed: true });
  });

  it("blocks when the run fails: nothing is deployed", async () => {
    await configure(check);
    await host.setWorkflowOutcome(E2E, "integration-tests.yml", { conclusion: "failure", durationMs: 0 });
    const { done } = await promoteAndRun("ledger", "0.16.0-rc.1");
    const id = (await readMeta(host.gitDir(E2E))).runs.at(-1)!.id;
    expect(gate(done)).toMatchObject({ status: "blocked", message: `Run ${id} of integration-tests.yml in demo/e2e-tests concluded failure.` });
    await expectNothingDeployed(done, "ledger", "0.15.0");
  });

  it("blocks when the workflow cannot be started", async () => {
    await configure({ ...check, workflow: "no-such-workflow.yml" });
    const { done } = await promoteAndRun("ledger", "0.16.0-rc.1");
    expect(gate(done).status).toBe("blocked");
    expect(gate(done).message).toMatch(/^Could not start no-such-workflow\.yml in demo\/e2e-tests: workflow no-such-workflow\.yml not found/);
    await expectNothingDeployed(done, "ledger", "0.15.0");
  });

  it("is awaited, not dispatched again, by the worker that takes over a run whose worker died", async () => {
    await configure(check);
    await host.setWorkflowOutcome(E2E, "integration-tests.yml", { conclusion: "success", durationMs: 300 });
    const before = (await readMeta(host.gitDir(E2E))).runs.length;
    const res = await promote("fraud-detection", "0.10.0-rc.1");
    const started = await callJson<Promotion>("POST", "/api/v1/promotions/{id}/execute", { params: { id: res.body.id }, token: carol.token });
    const runId = started.body.run!.id;
    // The first worker dispatches the workflow run, then dies while waiting for it.
    let died!: () => void;
    const dead = new Promise<void>((r) => (died = r));
    void executeRun(runId, deps({ sleep: () => (died(), new Promise<void>(() => {})) }));
    await dead;
    const halfway = await get(res.body.id);
    expect(halfway.run?.steps[0]).toMatchObject({ kind: "integration_tests", status: "running" });
    expect(halfway.run?.message).toContain("Waiting for the integration tests before the first wave");
    await db().deliveryRun.update({ where: { id: runId }, data: { heartbeatAt: new Date(Date.now() - 60_000) } });
    await executeRun(runId, deps({ sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 50))) }));
    const done = await get(res.body.id);
    expect(done.status).toBe("succeeded");
    expect((await readMeta(host.gitDir(E2E))).runs.length).toBe(before + 1);
  });

  afterAll(async () => {
    await configure(null);
  });
});

describe("the GitHub adapter's workflow calls, against the GitHub double", () => {
  let double: GithubDouble;
  let github: GitHubGitHost;
  const repo: RepoRef = { owner: "acme", name: "e2e" };
  const ghCheck: IntegrationCheck = { kind: "workflow", repository: "acme/e2e", workflow: "integration-tests.yml", ref: null, timeoutSeconds: 600 };
  const run = (check: IntegrationCheck, progress = {}) => runIntegrationCheck(check, progress, { host: github, sleep: async () => {}, pollMs: 1, save: async () => {} });

  beforeAll(async () => {
    double = await startGithubDouble({ login: "paved-bot", orgs: ["acme"] });
    github = new GitHubGitHost({ token: double.token, baseUrl: double.url, owner: "acme", retryBaseMs: 5, writeIntervalMs: 0, notifyingWriteIntervalMs: 0, rateLimitSecondMs: 20 });
    await double.seedRepo("acme", "e2e", { files: { "README.md": "# e2e\n", ".github/workflows/integration-tests.yml": WORKFLOW, ".github/workflows/manual-only.yml": "on: push\njobs: {}\n" } });
  });
  afterEach(() => {
    // Every request the adapter made, and every answer the double gave, followed GitHub's description.
    expect(double.violations.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    await double?.close();
  });

  it("dispatches a run on the default branch and follows it to its conclusion", async () => {
    const started = await github.dispatchWorkflow(repo, "integration-tests.yml");
    expect(started.webUrl).toBe(`${double.url}/acme/e2e/actions/runs/${started.id}`);
    expect(double.callsTo("actions/create-workflow-dispatch").at(-1)?.body).toEqual({ ref: "main", return_run_details: true });
    expect(await github.getWorkflowRun(repo, started.id)).toMatchObject({ id: started.id, workflow: "integration-tests.yml", ref: "main", status: "queued", conclusion: null });
    expect(await github.getWorkflowRun(repo, started.id)).toMatchObject({ status: "in_progress", conclusion: null });
    expect(await github.getWorkflowRun(repo, started.id)).toMatchObject({ status: "completed", conclusion: "success" });
    expect(await github.getWorkflowRun(repo, 999_999)).toBeNull();
  });

  it("passes or blocks the gate by the run's conclusion", async () => {
    const passed = await run(ghCheck);
    expect(passed).toMatchObject({ passed: true, reason: expect.stringMatching(/^Run \d+ of integration-tests\.yml in acme\/e2e succeeded\.$/) });
    double.setWorkflowOutcome("acme/e2e", "integration-tests.yml", { conclusion: "failure", reads: 1 });
    const failed = await run(ghCheck);
    expect(failed).toMatchObject({ passed: false, reason: expect.stringMatching(/concluded failure\.$/), url: expect.stringContaining("/acme/e2e/actions/runs/") });
    expect(double.workflowRuns("acme", "e2e").map((r) => r.conclusion)).toEqual(["success", "success", "failure"]);
  });

  it("awaits a run already dispatched instead of starting another", async () => {
    double.setWorkflowOutcome("acme/e2e", "integration-tests.yml", { conclusion: "success", reads: 0 });
    const started = await github.dispatchWorkflow(repo, "integration-tests.yml", { ref: "main" });
    const count = double.callsTo("actions/create-workflow-dispatch").length;
    expect(await run(ghCheck, { runId: started.id, url: started.webUrl, dispatchedAt: new Date().toISOString() })).toMatchObject({ passed: true });
    expect(double.callsTo("actions/create-workflow-dispatch").length).toBe(count);
  });

  it("blocks for a missing workflow, a missing branch or a workflow without workflow_dispatch, and lets GitHub outages through to pause the run", async () => {
    expect(await run({ ...ghCheck, workflow: "missing.yml" })).toMatchObject({ passed: false, reason: expect.stringContaining("Could not start missing.yml in acme/e2e") });
    expect(await run({ ...ghCheck, ref: "no-such-branch" })).toMatchObject({ passed: false, reason: expect.stringContaining("No ref found for: no-such-branch") });
    expect(await run({ ...ghCheck, workflow: "manual-only.yml" })).toMatchObject({ passed: false, reason: expect.stringContaining("workflow_dispatch") });
    double.inject({ status: 502, times: 10, when: (r) => r.method === "POST" && r.path.endsWith("/dispatches") });
    const outage = await run(ghCheck).then(
      () => null,
      (e: unknown) => e,
    );
    expect(outage).toBeInstanceOf(GitHostError);
    expect(outage).toMatchObject({ kind: "unavailable", retryable: true });
  });
});

