// Reading insights: the summary (enterprise metrics and DORA keys with trends), the same numbers
// per team, and the records behind each number. Delivery and incidents come from the daily
// roll-ups plus the raw rows of the days after them (rollup.ts); adoption from its daily
// snapshots and, for today, the live state; compliance from the compliance scans' snapshots.
import { Prisma, type Db } from "../core/db/client.ts";
import { NotFoundError } from "../core/errors.ts";
import {
  DEFINITIONS,
  DORA_METRICS,
  EMPTY_DELIVERY,
  EMPTY_INCIDENTS,
  addDays,
  addDelivery,
  addIncidents,
  bandOf,
  bucketIndex,
  bucketsOf,
  changeFailureRate,
  dayOf,
  daysBetween,
  deploymentFrequency,
  deploymentSuccessRate,
  granularityFor,
  leadTimeHours,
  mttrMinutes,
  parseDay,
  policyCompliance,
  previousPeriod,
  roundValue,
  statusOf,
  templateAdoption,
  timeToRestoreMinutes,
  type Bucket,
  type Day,
  type DeliveryTotals,
  type DoraMetric,
  type IncidentTotals,
  type MetricKey,
} from "./definitions.ts";
import { adoptionByTeamSql, deliverySource, incidentSource } from "./rollup.ts";
import type { InsightsQuery, MetricDto, RecordColumn, RecordValue, RecordsDto, RecordsQuery, SummaryDto, TeamRowDto, TeamsDto } from "./schemas.ts";

// ---------------------------------------------------------------------------------------------
// Period, team, context

export interface Period {
  from: Day;
  to: Day;
  days: number;
  today: Day;
}

/** The period asked for: `to` defaults to today (and is never after it), `from` to 29 days before `to`. */
export function periodOf(q: { from?: string | undefined; to?: string | undefined }, now = new Date()): Period {
  const today = dayOf(now);
  const to = q.to && q.to < today ? q.to : today;
  const from = q.from ? (q.from > to ? to : q.from) : addDays(to, -29);
  return { from, to, days: daysBetween(from, to), today };
}

interface TeamRef {
  id: string;
  slug: string;
  name: string;
  color: string;
}

async function teamOrThrow(client: Db, slug: string): Promise<TeamRef> {
  const team = await client.team.findUnique({ where: { slug }, select: { id: true, slug: true, name: true, color: true } });
  if (!team) throw new NotFoundError("Team", slug);
  return team;
}

interface Context {
  period: Period;
  previous: { from: Day; to: Day };
  rolledThrough: Day | null;
  rolledAt: string | null;
  production: string | null;
  adoptionScan: Date | null;
  complianceScan: Date | null;
}

async function contextOf(client: Db, q: { from?: string | undefined; to?: string | undefined }, now?: Date): Promise<Context> {
  const period = periodOf(q, now);
  const [state, production, adoptionScan, complianceRun] = await Promise.all([
    client.insightsRollupState.findUnique({ where: { id: "global" } }),
    client.environment.findFirst({ orderBy: { position: "desc" }, select: { name: true } }),
    client.adoptionScan.findFirst({ where: { finishedAt: { not: null }, error: null }, orderBy: { startedAt: "desc" }, select: { finishedAt: true } }),
    client.complianceRun.findFirst({ where: { finishedAt: { not: null }, error: null }, orderBy: { startedAt: "desc" }, select: { finishedAt: true } }),
  ]);
  return {
    period,
    previous: previousPeriod(period.from, period.to),
    rolledThrough: state?.rolledThrough ? dayOf(state.rolledThrough) : null,
    rolledAt: state?.lastRunAt?.toISOString() ?? null,
    production: production?.name ?? null,
    adoptionScan: adoptionScan?.finishedAt ?? null,
    complianceScan: complianceRun?.finishedAt ?? null,
  };
}

const asOf = (ctx: Context) => ({ rollups: ctx.rolledAt, adoptionScan: ctx.adoptionScan?.toISOString() ?? null, complianceScan: ctx.complianceScan?.toISOString() ?? null });

// ---------------------------------------------------------------------------------------------
// Reading the aggregates

interface DeliveryRow {
  key: string;
  environment: string;
  deployments: number;
  succeeded: number;
  failed: number;
  rolled_back: number;
  change_failures: number;
  lead_time_count: number;
  lead_time_seconds: number;
}

interface IncidentRow {
  key: string;
  environment: string;
  incidents: number;
  resolved: number;
  restore_seconds: number;
}

const toDelivery = (r: DeliveryRow): DeliveryTotals => ({
  deployments: r.deployments,
  succeeded: r.succeeded,
  failed: r.failed,
  rolledBack: r.rolled_back,
  changeFailures: r.change_failures,
  leadTimeCount: r.lead_time_count,
  leadTimeSeconds: Number(r.lead_time_seconds),
});
const toIncidents = (r: IncidentRow): IncidentTotals => ({ incidents: r.incidents, resolved: r.resolved, restoreSeconds: Number(r.restore_seconds) });

/** Delivery totals of [from, to] grouped by `by` (the day, or the team) and environment. */
async function deliveryRows(client: Db, ctx: Context, from: Day, to: Day, teamId: string | null, by: "day" | "team"): Promise<DeliveryRow[]> {
  const [key, group] = by === "day" ? [Prisma.sql`day::text`, Prisma.sql`day`] : [Prisma.sql`team_id::text`, Prisma.sql`team_id`];
  return client.$queryRaw<DeliveryRow[]>`
    SELECT ${key} AS key, environment,
           sum(deployments)::int AS deployments, sum(succeeded)::int AS succeeded, sum(failed)::int AS failed, sum(rolled_back)::int AS rolled_back,
           sum(change_failures)::int AS change_failures, sum(lead_time_count)::int AS lead_time_count, sum(lead_time_seconds)::float8 AS lead_time_seconds
    FROM (${deliverySource(from, to, ctx.rolledThrough, teamId)}) x
    GROUP BY ${group}, environment`;
}

async function incidentRows(client: Db, ctx: Context, from: Day, to: Day, teamId: string | null, by: "day" | "team"): Promise<IncidentRow[]> {
  const [key, group] = by === "day" ? [Prisma.sql`day::text`, Prisma.sql`day`] : [Prisma.sql`team_id::text`, Prisma.sql`team_id`];
  return client.$queryRaw<IncidentRow[]>`
    SELECT ${key} AS key, environment, sum(incidents)::int AS incidents, sum(resolved)::int AS resolved, sum(restore_seconds)::float8 AS restore_seconds
    FROM (${incidentSource(from, to, ctx.rolledThrough, teamId)}) x
    GROUP BY ${group}, environment`;
}

interface Adoption {
  repositories: number;
  adopting: number;
}

/** Adoption now, per team id. */
async function liveAdoption(client: Db, ctx: Context, teamId: string | null): Promise<Map<string, Adoption>> {
  if (!ctx.adoptionScan) return new Map();
  const rows = await client.$queryRaw<{ team_id: string; repositories: number; adopting: number }[]>(adoptionByTeamSql(teamId));
  return new Map(rows.map((r) => [r.team_id, { repositories: r.repositories, adopting: r.adopting }]));
}

/** Adoption snapshots of [from, to] per day (summed over teams, or one team's). */
async function adoptionDays(client: Db, from: Day, to: Day, teamId: string | null): Promise<Map<Day, Adoption>> {
  const rows = await client.$queryRaw<{ day: string; repositories: number; adopting: number }[]>`
    SELECT day::text AS day, sum(repositories)::int AS repositories, sum(adopting)::int AS adopting
    FROM insights_adoption_daily
    WHERE day >= ${parseDay(from)}::date AND day <= ${parseDay(to)}::date ${teamId ? Prisma.sql`AND team_id = ${teamId}::uuid` : Prisma.empty}
    GROUP BY day ORDER BY day`;
  return new Map(rows.map((r) => [r.day, { repositories: r.repositories, adopting: r.adopting }]));
}

/** Adoption as of the end of a day: live for today, else the last snapshot on or before it. */
async function adoptionAsOf(client: Db, ctx: Context, day: Day, teamId: string | null): Promise<Adoption | null> {
  if (day >= ctx.period.today) return sumAdoption(await liveAdoption(client, ctx, teamId));
  const rows = await client.$queryRaw<{ repositories: number | null; adopting: number | null }[]>`
    SELECT sum(repositories)::int AS repositories, sum(adopting)::int AS adopting FROM insights_adoption_daily
    WHERE day = (SELECT max(day) FROM insights_adoption_daily WHERE day <= ${parseDay(day)}::date) ${teamId ? Prisma.sql`AND team_id = ${teamId}::uuid` : Prisma.empty}`;
  const r = rows[0];
  return r && r.repositories !== null ? { repositories: r.repositories, adopting: r.adopting ?? 0 } : null;
}

function sumAdoption(byTeam: Map<string, Adoption>): Adoption | null {
  if (!byTeam.size) return null;
  let repositories = 0;
  let adopting = 0;
  for (const a of byTeam.values()) {
    repositories += a.repositories;
    adopting += a.adopting;
  }
  return { repositories, adopting };
}

interface ComplianceSnapshot {
  day: string;
  evaluations: number;
  passed: number;
  taken_at: Date;
}

const complianceScope = (team: TeamRef | null) => (team ? { scope: "team", key: team.slug } : { scope: "overall", key: "" });

/** The last compliance snapshot of each day of [from, to]. */
async function complianceDays(client: Db, from: Day, to: Day, team: TeamRef | null): Promise<Map<Day, ComplianceSnapshot>> {
  const { scope, key } = complianceScope(team);
  const rows = await client.$queryRaw<ComplianceSnapshot[]>`
    SELECT DISTINCT ON (1) (taken_at AT TIME ZONE 'UTC')::date::text AS day, evaluations, passed, taken_at
    FROM compliance_snapshots
    WHERE scope = ${scope} AND key = ${key} AND taken_at >= ${parseDay(from)}::timestamptz AND taken_at < ${parseDay(addDays(to, 1))}::timestamptz
    ORDER BY 1, taken_at DESC`;
  return new Map(rows.map((r) => [r.day, r]));
}

/** The last compliance snapshot taken before the end of `day`. */
async function complianceAsOf(client: Db, day: Day, team: TeamRef | null): Promise<(ComplianceSnapshot & { run_id: string }) | null> {
  const { scope, key } = complianceScope(team);
  const rows = await client.$queryRaw<(ComplianceSnapshot & { run_id: string })[]>`
    SELECT (taken_at AT TIME ZONE 'UTC')::date::text AS day, evaluations, passed, taken_at, run_id::text AS run_id
    FROM compliance_snapshots
    WHERE scope = ${scope} AND key = ${key} AND taken_at < ${parseDay(addDays(day, 1))}::timestamptz
    ORDER BY taken_at DESC LIMIT 1`;
  return rows[0] ?? null;
}

// ---------------------------------------------------------------------------------------------
// Metric values

function metricDto(metric: MetricKey, value: number | null, detail: string, trend: MetricDto["trend"]): MetricDto {
  const def = DEFINITIONS[metric];
  const dora = (DORA_METRICS as readonly string[]).includes(metric);
  return {
    metric,
    label: def.label,
    unit: def.unit,
    value: roundValue(value),
    target: def.target,
    status: statusOf(value, def.target),
    band: dora ? bandOf(metric as DoraMetric, value) : null,
    detail,
    trend,
  };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

interface Totals {
  all: DeliveryTotals;
  production: DeliveryTotals;
  incidents: IncidentTotals;
  productionIncidents: IncidentTotals;
}

const EMPTY_TOTALS: Totals = { all: EMPTY_DELIVERY, production: EMPTY_DELIVERY, incidents: EMPTY_INCIDENTS, productionIncidents: EMPTY_INCIDENTS };

function addRows(t: Totals, delivery: DeliveryRow[], incidents: IncidentRow[], production: string | null): Totals {
  let out = t;
  for (const r of delivery) {
    const d = toDelivery(r);
    out = { ...out, all: addDelivery(out.all, d), production: r.environment === production ? addDelivery(out.production, d) : out.production };
  }
  for (const r of incidents) {
    const i = toIncidents(r);
    out = { ...out, incidents: addIncidents(out.incidents, i), productionIncidents: r.environment === production ? addIncidents(out.productionIncidents, i) : out.productionIncidents };
  }
  return out;
}

interface DeliveryValues {
  deploymentSuccessRate: number | null;
  mttrMinutes: number | null;
  deploymentFrequency: number | null;
  leadTime: number | null;
  changeFailureRate: number | null;
  timeToRestore: number | null;
}

function valuesOf(t: Totals, days: number, production: string | null): DeliveryValues {
  return {
    deploymentSuccessRate: deploymentSuccessRate(t.all),
    mttrMinutes: mttrMinutes(t.incidents),
    deploymentFrequency: production === null ? null : deploymentFrequency(t.production, days),
    leadTime: leadTimeHours(t.production),
    changeFailureRate: changeFailureRate(t.production),
    timeToRestore: timeToRestoreMinutes(t.productionIncidents),
  };
}

function details(t: Totals, days: number, production: string | null): Record<keyof DeliveryValues, string> {
  const open = t.incidents.incidents - t.incidents.resolved;
  const prodOpen = t.productionIncidents.incidents - t.productionIncidents.resolved;
  const env = production ?? "production";
  return {
    deploymentSuccessRate: `${t.all.succeeded.toLocaleString("en-US")} of ${plural(t.all.deployments, "finished deployment")} succeeded`,
    mttrMinutes: `${plural(t.incidents.resolved, "resolved incident")}${open ? `, ${open.toLocaleString("en-US")} open` : ""}`,
    deploymentFrequency: production === null ? "No environments" : `${plural(t.production.deployments, `deployment`)} to ${env} in ${plural(days, "day")}`,
    leadTime: `${plural(t.production.leadTimeCount, "deployment")} that reached ${env}`,
    changeFailureRate: `${t.production.changeFailures.toLocaleString("en-US")} of ${plural(t.production.deployments, `deployment`)} to ${env}`,
    timeToRestore: `${plural(t.productionIncidents.resolved, `resolved incident`)} in ${env}${prodOpen ? `, ${prodOpen.toLocaleString("en-US")} open` : ""}`,
  };
}

function adoptionDetail(a: Adoption | null, ctx: Context): string {
  if (!ctx.adoptionScan) return "No adoption scan yet";
  if (!a || a.repositories === 0) return "No repositories owned by a team";
  return `${a.adopting.toLocaleString("en-US")} of ${plural(a.repositories, "repository", "repositories")} use a template`;
}

function complianceDetail(c: ComplianceSnapshot | null): string {
  if (!c) return "No compliance scan yet";
  return `${c.passed.toLocaleString("en-US")} of ${plural(c.evaluations, "check")} pass (scan of ${c.taken_at.toISOString().slice(0, 16).replace("T", " ")} UTC)`;
}

// ---------------------------------------------------------------------------------------------
// The summary

export async function insightsSummary(client: Db, q: InsightsQuery, now?: Date): Promise<SummaryDto> {
  const [ctx, team] = await Promise.all([contextOf(client, q, now), q.team ? teamOrThrow(client, q.team) : Promise.resolve(null)]);
  const { period, previous } = ctx;
  const teamId = team?.id ?? null;
  const granularity = granularityFor(period.days);
  const buckets = bucketsOf(period.from, period.to, granularity);

  const [delivery, incidents, adoptionNow, adoptionBefore, adoptionHistory, complianceNow, complianceBefore, complianceHistory] = await Promise.all([
    deliveryRows(client, ctx, previous.from, period.to, teamId, "day"),
    incidentRows(client, ctx, previous.from, period.to, teamId, "day"),
    adoptionAsOf(client, ctx, period.to, teamId),
    adoptionAsOf(client, ctx, previous.to, teamId),
    adoptionDays(client, period.from, period.to, teamId),
    complianceAsOf(client, period.to, team),
    complianceAsOf(client, previous.to, team),
    complianceDays(client, period.from, period.to, team),
  ]);

  // Totals of the period, of the previous period, and of each bucket.
  let current = EMPTY_TOTALS;
  let before = EMPTY_TOTALS;
  const perBucket: Totals[] = buckets.map(() => EMPTY_TOTALS);
  const place = (day: string, add: (t: Totals) => Totals) => {
    if (day < period.from) {
      before = add(before);
      return;
    }
    current = add(current);
    const i = bucketIndex(buckets, day);
    if (i >= 0) perBucket[i] = add(perBucket[i] as Totals);
  };
  for (const r of delivery) place(r.key, (t) => addRows(t, [r], [], ctx.production));
  for (const r of incidents) place(r.key, (t) => addRows(t, [], [r], ctx.production));

  const values = valuesOf(current, period.days, ctx.production);
  const previousValues = valuesOf(before, daysBetween(previous.from, previous.to), ctx.production);
  const bucketValues = perBucket.map((t, i) => valuesOf(t, daysBetween((buckets[i] as Bucket).start, (buckets[i] as Bucket).end), ctx.production));
  const text = details(current, period.days, ctx.production);
  const trendOf = (key: keyof DeliveryValues): MetricDto["trend"] => ({
    granularity,
    points: buckets.map((b, i) => ({ start: b.start, end: b.end, value: roundValue((bucketValues[i] as DeliveryValues)[key]) })),
    previous: roundValue(previousValues[key]),
  });

  // Adoption and compliance: the last figure of each bucket (today's adoption is live).
  const lastIn = <T>(byDay: Map<Day, T>, b: Bucket): T | null => {
    let found: T | null = null;
    for (const [day, v] of byDay) if (day >= b.start && day <= b.end) found = v;
    return found;
  };
  const adoptionPoints = buckets.map((b) => {
    const a = b.end >= period.today ? adoptionNow : lastIn(adoptionHistory, b);
    return { start: b.start, end: b.end, value: roundValue(templateAdoption(a)) };
  });
  const compliancePoints = buckets.map((b) => {
    const c = lastIn(complianceHistory, b);
    return { start: b.start, end: b.end, value: roundValue(c ? policyCompliance(c) : null) };
  });

  return {
    period: { from: period.from, to: period.to, days: period.days },
    team: team ? { slug: team.slug, name: team.name, color: team.color } : null,
    productionEnvironment: ctx.production,
    asOf: asOf(ctx),
    templateAdoption: metricDto("templateAdoption", templateAdoption(adoptionNow), adoptionDetail(adoptionNow, ctx), {
      granularity,
      points: adoptionPoints,
      previous: roundValue(templateAdoption(adoptionBefore)),
    }),
    deploymentSuccessRate: metricDto("deploymentSuccessRate", values.deploymentSuccessRate, text.deploymentSuccessRate, trendOf("deploymentSuccessRate")),
    mttrMinutes: metricDto("mttrMinutes", values.mttrMinutes, text.mttrMinutes, trendOf("mttrMinutes")),
    policyCompliance: metricDto("policyCompliance", policyCompliance(complianceNow), complianceDetail(complianceNow), {
      granularity,
      points: compliancePoints,
      previous: roundValue(policyCompliance(complianceBefore)),
    }),
    dora: {
      deploymentFrequency: metricDto("deploymentFrequency", values.deploymentFrequency, text.deploymentFrequency, trendOf("deploymentFrequency")),
      leadTime: metricDto("leadTime", values.leadTime, text.leadTime, trendOf("leadTime")),
      changeFailureRate: metricDto("changeFailureRate", values.changeFailureRate, text.changeFailureRate, trendOf("changeFailureRate")),
      timeToRestore: metricDto("timeToRestore", values.timeToRestore, text.timeToRestore, trendOf("timeToRestore")),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Per team

export async function insightsTeams(client: Db, q: InsightsQuery, now?: Date): Promise<TeamsDto> {
  const [ctx, only] = await Promise.all([contextOf(client, q, now), q.team ? teamOrThrow(client, q.team) : Promise.resolve(null)]);
  const { period } = ctx;
  const teams = only ? [only] : await client.team.findMany({ orderBy: { name: "asc" }, select: { id: true, slug: true, name: true, color: true } });
  const teamId = only?.id ?? null;
  const [delivery, incidents, adoptionNow, adoptionPast, compliance] = await Promise.all([
    deliveryRows(client, ctx, period.from, period.to, teamId, "team"),
    incidentRows(client, ctx, period.from, period.to, teamId, "team"),
    period.to >= period.today ? liveAdoption(client, ctx, teamId) : Promise.resolve(new Map<string, Adoption>()),
    period.to < period.today ? adoptionByTeamAsOf(client, period.to) : Promise.resolve(new Map<string, Adoption>()),
    complianceByTeamAsOf(client, period.to),
  ]);
  const adoption = period.to >= period.today ? adoptionNow : adoptionPast;
  const rows: TeamRowDto[] = teams.map((team) => {
    const totals = addRows(
      EMPTY_TOTALS,
      delivery.filter((r) => r.key === team.id),
      incidents.filter((r) => r.key === team.id),
      ctx.production,
    );
    const values = valuesOf(totals, period.days, ctx.production);
    const text = details(totals, period.days, ctx.production);
    const a = adoption.get(team.id) ?? (ctx.adoptionScan ? { repositories: 0, adopting: 0 } : null);
    const c = compliance.get(team.slug) ?? null;
    return {
      team: { slug: team.slug, name: team.name, color: team.color },
      templateAdoption: metricDto("templateAdoption", templateAdoption(a), adoptionDetail(a, ctx), null),
      deploymentSuccessRate: metricDto("deploymentSuccessRate", values.deploymentSuccessRate, text.deploymentSuccessRate, null),
      mttrMinutes: metricDto("mttrMinutes", values.mttrMinutes, text.mttrMinutes, null),
      policyCompliance: metricDto("policyCompliance", policyCompliance(c), complianceDetail(c), null),
      dora: {
        deploymentFrequency: metricDto("deploymentFrequency", values.deploymentFrequency, text.deploymentFrequency, null),
        leadTime: metricDto("leadTime", values.leadTime, text.leadTime, null),
        changeFailureRate: metricDto("changeFailureRate", values.changeFailureRate, text.changeFailureRate, null),
        timeToRestore: metricDto("timeToRestore", values.timeToRestore, text.timeToRestore, null),
      },
    };
  });
  return { period: { from: period.from, to: period.to, days: period.days }, productionEnvironment: ctx.production, asOf: asOf(ctx), teams: rows };
}

async function adoptionByTeamAsOf(client: Db, day: Day): Promise<Map<string, Adoption>> {
  const rows = await client.$queryRaw<{ team_id: string; repositories: number; adopting: number }[]>`
    SELECT team_id::text AS team_id, repositories, adopting FROM insights_adoption_daily
    WHERE day = (SELECT max(day) FROM insights_adoption_daily WHERE day <= ${parseDay(day)}::date)`;
  return new Map(rows.map((r) => [r.team_id, { repositories: r.repositories, adopting: r.adopting }]));
}

async function complianceByTeamAsOf(client: Db, day: Day): Promise<Map<string, ComplianceSnapshot>> {
  const rows = await client.$queryRaw<(ComplianceSnapshot & { key: string })[]>`
    SELECT DISTINCT ON (key) key, (taken_at AT TIME ZONE 'UTC')::date::text AS day, evaluations, passed, taken_at
    FROM compliance_snapshots WHERE scope = 'team' AND taken_at < ${parseDay(addDays(day, 1))}::timestamptz
    ORDER BY key, taken_at DESC`;
  return new Map(rows.map((r) => [r.key, r]));
}

// ---------------------------------------------------------------------------------------------
// Records

/** The CSV holds every record, up to this many. */
export const MAX_EXPORT_ROWS = 50_000;

interface RecordsPage {
  columns: RecordColumn[];
  items: Record<string, RecordValue>[];
  total: number;
  note: string | null;
}

const col = (key: string, label: string, kind: RecordColumn["kind"] = "text"): RecordColumn => ({ key, label, kind });
const iso = (d: Date | null) => (d ? d.toISOString() : null);

interface DeploymentRecordRow {
  id: string;
  service: string;
  team: string | null;
  environment: string;
  version: string;
  outcome: string;
  actor: string;
  promotion_number: number | null;
  started_at: Date;
  finished_at: Date | null;
}

const DEPLOYMENT_COLUMNS = [
  col("startedAt", "Started", "time"),
  col("service", "Service"),
  col("team", "Team"),
  col("environment", "Environment"),
  col("version", "Version"),
  col("outcome", "Outcome"),
  col("finishedAt", "Finished", "time"),
  col("actor", "By"),
  col("promotion", "Promotion"),
];

function deploymentItem(r: DeploymentRecordRow): Record<string, RecordValue> {
  return {
    id: r.id,
    startedAt: iso(r.started_at),
    service: r.service,
    team: r.team,
    environment: r.environment,
    version: r.version,
    outcome: r.outcome.replace("_", " "),
    finishedAt: iso(r.finished_at),
    actor: r.actor,
    promotion: r.promotion_number === null ? null : `#${r.promotion_number}`,
  };
}

export async function insightsRecords(client: Db, q: RecordsQuery, options: { all?: boolean; now?: Date } = {}): Promise<RecordsDto> {
  const [ctx, team] = await Promise.all([contextOf(client, q, options.now), q.team ? teamOrThrow(client, q.team) : Promise.resolve(null)]);
  const { period } = ctx;
  const limit = options.all ? MAX_EXPORT_ROWS : q.limit;
  const offset = options.all ? 0 : q.offset;
  const lo = parseDay(period.from);
  const hi = parseDay(addDays(period.to, 1));
  const teamFilter = (column: Prisma.Sql) => (team ? Prisma.sql`AND ${column} IN (SELECT name FROM services WHERE team_id = ${team.id}::uuid)` : Prisma.empty);
  const production = ctx.production ?? "";

  const deployments = async (where: Prisma.Sql): Promise<RecordsPage> => {
    const filter = Prisma.sql`d.kind = 'deploy' AND d.started_at >= ${lo}::timestamptz AND d.started_at < ${hi}::timestamptz AND ${where} ${teamFilter(Prisma.sql`d.service`)}`;
    const [rows, count] = await Promise.all([
      client.$queryRaw<DeploymentRecordRow[]>`
        SELECT d.id::text AS id, d.service, t.slug AS team, d.environment, d.version, d.outcome, d.actor, d.promotion_number, d.started_at, d.finished_at
        FROM deployments d LEFT JOIN services s ON s.name = d.service LEFT JOIN teams t ON t.id = s.team_id
        WHERE ${filter}
        ORDER BY d.started_at DESC, d.id DESC LIMIT ${limit} OFFSET ${offset}`,
      client.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM deployments d WHERE ${filter}`,
    ]);
    return { columns: DEPLOYMENT_COLUMNS, items: rows.map(deploymentItem), total: count[0]?.n ?? 0, note: null };
  };

  const incidents = async (productionOnly: boolean): Promise<RecordsPage> => {
    const filter = Prisma.sql`i.started_at >= ${lo}::timestamptz AND i.started_at < ${hi}::timestamptz ${productionOnly ? Prisma.sql`AND i.environment = ${production}` : Prisma.empty} ${teamFilter(Prisma.sql`i.service`)}`;
    const [rows, count] = await Promise.all([
      client.$queryRaw<
        { id: string; number: number; service: string; team: string | null; environment: string; status: string; summary: string; started_at: Date; resolved_at: Date | null; seconds: number | null; version: string | null }[]
      >`
        SELECT i.id::text AS id, i.number, i.service, t.slug AS team, i.environment, i.status, i.summary, i.started_at, i.resolved_at,
               CASE WHEN i.resolved_at IS NULL THEN NULL ELSE coalesce(i.mttr_seconds, greatest(0, round(extract(epoch FROM i.resolved_at - i.started_at))))::float8 END AS seconds,
               i.preceding_deployment_version AS version
        FROM incidents i LEFT JOIN services s ON s.name = i.service LEFT JOIN teams t ON t.id = s.team_id
        WHERE ${filter}
        ORDER BY i.started_at DESC, i.id DESC LIMIT ${limit} OFFSET ${offset}`,
      client.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM incidents i WHERE ${filter}`,
    ]);
    return {
      columns: [
        col("incident", "Incident"),
        col("startedAt", "Started", "time"),
        col("resolvedAt", "Resolved", "time"),
        col("minutes", "Minutes to recover", "number"),
        col("service", "Service"),
        col("team", "Team"),
        col("environment", "Environment"),
        col("status", "Status"),
        col("after", "After deployment of"),
        col("summary", "Summary"),
      ],
      items: rows.map((r) => ({
        id: r.id,
        incident: `#${r.number}`,
        startedAt: iso(r.started_at),
        resolvedAt: iso(r.resolved_at),
        minutes: r.seconds === null ? null : Math.round((r.seconds / 60) * 100) / 100,
        service: r.service,
        team: r.team,
        environment: r.environment,
        status: r.status,
        after: r.version ?? "no deployment before it",
        summary: r.summary,
      })),
      total: count[0]?.n ?? 0,
      note: null,
    };
  };

  let page: RecordsPage;
  switch (q.metric) {
    case "deploymentSuccessRate":
      page = await deployments(Prisma.sql`d.outcome IN ('failed', 'rolled_back')`);
      break;
    case "deploymentFrequency":
      page = await deployments(Prisma.sql`d.environment = ${production} AND d.outcome IN ('succeeded', 'failed', 'rolled_back')`);
      break;
    case "changeFailureRate":
      page = await changeFailures(client, { lo, hi, production, teamId: team?.id ?? null, limit, offset });
      break;
    case "leadTime":
      page = await leadTimes(client, { lo, hi, production, teamId: team?.id ?? null, limit, offset });
      break;
    case "mttrMinutes":
      page = await incidents(false);
      break;
    case "timeToRestore":
      page = await incidents(true);
      break;
    case "policyCompliance":
      page = await violations(client, period.to, team, limit, offset);
      break;
    case "templateAdoption":
      page = await repositoriesWithoutTemplates(client, ctx, team?.id ?? null, limit, offset);
      break;
  }
  return {
    metric: q.metric,
    title: DEFINITIONS[q.metric].records,
    period: { from: period.from, to: period.to, days: period.days },
    team: team ? { slug: team.slug, name: team.name, color: team.color } : null,
    columns: page.columns,
    items: page.items,
    total: page.total,
    limit,
    offset,
    note: page.note,
  };
}

interface DeploymentWindow {
  lo: Date;
  hi: Date;
  production: string;
  teamId: string | null;
  limit: number;
  offset: number;
}

async function changeFailures(client: Db, w: DeploymentWindow): Promise<RecordsPage> {
  const team = w.teamId ? Prisma.sql`AND d.service IN (SELECT name FROM services WHERE team_id = ${w.teamId}::uuid)` : Prisma.empty;
  const filter = Prisma.sql`d.kind = 'deploy' AND d.environment = ${w.production} AND d.started_at >= ${w.lo}::timestamptz AND d.started_at < ${w.hi}::timestamptz ${team}
    AND (d.outcome IN ('failed', 'rolled_back') OR (d.outcome = 'succeeded' AND d.id IN (SELECT preceding_deployment_id FROM incidents WHERE preceding_deployment_id IS NOT NULL AND started_at >= ${w.lo}::timestamptz)))`;
  const [rows, count] = await Promise.all([
    client.$queryRaw<DeploymentRecordRow[]>`
      SELECT d.id::text AS id, d.service, t.slug AS team, d.environment, d.version, d.outcome, d.actor, d.promotion_number, d.started_at, d.finished_at
      FROM deployments d LEFT JOIN services s ON s.name = d.service LEFT JOIN teams t ON t.id = s.team_id
      WHERE ${filter}
      ORDER BY d.started_at DESC, d.id DESC LIMIT ${w.limit} OFFSET ${w.offset}`,
    client.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM deployments d WHERE ${filter}`,
  ]);
  // The incidents naming the page's deployments, in one pass over incidents.
  const named = rows.length
    ? await client.$queryRaw<{ id: string; incidents: string }[]>`
        SELECT preceding_deployment_id::text AS id, string_agg('#' || number, ', ' ORDER BY number) AS incidents
        FROM incidents WHERE preceding_deployment_id = ANY(${rows.map((r) => r.id)}::uuid[]) GROUP BY 1`
    : [];
  const incidentsOf = new Map(named.map((n) => [n.id, n.incidents]));
  return {
    columns: [...DEPLOYMENT_COLUMNS.slice(0, 6), col("reason", "Why it counts"), col("incidents", "Incidents after it"), ...DEPLOYMENT_COLUMNS.slice(6)],
    items: rows.map((r) => ({
      ...deploymentItem(r),
      reason: r.outcome === "failed" ? "failed" : r.outcome === "rolled_back" ? "rolled back" : "followed by an incident",
      incidents: incidentsOf.get(r.id) ?? null,
    })),
    total: count[0]?.n ?? 0,
    note: "Each deployment counts once, whichever reasons apply; the rollback deployments themselves are not changes.",
  };
}

async function leadTimes(client: Db, w: DeploymentWindow): Promise<RecordsPage> {
  const team = w.teamId ? Prisma.sql`AND service IN (SELECT name FROM services WHERE team_id = ${w.teamId}::uuid)` : Prisma.empty;
  const filter = Prisma.sql`kind = 'deploy' AND environment = ${w.production} AND outcome IN ('succeeded', 'rolled_back') AND finished_at IS NOT NULL
    AND started_at >= ${w.lo}::timestamptz AND started_at < ${w.hi}::timestamptz ${team}`;
  // The page first, then the fallback clock start for its rows only (see rollup.ts deliveryAggregate).
  const [rows, count] = await Promise.all([
    client.$queryRaw<(DeploymentRecordRow & { lead_start: Date; from_commit: boolean; lead_seconds: number })[]>`
      WITH d AS (
        SELECT id, service, environment, version, outcome, actor, promotion_number, started_at, finished_at, first_commit_at
        FROM deployments WHERE ${filter}
        ORDER BY started_at DESC, id DESC LIMIT ${w.limit} OFFSET ${w.offset}
      ),
      x AS MATERIALIZED (
        SELECT service, version, started_at FROM deployments
        WHERE started_at >= ${w.lo}::timestamptz - INTERVAL '30 days' AND started_at < ${w.hi}::timestamptz
          AND (service, version) IN (SELECT service, version FROM d WHERE first_commit_at IS NULL)
      ),
      fallback AS (
        SELECT d.id, min(x.started_at) AS first_seen
        FROM d JOIN x ON x.service = d.service AND x.version = d.version AND x.started_at >= d.started_at - INTERVAL '30 days' AND x.started_at <= d.started_at
        WHERE d.first_commit_at IS NULL
        GROUP BY d.id
      )
      SELECT d.id::text AS id, d.service, t.slug AS team, d.environment, d.version, d.outcome, d.actor, d.promotion_number, d.started_at, d.finished_at,
             coalesce(d.first_commit_at, f.first_seen, d.started_at) AS lead_start, d.first_commit_at IS NOT NULL AS from_commit,
             greatest(0, round(extract(epoch FROM d.finished_at - coalesce(d.first_commit_at, f.first_seen, d.started_at))))::float8 AS lead_seconds
      FROM d LEFT JOIN fallback f ON f.id = d.id LEFT JOIN services s ON s.name = d.service LEFT JOIN teams t ON t.id = s.team_id
      ORDER BY d.started_at DESC, d.id DESC`,
    client.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM deployments WHERE ${filter}`,
  ]);
  const total = count[0]?.n ?? 0;
  return {
    columns: [
      col("finishedAt", "Reached production", "time"),
      col("service", "Service"),
      col("team", "Team"),
      col("version", "Version"),
      col("leadStart", "Clock started", "time"),
      col("startedBy", "Clock started at"),
      col("hours", "Lead time (hours)", "number"),
      col("outcome", "Outcome"),
      col("promotion", "Promotion"),
    ],
    items: rows.map((r) => ({
      ...deploymentItem(r),
      leadStart: iso(r.lead_start),
      startedBy: r.from_commit ? "first commit" : "first deployment of the version",
      hours: Math.round((r.lead_seconds / 3600) * 100) / 100,
    })),
    total,
    note: "Where no commit time is recorded, the clock starts at the version's first deployment to any environment in the 30 days before.",
  };
}

async function violations(client: Db, to: Day, team: TeamRef | null, limit: number, offset: number): Promise<RecordsPage> {
  const snapshot = await complianceAsOf(client, to, team);
  const columns = [col("policy", "Policy"), col("action", "Action"), col("subject", "Object"), col("team", "Team"), col("environment", "Environment"), col("file", "File"), col("message", "Message")];
  if (!snapshot) return { columns, items: [], total: 0, note: "No compliance scan by the end of the period." };
  const where = { runId: snapshot.run_id, exceptionId: null, ...(team ? { team: team.slug } : {}) };
  const [rows, total] = await Promise.all([
    client.complianceResult.findMany({ where, orderBy: [{ policy: "asc" }, { subjectName: "asc" }, { id: "asc" }], take: limit, skip: offset }),
    client.complianceResult.count({ where }),
  ]);
  const kept = total > 0 || snapshot.passed === snapshot.evaluations;
  return {
    columns,
    items: rows.map((r) => ({
      id: r.id,
      policy: r.policy,
      action: r.action,
      subject: `${r.subjectKind} ${r.subjectNamespace ? `${r.subjectNamespace}/` : ""}${r.subjectName}`,
      team: r.team,
      environment: r.environment,
      file: r.file ? `${r.file}${r.line ? `:${r.line}` : ""}` : null,
      message: r.message,
    })),
    total,
    note: kept
      ? `From the compliance scan of ${snapshot.taken_at.toISOString().slice(0, 16).replace("T", " ")} UTC.`
      : `The findings of the scan of ${snapshot.taken_at.toISOString().slice(0, 10)} are no longer kept (a week); only its figures are.`,
  };
}

async function repositoriesWithoutTemplates(client: Db, ctx: Context, teamId: string | null, limit: number, offset: number): Promise<RecordsPage> {
  const columns = [col("repository", "Repository"), col("team", "Team"), col("services", "Services")];
  if (!ctx.adoptionScan) return { columns, items: [], total: 0, note: "No adoption scan yet." };
  const rows = await client.$queryRaw<{ repo: string; team: string | null; services: string | null; total: number }[]>`
    WITH repos AS (
      SELECT DISTINCT ON (repo) repo, team_id FROM (
        SELECT s.repository AS repo, s.team_id, 0 AS pri, s.name AS tie FROM services s WHERE s.repository IS NOT NULL
        UNION ALL
        SELECT a.repo, a.team_id, 1 AS pri, a.repo AS tie FROM adoption_records a WHERE a.team_id IS NOT NULL
      ) x
      ORDER BY repo, pri, tie
    )
    SELECT r.repo, t.slug AS team, (SELECT string_agg(s.name, ', ' ORDER BY s.name) FROM services s WHERE s.repository = r.repo) AS services, count(*) OVER ()::int AS total
    FROM repos r LEFT JOIN teams t ON t.id = r.team_id
    WHERE NOT EXISTS (SELECT 1 FROM adoption_records a WHERE a.repo = r.repo) ${teamId ? Prisma.sql`AND r.team_id = ${teamId}::uuid` : Prisma.empty}
    ORDER BY r.repo LIMIT ${limit} OFFSET ${offset}`;
  const total = rows[0]?.total ?? (offset > 0 ? (await repositoriesWithoutTemplates(client, ctx, teamId, 1, 0)).total : 0);
  return {
    columns,
    items: rows.map((r) => ({ id: r.repo, repository: r.repo, team: r.team, services: r.services })),
    total,
    note: `As the adoption scan of ${ctx.adoptionScan.toISOString().slice(0, 16).replace("T", " ")} UTC found them (the current state, whatever the period).`,
  };
}

