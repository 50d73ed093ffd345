// Self-healing's figures for the bench, on a database of its own (the real PostgreSQL): the
// Alertmanager webhook's answer time (p50/p99 over 500 deliveries, each alert new, through the
// real route handler in process), and how long after the webhook arrives a remediation starts
// (a worker polling as `npm start`'s does, the `restart` playbook on the sandbox cluster).
// Runs inside `npm run bench` (section "incidents"), or alone:
//   node --import tsx scripts/bench/incidents.ts
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { migrate } from "../../lib/core/db/migrate.ts";
import { createClient } from "../../lib/core/db/client.ts";
import { DEMO_ENVIRONMENTS, DEMO_SERVICES, seedDemoOrganisation } from "../../prisma/seed/demo-organisation.ts";
import { percentile } from "./catalog.ts";
import { createBenchDatabase } from "./database.ts";

type Record = (figure: string, target: string, result: string, ok: boolean | null) => void;

const SANDBOX_TOKEN = "paved-sandbox-alertmanager";

function body(alerts: { fingerprint: string; labels: { [k: string]: string }; startsAt: string }[]) {
  return JSON.stringify({
    receiver: "paved",
    status: "firing",
    alerts: alerts.map((a) => ({ status: "firing", labels: a.labels, annotations: { summary: "bench" }, startsAt: a.startsAt, endsAt: "0001-01-01T00:00:00Z", generatorURL: "http://prometheus.bench/graph", fingerprint: a.fingerprint })),
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: "http://alertmanager.bench",
    version: "4",
    groupKey: "{}:{}",
    truncatedAlerts: 0,
  });
}

export async function benchIncidents(adminUrl: string, record: Record): Promise<void> {
  const database = await createBenchDatabase(adminUrl, "incidents");
  const url = database.url;
  const dataDir = mkdtempSync(path.join(tmpdir(), "paved-bench-incidents-"));
  const saved = { DATABASE_URL: process.env.DATABASE_URL, PAVED_SANDBOX: process.env.PAVED_SANDBOX, PAVED_DATA_DIR: process.env.PAVED_DATA_DIR, PAVED_DATABASE_MODE: process.env.PAVED_DATABASE_MODE };
  const { resetEnvCache } = await import("../../lib/core/env.ts");
  const { disconnectDb, db } = await import("../../lib/core/db/client.ts");
  const { stopJobClient } = await import("../../lib/core/jobs/sender.ts");
  let stopWorker: (() => Promise<void>) | undefined;
  try {
    await migrate(url.toString());
    const seedClient = createClient(url.toString(), 2);
    await seedDemoOrganisation(seedClient);
    await seedClient.$disconnect();
    const { seedSandboxRepos } = await import("../../lib/integrations/localgit/seed.ts");
    const { demoGitOpsRepo } = await import("../../lib/integrations/localgit/gitops-seed.ts");
    await seedSandboxRepos(dataDir, [demoGitOpsRepo(DEMO_SERVICES, DEMO_ENVIRONMENTS)]);
    Object.assign(process.env, { DATABASE_URL: url.toString(), PAVED_SANDBOX: "true", PAVED_DATA_DIR: dataDir, PAVED_DATABASE_MODE: "external" });
    resetEnvCache();
    await stopJobClient();
    await disconnectDb();

    const { POST } = await import("../../app/api/v1/webhooks/alertmanager/route.ts");
    const deliver = async (alerts: Parameters<typeof body>[0]) => {
      const res = await POST(new Request("http://localhost:3000/api/v1/webhooks/alertmanager", { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${SANDBOX_TOKEN}` }, body: body(alerts) }), { params: Promise.resolve({}) });
      if (res.status !== 202) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
    };
    const alert = (labels: { [k: string]: string }) => ({ fingerprint: randomBytes(8).toString("hex"), labels: { alertname: "Bench", severity: "ticket", service: "frontend", ...labels }, startsAt: new Date().toISOString() });

    for (let i = 0; i < 20; i++) await deliver([alert({})]);
    const times: number[] = [];
    for (let i = 0; i < 500; i++) {
      const started = performance.now();
      await deliver([alert({})]);
      times.push(performance.now() - started);
    }
    const p99 = percentile(times, 99);
    record("Alertmanager webhook answer, 500 deliveries of a new alert (stored, job queued, audited)", "p99 ≤ 50 ms", `p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`, p99 <= 50);

    // A remediation starts after the webhook: a worker polling every 0.5 s, as npm start's does.
    await db().remediationSettings.upsert({ where: { id: "global" }, create: { id: "global", maxActionsPerHour: 1000, cooldownMinutes: 0 }, update: { maxActionsPerHour: 1000, cooldownMinutes: 0 } });
    const { startWorker } = await import("../../lib/core/jobs/worker.ts");
    const { incidentJobs } = await import("../../lib/incidents/jobs.ts");
    const worker = await startWorker({ url: url.toString(), definitions: incidentJobs as never, concurrency: 4, pollingIntervalSeconds: 0.5 });
    stopWorker = () => worker.stop();
    // The 520 ticket alerts above are processed first (ignored): the figure is for a quiet queue.
    for (let waited = 0; (await db().alertEvent.count({ where: { processedAt: null } })) > 0; waited += 250) {
      if (waited > 180_000) throw new Error("the alert jobs did not drain");
      await new Promise((r) => setTimeout(r, 250));
    }
    const services = DEMO_SERVICES.map((s) => s.name).slice(0, 10);
    const delays: number[] = [];
    for (const service of services) {
      const a = alert({ severity: "page", service, environment: "staging", automation: "restart" });
      await deliver([a]);
      const deadline = Date.now() + 30_000;
      for (;;) {
        const incident = await db().incident.findFirst({ where: { fingerprint: a.fingerprint }, include: { remediations: true } });
        const started = incident?.remediations[0]?.startedAt;
        if (started) {
          const received = await db().alertEvent.findFirstOrThrow({ where: { fingerprint: a.fingerprint } });
          delays.push(started.getTime() - received.receivedAt.getTime());
          break;
        }
        if (Date.now() > deadline) throw new Error(`no remediation started for ${service}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    const worst = Math.max(...delays);
    record("remediation start after the webhook arrives (10 paging alerts, restart in staging, worker polling 0.5 s)", "≤ 2 s", `median ${(percentile(delays, 50) / 1000).toFixed(2)} s, worst ${(worst / 1000).toFixed(2)} s`, worst <= 2000);
  } finally {
    await stopWorker?.();
    await stopJobClient();
    await disconnectDb();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetEnvCache();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.env.LOG_LEVEL ??= "silent";
  const record: Record = (figure, target, result, ok) => console.log(`  ${ok === null ? "·" : ok ? "✓" : "✗"} ${figure}: ${result} (target ${target})`);
  await benchIncidents(process.env.BENCH_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres", record);
  process.exit(0);
}
