// The sandbox heals itself without Prometheus or Alertmanager, on both databases: the sandbox's
// own alert evaluation (lib/incidents/sandbox-alerts.ts) reads the demo's SLOs over the simulated
// metrics of the sandbox cluster (running over a real local GitOps repository, as in
// self-healing.int.test.ts), and sends what fires through the webhook's code path. Chaos breaks
// checkout-web in production; the page fires at the next evaluation; the incident opens with its
// auto-rollback (an auto-approve rule for production, set through the API as an SRE would); the
// rollback runs through the delivery code; the error rate recovers; an evaluation within a minute
// resolves the alert and the incident closes with its MTTR. Also: a healthy demo fires nothing,
// a ticket-only burn opens no incident, duplicate evaluations run nothing twice, and the job
// keeps one 10-second chain.
//
// Time: the metrics are observed and the alerts evaluated at a simulated clock that the test moves
// forward in 10-second steps (the windows compressed 60×, as by default), so nothing waits for
// real minutes; the jobs' handlers run in-process, as in self-healing.int.test.ts.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/core/db/client";
import { resetEnvCache } from "@/lib/core/env";
import { JOBS_SCHEMA } from "@/lib/core/jobs/boss";
import type { JobDefinition } from "@/lib/core/jobs/define";
import { startWorker } from "@/lib/core/jobs/worker";
import { logger } from "@/lib/core/logger";
import type { GitHost } from "@/lib/core/ports/git-host";
import { setGitOpsEngine } from "@/lib/delivery/engine";
import { gitopsSnapshot, versionIn } from "@/lib/delivery/gitops-state";
import { executeRun, type RunDeps } from "@/lib/delivery/run";
import type { IncidentDetailDto } from "@/lib/incidents";
import { sandboxAlertsJob } from "@/lib/incidents/jobs";
import { runRemediation } from "@/lib/incidents/playbooks";
import { processAlertEvent } from "@/lib/incidents/process";
import { SANDBOX_ALERTS_RECEIVER, alertFingerprint, evaluateSandboxAlerts, sandboxAlertOf, sandboxAlertsTick, type SandboxAlertsReport, type SandboxAlertsTickResult } from "@/lib/incidents/sandbox-alerts";
import { forgetObservation, observeTraffic, SandboxMetricsSource, setMetricsSource } from "@/lib/metrics";
import { toRuleSlo } from "@/lib/slos";
import { sloInclude } from "@/lib/slos/read";
import { SandboxCluster } from "@/lib/integrations/sandbox-cluster";
import { useDemoGitOps } from "../support/catalog";
import { createTestDatabase, useDatabase, useSharedDatabase, type TestDatabase } from "../support/database";
import { makePerson, type TestPerson } from "../support/factory";
import { callJson } from "../support/http";
import { eventually } from "../support/prometheus";

let database: TestDatabase;
let host: GitHost;
let cluster: SandboxCluster;
let dave: TestPerson; // sre
/** The simulated clock the sandbox's traffic is observed at and the alerts are evaluated at. */
let clock = Date.now();

beforeAll(async () => {
  database = await createTestDatabase({ seed: true });
  await useDatabase(database.url);
  const git = await useDemoGitOps();
  host = git.host;
  cluster = new SandboxCluster({ db: db(), host, speed: 0 });
  setGitOpsEngine(cluster);
  setMetricsSource(new SandboxMetricsSource(() => observeTraffic(db(), cluster, clock), () => clock));
  await cluster.listApplications();
  const platform = await db().team.findUniqueOrThrow({ where: { slug: "platform" } });
  dave = await makePerson(["sre"], { team: { id: platform.id, slug: platform.slug }, prefix: "dave" });
});

afterAll(async () => {
  setGitOpsEngine(undefined);
  setMetricsSource(undefined);
  forgetObservation();
  await useSharedDatabase();
  await database?.drop();
});

/** One evaluation at the simulated clock, as the job runs it (compression 60). */
function evaluateAt(at = clock): Promise<SandboxAlertsReport> {
  forgetObservation();
  return evaluateSandboxAlerts({ db: db(), metrics: new SandboxMetricsSource(() => observeTraffic(db(), cluster, clock), () => clock), now: new Date(at), compression: 60 });
}

const firingOf = (report: SandboxAlertsReport, service: string, severity: "page" | "ticket") => report.firing.filter((f) => f.service === service && f.severity === severity);

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

function deps(): RunDeps {
  return { db: db(), engine: cluster, host, pollMs: 5, analysisMs: 5, sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 5))), errorRate: (s, e) => cluster.errorRate(s, e) };
}

const pinned = async (service: string, environment: string) => versionIn((await gitopsSnapshot(host))!, service, environment);

async function sloAlert(service: string, name: string, severity: "page" | "ticket") {
  const row = await db().slo.findFirstOrThrow({ where: { name, service: { name: service } }, include: sloInclude });
  const alert = sandboxAlertOf(toRuleSlo(row), severity);
  return { ...alert, fingerprint: alertFingerprint(alert.labels), slo: row };
}

const chainedJobs = async () =>
  db().$queryRawUnsafe<{ id: string; state: string; start_after: Date }[]>(`SELECT id::text AS id, state::text AS state, start_after FROM ${JOBS_SCHEMA}.job WHERE name = $1 AND data->>'chained' = 'true' AND state::text IN ('created', 'retry', 'active')`, sandboxAlertsJob.name);

describe("the job", () => {
  const ctx = () => ({ jobId: randomUUID(), log: logger });

  it("keeps one 10-second chain: a run queues the next, the per-minute run only restarts a lost chain", async () => {
    clock = Date.now();
    const first = await sandboxAlertsTick({}, ctx());
    expect(first, JSON.stringify(first)).toMatchObject({ active: true, firing: 0, sent: { firing: 0, resolved: 0 }, next: expect.any(String) });
    expect(first.error).toBeUndefined();
    const next = Date.parse(first.next!);
    expect(next - Date.now()).toBeGreaterThan(0);
    expect(next - Date.now()).toBeLessThanOrEqual(10_100);
    let waiting = await chainedJobs();
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatchObject({ state: "created" });
    expect(Math.abs(waiting[0]!.start_after.getTime() - next)).toBeLessThan(5);

    // The scheduled run sees the chain alive and does nothing.
    expect(await sandboxAlertsTick({}, ctx())).toEqual({ active: true, reason: "The 10-second chain is running." });
    // A second chained run (a duplicate) evaluates, but does not fork the chain.
    expect(await sandboxAlertsTick({ chained: true }, ctx())).toMatchObject({ active: true, next: null });
    waiting = await chainedJobs();
    expect(waiting.map((j) => j.id)).toEqual([waiting[0]!.id]);
  });

  it("runs under a worker: the waiting run starts at its slot and queues the next one 10 s on", async () => {
    const [waiting] = await chainedJobs();
    const worker = await startWorker({ url: database.url, definitions: [sandboxAlertsJob] as unknown as JobDefinition[], concurrency: 1, pollingIntervalSeconds: 0.5 });
    try {
      const done = await eventually(async () => (await db().$queryRawUnsafe<{ state: string; output: SandboxAlertsTickResult; started_on: Date }[]>(`SELECT state::text AS state, output, started_on FROM ${JOBS_SCHEMA}.job WHERE id = $1::uuid AND state::text = 'completed'`, waiting!.id))[0], { timeoutMs: 20_000, what: "the waiting run to complete" });
      expect(done.started_on.getTime()).toBeGreaterThanOrEqual(waiting!.start_after.getTime());
      expect(done.output).toMatchObject({ active: true, sent: { firing: 0, resolved: 0 }, next: expect.any(String) });
      const [next] = await chainedJobs();
      expect(next!.id).not.toBe(waiting!.id);
      expect(next!.start_after.getTime() - waiting!.start_after.getTime()).toBeGreaterThanOrEqual(10_000);
    } finally {
      await worker.stop();
    }
  });

  it("does nothing while an Alertmanager is configured", async () => {
    process.env.ALERTMANAGER_WEBHOOK_TOKEN = "a-real-alertmanager";
    resetEnvCache();
    try {
      expect(await sandboxAlertsTick({ chained: true }, ctx())).toEqual({ active: false, reason: expect.stringContaining("An Alertmanager is configured") });
    } finally {
      delete process.env.ALERTMANAGER_WEBHOOK_TOKEN;
      resetEnvCache();
    }
  });
});

describe("the sandbox's alert evaluation", () => {
  it("fires nothing for the healthy demo: every alerting SLO evaluated in one batch", async () => {
    clock = Date.now();
    const alerting = await db().slo.count({ where: { alerting: true } });
    expect(alerting).toBeGreaterThanOrEqual(8);
    const report = await evaluateAt();
    expect(report).toMatchObject({ slos: alerting, firing: [], unknown: [], sent: { firing: 0, resolved: 0 }, accepted: 0, compression: 60 });
    // Each SLO's seven windows (some SLOs share none: every query is the SLO's own).
    expect(report.queries).toBe(alerting * 7);
    expect(await db().alertEvent.count({ where: { receiver: SANDBOX_ALERTS_RECEIVER } })).toBe(0);
  });

  it("sends a ticket for a steady, slow burn, and it opens no incident; it resolves when the SLO stops alerting", async () => {
    // A latency SLO a little too strict for the healthy ledger: 0.17 % of its requests take more
    // than 250 ms, above 1× its budget over 3 d and 6 h (a ticket), far below what pages.
    const ledger = await db().service.findUniqueOrThrow({ where: { name: "ledger" } });
    const strict = await db().slo.create({
      data: { serviceId: ledger.id, ownerTeamId: ledger.teamId, name: "latency-strict", kind: "latency", objective: 99.9, window: "30d", sli: { source: "http", selector: "", thresholdSeconds: 0.25 }, environment: "production", automation: "auto-rollback" },
    });
    const incidents = await db().incident.count();
    clock = Date.now();
    // Two evaluations at once (a duplicate run): the alert is stored once.
    const [a, b] = await Promise.all([evaluateAt(), evaluateAt()]);
    for (const r of [a, b]) {
      expect(r.firing.map((f) => `${f.service}/${f.slo}/${f.severity}`)).toEqual(["ledger/latency-strict/ticket"]);
    }
    expect(a.accepted + b.accepted).toBe(1);
    const ticket = await sloAlert("ledger", "latency-strict", "ticket");
    const stored = await db().alertEvent.findMany({ where: { fingerprint: ticket.fingerprint } });
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ status: "firing", alertname: "SloErrorBudgetBurn", receiver: SANDBOX_ALERTS_RECEIVER, labels: ticket.labels, startsAt: new Date(clock) });
    expect(await processAlerts()).toEqual(["ignored: severity ticket does not page"]);
    expect(await db().incident.count()).toBe(incidents);

    // Ten seconds later it still burns: nothing is sent again.
    clock += 10_000;
    expect(await evaluateAt()).toMatchObject({ sent: { firing: 0, resolved: 0 }, firing: [expect.objectContaining({ slo: "latency-strict", severity: "ticket" })] });

    // Alerting off: the rule is gone, the alert resolves.
    await db().slo.update({ where: { id: strict.id }, data: { alerting: false } });
    clock += 10_000;
    expect(await evaluateAt()).toMatchObject({ firing: [], sent: { firing: 0, resolved: 1 }, accepted: 1 });
    expect(await db().alertEvent.findFirstOrThrow({ where: { fingerprint: ticket.fingerprint, status: "resolved" } })).toMatchObject({ startsAt: stored[0]!.startsAt, endsAt: new Date(clock) });
    expect(await processAlerts()).toEqual(["ignored: severity ticket does not page"]);
    expect(await db().incident.count()).toBe(incidents);
    await db().slo.delete({ where: { id: strict.id } });
  });

  it("pages on chaos, the auto-rollback heals it, and the next evaluations resolve the incident with its MTTR", async () => {
    // checkout-web 2.5.0 runs in production, deployed over 2.4.0 (as a finished promotion leaves it).
    expect(await pinned("checkout-web", "production")).toBe("2.5.0");
    const deployment = await db().deployment.create({
      data: { service: "checkout-web", environment: "production", version: "2.5.0", previousVersion: "2.4.0", strategy: "canary", kind: "deploy", outcome: "succeeded", actor: "carol", startedAt: new Date(Date.now() - 3_600_000), finishedAt: new Date(Date.now() - 3_500_000) },
    });
    // Production needs an approval unless a rule allows the playbook there: the SRE allows it.
    const settings = await callJson("PATCH", "/api/v1/remediation-settings", { body: { autoApprove: [{ environment: "production", playbooks: ["auto-rollback"], services: ["checkout-web"] }] }, token: dave.token });
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);
    const page = await sloAlert("checkout-web", "availability", "page");
    expect(page.labels).toEqual({ alertname: "SloErrorBudgetBurn", slo_id: page.slo.id, service: "checkout-web", slo: "availability", environment: "production", severity: "page", automation: "auto-rollback" });

    clock = Date.now();
    expect(firingOf(await evaluateAt(), "checkout-web", "page")).toEqual([]);

    // Chaos: the running version fails a quarter of its requests from now on.
    const chaos = await callJson("POST", "/api/v1/sandbox/chaos", { body: { service: "checkout-web", environment: "production", mode: "errors" }, token: dave.token });
    expect(chaos.status, JSON.stringify(chaos.body)).toBe(200);
    clock = Date.now();
    const brokenAt = clock;

    // The next evaluation, ten seconds on, pages (and only this SLO).
    clock += 10_000;
    const fired = await evaluateAt();
    expect(fired.firing.filter((f) => f.severity === "page")).toEqual([{ service: "checkout-web", slo: "availability", severity: "page", fingerprint: page.fingerprint }]);
    expect(fired.sent.firing).toBeGreaterThanOrEqual(1);
    const startedAt = new Date(clock);
    expect(startedAt.getTime() - brokenAt).toBeLessThanOrEqual(60_000);

    // The webhook's jobs: the incident opens and self-healing decides to roll back.
    await processAlerts();
    const row = await db().incident.findFirstOrThrow({ where: { fingerprint: page.fingerprint } });
    expect(row).toMatchObject({ status: "open", alertname: "SloErrorBudgetBurn", service: "checkout-web", environment: "production", slo: "availability", severity: "page", automation: "auto-rollback", startedAt, precedingDeploymentId: deployment.id });
    let incident = (await callJson<IncidentDetailDto>("GET", "/api/v1/incidents/{id}", { params: { id: row.id }, token: dave.token })).body;
    expect(incident.labels).toEqual(page.labels);
    expect(incident.remediations).toEqual([expect.objectContaining({ playbook: "auto-rollback", status: "queued", result: { target: { deploymentId: deployment.id, version: "2.5.0", previousVersion: "2.4.0" } } })]);

    // Duplicate evaluations while it fires: the same instant, and ten seconds on (still firing,
    // its start kept), send the page again never; nothing opens or runs twice. (Ten seconds on, the
    // slower ticket pair, 3× over 1 d and 2 h, fires too: a ticket, which pages no one.)
    expect(await evaluateAt()).toMatchObject({ sent: { firing: 0, resolved: 0 } });
    clock += 10_000;
    const still = await evaluateAt();
    expect(firingOf(still, "checkout-web", "page")).toHaveLength(1);
    expect(still.sent.resolved).toBe(0);
    expect(await db().alertEvent.count({ where: { fingerprint: page.fingerprint } })).toBe(1);
    for (const outcome of await processAlerts()) expect(outcome).toBe("ignored: severity ticket does not page");
    expect(await db().incident.count({ where: { service: "checkout-web", status: "open" } })).toBe(1);
    expect(await db().remediation.count({ where: { incidentId: row.id } })).toBe(1);

    // The rollback runs through the delivery code.
    expect(await runQueued()).toEqual(["succeeded"]);
    const remediation = await db().remediation.findFirstOrThrow({ where: { incidentId: row.id } });
    await executeRun((remediation.result as { runId: string }).runId, deps());
    expect(await pinned("checkout-web", "production")).toBe("2.4.0");
    expect((await db().deployment.findUniqueOrThrow({ where: { id: deployment.id } })).outcome).toBe("rolled_back");

    // Another version runs: the error rate recovers at the next observation, and an evaluation
    // within a minute of it resolves the alert.
    clock += 10_000;
    const recoveredAt = clock;
    let resolved: SandboxAlertsReport | null = null;
    for (let step = 0; step <= 6 && !resolved; step++) {
      const report = await evaluateAt();
      if (firingOf(report, "checkout-web", "page").length === 0) resolved = report;
      else clock += 10_000;
    }
    expect(resolved, "the page still fires a minute after the recovery").not.toBeNull();
    expect(resolved!.sent.resolved).toBeGreaterThanOrEqual(1);
    expect(clock - recoveredAt).toBeLessThanOrEqual(60_000);
    const endsAt = new Date(clock);

    // The incident closes with its MTTR, from the alert's start to its end.
    await processAlerts();
    incident = (await callJson<IncidentDetailDto>("GET", "/api/v1/incidents/{id}", { params: { id: row.id }, token: dave.token })).body;
    expect(incident).toMatchObject({ status: "resolved", resolvedAt: endsAt.toISOString(), mttrSeconds: (endsAt.getTime() - startedAt.getTime()) / 1000 });
    expect(incident.mttrSeconds).toBeLessThan(120);
    console.log(`sandbox alerts: page ${(startedAt.getTime() - brokenAt) / 1000} s after the chaos, resolved ${(endsAt.getTime() - recoveredAt) / 1000} s after the recovery, MTTR ${incident.mttrSeconds} s (simulated time)`);
    expect(incident.decisions.map((d) => `${d.kind}:${d.outcome}`), JSON.stringify(incident.decisions)).toEqual(["opened:info", "decided:taken", "action_started:taken", "action_succeeded:taken", "resolved:info"]);
    expect(incident.remediations).toEqual([expect.objectContaining({ playbook: "auto-rollback", status: "succeeded", result: expect.objectContaining({ fromVersion: "2.5.0", toVersion: "2.4.0" }) })]);

    // Once resolved, evaluating again sends nothing; nothing ran twice.
    expect((await evaluateAt()).sent.resolved).toBe(0);
    const events = await db().alertEvent.findMany({ where: { fingerprint: page.fingerprint }, orderBy: { receivedAt: "asc" } });
    expect(events.map((e) => [e.status, e.startsAt.toISOString()])).toEqual([
      ["firing", startedAt.toISOString()],
      ["resolved", startedAt.toISOString()],
    ]);
    expect(await db().remediation.count({ where: { status: { in: ["queued", "running", "succeeded", "failed"] } } })).toBe(1);
    expect(await db().promotion.count({ where: { kind: "rollback" } })).toBe(1);
  }, 90_000);
});
