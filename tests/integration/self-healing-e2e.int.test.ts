// The end-to-end proof, with a real Prometheus and a real Alertmanager: Prometheus scrapes the
// sandbox metrics endpoint of a Paved server this test starts (Paved's own route handlers on a
// loopback port) and evaluates the rules Paved generates for the demo's checkout-web availability
// SLO (99.9 %, automation auto-rollback), as `GET /api/v1/slos/{id}/rules` serves them, with time
// compressed 60× (every range selector of the recording rules divided by 60: 1 h → 60 s, 5 m → 5 s)
// so that the multi-window page fires and resolves within seconds instead of minutes; chaos
// makes checkout-web's running version in production fail a quarter of its requests; the alert
// fires; Alertmanager calls Paved's webhook with its bearer token; a worker (the real job
// handlers) opens the incident, the guardrails allow the auto-rollback (an auto-approve rule for
// production), the delivery code rolls back in the sandbox; the error rate recovers; the alert
// resolves; the incident closes with its MTTR.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/core/db/client";
import { SANDBOX_ALERTMANAGER_TOKEN } from "@/lib/core/env";
import type { JobDefinition } from "@/lib/core/jobs/define";
import { startWorker, type RunningWorker } from "@/lib/core/jobs/worker";
import type { GitHost } from "@/lib/core/ports/git-host";
import { setGitOpsEngine } from "@/lib/delivery/engine";
import { gitopsSnapshot, versionIn } from "@/lib/delivery/gitops-state";
import { runJob } from "@/lib/delivery/run-job";
import { incidentJobs } from "@/lib/incidents/jobs";
import type { IncidentDetailDto } from "@/lib/incidents";
import { PrometheusMetricsSource } from "@/lib/integrations/prometheus";
import { SandboxCluster } from "@/lib/integrations/sandbox-cluster";
import { startAlertmanager, startPavedServer, type AlertmanagerServer, type PavedTestServer } from "../support/alertmanager";
import { useDemoGitOps } from "../support/catalog";
import { createTestDatabase, useDatabase, useSharedDatabase, type TestDatabase } from "../support/database";
import { makePerson, type TestPerson } from "../support/factory";
import { callJson, callRoute } from "../support/http";
import { checkRules, eventually, startPrometheusServer, type PrometheusServer } from "../support/prometheus";

/** Range selectors in PromQL ("[5m]", "[1h]", "[30d]") divided by `factor`, in seconds. */
function compressTime(rules: string, factor: number): string {
  const seconds: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };
  return rules.replace(/\[(\d+)([smhd])\]/g, (_, n: string, unit: string) => `[${Math.max(1, Math.round((Number(n) * seconds[unit]!) / factor))}s]`).replace(/^(\s+interval:\s*)\S+$/gm, "$11s");
}
const ERROR_RATIO =
  'sum(rate(http_requests_total{service="checkout-web",environment="production",code=~"5.."}[3s])) / sum(rate(http_requests_total{service="checkout-web",environment="production"}[3s]))';

let database: TestDatabase;
let host: GitHost;
let cluster: SandboxCluster;
let worker: RunningWorker | undefined;
let server: PavedTestServer | undefined;
let alertmanager: AlertmanagerServer | undefined;
let prometheus: PrometheusServer | undefined;
let dave: TestPerson;

beforeAll(async () => {
  database = await createTestDatabase({ seed: true });
  await useDatabase(database.url);
  const git = await useDemoGitOps();
  host = git.host;
  cluster = new SandboxCluster({ db: db(), host, speed: 0 });
  setGitOpsEngine(cluster);
  await cluster.listApplications();
  const platform = await db().team.findUniqueOrThrow({ where: { slug: "platform" } });
  dave = await makePerson(["sre"], { team: { id: platform.id, slug: platform.slug }, prefix: "dave" });
  // The workers of `npm start`, for what this flow needs: alerts, remediations and delivery runs.
  // Not the sandbox's own alert evaluator: here Prometheus and Alertmanager raise the alerts.
  const jobs = [...incidentJobs.filter((j) => j.name !== "incidents.sandbox-alerts"), runJob];
  worker = await startWorker({ url: database.url, definitions: jobs as unknown as JobDefinition[], concurrency: 4, pollingIntervalSeconds: 0.5 });
  server = await startPavedServer([
    { method: "GET", path: "/api/v1/sandbox/metrics" },
    { method: "POST", path: "/api/v1/webhooks/alertmanager" },
  ]);
  alertmanager = await startAlertmanager({ webhookUrl: `${server.url}/api/v1/webhooks/alertmanager`, bearerToken: SANDBOX_ALERTMANAGER_TOKEN });
  // The rules Paved generates for checkout-web's availability SLO, as its API serves them.
  const slo = await db().slo.findFirstOrThrow({ where: { name: "availability", service: { name: "checkout-web" } } });
  const served = await callRoute("GET", "/api/v1/slos/{id}/rules", { params: { id: slo.id }, token: dave.token });
  expect(served.status).toBe(200);
  const generated = await served.text();
  expect(generated).toContain("automation: auto-rollback");
  const rules = compressTime(generated, 60);
  expect(rules).toContain("[60s]");
  await checkRules(rules);
  prometheus = await startPrometheusServer({
    scrapeInterval: "1s",
    evaluationInterval: "1s",
    scrapeConfigs: [{ job_name: "paved-sandbox", metrics_path: "/api/v1/sandbox/metrics", static_configs: [{ targets: [new URL(server.url).host] }] }],
    rules: { "burn-rate.rules.yml": rules },
    alertmanagers: [alertmanager.address],
  });
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  await alertmanager?.stop();
  await server?.close();
  await worker?.stop();
  setGitOpsEngine(undefined);
  await useSharedDatabase();
  await database?.drop();
});

describe("self-healing end to end, on a real Prometheus and Alertmanager", () => {
  it("a burning budget fires the alert, Paved rolls back, the error rate recovers, the alert resolves and the incident closes with its MTTR", async () => {
    const metrics = new PrometheusMetricsSource({ url: prometheus!.url, cacheTtlMs: 0 });
    const pinned = async () => versionIn((await gitopsSnapshot(host))!, "checkout-web", "production");
    // checkout-web 2.5.0 runs in production (a canary), deployed over 2.4.0 (as a finished promotion leaves it).
    expect(await pinned()).toBe("2.5.0");
    const deployment = await db().deployment.create({
      data: { service: "checkout-web", environment: "production", version: "2.5.0", previousVersion: "2.4.0", strategy: "canary", kind: "deploy", outcome: "succeeded", actor: "carol", startedAt: new Date(Date.now() - 3_600_000), finishedAt: new Date(Date.now() - 3_500_000) },
    });
    // Production needs an approval, unless a rule allows the playbook there: the SRE allows it.
    const settings = await callJson("PATCH", "/api/v1/remediation-settings", { body: { autoApprove: [{ environment: "production", playbooks: ["auto-rollback"], services: ["checkout-web"] }] }, token: dave.token });
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);

    // Prometheus scrapes Paved; the budget is not burning.
    await eventually(async () => (await metrics.query('up{job="paved-sandbox"}')).samples[0]?.value === 1, { timeoutMs: 20_000, what: "Prometheus' first scrape of Paved" });
    await eventually(async () => ((await metrics.query(ERROR_RATIO)).samples[0]?.value ?? 1) < 0.0144, { timeoutMs: 15_000, what: "a healthy error ratio" });
    const began = Date.now();

    // Chaos: the running version starts failing a quarter of its requests.
    const chaos = await callJson("POST", "/api/v1/sandbox/chaos", { body: { service: "checkout-web", environment: "production", mode: "errors" }, token: dave.token });
    expect(chaos.status, JSON.stringify(chaos.body)).toBe(200);
    const burning = await eventually(async () => {
      const v = (await metrics.query(ERROR_RATIO)).samples[0]?.value;
      return v !== undefined && v > 0.1 ? v : null;
    }, { timeoutMs: 15_000, what: "the error ratio to rise" });
    expect(burning).toBeGreaterThan(0.1);

    // The alert fires, Alertmanager calls the webhook, the incident opens and the rollback runs.
    const incidentRow = await eventually(() => db().incident.findFirst({ where: { service: "checkout-web", environment: "production" }, orderBy: { startedAt: "asc" } }), { timeoutMs: 25_000, what: "the incident" });
    expect(incidentRow).toMatchObject({ alertname: "SloErrorBudgetBurn", slo: "availability", severity: "page", automation: "auto-rollback", precedingDeploymentId: deployment.id });
    const firing = await db().alertEvent.findFirstOrThrow({ where: { fingerprint: incidentRow.fingerprint, status: "firing" } });
    const remediation = await eventually(() => db().remediation.findFirst({ where: { incidentId: incidentRow.id, status: "succeeded" } }), { timeoutMs: 20_000, what: "the auto-rollback" });
    console.log(`self-healing e2e: remediation started ${remediation.startedAt!.getTime() - firing.receivedAt.getTime()} ms after the webhook arrived`);
    const result = remediation.result as { runId: string; promotionNumber: number };
    await eventually(async () => (await db().deliveryRun.findUnique({ where: { id: result.runId } }))?.status === "succeeded", { timeoutMs: 30_000, what: "the rollback run" });
    expect(await pinned()).toBe("2.4.0");
    expect((await db().deployment.findUniqueOrThrow({ where: { id: deployment.id } })).outcome).toBe("rolled_back");

    // Another version runs: the error rate recovers, the alert resolves, the incident closes.
    await eventually(async () => ((await metrics.query(ERROR_RATIO)).samples[0]?.value ?? 1) < 0.0144, { timeoutMs: 20_000, what: "the error ratio to recover" });
    const closed = await eventually(async () => {
      const i = await db().incident.findUnique({ where: { id: incidentRow.id } });
      return i?.status === "resolved" ? i : null;
    }, { timeoutMs: 60_000, what: "the incident to close" });
    expect(closed.mttrSeconds, JSON.stringify(closed)).toBeGreaterThan(0);
    expect(closed.mttrSeconds).toBeLessThan(120);
    expect(closed.resolvedAt!.getTime()).toBeGreaterThan(closed.startedAt.getTime());

    const incident = (await callJson<IncidentDetailDto>("GET", "/api/v1/incidents/{id}", { params: { id: incidentRow.id }, token: dave.token })).body;
    expect(incident.decisions.map((d) => `${d.kind}:${d.outcome}`), JSON.stringify(incident.decisions)).toEqual(["opened:info", "decided:taken", "action_started:taken", "action_succeeded:taken", "resolved:info"]);
    expect(incident.remediations).toEqual([expect.objectContaining({ playbook: "auto-rollback", status: "succeeded", result: expect.objectContaining({ fromVersion: "2.5.0", toVersion: "2.4.0" }) })]);
    // Alertmanager may deliver an alert more than once: nothing ran twice.
    const remediations = await db().remediation.findMany();
    expect(remediations.filter((r) => ["queued", "running", "succeeded", "failed"].includes(r.status)), JSON.stringify(remediations)).toHaveLength(1);
    expect(await db().promotion.count({ where: { kind: "rollback" } })).toBe(1);
    const scrapes = await metrics.query('max_over_time(scrape_duration_seconds{job="paved-sandbox"}[2m])');
    console.log(`self-healing e2e: slowest scrape of Paved ${(scrapes.samples[0]!.value * 1000).toFixed(0)} ms`);
    console.log(`self-healing e2e: from chaos to closed incident in ${((Date.now() - began) / 1000).toFixed(1)} s, MTTR ${closed.mttrSeconds} s`);
  }, 120_000);
});
