// The sandbox's simulated traffic, stored: one row per application (sandbox_traffic_series) with
// its segments, and the chaos switch (sandbox_chaos). Observing reads what the sandbox cluster
// runs now (image, replicas, error rate, last restart) and what chaos is in force, and starts a
// new segment for every application whose regime changed. Between two observations an
// application's regime is taken to be what the later one found (a scrape every few seconds, or
// any query, observes; the counters stay monotonic whatever the spacing).
//
// Chaos: "errors" makes the version running when it was set fail a quarter of its requests (a
// rollback, or any other version, cures it); "latency" makes its requests slow (a restart of its
// pods, more replicas, or another version cures it). Chaos stays recorded until cleared; it only
// applies while its cure has not happened.
import { Prisma, type Db } from "../core/db/client.ts";
import { recordAudit } from "../core/audit/record.ts";
import { requirePermissionOnTeam, type Actor } from "../core/auth/actor.ts";
import { NotFoundError, ValidationError } from "../core/errors.ts";
import type { SandboxCluster } from "../integrations/sandbox-cluster/index.ts";
import { exposition, newSeries, observe, type Regime, type Segment, type TrafficSeries } from "./traffic.ts";

export const CHAOS_MODES = ["errors", "latency"] as const;
export type ChaosMode = (typeof CHAOS_MODES)[number];
/** Share of requests that fail under "errors" chaos (as a version marked bad with "errors"). */
export const CHAOS_ERROR_RATE = 0.25;

export interface TrafficState {
  name: string;
  service: string;
  environment: string;
  image: string | null;
  replicas: number;
  errorRate: number;
  restartedAt: number | null;
}

export interface ChaosRow {
  service: string;
  environment: string;
  mode: string;
  image: string | null;
  replicas: number;
  createdAt: Date;
  createdBy: string;
}

/** Whether chaos still applies to what the application runs now (its cure has not happened). */
export function chaosApplies(chaos: ChaosRow, state: TrafficState): boolean {
  if (chaos.image !== state.image) return false;
  if (chaos.mode === "latency") {
    if (state.replicas > chaos.replicas) return false;
    if (state.restartedAt !== null && state.restartedAt >= chaos.createdAt.getTime()) return false;
  }
  return true;
}

/** What an application serves now: the cluster's error rate, with chaos on top. */
export function regimeOf(state: TrafficState, chaos: ChaosRow | undefined): Regime {
  let errorRate = state.errorRate;
  let slowShare = 0;
  if (chaos && chaosApplies(chaos, state)) {
    if (chaos.mode === "errors") errorRate = 1 - (1 - errorRate) * (1 - CHAOS_ERROR_RATE);
    else slowShare = 1;
  }
  return { errorRate: Math.round(errorRate * 1e6) / 1e6, slowShare };
}

function seriesOf(row: { service: string; environment: string; rps: number; origin: Date; segments: unknown }): TrafficSeries {
  return { service: row.service, environment: row.environment, rps: row.rps, origin: row.origin.getTime(), segments: row.segments as Segment[] };
}

const globalForTraffic = globalThis as unknown as { pavedTraffic?: { at: number; series: Promise<TrafficSeries[]> } };

/** Observations closer together than this share one (a batch of queries, a scrape and a query). */
export const OBSERVE_EVERY_MS = 1000;

/**
 * Observes the cluster and returns every application's series as of `now`, writing the segments
 * that changed (compare-and-set on `version`: when another process wrote first, its observation
 * of the same moment stands).
 */
export async function observeTraffic(db: Db, cluster: Pick<SandboxCluster, "trafficStates">, now = Date.now()): Promise<TrafficSeries[]> {
  const cached = globalForTraffic.pavedTraffic;
  if (cached && now - cached.at >= 0 && now - cached.at < OBSERVE_EVERY_MS) return cached.series;
  const series = observeNow(db, cluster, now);
  globalForTraffic.pavedTraffic = { at: now, series };
  series.catch(() => {
    if (globalForTraffic.pavedTraffic?.series === series) globalForTraffic.pavedTraffic = undefined;
  });
  return series;
}

/** Forgets the last observation (tests that change the cluster and look at once). */
export function forgetObservation(): void {
  globalForTraffic.pavedTraffic = undefined;
}

async function observeNow(db: Db, cluster: Pick<SandboxCluster, "trafficStates">, now: number): Promise<TrafficSeries[]> {
  const [states, chaos, rows] = await Promise.all([cluster.trafficStates(), db.sandboxChaos.findMany(), db.sandboxTrafficSeries.findMany()]);
  const chaosOf = new Map(chaos.map((c) => [`${c.service}-${c.environment}`, c]));
  const rowOf = new Map(rows.map((r) => [r.name, r]));
  const out: TrafficSeries[] = [];
  for (const state of states) {
    const regime = regimeOf(state, chaosOf.get(`${state.service}-${state.environment}`));
    const row = rowOf.get(state.name);
    if (!row) {
      const created = newSeries(state.service, state.environment, now, regime);
      await db.sandboxTrafficSeries.createMany({
        data: [{ name: state.name, service: state.service, environment: state.environment, rps: created.rps, origin: new Date(created.origin), segments: created.segments as unknown as Prisma.InputJsonValue }],
        skipDuplicates: true,
      });
      const stored = await db.sandboxTrafficSeries.findUnique({ where: { name: state.name } });
      out.push(stored ? seriesOf(stored) : created);
      continue;
    }
    const current = seriesOf(row);
    const next = observe(current, now, regime);
    if (next !== current) {
      const written = await db.sandboxTrafficSeries.updateMany({
        where: { name: row.name, version: row.version },
        data: { segments: next.segments as unknown as Prisma.InputJsonValue, version: { increment: 1 } },
      });
      if (written.count === 0) {
        const fresher = await db.sandboxTrafficSeries.findUnique({ where: { name: row.name } });
        out.push(fresher ? seriesOf(fresher) : next);
        continue;
      }
    }
    out.push(next);
  }
  return out;
}

/** The text exposition of every application's series now (GET /api/v1/sandbox/metrics). */
export async function sandboxExposition(db: Db, cluster: Pick<SandboxCluster, "trafficStates">, now = Date.now()): Promise<string> {
  return exposition(await observeTraffic(db, cluster, now), now);
}

export interface ChaosDto {
  service: string;
  environment: string;
  mode: ChaosMode | "clear";
  image: string | null;
  active: boolean;
  since: string | null;
}

/** Breaks a service in an environment on purpose, or clears what was set ("clear"); audited. */
export async function setChaos(db: Db, cluster: Pick<SandboxCluster, "trafficStates">, actor: Actor, input: { service: string; environment: string; mode: ChaosMode | "clear" }, requestId?: string): Promise<ChaosDto> {
  // Organisation-wide roles may break any service; a team-scoped holder only its own team's.
  const owner = await db.service.findUnique({ where: { name: input.service }, include: { team: { select: { id: true, slug: true } } } });
  if (!owner) throw new NotFoundError("Service", input.service);
  requirePermissionOnTeam(actor, "slos.write", owner.team);
  const states = await cluster.trafficStates();
  const state = states.find((s) => s.service === input.service && s.environment === input.environment);
  if (!state) throw new NotFoundError("Sandbox application", `${input.service}-${input.environment}`);
  if (input.mode !== "clear" && !state.image) throw new ValidationError(`${state.name} runs no workload: there is nothing to break.`);
  const result = await db.$transaction(async (tx) => {
    if (input.mode === "clear") {
      const removed = await tx.sandboxChaos.deleteMany({ where: { service: input.service, environment: input.environment } });
      await recordAudit(tx, actor, { action: "sandbox.chaos_cleared", target: { type: "application", id: state.name, label: state.name }, payload: { cleared: removed.count > 0 }, requestId: requestId ?? null });
      return { service: input.service, environment: input.environment, mode: "clear" as const, image: null, active: false, since: null };
    }
    const data = { mode: input.mode, image: state.image, replicas: state.replicas, createdBy: actor.login, createdAt: new Date() };
    const row = await tx.sandboxChaos.upsert({ where: { service_environment: { service: input.service, environment: input.environment } }, create: { service: input.service, environment: input.environment, ...data }, update: data });
    await recordAudit(tx, actor, { action: "sandbox.chaos_set", target: { type: "application", id: state.name, label: state.name }, payload: { mode: input.mode, image: state.image }, requestId: requestId ?? null });
    return { service: row.service, environment: row.environment, mode: input.mode, image: row.image, active: true, since: row.createdAt.toISOString() };
  });
  // Observed at once, so that the new regime's segment starts now rather than at the next scrape.
  forgetObservation();
  await observeTraffic(db, cluster);
  return result;
}

/** The chaos recorded, each with whether it still applies to what runs now. */
export async function listChaos(db: Db, cluster: Pick<SandboxCluster, "trafficStates">): Promise<ChaosDto[]> {
  const [rows, states] = await Promise.all([db.sandboxChaos.findMany({ orderBy: [{ service: "asc" }, { environment: "asc" }] }), cluster.trafficStates()]);
  return rows.map((r) => {
    const state = states.find((s) => s.service === r.service && s.environment === r.environment);
    return { service: r.service, environment: r.environment, mode: r.mode as ChaosMode, image: r.image, active: state ? chaosApplies(r, state) : false, since: r.createdAt.toISOString() };
  });
}
