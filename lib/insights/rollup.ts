// The daily roll-ups: deployments and incidents per UTC day, owning team and environment, and
// template adoption per day and team. One SQL aggregate per table implements definitions.ts; the
// job stores it for complete days, and reads run the very same aggregate over the raw rows for
// the days after the roll-ups (today, or everything when the job has never run), so a number
// never waits for the job and never differs from what the records add up to.
import { Prisma, type Db } from "../core/db/client.ts";
import { LEAD_TIME_FALLBACK_DAYS, addDays, dayOf, parseDay, type Day } from "./definitions.ts";

/** The team of services no team owns (any more): deployments and incidents still count for the organisation. */
export const NO_TEAM = "00000000-0000-0000-0000-000000000000";

/** Each run recomputes this many days back (late outcomes, rollbacks, incidents resolved later). */
export const TRAILING_DAYS = 35;

const ts = (day: Day) => parseDay(day);

/** Days [from, to) as timestamptz bounds. */
function bounds(from: Day, toExclusive: Day): { lo: Date; hi: Date } {
  return { lo: ts(from), hi: ts(toExclusive) };
}

function teamServices(teamId: string | null, column: Prisma.Sql): Prisma.Sql {
  return teamId ? Prisma.sql`AND ${column} IN (SELECT name FROM services WHERE team_id = ${teamId}::uuid)` : Prisma.empty;
}

/**
 * Deployments (kind deploy, finished) started in [from, toExclusive), per day, team and
 * environment: the definitions of definitions.ts `deliveryTotals` in SQL. `first_seen` is the
 * lead-time fallback for deployments that reached their environment without a recorded commit
 * time: the earliest deployment of the same service and version in the 30 days up to it (a hash
 * join on service and version over the deployments of the period and the 30 days before it).
 * Incidents are read from the period's start on: an incident names a deployment that started
 * before it (lib/incidents), so none earlier can name one of these.
 */
export function deliveryAggregate(from: Day, toExclusive: Day, teamId: string | null = null): Prisma.Sql {
  const { lo, hi } = bounds(from, toExclusive);
  const lookBack = Prisma.raw(`INTERVAL '${LEAD_TIME_FALLBACK_DAYS} days'`);
  const reached = Prisma.sql`d.outcome IN ('succeeded', 'rolled_back') AND d.finished_at IS NOT NULL`;
  return Prisma.sql`
    WITH d AS (
      SELECT id, service, environment, version, outcome, started_at, finished_at, first_commit_at
      FROM deployments
      WHERE started_at >= ${lo}::timestamptz AND started_at < ${hi}::timestamptz AND kind = 'deploy' AND outcome IN ('succeeded', 'failed', 'rolled_back') ${teamServices(teamId, Prisma.sql`service`)}
    ),
    x AS MATERIALIZED (
      SELECT service, version, started_at FROM deployments
      WHERE started_at >= ${lo}::timestamptz - ${lookBack} AND started_at < ${hi}::timestamptz ${teamServices(teamId, Prisma.sql`service`)}
    ),
    fallback AS (
      SELECT d.id, min(x.started_at) AS first_seen
      FROM d JOIN x ON x.service = d.service AND x.version = d.version AND x.started_at >= d.started_at - ${lookBack} AND x.started_at <= d.started_at
      WHERE d.first_commit_at IS NULL AND ${reached}
      GROUP BY d.id
    )
    SELECT (d.started_at AT TIME ZONE 'UTC')::date AS day,
           coalesce(s.team_id, ${NO_TEAM}::uuid) AS team_id,
           d.environment,
           count(*)::int AS deployments,
           (count(*) FILTER (WHERE d.outcome = 'succeeded'))::int AS succeeded,
           (count(*) FILTER (WHERE d.outcome = 'failed'))::int AS failed,
           (count(*) FILTER (WHERE d.outcome = 'rolled_back'))::int AS rolled_back,
           (count(*) FILTER (WHERE d.outcome IN ('failed', 'rolled_back') OR d.id IN (SELECT preceding_deployment_id FROM incidents WHERE preceding_deployment_id IS NOT NULL AND started_at >= ${lo}::timestamptz)))::int AS change_failures,
           (count(*) FILTER (WHERE ${reached}))::int AS lead_time_count,
           coalesce(sum(greatest(0, round(extract(epoch FROM d.finished_at - coalesce(d.first_commit_at, f.first_seen, d.started_at))))) FILTER (WHERE ${reached}), 0)::bigint AS lead_time_seconds
    FROM d
    LEFT JOIN fallback f ON f.id = d.id
    LEFT JOIN services s ON s.name = d.service
    GROUP BY 1, 2, 3`;
}

/** Incidents started in [from, toExclusive), per day, team and environment (definitions.ts `incidentTotals`). */
export function incidentAggregate(from: Day, toExclusive: Day, teamId: string | null = null): Prisma.Sql {
  const { lo, hi } = bounds(from, toExclusive);
  return Prisma.sql`
    SELECT (i.started_at AT TIME ZONE 'UTC')::date AS day,
           coalesce(s.team_id, ${NO_TEAM}::uuid) AS team_id,
           i.environment,
           count(*)::int AS incidents,
           (count(*) FILTER (WHERE i.resolved_at IS NOT NULL))::int AS resolved,
           coalesce(sum(coalesce(i.mttr_seconds, greatest(0, round(extract(epoch FROM i.resolved_at - i.started_at))))) FILTER (WHERE i.resolved_at IS NOT NULL), 0)::bigint AS restore_seconds
    FROM incidents i
    LEFT JOIN services s ON s.name = i.service
    WHERE i.started_at >= ${lo}::timestamptz AND i.started_at < ${hi}::timestamptz ${teamServices(teamId, Prisma.sql`i.service`)}
    GROUP BY 1, 2, 3`;
}

/**
 * The delivery rows of [from, to] (days, included): stored roll-ups up to `rolledThrough`, the
 * raw aggregate after it. Columns as `insights_delivery_daily`.
 */
export function deliverySource(from: Day, to: Day, rolledThrough: Day | null, teamId: string | null): Prisma.Sql {
  return union(
    from,
    to,
    rolledThrough,
    (a, b) => Prisma.sql`
      SELECT day, team_id, environment, deployments, succeeded, failed, rolled_back, change_failures, lead_time_count, lead_time_seconds
      FROM insights_delivery_daily WHERE day >= ${ts(a)}::date AND day <= ${ts(b)}::date ${teamId ? Prisma.sql`AND team_id = ${teamId}::uuid` : Prisma.empty}`,
    (a, b) => deliveryAggregate(a, addDays(b, 1), teamId),
  );
}

export function incidentSource(from: Day, to: Day, rolledThrough: Day | null, teamId: string | null): Prisma.Sql {
  return union(
    from,
    to,
    rolledThrough,
    (a, b) => Prisma.sql`
      SELECT day, team_id, environment, incidents, resolved, restore_seconds
      FROM insights_incident_daily WHERE day >= ${ts(a)}::date AND day <= ${ts(b)}::date ${teamId ? Prisma.sql`AND team_id = ${teamId}::uuid` : Prisma.empty}`,
    (a, b) => incidentAggregate(a, addDays(b, 1), teamId),
  );
}

function union(from: Day, to: Day, rolledThrough: Day | null, stored: (a: Day, b: Day) => Prisma.Sql, raw: (a: Day, b: Day) => Prisma.Sql): Prisma.Sql {
  const parts: Prisma.Sql[] = [];
  const storedEnd = rolledThrough === null ? null : rolledThrough < to ? rolledThrough : to;
  if (storedEnd !== null && storedEnd >= from) parts.push(stored(from, storedEnd));
  const rawFrom = rolledThrough === null ? from : addDays(rolledThrough, 1) > from ? addDays(rolledThrough, 1) : from;
  if (rawFrom <= to) parts.push(raw(rawFrom, to));
  // An empty period still yields a well-formed (empty) source.
  if (!parts.length) parts.push(stored(addDays(to, 1), to));
  return Prisma.join(
    parts.map((p) => Prisma.sql`(${p})`),
    " UNION ALL ",
  );
}

/**
 * Repositories per team and how many of them use a catalog template: the repositories of the
 * catalog's services (the service's team) and those the adoption scan attributed to a team; a
 * repository adopts when the last scan recorded it (a workflow calling a template, or an instance).
 */
export function adoptionByTeamSql(teamId: string | null): Prisma.Sql {
  return Prisma.sql`
    WITH repos AS (
      SELECT DISTINCT ON (repo) repo, team_id FROM (
        SELECT s.repository AS repo, s.team_id, 0 AS pri, s.name AS tie FROM services s WHERE s.repository IS NOT NULL
        UNION ALL
        SELECT a.repo, a.team_id, 1 AS pri, a.repo AS tie FROM adoption_records a WHERE a.team_id IS NOT NULL
      ) x
      ORDER BY repo, pri, tie
    )
    SELECT r.team_id::text AS team_id, count(*)::int AS repositories,
           (count(*) FILTER (WHERE EXISTS (SELECT 1 FROM adoption_records a WHERE a.repo = r.repo)))::int AS adopting
    FROM repos r
    ${teamId ? Prisma.sql`WHERE r.team_id = ${teamId}::uuid` : Prisma.empty}
    GROUP BY r.team_id`;
}

export interface RollupResult {
  full: boolean;
  /** Days recomputed. */
  days: number;
  rolledThrough: Day;
  durationMs: number;
}

/** Merges days into runs of consecutive days. */
export function dayRanges(days: Iterable<Day>): [Day, Day][] {
  const sorted = [...new Set(days)].sort();
  const out: [Day, Day][] = [];
  for (const d of sorted) {
    const last = out.at(-1);
    if (last && addDays(last[1], 1) === d) last[1] = d;
    else out.push([d, d]);
  }
  return out;
}

/**
 * Recomputes the roll-ups: every day (full, or the first run), or the last TRAILING_DAYS plus any
 * older day an incident changed since the last run touches (its own day and its deployment's).
 * Complete days only (up to yesterday, UTC): reads aggregate today from the raw rows. Adoption
 * has no history to recompute: today's per-team figure is written (replaced) at each run.
 * One transaction, so a reader never sees a day half rewritten.
 */
export async function refreshRollups(client: Db, options: { full?: boolean; now?: Date } = {}): Promise<RollupResult> {
  const started = Date.now();
  const now = options.now ?? new Date();
  const today = dayOf(now);
  const through = addDays(today, -1);
  const state = await client.insightsRollupState.findUnique({ where: { id: "global" } });
  const full = Boolean(options.full) || !state?.rolledThrough;
  let ranges: [Day, Day][] = [];
  if (full) {
    const [first] = await client.$queryRaw<{ first: Date | null }[]>`
      SELECT least((SELECT min(started_at) FROM deployments), (SELECT min(started_at) FROM incidents)) AS first`;
    if (first?.first && dayOf(first.first) <= through) ranges = [[dayOf(first.first), through]];
  } else {
    const previous = dayOf(state.rolledThrough as Date);
    let start = addDays(through, -(TRAILING_DAYS - 1));
    if (addDays(previous, 1) < start) start = addDays(previous, 1);
    const days = new Set<Day>();
    for (let d = start; d <= through; d = addDays(d, 1)) days.add(d);
    // Incidents opened, resolved or attributed since the last run change their day and the day of the deployment they name.
    const since = new Date((state.lastRunAt ?? now).getTime() - 10 * 60_000);
    const touched = await client.$queryRaw<{ day: string }[]>`
      SELECT DISTINCT (i.started_at AT TIME ZONE 'UTC')::date::text AS day FROM incidents i WHERE i.updated_at >= ${since}::timestamptz
      UNION
      SELECT DISTINCT (d.started_at AT TIME ZONE 'UTC')::date::text FROM incidents i JOIN deployments d ON d.id = i.preceding_deployment_id WHERE i.updated_at >= ${since}::timestamptz`;
    for (const t of touched) if (t.day <= through) days.add(t.day);
    ranges = dayRanges(days);
  }
  const scanned = await client.adoptionScan.findFirst({ where: { finishedAt: { not: null }, error: null }, select: { id: true } });
  const adoption = scanned ? await client.$queryRaw<{ team_id: string; repositories: number; adopting: number }[]>(adoptionByTeamSql(null)) : [];

  let days = 0;
  await client.$executeRaw`INSERT INTO insights_rollup_state (id) VALUES ('global') ON CONFLICT (id) DO NOTHING`;
  await client.$transaction(
    async (tx) => {
      // One run at a time (the hourly one and one asked for may meet): the second waits, then rewrites the same days.
      await tx.$queryRaw`SELECT id FROM insights_rollup_state WHERE id = 'global' FOR UPDATE`;
      if (full) {
        await tx.$executeRaw`DELETE FROM insights_delivery_daily`;
        await tx.$executeRaw`DELETE FROM insights_incident_daily`;
      }
      for (const [a, b] of ranges) {
        days += Math.round((parseDay(b).getTime() - parseDay(a).getTime()) / 86_400_000) + 1;
        if (!full) {
          await tx.$executeRaw`DELETE FROM insights_delivery_daily WHERE day >= ${ts(a)}::date AND day <= ${ts(b)}::date`;
          await tx.$executeRaw`DELETE FROM insights_incident_daily WHERE day >= ${ts(a)}::date AND day <= ${ts(b)}::date`;
        }
        await tx.$executeRaw`
          INSERT INTO insights_delivery_daily (day, team_id, environment, deployments, succeeded, failed, rolled_back, change_failures, lead_time_count, lead_time_seconds)
          SELECT day, team_id, environment, deployments, succeeded, failed, rolled_back, change_failures, lead_time_count, lead_time_seconds FROM (${deliveryAggregate(a, addDays(b, 1))}) x`;
        await tx.$executeRaw`
          INSERT INTO insights_incident_daily (day, team_id, environment, incidents, resolved, restore_seconds)
          SELECT day, team_id, environment, incidents, resolved, restore_seconds FROM (${incidentAggregate(a, addDays(b, 1))}) x`;
      }
      if (scanned) {
        await tx.$executeRaw`DELETE FROM insights_adoption_daily WHERE day = ${ts(today)}::date`;
        if (adoption.length) {
          await tx.insightsAdoptionDaily.createMany({ data: adoption.map((r) => ({ day: ts(today), teamId: r.team_id, repositories: r.repositories, adopting: r.adopting })) });
        }
      }
      const data = { rolledThrough: ts(through), lastRunAt: now, lastDurationMs: Date.now() - started, lastDays: days, ...(full ? { lastFullAt: now } : {}) };
      await tx.insightsRollupState.upsert({ where: { id: "global" }, create: { id: "global", ...data }, update: data });
    },
    { timeout: 15 * 60_000, maxWait: 60_000 },
  );
  return { full, days, rolledThrough: through, durationMs: Date.now() - started };
}
