// Ninety days of delivery history for the demo organisation, so that Insights shows trends from
// the first start: every demo service's changes going dev → staging → production (with their
// commit times), some failing, some rolled back, and the incidents that bad deployments caused.
// Each team has its own pace (payments ships small changes within a day, storefront in one to
// three days, platform in a few days), so the per-team table tells them apart. The history ends
// at the versions the demo GitOps repository pins (production's last change is what production
// runs; staging and dev are a change or two ahead), so the delivery matrix agrees with it.
//
// Seeded once, on a demo organisation that has no deployments yet, with fixed ids (running it
// again changes nothing), then the insights roll-ups are computed. The launcher calls it in
// sandbox mode; the test suites do not (their deployments must be their own).
import { createHash } from "node:crypto";
import type { Db } from "../../lib/core/db/client.ts";
import { imageTagOf } from "../../lib/gitops/repository.ts";
import { demoGitOpsFiles } from "../../lib/integrations/localgit/gitops-seed.ts";
import { refreshRollups } from "../../lib/insights/rollup.ts";
import { DEMO_ENVIRONMENTS, DEMO_SERVICES, DEMO_USERS } from "./demo-organisation.ts";
import { DEMO_SLOS } from "./demo-slos.ts";

export const HISTORY_DAYS = 90;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

interface Pace {
  /** Mean days between two changes of one service. */
  everyDays: number;
  /** Hours from dev to staging and from staging to production: [min, max]. */
  toStaging: [number, number];
  toProduction: [number, number];
  /** Share of deployments that fail, and of production deployments that cause an incident. */
  failRate: number;
  badRate: number;
}

const PACE: Record<string, Pace> = {
  payments: { everyDays: 4, toStaging: [1, 4], toProduction: [3, 12], failRate: 0.02, badRate: 0.06 },
  storefront: { everyDays: 3.5, toStaging: [4, 24], toProduction: [12, 48], failRate: 0.04, badRate: 0.1 },
  platform: { everyDays: 6, toStaging: [6, 30], toProduction: [24, 96], failRate: 0.02, badRate: 0.05 },
};

/**
 * The two services the demo's delivery walkthrough promotes (README, e2e/delivery.spec.ts) keep a
 * quiet last week, so that a promotion made in the demo stands alone on the week's timeline.
 */
const QUIET_SERVICES = new Set(["backend-api", "frontend"]);
const QUIET_DAYS = 8.5;

/** A stable uuid for a history row, so a second run inserts nothing. */
export function historyId(key: string): string {
  const h = createHash("sha1").update(`paved-demo-history:${key}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
}

/** mulberry32: the same history for the same seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The version before `v` in a plausible release history (2.3.0 → 2.2.2 → 2.2.1 …). */
export function versionBefore(v: string): string {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(v);
  if (!m) return "1.0.0";
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (patch > 0) return `${major}.${minor}.${patch - 1}`;
  if (minor > 0) return `${major}.${minor - 1}.2`;
  if (major > 0) return `${major - 1}.9.2`;
  return "0.0.0";
}

/** The versions the demo GitOps repository pins, per service and environment. */
export function pinnedVersions(): Map<string, Record<string, string>> {
  const envs = DEMO_ENVIRONMENTS.map((e) => e.name);
  const files = demoGitOpsFiles(
    DEMO_SERVICES.map((s) => ({ name: s.name, team: s.team, healthCheckPath: s.healthCheckPath })),
    envs,
  );
  return new Map(DEMO_SERVICES.map((s) => [s.name, Object.fromEntries(envs.map((e) => [e, imageTagOf(files, s.name, e) ?? "1.0.0"]))]));
}

export interface HistoryDeployment {
  id: string;
  service: string;
  environment: string;
  version: string;
  previousVersion: string | null;
  strategy: string;
  kind: "deploy" | "rollback";
  outcome: "succeeded" | "failed" | "rolled_back";
  actor: string;
  firstCommitAt: Date | null;
  startedAt: Date;
  finishedAt: Date;
}

export interface HistoryIncident {
  id: string;
  fingerprint: string;
  startedAt: Date;
  resolvedAt: Date;
  mttrSeconds: number;
  service: string;
  environment: string;
  slo: string | null;
  automation: string;
  summary: string;
  precedingDeploymentId: string;
  precedingDeploymentVersion: string;
}

/** The whole history, up to `now` (pure: the same `now` gives the same rows). */
export function demoHistory(now: Date): { deployments: HistoryDeployment[]; incidents: HistoryIncident[] } {
  const pinned = pinnedVersions();
  const [dev, staging, production] = DEMO_ENVIRONMENTS.map((e) => e.name) as [string, string, string];
  const release = (team: string) => DEMO_USERS.find((u) => u.role === "release-manager" && u.team === team)?.login ?? "carol";
  const developer = (team: string) => DEMO_USERS.find((u) => u.role === "developer" && u.team === team)?.login ?? "alice";
  const deployments: HistoryDeployment[] = [];
  const incidents: HistoryIncident[] = [];
  const start = now.getTime() - HISTORY_DAYS * DAY;

  DEMO_SERVICES.forEach((service, serviceIndex) => {
    const pace = PACE[service.team] ?? (PACE.platform as Pace);
    const rand = random(0x9e3779b9 ^ (serviceIndex * 7919));
    const between = (lo: number, hi: number) => lo + (hi - lo) * rand();
    const duration = () => (service.strategy === "canary" ? between(10, 25) : service.strategy === "blue_green" ? between(5, 12) : between(2, 8)) * MINUTE;
    const versions = pinned.get(service.name) as Record<string, string>;

    const until = now.getTime() - (QUIET_SERVICES.has(service.name) ? QUIET_DAYS * DAY : 0);
    // Commit times of the changes that went all the way to production, oldest first.
    const commits: number[] = [];
    for (let t = start + between(0, pace.everyDays) * DAY; t < until - 5 * DAY; t += pace.everyDays * between(0.5, 1.5) * DAY) commits.push(t);
    // Their versions, counting back from what production runs.
    const prodVersions: string[] = [versions[production] as string];
    while (prodVersions.length < commits.length) prodVersions.unshift(versionBefore(prodVersions[0] as string));
    // Changes still on their way: staging's version (in dev and staging), dev's (in dev only).
    const inFlight: { version: string; commit: number; to: string[] }[] = [];
    if (versions[staging] !== versions[production]) inFlight.push({ version: versions[staging] as string, commit: until - between(2, 3) * DAY, to: [dev, staging] });
    if (versions[dev] !== versions[staging]) inFlight.push({ version: versions[dev] as string, commit: until - between(0.4, 1) * DAY, to: [dev] });

    let n = 0;
    const running: Record<string, string | null> = { [dev]: null, [staging]: null, [production]: null };
    const deploy = (environment: string, version: string, at: number, commit: number, last: boolean, kind: "deploy" | "rollback" = "deploy"): HistoryDeployment => {
      const startedAt = new Date(at);
      const d: HistoryDeployment = {
        id: historyId(`${service.name}/${n++}`),
        service: service.name,
        environment,
        version,
        previousVersion: running[environment] ?? null,
        strategy: service.strategy,
        kind,
        outcome: "succeeded",
        actor: environment === production ? release(service.team) : developer(service.team),
        firstCommitAt: kind === "deploy" ? new Date(commit) : null,
        startedAt,
        finishedAt: new Date(at + duration()),
      };
      // A deployment that fails is retried half an hour later (never the last one: git runs it).
      if (kind === "deploy" && !last && rand() < pace.failRate) {
        d.outcome = "failed";
        deployments.push(d);
        return deploy(environment, version, d.finishedAt.getTime() + between(20, 60) * MINUTE, commit, true);
      }
      deployments.push(d);
      running[environment] = version;
      return d;
    };

    const ship = (version: string, commit: number, to: string[], last: boolean) => {
      let at = commit + between(20, 90) * MINUTE;
      for (const environment of to) {
        if (environment === staging) at += between(...pace.toStaging) * HOUR;
        if (environment === production) at += between(...pace.toProduction) * HOUR;
        const before = running[environment] ?? null;
        const d = deploy(environment, version, at, commit, last);
        at = d.finishedAt.getTime();
        if (environment !== production || last || before === null || rand() >= pace.badRate) continue;
        // A bad release: an incident a little after it; half of them rolled back, the rest fixed forward.
        const incidentAt = at + between(3, 40) * MINUTE;
        const rolledBack = rand() < 0.5;
        let resolvedAt: number;
        if (rolledBack) {
          d.outcome = "rolled_back";
          const rollback = deploy(environment, before, incidentAt + between(1, 4) * MINUTE, commit, true, "rollback");
          rollback.actor = "paved";
          resolvedAt = rollback.finishedAt.getTime() + between(0.5, 3) * MINUTE;
        } else {
          resolvedAt = incidentAt + between(3, 20) * MINUTE;
        }
        const slo = DEMO_SLOS.find((s) => s.service === service.name)?.name ?? null;
        incidents.push({
          id: historyId(`${service.name}/incident/${incidents.length}`),
          fingerprint: historyId(`${service.name}/alert/${incidents.length}`).replace(/-/g, "").slice(0, 16),
          startedAt: new Date(incidentAt),
          resolvedAt: new Date(resolvedAt),
          mttrSeconds: Math.round((resolvedAt - incidentAt) / 1000),
          service: service.name,
          environment,
          slo,
          automation: rolledBack ? "auto-rollback" : "none",
          summary: `${service.name} burned its error budget after ${version} reached ${environment}${rolledBack ? "; rolled back" : "; fixed forward"}.`,
          precedingDeploymentId: d.id,
          precedingDeploymentVersion: d.version,
        });
      }
    };

    commits.forEach((commit, i) => ship(prodVersions[i] as string, commit, [dev, staging, production], i === commits.length - 1));
    for (const c of inFlight) ship(c.version, c.commit, c.to, true);
  });
  return { deployments: deployments.filter((d) => d.finishedAt.getTime() < now.getTime()), incidents };
}

/** Seeds the history once into a demo organisation without deployments, then rolls it up. Returns whether it seeded. */
export async function seedDemoHistory(client: Db, options: { now?: Date } = {}): Promise<boolean> {
  const now = options.now ?? new Date();
  const [services, deployments] = await Promise.all([client.service.count({ where: { name: { in: DEMO_SERVICES.map((s) => s.name) } } }), client.deployment.count()]);
  if (services < DEMO_SERVICES.length || deployments > 0) return false;
  const history = demoHistory(now);
  await client.$transaction(
    async (tx) => {
      await tx.deployment.createMany({ data: history.deployments, skipDuplicates: true });
      await tx.incident.createMany({
        data: history.incidents.map((i) => ({
          ...i,
          alertname: "SloErrorBudgetBurn",
          severity: "page",
          status: "resolved",
          labels: { alertname: "SloErrorBudgetBurn", service: i.service, environment: i.environment, ...(i.slo ? { slo: i.slo } : {}), severity: "page", automation: i.automation },
          decidedAt: i.startedAt,
          createdAt: i.startedAt,
        })),
        skipDuplicates: true,
      });
    },
    { timeout: 60_000, maxWait: 20_000 },
  );
  await refreshRollups(client, { full: true, now });
  return true;
}
