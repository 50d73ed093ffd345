// How SLOs read on the pages, as pure functions: risk order, budget and burn-rate wording, the
// freshness note, the burn-rate bars' scale, and the overview's filters kept in the URL.
import type { SloDto, SloFreshness, SloStatus } from "@/lib/slos/schemas";

export const RISK_ORDER = ["exhausted", "critical", "warning", "ok", "unknown"] as const;
export type RiskLevel = (typeof RISK_ORDER)[number];

export function riskOf(status: SloStatus | null): RiskLevel {
  return status?.risk.level ?? "unknown";
}

/** Most at risk first: by level, then by score within a level, then service and name. */
export function compareByRisk(a: Pick<SloDto, "status" | "name"> & { service: { name: string } }, b: Pick<SloDto, "status" | "name"> & { service: { name: string } }): number {
  const level = RISK_ORDER.indexOf(riskOf(a.status)) - RISK_ORDER.indexOf(riskOf(b.status));
  if (level !== 0) return level;
  const score = (b.status?.risk.score ?? 0) - (a.status?.risk.score ?? 0);
  if (score !== 0) return score;
  return a.service.name.localeCompare(b.service.name) || a.name.localeCompare(b.name);
}

/** 99.9 → "99.9%", 99.95 → "99.95%"; at most `digits` decimals, no trailing zeros. */
export function formatPercent(n: number | null | undefined, digits = 2): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "—";
  return `${Number.parseFloat(n.toFixed(digits))}%`;
}

/** Minutes as a person reads them: "42 min", "3.5 h", "2.1 d". */
export function formatMinutes(minutes: number): string {
  const m = Math.abs(minutes);
  const sign = minutes < 0 ? "−" : "";
  if (m < 1) return `${sign}${Number.parseFloat(m.toFixed(2))} min`;
  if (m < 60) return `${sign}${Number.parseFloat(m.toFixed(1))} min`;
  if (m < 1440) return `${sign}${Number.parseFloat((m / 60).toFixed(1))} h`;
  return `${sign}${Number.parseFloat((m / 1440).toFixed(1))} d`;
}

const compact = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });

/** Requests, compactly: 1234 → "1.2K", 2500000 → "2.5M". */
export function formatCount(n: number): string {
  const sign = n < 0 ? "−" : "";
  return `${sign}${compact.format(Math.abs(Math.round(n)))}`;
}

export function formatBurnRate(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "—";
  return `${n >= 100 ? Math.round(n) : Number.parseFloat(n.toFixed(n >= 10 ? 1 : 2))}×`;
}

/** What is left of the budget, in requests when they are known, else in minutes of full outage. */
export function budgetAmount(status: SloStatus | null): { left: string; of: string; unit: "requests" | "minutes" } | null {
  if (!status || status.budget.remainingRatio === null) return null;
  const { remaining, total } = status.budget;
  if (remaining.requests !== null && total.requests !== null) {
    return { left: `${formatCount(remaining.requests)} requests`, of: `${formatCount(total.requests)} requests`, unit: "requests" };
  }
  if (remaining.minutes === null) return null;
  return { left: formatMinutes(remaining.minutes), of: formatMinutes(total.minutes), unit: "minutes" };
}

/** The 1 h burn rate (what the fast page looks at first). */
export function burnRateOf(status: SloStatus | null, window: string): number | null {
  return status?.burnRates.find((b) => b.window === window)?.burnRate ?? null;
}

export type AlertState = "page" | "ticket" | "quiet" | "unknown";

export function alertStateOf(status: SloStatus | null): AlertState {
  if (!status || status.risk.level === "unknown") return "unknown";
  if (status.alerts.page) return "page";
  if (status.alerts.ticket) return "ticket";
  return "quiet";
}

/** "4 minutes", "2 hours", "3 days". */
export function formatAge(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} second${s === 1 ? "" : "s"}`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} minute${m === 1 ? "" : "s"}`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} hour${h === 1 ? "" : "s"}`;
  const d = Math.round(h / 24);
  return `${d} day${d === 1 ? "" : "s"}`;
}

/**
 * What a person should be told about where the numbers come from, or null when they are fresh:
 * "as of 4 minutes ago (Prometheus unreachable)", or why there are none.
 */
export function freshnessNote(freshness: SloFreshness | null): { tone: "warning" | "danger"; text: string } | null {
  if (!freshness) return null;
  const who = freshness.source === "prometheus" ? "Prometheus" : "the sandbox's metrics";
  if (freshness.stale) {
    if (freshness.ageSeconds !== null) return { tone: "warning", text: `As of ${formatAge(freshness.ageSeconds)} ago (${who} unreachable)` };
    return { tone: "danger", text: `No values yet: ${who} cannot be reached${freshness.error ? ` (${freshness.error})` : ""}` };
  }
  if (freshness.error) return { tone: "danger", text: `${freshness.source === "prometheus" ? "Prometheus" : "The sandbox"} refused the SLO's queries: ${freshness.error}` };
  return null;
}

/** The stalest freshness of a set (for one banner over a list), or null when all are fresh. */
export function stalest(freshness: readonly (SloFreshness | null)[]): SloFreshness | null {
  let worst: SloFreshness | null = null;
  for (const f of freshness) {
    if (!f?.stale) continue;
    if (!worst || (f.ageSeconds ?? Infinity) > (worst.ageSeconds ?? Infinity)) worst = f;
  }
  return worst;
}

/**
 * A burn-rate bar: the value's width and each threshold's position, on a scale that shows the
 * highest threshold with room to spare (and the value, however high, capped at the end).
 */
export function burnBar(burnRate: number | null, thresholds: readonly number[]): { width: number; marks: { at: number; value: number }[]; over: boolean } {
  const top = Math.max(1, ...thresholds) * 1.25;
  const scale = (n: number) => Math.min(100, Math.max(0, (n / top) * 100));
  const value = burnRate ?? 0;
  return { width: scale(value), marks: thresholds.map((t) => ({ at: scale(t), value: t })), over: thresholds.some((t) => value > t) };
}

// ---- The overview's filters ---------------------------------------------------------------------

export interface OverviewFilters {
  team: string;
  service: string;
  risk: RiskLevel | "";
  q: string;
  group: boolean;
}

type Search = { get(key: string): string | null };

export function readFilters(params: Search): OverviewFilters {
  const risk = params.get("risk") ?? "";
  return {
    team: params.get("team") ?? "",
    service: params.get("service") ?? "",
    risk: (RISK_ORDER as readonly string[]).includes(risk) ? (risk as RiskLevel) : "",
    q: params.get("q") ?? "",
    group: params.get("group") === "team",
  };
}

/** The query string of the filters set (empty ones left out), in a fixed order. */
export function writeFilters(f: OverviewFilters): string {
  const out = new URLSearchParams();
  if (f.team) out.set("team", f.team);
  if (f.service) out.set("service", f.service);
  if (f.risk) out.set("risk", f.risk);
  if (f.q) out.set("q", f.q);
  if (f.group) out.set("group", "team");
  return out.toString();
}

export function applyFilters<T extends Pick<SloDto, "status" | "name" | "displayName"> & { service: { name: string }; ownerTeam: { slug: string } }>(items: readonly T[], f: OverviewFilters): T[] {
  const needle = f.q.trim().toLowerCase();
  return items.filter(
    (s) =>
      (!f.team || s.ownerTeam.slug === f.team) &&
      (!f.service || s.service.name === f.service) &&
      (!f.risk || riskOf(s.status) === f.risk) &&
      (!needle || [s.name, s.displayName, s.service.name].some((v) => v.toLowerCase().includes(needle))),
  );
}

/** Counts per risk level, in risk order. */
export function riskCounts(items: readonly Pick<SloDto, "status">[]): Record<RiskLevel, number> {
  const out = Object.fromEntries(RISK_ORDER.map((r) => [r, 0])) as Record<RiskLevel, number>;
  for (const s of items) out[riskOf(s.status)]++;
  return out;
}

/** Groups by owner team (teams in name order), each group keeping the items' order. */
export function groupByTeam<T extends { ownerTeam: { slug: string; name: string } }>(items: readonly T[]): { team: T["ownerTeam"]; items: T[] }[] {
  const groups = new Map<string, { team: T["ownerTeam"]; items: T[] }>();
  for (const item of items) {
    const g: { team: T["ownerTeam"]; items: T[] } = groups.get(item.ownerTeam.slug) ?? { team: item.ownerTeam, items: [] };
    g.items.push(item);
    groups.set(item.ownerTeam.slug, g);
  }
  return [...groups.values()].sort((a, b) => a.team.name.localeCompare(b.team.name));
}

// ---- The overview's rows ------------------------------------------------------------------------

/** What the overview shows of an SLO: the DTO without its SLI, queries and every burn rate. */
export interface OverviewRow {
  id: string;
  name: string;
  displayName: string;
  kind: SloDto["kind"];
  service: { name: string };
  ownerTeam: { slug: string; name: string; color: string };
  objective: number;
  window: SloDto["window"];
  environment: string;
  alerting: boolean;
  automation: SloDto["automation"];
  status: SloStatus | null;
  freshness: SloFreshness | null;
}

export function toOverviewRow(s: SloDto): OverviewRow {
  return {
    id: s.id,
    name: s.name,
    displayName: s.displayName,
    kind: s.kind,
    service: { name: s.service.name },
    ownerTeam: s.ownerTeam,
    objective: s.objective,
    window: s.window,
    environment: s.environment,
    alerting: s.alerting,
    automation: s.automation,
    // The 1 h burn rate is the only one the overview shows.
    status: s.status ? { ...s.status, burnRates: s.status.burnRates.filter((b) => b.window === "1h") } : null,
    freshness: s.freshness,
  };
}
