// The SLO pages' numbers, live from a metrics source (lib/metrics: Prometheus, or the sandbox's
// simulated counters): each SLO's status (sloStatus, status.ts) with how fresh it is, and the
// burn-down of its budget over its window.
//
// How the error ratios are asked for: one batch per call, never a query per SLO per window in
// sequence.
// - Prometheus: the recording rules' series, `slo:sli_error:ratio_rate<window>{slo_id=~"…"}`, one
//   query per window for every SLO of the page (at most ten queries, however many SLOs; above
//   ID_FILTER_MAX SLOs the selector drops the id filter and the answer is filtered here). SLOs with
//   no recorded series at all (their rules are not loaded in Prometheus yet) are computed from their
//   SLI queries instead, in a second batch.
// - The sandbox simulates the HTTP metrics, not recorded series (it refuses names it does not
//   simulate), so there every SLO's SLI error ratio is asked over every window, in one batch that
//   the sandbox evaluates over one observation of the cluster.
// The events over the SLO window (for a budget counted in requests) cost a query per SLO over the
// whole window, so they are asked only with `totals` (one SLO's page, GET /api/v1/slos/{id}), and
// only for HTTP SLIs (whose queries are known to be rates); lists show the budget in minutes.
//
// When the source does not answer, nothing fails: the Prometheus adapter answers its last values
// marked stale, and an SLO with no answer at all gets the last status computed here for the same
// definition, with its age (or none, still with the reason).
import { MetricsUnavailableError, type BatchItem, type Freshness, type MetricsSource, type RangeResult } from "../core/ports/metrics-source.ts";
import type { LiveStatus, StatusLookup } from "./read.ts";
import { WINDOW_HOURS, errorBudget, recordName, recordedWindows, type RuleSlo } from "./rules.ts";
import { RULE_WINDOWS, type AnyWindow, type RuleWindow, type SloFreshness, type SloStatus, type SloWindow } from "./schemas.ts";
import { sliQueries } from "./sli.ts";
import { sloStatus } from "./status.ts";

/** Up to this many SLOs, a recorded-series query names their ids; above, it asks for every SLO's series. */
export const ID_FILTER_MAX = 200;
/**
 * At most this many SLOs of a page without recorded series are computed from their SLI queries
 * (eight queries each); beyond, they show no data and say why, so that rules never loaded into
 * Prometheus cannot turn an overview into thousands of queries.
 */
export const DIRECT_FALLBACK_MAX = 25;

export interface LiveOptions {
  /** Also ask for the events over each SLO's window (HTTP SLIs), for a budget in requests: one more query per SLO. */
  totals?: boolean;
  /** Evaluation time (default: now). */
  time?: Date;
  /** The clock, for the age of last known statuses. */
  now?: () => number;
}

type Failure = { kind: "unavailable" | "bad_query"; message: string };

/** What the answers said about one SLO. */
interface Gathered {
  ratios: Partial<Record<AnyWindow, number | null>>;
  totalEvents: number | null;
  answers: Freshness[];
  failures: Failure[];
  recorded: boolean;
}

const gathered = (): Gathered => ({ ratios: {}, totalEvents: null, answers: [], failures: [], recorded: false });

/** One query of a batch, and what to do with its answer. */
interface Ask {
  query: string;
  slos: readonly string[];
  take: (item: Extract<BatchItem, { ok: true }>, into: Map<string, Gathered>) => void;
}

/** The recorded-series selector of a window for these SLOs (ids are UUIDs: regex-safe). */
export function recordedSelector(window: AnyWindow, ids: readonly string[]): string {
  return ids.length <= ID_FILTER_MAX ? `${recordName(window)}{slo_id=~"${ids.join("|")}"}` : recordName(window);
}

/** The recorded-series queries of a page of SLOs: one per alert window, and one per SLO window in use. */
function recordedAsks(slos: readonly RuleSlo[]): Ask[] {
  const windows = [...RULE_WINDOWS, ...new Set(slos.map((s) => s.window))] as AnyWindow[];
  return windows.map((window) => {
    const ids = (RULE_WINDOWS as readonly string[]).includes(window) ? slos.map((s) => s.id) : slos.filter((s) => s.window === window).map((s) => s.id);
    return {
      query: recordedSelector(window, ids),
      slos: ids,
      take: (item, into) => {
        for (const sample of item.result.samples) {
          const g = into.get(sample.labels.slo_id ?? "");
          if (!g) continue;
          g.ratios[window] = sample.value;
          g.recorded = true;
        }
      },
    };
  });
}

/** One value from an SLI query's answer: its only sample; none is no data; several is a query that does not aggregate. */
function single(item: Extract<BatchItem, { ok: true }>): { value: number | null } | { error: string } {
  const samples = item.result.samples;
  if (samples.length === 0) return { value: null };
  if (samples.length === 1) return { value: samples[0]!.value };
  return { error: `The SLI's query answers ${samples.length} series; it must answer one (aggregate it, e.g. with sum()).` };
}

/** The SLI's own queries: its error ratio over each window it needs, and the events over its window when asked. */
function directAsks(slos: readonly RuleSlo[], totals: boolean): Ask[] {
  return slos.flatMap((slo) => {
    const asks: Ask[] = recordedWindows(slo.window).map((window) => ({
      query: sliQueries(slo, window).errorRatio,
      slos: [slo.id],
      take: (item, into) => {
        const g = into.get(slo.id)!;
        const v = single(item);
        if ("error" in v) g.failures.push({ kind: "bad_query", message: v.error });
        else g.ratios[window] = v.value;
      },
    }));
    if (totals) asks.push(...totalAsks([slo]));
    return asks;
  });
}

function totalAsks(slos: readonly RuleSlo[]): Ask[] {
  // Only HTTP SLIs are known to be rates (events per second averaged over the window); a raw
  // SLI's total could be anything consistent with its other query (rates or increases).
  return slos
    .filter((slo) => slo.sli.source === "http")
    .map((slo) => ({
      query: sliQueries(slo, slo.window).total,
      slos: [slo.id],
      take: (item, into) => {
        const v = single(item);
        if ("value" in v && v.value !== null && Number.isFinite(v.value)) into.get(slo.id)!.totalEvents = v.value * WINDOW_HOURS[slo.window] * 3600;
      },
    }));
}

async function runAsks(source: MetricsSource, asks: readonly Ask[], into: Map<string, Gathered>, time: Date | undefined): Promise<void> {
  if (!asks.length) return;
  let items: BatchItem[];
  try {
    items = await source.queryBatch(
      asks.map((a) => a.query),
      time ? { time } : {},
    );
  } catch (e) {
    // The port says a batch never fails as a whole; an adapter that does anyway is "unavailable".
    items = asks.map((a) => ({ query: a.query, ok: false, error: { kind: "unavailable", message: (e as Error).message } }));
  }
  items.forEach((item, i) => {
    const ask = asks[i]!;
    if (item.ok) {
      for (const id of ask.slos) into.get(id)?.answers.push(item.result.freshness);
      ask.take(item, into);
    } else {
      for (const id of ask.slos) into.get(id)?.failures.push(item.error);
    }
  });
}

/** The freshness of a set of answers: stale when any is, as old as the oldest stale one. */
export function combineFreshness(answers: readonly Freshness[], failures: readonly Failure[], base: Pick<SloFreshness, "source" | "computedFrom">): SloFreshness {
  const stale = answers.filter((a) => a.stale);
  const unavailable = failures.find((f) => f.kind === "unavailable");
  const refused = failures.find((f) => f.kind === "bad_query");
  if (stale.length) {
    const oldest = stale.reduce((a, b) => (a.fetchedAt.getTime() <= b.fetchedAt.getTime() ? a : b));
    return { ...base, fetchedAt: oldest.fetchedAt.toISOString(), stale: true, ageSeconds: Math.max(...stale.map((a) => a.ageSeconds)), error: oldest.error ?? unavailable?.message ?? null };
  }
  const latest = answers.length ? answers.reduce((a, b) => (a.fetchedAt.getTime() >= b.fetchedAt.getTime() ? a : b)) : null;
  // Some queries answered and others could not be asked: the values are partly missing, not old.
  return { ...base, fetchedAt: latest?.fetchedAt.toISOString() ?? null, stale: latest === null && unavailable !== undefined, ageSeconds: latest ? 0 : null, error: unavailable?.message ?? refused?.message ?? null };
}

// ---- Last known statuses ------------------------------------------------------------------------

interface Known {
  status: SloStatus;
  freshness: SloFreshness;
  at: number;
}

const LAST_KNOWN_LIMIT = 10_000;
const globalForLive = globalThis as unknown as { pavedSloLastKnown?: Map<string, Known> };

function lastKnown(): Map<string, Known> {
  globalForLive.pavedSloLastKnown ??= new Map();
  return globalForLive.pavedSloLastKnown;
}

/**
 * A definition's identity (a changed objective, window or SLI makes an older status meaningless),
 * and whether the status counted requests, so that a list's status never stands in for a page's.
 */
function knownKey(slo: RuleSlo, totals: boolean): string {
  return JSON.stringify([slo.id, slo.service, slo.kind, slo.objective, slo.window, slo.sli, slo.environment, totals]);
}

function remember(key: string, live: { status: SloStatus; freshness: SloFreshness }, at: number): void {
  const map = lastKnown();
  map.delete(key);
  map.set(key, { ...live, at });
  while (map.size > LAST_KNOWN_LIMIT) map.delete(map.keys().next().value as string);
}

/** Forgets the statuses kept for when the source fails (tests). */
export function forgetLastKnownStatuses(): void {
  globalForLive.pavedSloLastKnown = undefined;
}

// ---- The lookup ---------------------------------------------------------------------------------

function conclude(slo: RuleSlo, g: Gathered, base: Pick<SloFreshness, "source" | "computedFrom">, totals: boolean, now: number): LiveStatus {
  const key = knownKey(slo, totals);
  const freshness = combineFreshness(g.answers, g.failures, base);
  const answered = g.answers.length > 0;
  if (!answered) {
    const unavailable = g.failures.find((f) => f.kind === "unavailable");
    if (unavailable) {
      const known = lastKnown().get(key);
      if (known) {
        const fetchedAt = known.freshness.fetchedAt ? Date.parse(known.freshness.fetchedAt) : known.at;
        return {
          status: known.status,
          freshness: { ...known.freshness, stale: true, ageSeconds: Math.max(0, Math.round((now - fetchedAt) / 1000)), error: unavailable.message },
        };
      }
      return { status: null, freshness: { ...freshness, stale: true, fetchedAt: null, ageSeconds: null, error: unavailable.message } };
    }
    return { status: null, freshness };
  }
  const refusedAll = g.failures.some((f) => f.kind === "bad_query") && Object.values(g.ratios).every((v) => v === null || v === undefined);
  if (refusedAll) return { status: null, freshness };
  const status = sloStatus({ objective: slo.objective, window: slo.window, errorRatios: g.ratios, totalEvents: g.totalEvents, budgeting: "events" });
  if (!freshness.stale && g.failures.length === 0) remember(key, { status, freshness }, now);
  return { status, freshness };
}

/**
 * A StatusLookup over a metrics source: every SLO given is asked for in one batch (plus, on
 * Prometheus, one more for SLOs whose rules it does not have yet).
 */
export function liveStatus(source: MetricsSource, options: LiveOptions = {}): StatusLookup {
  const now = options.now ?? Date.now;
  const totals = options.totals ?? false;
  return async (slos) => {
    const out = new Map<string, LiveStatus>();
    if (!slos.length) return out;
    const bySlo = new Map(slos.map((s) => [s.id, gathered()]));
    if (source.kind === "prometheus") {
      await runAsks(source, [...recordedAsks(slos), ...(totals ? totalAsks(slos) : [])], bySlo, options.time);
      // SLOs with no recorded series at all, while Prometheus answered: their rules are not loaded.
      const unrecorded = slos.filter((s) => {
        const g = bySlo.get(s.id)!;
        return !g.recorded && g.answers.length > 0 && !g.answers.some((a) => a.stale);
      });
      const fallback = unrecorded.length <= DIRECT_FALLBACK_MAX ? unrecorded : [];
      const direct = new Map(fallback.map((s) => [s.id, { ...gathered(), totalEvents: bySlo.get(s.id)!.totalEvents }]));
      await runAsks(source, directAsks(fallback, false), direct, options.time);
      if (fallback.length < unrecorded.length) {
        const message = `Prometheus has no recorded series for ${unrecorded.length} of these SLOs: commit their rules (POST /api/v1/slos/rules/commit) and load monitoring/slos/*.yaml with rule_files.`;
        for (const s of unrecorded) bySlo.get(s.id)!.failures.push({ kind: "bad_query", message });
      }
      for (const slo of slos) {
        const d = direct.get(slo.id);
        out.set(slo.id, conclude(slo, d ?? bySlo.get(slo.id)!, { source: "prometheus", computedFrom: d ? "sli-queries" : "recording-rules" }, totals, now()));
      }
      return out;
    }
    await runAsks(source, directAsks(slos, totals), bySlo, options.time);
    for (const slo of slos) out.set(slo.id, conclude(slo, bySlo.get(slo.id)!, { source: source.kind, computedFrom: "sli-queries" }, totals, now()));
    return out;
  };
}

// ---- Burn-down ----------------------------------------------------------------------------------

/** The chart's step per SLO window: each point counts the events of one step (120, 112 or 168 points). */
export const BURN_DOWN_STEP: Record<SloWindow, RuleWindow> = { "30d": "6h", "28d": "6h", "7d": "1h" };

export interface BurnDownPoint {
  /** Epoch milliseconds. */
  t: number;
  /** Share of the window's budget left at t, in percent (negative when overspent). */
  remainingPercent: number;
  /** Where the budget would be had it been spent evenly over the window, in percent. */
  evenPercent: number;
  /** Bad events from the window's start to t. */
  badEvents: number;
}

export interface BurnDown {
  start: number;
  end: number;
  stepSeconds: number;
  points: BurnDownPoint[];
  /** All events over the window (null: no data). */
  totalEvents: number | null;
  freshness: SloFreshness;
}

/**
 * The burn-down over a window from per-step event counts (each counting the events of the step
 * ending at t): the budget is the window's events × the error budget ratio, and at each t what is
 * left of it after the bad events so far. Empty when the window has no events.
 */
export function burnDownPoints(steps: readonly { t: number; bad: number; total: number }[], budgetRatio: number, start: number, end: number): BurnDownPoint[] {
  const total = steps.reduce((n, s) => n + s.total, 0);
  if (!(total > 0) || !(budgetRatio > 0) || end <= start) return [];
  const allowed = total * budgetRatio;
  const even = (t: number) => round(100 * (1 - (t - start) / (end - start)), 4);
  const out: BurnDownPoint[] = [{ t: start, remainingPercent: 100, evenPercent: 100, badEvents: 0 }];
  let bad = 0;
  for (const s of [...steps].sort((a, b) => a.t - b.t)) {
    bad += Math.max(0, s.bad);
    out.push({ t: s.t, remainingPercent: round(100 * (1 - bad / allowed), 4), evenPercent: even(s.t), badEvents: round(bad, 3) });
  }
  return out;
}

const round = (n: number, digits: number) => Number.parseFloat(n.toFixed(digits));

/** The one series of a range answer, by time (rates, per second). */
function pointsOf(result: RangeResult): Map<number, number> | string {
  if (result.series.length > 1) return `The SLI's query answers ${result.series.length} series; it must answer one (aggregate it, e.g. with sum()).`;
  return new Map((result.series[0]?.points ?? []).filter(([, v]) => Number.isFinite(v)));
}

/**
 * The SLO's budget over its window, ending now: two range queries (bad or good events, and all
 * events, as rates over each step), counted into a burn-down. Never throws for the source's sake:
 * a failure gives no points, with the reason in `freshness`.
 */
export async function sloBurnDown(source: MetricsSource, slo: RuleSlo, options: { time?: Date } = {}): Promise<BurnDown> {
  const step = BURN_DOWN_STEP[slo.window];
  const stepSeconds = WINDOW_HOURS[step] * 3600;
  const windowMs = WINDOW_HOURS[slo.window] * 3_600_000;
  // Whole minutes, so that a page reloaded within the minute asks the same (cacheable) queries.
  const end = Math.floor((options.time?.getTime() ?? Date.now()) / 60_000) * 60_000;
  const start = end - windowMs;
  const base = { source: source.kind, computedFrom: "sli-queries" as const };
  const q = sliQueries(slo, step);
  const range = { start: new Date(start + stepSeconds * 1000), end: new Date(end), stepSeconds };
  const empty = (freshness: SloFreshness): BurnDown => ({ start, end, stepSeconds, points: [], totalEvents: null, freshness });
  let total: RangeResult;
  let part: RangeResult;
  try {
    [total, part] = await Promise.all([source.queryRange(q.total, range), source.queryRange(q.bad ?? q.good!, range)]);
  } catch (e) {
    return empty({ ...base, fetchedAt: null, stale: e instanceof MetricsUnavailableError, ageSeconds: null, error: (e as Error).message });
  }
  const freshness = combineFreshness([total.freshness, part.freshness], [], base);
  const totals = pointsOf(total);
  const parts = pointsOf(part);
  if (typeof totals === "string" || typeof parts === "string") return empty({ ...freshness, error: typeof totals === "string" ? totals : (parts as string) });
  const steps = [...totals].map(([t, rate]) => {
    const events = rate * stepSeconds;
    const counted = parts.get(t);
    // An availability SLI counts bad events (none answered: none happened); a latency one counts
    // good events, so bad = all − good (no good answered for a step: nothing known, none counted).
    const bad = q.bad !== null ? (counted ?? 0) * stepSeconds : counted === undefined ? 0 : Math.max(0, events - counted * stepSeconds);
    return { t, total: events, bad };
  });
  const points = burnDownPoints(steps, errorBudget(slo.objective), start, end);
  // The shape needs only the ratio of bad to all events, whatever their unit; a count of events
  // only for HTTP SLIs, whose queries are known to be rates.
  const totalEvents = points.length && slo.sli.source === "http" ? round(steps.reduce((n, s) => n + s.total, 0), 3) : null;
  return { start, end, stepSeconds, points, totalEvents, freshness };
}
