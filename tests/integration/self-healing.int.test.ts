// Incidents and guarded self-healing on both databases, against the sandbox cluster over a real
// local GitOps repository (as delivery.int.test.ts): alerts arrive through the real webhook route,
// their jobs' handlers run in-process. A paging alert opens an incident with the deployment that
// preceded it; each guardrail (kill switch, rate limit, cooldown, deployment in progress and its
// exception for the run that caused it, approval in production, dry run) decides and says why,
// on the incident and in the audit trail; each playbook acts for real (a rollback committed to git
// and run by the delivery executor, a scale-up committed to the overlay and synced, a restart of
// the workload); resolution closes the incident with its MTTR; the sandbox's chaos breaks a
// service and its metrics show it, until the playbook cures it.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/core/db/client";
import { SANDBOX_ALERTMANAGER_TOKEN } from "@/lib/core/env";
import type { GitHost, RepoRef } from "@/lib/core/ports/git-host";
import { gitOpsRepositoryOf, overlayKustomizationPath, setImageTag } from "@/lib/gitops/repository";
import { SandboxCluster } from "@/lib/integrations/sandbox-cluster";
import { setGitOpsEngine } from "@/lib/delivery/engine";
import { gitopsSnapshot, versionIn } from "@/lib/delivery/gitops-state";
import { executeRun, type RunDeps } from "@/lib/delivery/run";
import { runRemediation } from "@/lib/incidents/playbooks";
import { processAlertEvent } from "@/lib/incidents/process";
import { replicasIn } from "@/lib/incidents/scale";
import type { IncidentDetailDto, IncidentDto, RemediationDto, RemediationSettingsDto } from "@/lib/incidents";
import { forgetObservation, SandboxMetricsSource, observeTraffic, setMetricsSource } from "@/lib/metrics";
import { useDemoGitOps } from "../support/catalog";
import { createTestDatabase, useDatabase, useSharedDatabase, type TestDatabase } from "../support/database";
import { makePerson, type TestPerson } from "../support/factory";
import { callJson, callRoute, expectErrorBody, type ErrorBody } from "../support/http";

let database: TestDatabase;
let host: GitHost;
let repo: RepoRef;
let cluster: SandboxCluster;
let dave: TestPerson; // sre
let carol: TestPerson; // release manager
let bob: TestPerson; // developer (payments)
let victor: TestPerson; // viewer

beforeAll(async () => {
  database = await createTestDatabase({ seed: true });
  await useDatabase(database.url);
  const git = await useDemoGitOps();
  host = git.host;
  repo = gitOpsRepositoryOf(host);
  cluster = new SandboxCluster({ db: db(), host, speed: 0 });
  setGitOpsEngine(cluster);
  setMetricsSource(new SandboxMetricsSource(() => observeTraffic(db(), cluster)));
  await cluster.listApplications();
  const team = async (slug: string) => {
    const t = await db().team.findUniqueOrThrow({ where: { slug } });
    return { id: t.id, slug: t.slug };
  };
  dave = await makePerson(["sre"], { team: await team("platform"), prefix: "dave" });
  carol = await makePerson(["release-manager"], { team: await team("platform"), prefix: "carol" });
  bob = await makePerson(["developer"], { team: await team("payments"), prefix: "bob" });
  victor = await makePerson(["viewer"], { team: await team("platform"), prefix: "victor" });
});

afterAll(async () => {
  setGitOpsEngine(undefined);
  setMetricsSource(undefined);
  await useSharedDatabase();
  await database?.drop();
});

const DEFAULTS = { killSwitch: false, dryRun: false, maxActionsPerHour: 3, cooldownMinutes: 10, maxReplicas: 10, autoApprove: [] };

beforeEach(async () => {
  await db().remediationSettings.deleteMany({});
  await db().remediationSettings.create({ data: { id: "global", ...DEFAULTS } });
});

const settings = (patch: Partial<typeof DEFAULTS>) => db().remediationSettings.update({ where: { id: "global" }, data: patch });

function deps(): RunDeps {
  return { db: db(), engine: cluster, host, pollMs: 5, analysisMs: 5, sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 5))), errorRate: (s, e) => cluster.errorRate(s, e) };
}

const pinned = async (service: string, environment: string) => versionIn((await gitopsSnapshot(host, environment === "production" ? undefined : undefined))!, service, environment);

interface Fired {
  fingerprint: string;
  startsAt: string;
  labels: Record<string, string>;
}

function webhookBody(alerts: { status: "firing" | "resolved"; labels: Record<string, string>; startsAt: string; endsAt?: string; fingerprint: string }[]) {
  return {
    receiver: "paved",
    status: alerts[0]!.status,
    alerts: alerts.map((a) => ({ ...a, annotations: { summary: `${a.labels.service} is burning its budget` }, endsAt: a.endsAt ?? "0001-01-01T00:00:00Z", generatorURL: "http://prometheus.test/graph" })),
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: "http://alertmanager.test",
    version: "4",
    groupKey: "{}:{}",
    truncatedAlerts: 0,
  };
}

async function deliver(alerts: Parameters<typeof webhookBody>[0]): Promise<void> {
  const res = await callJson("POST", "/api/v1/webhooks/alertmanager", { body: webhookBody(alerts), headers: { authorization: `Bearer ${SANDBOX_ALERTMANAGER_TOKEN}` } });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
}

/** What the process-alert jobs would do: every stored alert not processed yet, oldest first. */
async function processAlerts(): Promise<string[]> {
  const pending = await db().alertEvent.findMany({ where: { processedAt: null }, orderBy: { receivedAt: "asc" } });
  const out: string[] = [];
  for (const e of pending) out.push(await processAlertEvent(db(), e.id));
  return out;
}

/** What the remediate jobs would do. */
async function runQueued(): Promise<string[]> {
  const queued = await db().remediation.findMany({ where: { status: "queued" }, orderBy: { requestedAt: "asc" } });
  const out: string[] = [];
  for (const r of queued) out.push(await runRemediation(r.id, { db: db(), engine: cluster, host }));
  return out;
}

async function fire(labels: Record<string, string>, startsAt = new Date(Date.now() - 120_000)): Promise<Fired> {
  const fired = { fingerprint: randomBytes(8).toString("hex"), startsAt: startsAt.toISOString(), labels: { alertname: "SLOErrorBudgetBurn", severity: "page", slo: "availability", ...labels } };
  await deliver([{ status: "firing", ...fired }]);
  await processAlerts();
  return fired;
}

async function resolve(fired: Fired, endsAt = new Date()): Promise<void> {
  await deliver([{ status: "resolved", ...fired, endsAt: endsAt.toISOString() }]);
  await processAlerts();
}

async function incidentOf(fired: Fired): Promise<IncidentDetailDto> {
  const row = await db().incident.findFirstOrThrow({ where: { fingerprint: fired.fingerprint } });
  const res = await callJson<IncidentDetailDto>("GET", "/api/v1/incidents/{id}", { params: { id: row.id }, token: victor.token });
  expect(res.status).toBe(200);
  return res.body;
}

const decided = (i: IncidentDetailDto) => i.decisions.find((d) => d.kind === "decided")!;

/** A succeeded deployment of the version git pins now (as a finished promotion leaves it). */
async function deployed(service: string, environment: string, previousVersion: string) {
  const version = (await pinned(service, environment))!;
  return db().deployment.create({ data: { service, environment, version, previousVersion, strategy: "rolling", kind: "deploy", outcome: "succeeded", actor: "carol", startedAt: new Date(Date.now() - 3_600_000), finishedAt: new Date(Date.now() - 3_500_000) } });
}

/** The error ratio over the last second, after a first observation and a second of traffic in what runs now. */
async function errorRatio(service: string, environment: string): Promise<number> {
  forgetObservation();
  await observeTraffic(db(), cluster);
  await new Promise((r) => setTimeout(r, 1100));
  forgetObservation();
  const { metricsSource } = await import("@/lib/metrics");
  const r = await metricsSource().query(`sum(rate(http_requests_total{service="${service}",environment="${environment}",code="500"}[1s])) / sum(rate(http_requests_total{service="${service}",environment="${environment}"}[1s]))`);
  return r.samples[0]?.value ?? NaN;
}

describe("an incident, healed by a rollback", () => {
  it("opens on a firing page, rolls back the last deployment, and closes with its MTTR when the alert resolves", async () => {
    const deployment = await deployed("backend-api", "staging", "1.4.0");
    expect(await pinned("backend-api", "staging")).toBe("1.5.0");
    // Chaos: the running version starts failing; the sandbox's metrics show it.
    await cluster.listApplications();
    const chaos = await callJson<{ active: boolean; image: string }>("POST", "/api/v1/sandbox/chaos", { body: { service: "backend-api", environment: "staging", mode: "errors" }, token: dave.token });
    expect(chaos.status, JSON.stringify(chaos.body)).toBe(200);
    expect(chaos.body).toMatchObject({ active: true, image: "ghcr.io/acme/backend-api:1.5.0" });
    expect(await errorRatio("backend-api", "staging")).toBeCloseTo(0.25, 1);

    const startedAt = new Date(Date.now() - 90_000);
    const fired = await fire({ service: "backend-api", environment: "staging", automation: "auto-rollback" }, startedAt);
    let incident = await incidentOf(fired);
    expect(incident).toMatchObject({ status: "open", service: "backend-api", environment: "staging", slo: "availability", automation: "auto-rollback", precedingDeployment: { id: deployment.id, version: "1.5.0" }, mttrSeconds: null });
    expect(decided(incident)).toMatchObject({ outcome: "taken", guardrail: null, playbook: "auto-rollback" });
    expect(incident.remediations).toEqual([expect.objectContaining({ status: "queued", playbook: "auto-rollback", result: { target: { deploymentId: deployment.id, version: "1.5.0", previousVersion: "1.4.0" } } })]);

    expect(await runQueued()).toEqual(["succeeded"]);
    incident = await incidentOf(fired);
    const remediation = incident.remediations[0]!;
    expect(remediation).toMatchObject({ status: "succeeded", result: { action: "rollback", fromVersion: "1.5.0", toVersion: "1.4.0" } });
    // The rollback is the delivery code's: a promotion of kind rollback whose run commits the previous version.
    const runId = remediation.result.runId as string;
    await executeRun(runId, deps());
    expect(await pinned("backend-api", "staging")).toBe("1.4.0");
    expect((await db().deployment.findUniqueOrThrow({ where: { id: deployment.id } })).outcome).toBe("rolled_back");
    // Another version runs: the chaos no longer applies and the error rate recovers.
    const chaosNow = await callJson<{ items: { service: string; active: boolean }[] }>("GET", "/api/v1/sandbox/chaos", { token: victor.token });
    expect(chaosNow.body.items.find((c) => c.service === "backend-api")?.active).toBe(false);
    expect(await errorRatio("backend-api", "staging")).toBeLessThan(0.01);

    const endsAt = new Date(startedAt.getTime() + 5 * 60_000 + 7_000);
    await resolve(fired, endsAt);
    incident = await incidentOf(fired);
    expect(incident).toMatchObject({ status: "resolved", resolvedAt: endsAt.toISOString(), mttrSeconds: 307 });
    expect(incident.decisions.map((d) => `${d.kind}:${d.outcome}`)).toEqual(["opened:info", "decided:taken", "action_started:taken", "action_succeeded:taken", "resolved:info"]);
    const actions = (await db().auditEvent.findMany({ where: { OR: [{ targetId: incident.id }, { targetId: remediation.id }] }, orderBy: { seq: "asc" } })).map((e) => e.action);
    expect(actions).toEqual(["incident.opened", "remediation.decided", "remediation.succeeded", "incident.resolved"]);
    // A repeated resolution changes nothing.
    await resolve(fired, endsAt);
    expect((await incidentOf(fired)).decisions).toHaveLength(5);
  }, 90_000);
});

describe("which alerts open incidents", () => {
  it("ignores tickets and alerts without a service; opens without acting when there is no playbook", async () => {
    const ticket = await fire({ service: "ledger", environment: "staging", severity: "ticket", automation: "auto-rollback" });
    expect(await db().incident.count({ where: { fingerprint: ticket.fingerprint } })).toBe(0);
    expect((await db().alertEvent.findFirstOrThrow({ where: { fingerprint: ticket.fingerprint } })).outcome).toBe("ignored: severity ticket does not page");
    await fire({ environment: "staging" });
    expect((await db().alertEvent.findFirstOrThrow({ orderBy: { receivedAt: "desc" } })).outcome).toBe("ignored: the alert has no service label");
    const none = await fire({ service: "ledger", environment: "staging", automation: "none" });
    const incident = await incidentOf(none);
    expect(decided(incident)).toMatchObject({ outcome: "no_action", guardrail: "no_automation" });
    expect(incident.remediations).toEqual([]);
  });

  it("takes the environment from the SLO when the alert does not say, and production by default", async () => {
    const service = await db().service.findUniqueOrThrow({ where: { name: "ledger" } });
    await db().slo.create({ data: { serviceId: service.id, ownerTeamId: service.teamId, name: "ledger-staging", kind: "availability", objective: 99.9, sli: {}, environment: "staging" } });
    const fromSlo = await fire({ service: "ledger", slo: "ledger-staging", automation: "none" });
    expect((await incidentOf(fromSlo)).environment).toBe("staging");
    const unknown = await fire({ service: "ledger", slo: "no-such-slo", automation: "none" });
    expect((await incidentOf(unknown)).environment).toBe("production");
  });

  it("handles a resolution processed before its firing: the incident opens and closes, and nothing runs", async () => {
    const startsAt = new Date(Date.now() - 600_000).toISOString();
    const fired = { fingerprint: randomBytes(8).toString("hex"), startsAt, labels: { alertname: "SLOErrorBudgetBurn", severity: "page", service: "auth-service", environment: "staging", automation: "restart" } };
    await deliver([{ status: "resolved", ...fired, endsAt: new Date(Date.parse(startsAt) + 60_000).toISOString() }]);
    await deliver([{ status: "firing", ...fired }]);
    await processAlerts();
    const incident = await incidentOf(fired);
    expect(incident).toMatchObject({ status: "resolved", mttrSeconds: 60 });
    expect(incident.remediations).toEqual([]);
  });
});

describe("the guardrails, each deciding and saying why", () => {
  it("the kill switch: suppressed, recorded and audited, nothing run", async () => {
    await settings({ killSwitch: true });
    const fired = await fire({ service: "catalog-service", environment: "staging", automation: "restart" });
    const incident = await incidentOf(fired);
    expect(decided(incident)).toMatchObject({ outcome: "suppressed", guardrail: "kill_switch", message: expect.stringContaining("kill switch is on") });
    expect(incident.remediations).toEqual([expect.objectContaining({ status: "suppressed", guardrail: "kill_switch" })]);
    expect(await runQueued()).toEqual([]);
    const audit = await db().auditEvent.findFirstOrThrow({ where: { action: "remediation.decided", targetId: incident.id } });
    expect(audit.payload).toMatchObject({ outcome: "suppressed", guardrail: "kill_switch", playbook: "restart" });
  });

  it("the kill switch turned on after the decision: the queued action does not run", async () => {
    const fired = await fire({ service: "catalog-service", environment: "dev", automation: "restart" });
    await settings({ killSwitch: true });
    expect(await runQueued()).toEqual(["suppressed"]);
    const incident = await incidentOf(fired);
    expect(incident.decisions.at(-1)).toMatchObject({ kind: "action_suppressed", guardrail: "kill_switch" });
  });

  it("at most N actions per service per hour", async () => {
    await settings({ maxActionsPerHour: 1, cooldownMinutes: 0 });
    await fire({ service: "worker-service", environment: "staging", automation: "restart" });
    expect(await runQueued()).toEqual(["succeeded"]);
    const second = await fire({ service: "worker-service", environment: "dev", automation: "restart" });
    const d = decided(await incidentOf(second));
    expect(d).toMatchObject({ outcome: "suppressed", guardrail: "rate_limit" });
    expect(d.message).toContain("1 action in the last hour (at most 1)");
  });

  it("a cooldown after the service's last action", async () => {
    await settings({ maxActionsPerHour: 10, cooldownMinutes: 15 });
    await fire({ service: "message-broker", environment: "staging", automation: "restart" });
    expect(await runQueued()).toEqual(["succeeded"]);
    const second = await fire({ service: "message-broker", environment: "staging", automation: "restart" });
    expect(decided(await incidentOf(second))).toMatchObject({ outcome: "suppressed", guardrail: "cooldown", message: expect.stringContaining("cooldown is 15 minutes") });
  });

  it("dry-run mode: decided and recorded, nothing done", async () => {
    await settings({ dryRun: true });
    const before = await gitopsSnapshot(host);
    const fired = await fire({ service: "search-service", environment: "staging", automation: "auto-scale" });
    const incident = await incidentOf(fired);
    expect(decided(incident)).toMatchObject({ outcome: "dry_run", guardrail: "dry_run", message: expect.stringContaining("would have run") });
    expect(incident.remediations[0]).toMatchObject({ status: "dry_run" });
    expect(await runQueued()).toEqual([]);
    expect((await gitopsSnapshot(host))!.sha).toBe(before!.sha);
  });

  it("no action while a deployment run changes the service, unless that run caused the incident (then its rollout is aborted)", async () => {
    // A run deploying frontend (a canary) to staging: its commit synced, the canary paused at 10 %.
    const snapshot = (await gitopsSnapshot(host))!;
    const path = overlayKustomizationPath("frontend", "staging");
    const sha = await host.commitFiles(repo, snapshot.branch, [{ path, content: setImageTag(snapshot.files, "frontend", "staging", "3.3.0-rc.2") }], "Promote frontend to 3.3.0-rc.2 in staging");
    await cluster.sync("frontend-staging", { revision: sha });
    expect((await cluster.getApplication("frontend-staging"))?.health.status).toBe("Suspended");
    const promotion = await db().promotion.create({ data: { environment: "staging", requestedById: carol.id, requestedBy: carol.login, status: "running", plan: {}, gates: [], diff: [] } });
    const run = await db().deliveryRun.create({ data: { promotionId: promotion.id, environment: "staging", status: "running", startedBy: carol.login } });
    await db().deliveryLock.create({ data: { service: "frontend", environment: "staging", runId: run.id } });
    const deployingSince = new Date(Date.now() - 300_000);
    await db().deployment.create({ data: { service: "frontend", environment: "staging", version: "3.3.0-rc.2", previousVersion: "3.2.0", strategy: "canary", runId: run.id, actor: carol.login, startedAt: deployingSince } });

    // An alert that began before the run deployed frontend: the run is not its cause.
    const before = await fire({ service: "frontend", environment: "staging", automation: "auto-rollback" }, new Date(deployingSince.getTime() - 60_000));
    expect(decided(await incidentOf(before))).toMatchObject({ outcome: "suppressed", guardrail: "deployment_in_progress", message: expect.stringContaining(`promotion #${promotion.number}`) });

    // An alert that began while the run was deploying it: the run is the cause; its rollout is aborted.
    const caused = await fire({ service: "frontend", environment: "staging", automation: "auto-rollback" }, new Date(deployingSince.getTime() + 60_000));
    expect(decided(await incidentOf(caused))).toMatchObject({ outcome: "taken", message: expect.stringContaining("the run in progress that caused it") });
    expect(await runQueued()).toEqual(["succeeded"]);
    const incident = await incidentOf(caused);
    expect(incident.remediations[0]).toMatchObject({ status: "succeeded", result: { action: "abort", runId: run.id, causeRunId: run.id } });
    expect((await cluster.getApplication("frontend-staging"))?.health).toMatchObject({ status: "Degraded", message: "Rollout aborted" });
    await db().deliveryLock.deleteMany({ where: { runId: run.id } });
    await db().deliveryRun.update({ where: { id: run.id }, data: { status: "failed" } });
  });

  it("production needs an approval (no self-healing without it), unless an auto-approve rule allows the playbook", async () => {
    const fired = await fire({ service: "notification-service", environment: "production", automation: "restart" });
    let incident = await incidentOf(fired);
    expect(decided(incident)).toMatchObject({ outcome: "pending_approval", guardrail: "approval", message: expect.stringContaining("production is protected") });
    const pending = incident.remediations[0]!;
    expect(pending.status).toBe("pending_approval");
    expect(await runQueued()).toEqual([]);

    const approve = (person: TestPerson, body: Record<string, unknown> = {}) => callJson<RemediationDto & ErrorBody>("POST", "/api/v1/remediations/{id}/approve", { params: { id: pending.id }, body, token: person.token });
    expectErrorBody(await approve(bob), 403, "forbidden");
    // With the kill switch on, an approval is refused (422) and changes nothing.
    await settings({ killSwitch: true });
    const refused = await approve(carol);
    expect(expectErrorBody(refused, 422, "rule_violation").message).toContain("kill switch");
    expect((await db().remediation.findUniqueOrThrow({ where: { id: pending.id } })).status).toBe("pending_approval");
    await settings({ killSwitch: false });
    const approved = await approve(carol, { comment: "go" });
    expect(approved.status, JSON.stringify(approved.body)).toBe(202);
    expect(approved.body).toMatchObject({ status: "queued", approvedBy: carol.login });
    expectErrorBody(await approve(carol), 409, "conflict");
    expect(await runQueued()).toEqual(["succeeded"]);
    incident = await incidentOf(fired);
    expect(incident.decisions.map((d) => d.kind)).toEqual(["opened", "decided", "approved", "action_started", "action_succeeded"]);
    expect(incident.decisions.find((d) => d.kind === "approved")).toMatchObject({ actor: carol.login, message: expect.stringContaining('"go"') });

    // An auto-approve rule for the playbook in production: no approval needed.
    await settings({ autoApprove: [{ environment: "production", playbooks: ["auto-scale"], services: ["fraud-detection"] }] } as never);
    const allowed = await fire({ service: "fraud-detection", environment: "production", automation: "auto-scale" });
    expect(decided(await incidentOf(allowed))).toMatchObject({ outcome: "taken", message: expect.stringContaining("auto-approve rule") });
    await db().remediation.updateMany({ where: { status: "queued" }, data: { status: "cancelled" } });
  });

  it("a remediation still waiting for an approval is cancelled when the incident resolves", async () => {
    const fired = await fire({ service: "api-gateway", environment: "production", automation: "restart" });
    await resolve(fired);
    const incident = await incidentOf(fired);
    expect(incident.status).toBe("resolved");
    expect(incident.remediations[0]).toMatchObject({ status: "cancelled" });
    expect(incident.decisions.map((d) => d.kind)).toEqual(["opened", "decided", "cancelled", "resolved"]);
    expectErrorBody(await callJson("POST", "/api/v1/remediations/{id}/approve", { params: { id: incident.remediations[0]!.id }, body: {}, token: carol.token }), 409, "conflict");
  });
});

describe("the other playbooks", () => {
  it("auto-scale doubles the replicas by a commit to the service's overlay, then syncs it", async () => {
    const before = await gitopsSnapshot(host);
    expect(replicasIn(before!.files, "payments-gateway", "staging").replicas).toBe(2);
    const fired = await fire({ service: "payments-gateway", environment: "staging", automation: "auto-scale" });
    expect(await runQueued()).toEqual(["succeeded"]);
    const after = (await gitopsSnapshot(host))!;
    expect(replicasIn(after.files, "payments-gateway", "staging").replicas).toBe(4);
    const remediation = (await incidentOf(fired)).remediations[0]!;
    expect(remediation.result).toMatchObject({ action: "scale", from: 2, to: 4, file: "apps/payments-gateway/overlays/staging/kustomization.yaml", sha: after.sha });
    expect((await cluster.getApplication("payments-gateway-staging"))?.sync).toMatchObject({ status: "Synced", revision: after.sha });
    const states = await cluster.trafficStates();
    expect(states.find((s) => s.name === "payments-gateway-staging")?.replicas).toBe(4);
  });

  it("restart restarts the workload, which cures latency chaos", async () => {
    await callJson("POST", "/api/v1/sandbox/chaos", { body: { service: "checkout-web", environment: "staging", mode: "latency" }, token: dave.token });
    forgetObservation();
    const slow = await metricsNow('sum(rate(http_request_duration_seconds_bucket{service="checkout-web",environment="staging",le="0.3"}[1s])) / sum(rate(http_request_duration_seconds_count{service="checkout-web",environment="staging"}[1s]))', 1100);
    expect(slow).toBeLessThan(0.5);
    const fired = await fire({ service: "checkout-web", environment: "staging", automation: "restart" });
    expect(await runQueued()).toEqual(["succeeded"]);
    const result = (await incidentOf(fired)).remediations[0]!.result;
    expect(result, JSON.stringify(result)).toMatchObject({ action: "restart", resource: { kind: "Rollout", name: "checkout-web" } });
    const chaos = await callJson<{ items: { service: string; active: boolean }[] }>("GET", "/api/v1/sandbox/chaos", { token: victor.token });
    expect(chaos.body.items.find((c) => c.service === "checkout-web")?.active).toBe(false);
    forgetObservation();
    await observeTraffic(db(), cluster);
    const fast = await metricsNow('sum(rate(http_request_duration_seconds_bucket{service="checkout-web",environment="staging",le="0.3"}[1s])) / sum(rate(http_request_duration_seconds_count{service="checkout-web",environment="staging"}[1s]))', 1100);
    expect(fast).toBeGreaterThan(0.99);
  });

  it("a playbook that cannot act fails, with the reason on the incident, and is not tried again", async () => {
    const fired = await fire({ service: "database", environment: "staging", automation: "auto-rollback" });
    expect(await runQueued()).toEqual(["failed"]);
    const incident = await incidentOf(fired);
    expect(incident.remediations[0]).toMatchObject({ status: "failed" });
    expect(incident.decisions.at(-1)).toMatchObject({ kind: "action_failed", outcome: "failed", message: expect.stringContaining("database has no successful deployment in staging to roll back") });
    expect(await runQueued()).toEqual([]);
  });
});

async function metricsNow(query: string, waitMs = 0): Promise<number> {
  if (waitMs) await new Promise((r) => setTimeout(r, waitMs));
  forgetObservation();
  const { metricsSource } = await import("@/lib/metrics");
  return (await metricsSource().query(query)).samples[0]?.value ?? NaN;
}

describe("the API", () => {
  it("lists incidents by service, status and time, and remediations", async () => {
    const all = await callJson<{ items: IncidentDto[] }>("GET", "/api/v1/incidents", { token: victor.token });
    expect(all.status).toBe(200);
    expect(all.body.items.length).toBeGreaterThan(5);
    const resolved = await callJson<{ items: IncidentDto[] }>("GET", "/api/v1/incidents", { query: { status: "resolved" }, token: victor.token });
    expect(resolved.body.items.every((i) => i.status === "resolved")).toBe(true);
    const backend = await callJson<{ items: IncidentDto[] }>("GET", "/api/v1/incidents", { query: { service: "backend-api" }, token: victor.token });
    expect(backend.body.items.map((i) => i.service)).toEqual(["backend-api"]);
    const future = await callJson<{ items: IncidentDto[] }>("GET", "/api/v1/incidents", { query: { from: new Date(Date.now() + 3_600_000).toISOString(), to: new Date(Date.now() + 7_200_000).toISOString() }, token: victor.token });
    expect(future.body.items).toEqual([]);
    expectErrorBody(await callJson("GET", "/api/v1/incidents", { query: { status: "closed" }, token: victor.token }), 400, "invalid_input");
    expectErrorBody(await callJson("GET", "/api/v1/incidents/{id}", { params: { id: "7b0e4f0e-0000-4000-8000-000000000000" }, token: victor.token }), 404, "not_found");
    const remediations = await callJson<{ items: RemediationDto[] }>("GET", "/api/v1/remediations", { query: { status: "succeeded" }, token: victor.token });
    expect(remediations.body.items.length).toBeGreaterThan(3);
    expect(remediations.body.items.every((r) => r.status === "succeeded")).toBe(true);
  });

  it("reads and changes the guardrails' settings, audited, with revisions; refuses bad input and developers", async () => {
    const read = await callJson<RemediationSettingsDto>("GET", "/api/v1/remediation-settings", { token: victor.token });
    expect(read.body).toMatchObject({ killSwitch: false, dryRun: false, maxActionsPerHour: 3, cooldownMinutes: 10, autoApprove: [] });
    const patched = await callJson<RemediationSettingsDto>("PATCH", "/api/v1/remediation-settings", { body: { killSwitch: true, autoApprove: [{ environment: "production", playbooks: ["auto-rollback"] }], revision: read.body.revision }, token: dave.token });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({ killSwitch: true, revision: read.body.revision + 1, updatedBy: dave.login });
    const audit = await db().auditEvent.findFirstOrThrow({ where: { action: "remediation_settings.updated" }, orderBy: { seq: "desc" } });
    expect(audit.payload).toMatchObject({ changes: { killSwitch: { from: false, to: true } } });
    expectErrorBody(await callJson("PATCH", "/api/v1/remediation-settings", { body: { dryRun: true, revision: read.body.revision }, token: dave.token }), 409, "conflict");
    const bad = await callJson("PATCH", "/api/v1/remediation-settings", { body: { autoApprove: [{ environment: "moon", playbooks: ["auto-rollback"] }] }, token: dave.token });
    expect(expectErrorBody(bad, 400, "invalid_input").message).toContain("autoApprove.0.environment");
    expectErrorBody(await callJson("PATCH", "/api/v1/remediation-settings", { body: { maxActionsPerHour: -1 }, token: dave.token }), 400, "invalid_input");
    expectErrorBody(await callJson("PATCH", "/api/v1/remediation-settings", { body: {}, token: dave.token }), 400, "invalid_input");
    // A developer holds slos.write for their own team only: the guardrails are everyone's.
    expectErrorBody(await callJson("PATCH", "/api/v1/remediation-settings", { body: { dryRun: true }, token: bob.token }), 403, "forbidden");
  });

  it("chaos: SREs break and clear; developers may not; unknown applications are 404; the metrics endpoint exposes the simulated series", async () => {
    expectErrorBody(await callJson("POST", "/api/v1/sandbox/chaos", { body: { service: "ledger", environment: "dev", mode: "errors" }, token: bob.token }), 403, "forbidden");
    const set = await callJson("POST", "/api/v1/sandbox/chaos", { body: { service: "ledger", environment: "dev", mode: "errors" }, token: dave.token });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect((await callJson("POST", "/api/v1/sandbox/chaos", { body: { service: "ledger", environment: "dev", mode: "clear" }, token: dave.token })).body).toMatchObject({ mode: "clear", active: false });
    expect(await db().auditEvent.count({ where: { action: { in: ["sandbox.chaos_set", "sandbox.chaos_cleared"] }, targetId: "ledger-dev" } })).toBe(2);
    expectErrorBody(await callJson("POST", "/api/v1/sandbox/chaos", { body: { service: "ledger", environment: "moon", mode: "errors" }, token: dave.token }), 404, "not_found");
    expectErrorBody(await callJson("POST", "/api/v1/sandbox/chaos", { body: { service: "ledger", environment: "dev", mode: "fire" }, token: dave.token }), 400, "invalid_input");
    const res = await callRoute("GET", "/api/v1/sandbox/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await res.text();
    expect(text).toContain("# TYPE http_requests_total counter");
    expect(text).toMatch(/^http_requests_total\{service="backend-api",environment="staging",code="500"\} \d+$/m);
    expect(text).toMatch(/^http_request_duration_seconds_bucket\{service="frontend",environment="production",le="\+Inf"\} \d+$/m);
  });
});
