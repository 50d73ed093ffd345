// The definitions behind every number on the Insights page, as pure functions: what counts, how it
// is aggregated, the targets of the seed document's enterprise metrics table, the DORA performance
// bands, and the trend buckets. The SQL roll-ups (rollup.ts) compute the same aggregates in the
// database; tests check one against the other on the same rows.

// ---------------------------------------------------------------------------------------------
// Metrics, targets, status

export const ENTERPRISE_METRICS = ["templateAdoption", "deploymentSuccessRate", "mttrMinutes", "policyCompliance"] as const;
export const DORA_METRICS = ["deploymentFrequency", "leadTime", "changeFailureRate", "timeToRestore"] as const;
export const METRICS = [...ENTERPRISE_METRICS, ...DORA_METRICS] as const;
export type EnterpriseMetric = (typeof ENTERPRISE_METRICS)[number];
export type DoraMetric = (typeof DORA_METRICS)[number];
export type MetricKey = (typeof METRICS)[number];

export type Unit = "%" | "minutes" | "hours" | "per day";
export type Status = "met" | "not_met" | "no_data";
export type Band = "elite" | "high" | "medium" | "low";
export const BANDS: readonly Band[] = ["elite", "high", "medium", "low"];

export interface Target {
  /** ">" and "<" are strict (the seed's "> 80 %"); "=" means exactly; "≥" and "≤" include the value. */
  operator: ">" | "<" | "=" | "≥" | "≤";
  value: number;
  label: string;
}

export interface MetricDefinition {
  label: string;
  unit: Unit;
  /** True when a larger value is better (for trends and sorting). */
  higherIsBetter: boolean;
  target: Target;
  /** How it is computed and from which data: shown on the page and in the API document. */
  definition: string;
  /** What the records drill-down lists. */
  records: string;
}

/**
 * The enterprise metrics exactly as the seed document's table states them (Template Adoption
 * > 80 %, Deployment Success Rate > 99 %, Mean Time to Recovery < 5 minutes, Policy Compliance
 * 100 %), and the DORA four keys with the elite band's boundary as their target.
 */
export const DEFINITIONS = {
  templateAdoption: {
    label: "Template Adoption",
    unit: "%",
    higherIsBetter: true,
    target: { operator: ">", value: 80, label: "> 80 %" },
    definition:
      "Share of the teams' repositories in which the last adoption scan found a catalog template: a workflow that calls one, or an instance Paved made. The repositories counted are those of the catalog's services and those the scan attributed to a team; repositories no team owns are left out. The current value is the live state; past days are the state the hourly roll-up saw that day.",
    records: "Repositories not using any template",
  },
  deploymentSuccessRate: {
    label: "Deployment Success Rate",
    unit: "%",
    higherIsBetter: true,
    target: { operator: ">", value: 99, label: "> 99 %" },
    definition:
      "Of the deployments that finished in the period (every environment; rollbacks themselves not counted), the share that succeeded and stayed: a failed or rolled-back deployment is not a success. Deployments still running are left out. By the day the deployment started (UTC).",
    records: "Failed and rolled-back deployments",
  },
  mttrMinutes: {
    label: "Mean Time to Recovery",
    unit: "minutes",
    higherIsBetter: false,
    target: { operator: "<", value: 5, label: "< 5 minutes" },
    definition:
      "Mean time from an incident's start (its paging alert firing) to its resolution (the alert resolving), over the incidents that started in the period and are resolved, in every environment. Open incidents are listed but not averaged.",
    records: "Incidents",
  },
  policyCompliance: {
    label: "Policy Compliance",
    unit: "%",
    higherIsBetter: true,
    target: { operator: "=", value: 100, label: "100 %" },
    definition:
      "The last compliance scan of the period (hourly, over the GitOps repository, Terraform plans and template instances): checks that pass, of all checks (one policy applying to one object). A failure waived by an exception passes; audit-only policies are not counted.",
    records: "Policy violations (not waived) found by that scan",
  },
  deploymentFrequency: {
    label: "Deployment frequency",
    unit: "per day",
    higherIsBetter: true,
    target: { operator: "≥", value: 1, label: "elite: ≥ 1 per day (on demand)" },
    definition: "Deployments to production that finished in the period (rollbacks not counted), divided by the days in the period.",
    records: "Production deployments",
  },
  leadTime: {
    label: "Lead time for changes",
    unit: "hours",
    higherIsBetter: false,
    target: { operator: "≤", value: 24, label: "elite: ≤ 1 day" },
    definition:
      "Mean time from a change's first commit to its deployment finishing in production, over production deployments that reached it (succeeded or later rolled back). Where no commit time is recorded for a deployment, the clock starts at the version's first deployment to any environment in the 30 days before (usually dev), which makes that lead time a lower bound.",
    records: "Production deployments with their lead time",
  },
  changeFailureRate: {
    label: "Change failure rate",
    unit: "%",
    higherIsBetter: false,
    target: { operator: "≤", value: 5, label: "elite: ≤ 5 %" },
    definition:
      "Of the production deployments that finished in the period, the share that failed, was rolled back, or was followed by an incident (the incident names it as the service's last deployment before it started). A deployment counts once however many of those apply; the rollback deployment itself is not a change. An incident with no deployment before it counts for time to restore, not here.",
    records: "Production deployments that failed, were rolled back or caused an incident",
  },
  timeToRestore: {
    label: "Time to restore service",
    unit: "minutes",
    higherIsBetter: false,
    target: { operator: "≤", value: 60, label: "elite: ≤ 1 hour" },
    definition: "Mean time from start to resolution of the production incidents that started in the period and are resolved.",
    records: "Production incidents",
  },
} as const satisfies Record<MetricKey, MetricDefinition>;

/** Whether a value meets its target; null (nothing to measure) is "no data". */
export function statusOf(value: number | null, target: Target): Status {
  if (value === null || !Number.isFinite(value)) return "no_data";
  const v = value;
  const t = target.value;
  const met = target.operator === ">" ? v > t : target.operator === "<" ? v < t : target.operator === "≥" ? v >= t : target.operator === "≤" ? v <= t : v === t;
  return met ? "met" : "not_met";
}

// ---------------------------------------------------------------------------------------------
// DORA performance bands

export interface BandThresholds {
  /** Deployment frequency: at least this many a day; the others: at most this much. */
  elite: number;
  high: number;
  medium: number;
  higherIsBetter: boolean;
  /** How each band reads, for the page. */
  labels: Record<Band, string>;
}

/**
 * The performance clusters of DORA's Accelerate State of DevOps Report 2023 (Google Cloud):
 * deployment frequency on demand / daily–weekly / weekly–monthly / less often; lead time for
 * changes < 1 day / 1 day–1 week / 1 week–1 month / longer; change failure rate 5 % / 10 % /
 * 15 % / 64 %; failed deployment recovery time < 1 hour / < 1 day / 1 day–1 week / longer. The
 * report's clusters leave gaps between them; here each band reaches up to the next one's
 * boundary, and a value on a boundary takes the better band.
 */
export const DORA_BANDS = {
  deploymentFrequency: {
    elite: 1,
    high: 1 / 7,
    medium: 1 / 30,
    higherIsBetter: true,
    labels: { elite: "on demand: at least once a day", high: "between once a day and once a week", medium: "between once a week and once a month", low: "less than once a month" },
  },
  leadTime: {
    elite: 24,
    high: 24 * 7,
    medium: 24 * 30,
    higherIsBetter: false,
    labels: { elite: "one day or less", high: "one day to one week", medium: "one week to one month", low: "more than one month" },
  },
  changeFailureRate: {
    elite: 5,
    high: 10,
    medium: 15,
    higherIsBetter: false,
    labels: { elite: "5 % or less", high: "5–10 %", medium: "10–15 %", low: "more than 15 %" },
  },
  timeToRestore: {
    elite: 60,
    high: 60 * 24,
    medium: 60 * 24 * 7,
    higherIsBetter: false,
    labels: { elite: "one hour or less", high: "one hour to one day", medium: "one day to one week", low: "more than one week" },
  },
} as const satisfies Record<DoraMetric, BandThresholds>;

export const DORA_SOURCE = "DORA, Accelerate State of DevOps Report 2023: software delivery performance clusters";

export function bandOf(metric: DoraMetric, value: number | null): Band | null {
  if (value === null || !Number.isFinite(value)) return null;
  const b: BandThresholds = DORA_BANDS[metric];
  const better = (bound: number) => (b.higherIsBetter ? value >= bound : value <= bound);
  if (better(b.elite)) return "elite";
  if (better(b.high)) return "high";
  if (better(b.medium)) return "medium";
  return "low";
}

// ---------------------------------------------------------------------------------------------
// Aggregates and the metrics computed from them

/** What the delivery roll-up keeps per day, team and environment (and what raw rows add up to). */
export interface DeliveryTotals {
  deployments: number;
  succeeded: number;
  failed: number;
  rolledBack: number;
  changeFailures: number;
  leadTimeCount: number;
  leadTimeSeconds: number;
}

export interface IncidentTotals {
  incidents: number;
  resolved: number;
  restoreSeconds: number;
}

export const EMPTY_DELIVERY: DeliveryTotals = { deployments: 0, succeeded: 0, failed: 0, rolledBack: 0, changeFailures: 0, leadTimeCount: 0, leadTimeSeconds: 0 };
export const EMPTY_INCIDENTS: IncidentTotals = { incidents: 0, resolved: 0, restoreSeconds: 0 };

export function addDelivery(a: DeliveryTotals, b: DeliveryTotals): DeliveryTotals {
  return {
    deployments: a.deployments + b.deployments,
    succeeded: a.succeeded + b.succeeded,
    failed: a.failed + b.failed,
    rolledBack: a.rolledBack + b.rolledBack,
    changeFailures: a.changeFailures + b.changeFailures,
    leadTimeCount: a.leadTimeCount + b.leadTimeCount,
    leadTimeSeconds: a.leadTimeSeconds + b.leadTimeSeconds,
  };
}

export function addIncidents(a: IncidentTotals, b: IncidentTotals): IncidentTotals {
  return { incidents: a.incidents + b.incidents, resolved: a.resolved + b.resolved, restoreSeconds: a.restoreSeconds + b.restoreSeconds };
}

const percent = (part: number, whole: number): number | null => (whole > 0 ? (100 * part) / whole : null);

export function templateAdoption(a: { repositories: number; adopting: number } | null): number | null {
  return a ? percent(a.adopting, a.repositories) : null;
}

export function deploymentSuccessRate(t: DeliveryTotals): number | null {
  return percent(t.succeeded, t.deployments);
}

export function mttrMinutes(t: IncidentTotals): number | null {
  return t.resolved > 0 ? t.restoreSeconds / t.resolved / 60 : null;
}

export function policyCompliance(c: { evaluations: number; passed: number } | null): number | null {
  return c ? percent(c.passed, c.evaluations) : null;
}

/** Production deployments per day; 0 when none (a real answer: band low), null without a period. */
export function deploymentFrequency(production: DeliveryTotals, days: number): number | null {
  return days > 0 ? production.deployments / days : null;
}

export function leadTimeHours(production: DeliveryTotals): number | null {
  return production.leadTimeCount > 0 ? production.leadTimeSeconds / production.leadTimeCount / 3600 : null;
}

export function changeFailureRate(production: DeliveryTotals): number | null {
  return percent(production.changeFailures, production.deployments);
}

export function timeToRestoreMinutes(production: IncidentTotals): number | null {
  return mttrMinutes(production);
}

// ---------------------------------------------------------------------------------------------
// From raw rows: the definition each roll-up row implements

export interface RawDeployment {
  id: string;
  service: string;
  environment: string;
  version: string;
  /** deploy | rollback */
  kind: string;
  /** in_progress | succeeded | failed | rolled_back */
  outcome: string;
  startedAt: Date;
  finishedAt: Date | null;
  firstCommitAt: Date | null;
}

export interface RawIncident {
  id: string;
  service: string;
  environment: string;
  startedAt: Date;
  resolvedAt: Date | null;
  mttrSeconds: number | null;
  precedingDeploymentId: string | null;
}

const FINISHED = new Set(["succeeded", "failed", "rolled_back"]);
const REACHED = new Set(["succeeded", "rolled_back"]);

/** How far back the version's first deployment is looked for when no commit time is recorded. */
export const LEAD_TIME_FALLBACK_DAYS = 30;
const DAY_MS = 86_400_000;

/** A change that counts: a deployment (not a rollback) that has finished. */
export function isCountedDeployment(d: Pick<RawDeployment, "kind" | "outcome">): boolean {
  return d.kind === "deploy" && FINISHED.has(d.outcome);
}

/** Why a counted deployment is a change failure (the first reason that applies), or null. */
export function changeFailureReason(d: Pick<RawDeployment, "id" | "kind" | "outcome">, incidentDeploymentIds: ReadonlySet<string>): "failed" | "rolled_back" | "incident" | null {
  if (!isCountedDeployment(d)) return null;
  if (d.outcome === "failed") return "failed";
  if (d.outcome === "rolled_back") return "rolled_back";
  return incidentDeploymentIds.has(d.id) ? "incident" : null;
}

/**
 * Where a deployment's lead time starts: its first commit when recorded, else the earliest
 * deployment (any kind or outcome, any environment) of the same service and version in the
 * LEAD_TIME_FALLBACK_DAYS up to and including its own start.
 */
export function leadTimeStart(d: RawDeployment, all: readonly RawDeployment[]): Date {
  if (d.firstCommitAt) return d.firstCommitAt;
  const from = d.startedAt.getTime() - LEAD_TIME_FALLBACK_DAYS * DAY_MS;
  let first = d.startedAt.getTime();
  for (const x of all) {
    const t = x.startedAt.getTime();
    if (x.service === d.service && x.version === d.version && t >= from && t <= d.startedAt.getTime() && t < first) first = t;
  }
  return new Date(first);
}

/** Whole seconds from the lead time's start to the deployment finishing; null unless it reached the environment. */
export function leadTimeSeconds(d: RawDeployment, all: readonly RawDeployment[]): number | null {
  if (d.kind !== "deploy" || !REACHED.has(d.outcome) || !d.finishedAt) return null;
  return Math.max(0, Math.round((d.finishedAt.getTime() - leadTimeStart(d, all).getTime()) / 1000));
}

/** Whole seconds to recover, for a resolved incident (the recorded figure when there is one). */
export function restoreSeconds(i: RawIncident): number | null {
  if (!i.resolvedAt) return null;
  return i.mttrSeconds ?? Math.max(0, Math.round((i.resolvedAt.getTime() - i.startedAt.getTime()) / 1000));
}

/**
 * Adds up deployments as the roll-up does: `deployments` are the ones to count (e.g. one day's,
 * one team's); `history` is every deployment the lead-time fallback may look at; `incidents`
 * are every incident (those naming a deployment make it a change failure).
 */
export function deliveryTotals(deployments: readonly RawDeployment[], history: readonly RawDeployment[], incidents: readonly Pick<RawIncident, "precedingDeploymentId">[]): DeliveryTotals {
  const named = new Set(incidents.map((i) => i.precedingDeploymentId).filter((id): id is string => id !== null));
  const t = { ...EMPTY_DELIVERY };
  for (const d of deployments) {
    if (!isCountedDeployment(d)) continue;
    t.deployments++;
    if (d.outcome === "succeeded") t.succeeded++;
    if (d.outcome === "failed") t.failed++;
    if (d.outcome === "rolled_back") t.rolledBack++;
    if (changeFailureReason(d, named)) t.changeFailures++;
    const lead = leadTimeSeconds(d, history);
    if (lead !== null) {
      t.leadTimeCount++;
      t.leadTimeSeconds += lead;
    }
  }
  return t;
}

export function incidentTotals(incidents: readonly RawIncident[]): IncidentTotals {
  const t = { ...EMPTY_INCIDENTS };
  for (const i of incidents) {
    t.incidents++;
    const s = restoreSeconds(i);
    if (s !== null) {
      t.resolved++;
      t.restoreSeconds += s;
    }
  }
  return t;
}

// ---------------------------------------------------------------------------------------------
// Days, periods and trend buckets (UTC calendar days written YYYY-MM-DD)

export type Day = string;
export type Granularity = "day" | "week" | "month";

export function dayOf(date: Date): Day {
  return date.toISOString().slice(0, 10);
}

export function parseDay(day: Day): Date {
  return new Date(`${day}T00:00:00.000Z`);
}

export function addDays(day: Day, n: number): Day {
  return dayOf(new Date(parseDay(day).getTime() + n * DAY_MS));
}

/** Days from `from` to `to`, both included. */
export function daysBetween(from: Day, to: Day): number {
  return Math.round((parseDay(to).getTime() - parseDay(from).getTime()) / DAY_MS) + 1;
}

/** Daily points up to a month, weekly up to about half a year, monthly beyond. */
export function granularityFor(days: number): Granularity {
  if (days <= 31) return "day";
  if (days <= 190) return "week";
  return "month";
}

export interface Bucket {
  start: Day;
  end: Day;
}

/** The period cut into buckets: calendar days, ISO weeks (from Monday) or calendar months, the first and last clipped to the period. */
export function bucketsOf(from: Day, to: Day, granularity: Granularity): Bucket[] {
  const out: Bucket[] = [];
  let start = from;
  while (start <= to) {
    const d = parseDay(start);
    let next: Day;
    if (granularity === "day") next = addDays(start, 1);
    else if (granularity === "week") next = addDays(start, 7 - ((d.getUTCDay() + 6) % 7));
    else next = dayOf(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)));
    const end = addDays(next, -1) < to ? addDays(next, -1) : to;
    out.push({ start, end });
    start = next;
  }
  return out;
}

/** The bucket (index) a day falls in; -1 outside the period. */
export function bucketIndex(buckets: readonly Bucket[], day: Day): number {
  let lo = 0;
  let hi = buckets.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const b = buckets[mid] as Bucket;
    if (day < b.start) hi = mid - 1;
    else if (day > b.end) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** The period of the same length just before this one (for "compared with the previous period"). */
export function previousPeriod(from: Day, to: Day): { from: Day; to: Day } {
  const days = daysBetween(from, to);
  return { from: addDays(from, -days), to: addDays(from, -1) };
}

/** Rounds for the API: exact enough for any display, free of float noise. */
export function roundValue(v: number | null): number | null {
  return v === null ? null : Math.round(v * 1000) / 1000;
}
