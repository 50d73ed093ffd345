// How the Insights page writes numbers, statuses and bands, and the links between its views.
// Pure: shared by the server page and its client components.

export type Unit = "%" | "minutes" | "hours" | "per day";
export type Status = "met" | "not_met" | "no_data";
export type Band = "elite" | "high" | "medium" | "low";

const trim = (n: number, digits: number) => n.toFixed(digits).replace(/\.0+$/, "").replace(/(\.\d*?)0+$/, "$1");

/** A value in its unit, for people: "99.42 %", "6.5 min", "18 h", "2.3 days", "4.2 / day", "3 / week". */
export function formatValue(value: number | null, unit: Unit): string {
  if (value === null || !Number.isFinite(value)) return "—";
  switch (unit) {
    case "%":
      return `${trim(value, value >= 99 && value < 100 ? 2 : 1)} %`;
    case "minutes":
      return value < 60 ? `${trim(value, 1)} min` : value < 48 * 60 ? `${trim(value / 60, 1)} h` : `${trim(value / 1440, 1)} days`;
    case "hours":
      return value < 1 ? `${Math.round(value * 60)} min` : value < 48 ? `${trim(value, 1)} h` : `${trim(value / 24, 1)} days`;
    case "per day":
      if (value === 0) return "none";
      if (value >= 1) return `${trim(value, 1)} / day`;
      if (value >= 1 / 7) return `${trim(value * 7, 1)} / week`;
      return `${trim(value * 30, 1)} / month`;
  }
}

export const STATUS_LABEL: Record<Status, string> = { met: "Met", not_met: "Not met", no_data: "No data" };
export const STATUS_TONE: Record<Status, "success" | "danger" | "neutral"> = { met: "success", not_met: "danger", no_data: "neutral" };
export const BAND_LABEL: Record<Band, string> = { elite: "Elite", high: "High", medium: "Medium", low: "Low" };
export const BAND_TONE: Record<Band, "success" | "info" | "warning" | "danger"> = { elite: "success", high: "info", medium: "warning", low: "danger" };

export const RANGES = ["7d", "30d", "90d"] as const;
export type RangeKey = (typeof RANGES)[number] | "custom";
export const RANGE_DAYS: Record<(typeof RANGES)[number], number> = { "7d": 7, "30d": 30, "90d": 90 };

/** The page's selection as it is kept in the URL. */
export interface Selection {
  range: RangeKey;
  /** Only for a custom range. */
  from?: string;
  to?: string;
  team?: string;
}

/** The URL parameters of a selection (30 days, the default, is left out). */
export function selectionParams(s: Selection): URLSearchParams {
  const p = new URLSearchParams();
  if (s.range !== "30d") p.set("range", s.range);
  if (s.range === "custom") {
    if (s.from) p.set("from", s.from);
    if (s.to) p.set("to", s.to);
  }
  if (s.team) p.set("team", s.team);
  return p;
}

export function insightsHref(s: Selection): string {
  const p = selectionParams(s).toString();
  return `/insights${p ? `?${p}` : ""}`;
}

/** The records page of a metric for the same selection. */
export function recordsHref(metric: string, s: Selection, offset = 0): string {
  const p = selectionParams(s);
  p.set("metric", metric);
  if (offset > 0) p.set("offset", String(offset));
  return `/insights/records?${p.toString()}`;
}

/** The API's CSV of a table for a period (explicit days, as the page computed them). */
export function csvHref(table: "summary" | "teams" | "records", period: { from: string; to: string }, extra: { team?: string | undefined; metric?: string } = {}): string {
  const p = new URLSearchParams({ from: period.from, to: period.to, format: "csv" });
  if (extra.team) p.set("team", extra.team);
  if (extra.metric) p.set("metric", extra.metric);
  return `/api/v1/insights/${table}?${p.toString()}`;
}

/** A UTC time for tables: "2026-03-01 10:05 UTC". */
export function formatTime(iso: string | null): string {
  if (!iso) return "—";
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** The change against the previous period, worded by whether up is good. */
export function changeOf(value: number | null, previous: number | null, higherIsBetter: boolean): { text: string; tone: "better" | "worse" | "same" } | null {
  if (value === null || previous === null) return null;
  const delta = value - previous;
  if (Math.abs(delta) < 1e-9) return { text: "same as the previous period", tone: "same" };
  const better = higherIsBetter ? delta > 0 : delta < 0;
  return { text: `${delta > 0 ? "up" : "down"} from ${trim(previous, 2)}`, tone: better ? "better" : "worse" };
}

const DAY_STRING = /^\d{4}-\d{2}-\d{2}$/;

function shiftDay(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The selection a URL asks for, and the days it covers (UTC, `today` included for the presets).
 * A custom range that is not two dates in order falls back to 30 days, with the reason.
 */
export function selectionFrom(params: Record<string, string | undefined>, today: string): { selection: Selection; period: { from: string; to: string }; problem: string | null } {
  const team = params.team?.trim() || undefined;
  const withTeam = (s: Selection): Selection => (team ? { ...s, team } : s);
  const range = params.range;
  if (range === "custom") {
    const from = params.from ?? "";
    const to = params.to ?? "";
    const valid = (d: string) => DAY_STRING.test(d) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d);
    if (valid(from) && valid(to) && from <= to) return { selection: withTeam({ range: "custom", from, to }), period: { from, to }, problem: null };
    const problem = !valid(from) || !valid(to) ? "The custom period needs two dates (YYYY-MM-DD)." : "The custom period starts after it ends.";
    return { selection: withTeam({ range: "30d" }), period: { from: shiftDay(today, -29), to: today }, problem: `${problem} Showing the last 30 days.` };
  }
  const preset = range === "7d" || range === "90d" ? range : "30d";
  return { selection: withTeam({ range: preset }), period: { from: shiftDay(today, -(RANGE_DAYS[preset] - 1)), to: today }, problem: null };
}
