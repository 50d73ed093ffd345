// The answers of the insights routes: JSON, or the same table as CSV when the caller asks for it
// (`?format=csv` or `Accept: text/csv`).
import type { Db } from "../core/db/client.ts";
import { TextReply } from "../core/http/handler.ts";
import { toCsv, type CsvValue } from "./csv.ts";
import { DEFINITIONS, type MetricKey } from "./definitions.ts";
import { insightsRecords, insightsSummary, insightsTeams } from "./read.ts";
import type { InsightsQuery, MetricDto, RecordsDto, RecordsQuery, SummaryDto, TeamsDto } from "./schemas.ts";

/** `format` wins; otherwise an Accept header that names text/csv and does not prefer JSON to it. */
export function wantsCsv(format: "json" | "csv" | undefined, accept: string | null): boolean {
  if (format) return format === "csv";
  if (!accept) return false;
  const types = accept.split(",").map((part) => {
    const [type = "", ...params] = part.trim().toLowerCase().split(";");
    const q = Number(params.map((p) => p.trim()).find((p) => p.startsWith("q="))?.slice(2) ?? "1");
    return { type: type.trim(), q: Number.isNaN(q) ? 0 : q };
  });
  const quality = (t: string) => Math.max(0, ...types.filter((x) => x.type === t).map((x) => x.q));
  const csv = quality("text/csv");
  return csv > 0 && csv >= quality("application/json");
}

const fileName = (what: string, period: { from: string; to: string }, team?: { slug: string } | null) => `insights-${what}${team ? `-${team.slug}` : ""}-${period.from}-to-${period.to}.csv`;

const METRIC_COLUMNS = [
  { key: "metric", label: "Metric" },
  { key: "value", label: "Value" },
  { key: "unit", label: "Unit" },
  { key: "target", label: "Target" },
  { key: "status", label: "Status" },
  { key: "band", label: "DORA band" },
  { key: "previous", label: "Previous period" },
  { key: "detail", label: "Computed from" },
];

function metricRow(m: MetricDto): Record<string, CsvValue> {
  return { metric: m.label, value: m.value, unit: m.unit, target: m.target.label, status: m.status.replace("_", " "), band: m.band, previous: m.trend?.previous ?? null, detail: m.detail };
}

export function summaryCsv(s: SummaryDto): string {
  const metrics = [s.templateAdoption, s.deploymentSuccessRate, s.mttrMinutes, s.policyCompliance, s.dora.deploymentFrequency, s.dora.leadTime, s.dora.changeFailureRate, s.dora.timeToRestore];
  return toCsv(METRIC_COLUMNS, metrics.map(metricRow));
}

const TEAM_METRICS: [MetricKey, (t: TeamsDto["teams"][number]) => MetricDto][] = [
  ["templateAdoption", (t) => t.templateAdoption],
  ["deploymentSuccessRate", (t) => t.deploymentSuccessRate],
  ["mttrMinutes", (t) => t.mttrMinutes],
  ["policyCompliance", (t) => t.policyCompliance],
  ["deploymentFrequency", (t) => t.dora.deploymentFrequency],
  ["leadTime", (t) => t.dora.leadTime],
  ["changeFailureRate", (t) => t.dora.changeFailureRate],
  ["timeToRestore", (t) => t.dora.timeToRestore],
];

export function teamsCsv(t: TeamsDto): string {
  const columns = [
    { key: "team", label: "Team" },
    ...TEAM_METRICS.flatMap(([key]) => [
      { key, label: `${DEFINITIONS[key].label} (${DEFINITIONS[key].unit})` },
      { key: `${key}Status`, label: `${DEFINITIONS[key].label}: status` },
    ]),
  ];
  const rows = t.teams.map((row) => {
    const out: Record<string, CsvValue> = { team: row.team.slug };
    for (const [key, pick] of TEAM_METRICS) {
      const m = pick(row);
      out[key] = m.value;
      out[`${key}Status`] = m.band ? `${m.status.replace("_", " ")} (${m.band})` : m.status.replace("_", " ");
    }
    return out;
  });
  return toCsv(columns, rows);
}

export function recordsCsv(r: RecordsDto): string {
  return toCsv(r.columns, r.items);
}

export async function summaryAnswer(client: Db, query: InsightsQuery, request: Request): Promise<SummaryDto | TextReply> {
  const summary = await insightsSummary(client, query);
  return wantsCsv(query.format, request.headers.get("accept")) ? new TextReply(summaryCsv(summary), "text/csv", fileName("summary", summary.period, summary.team)) : summary;
}

export async function teamsAnswer(client: Db, query: InsightsQuery, request: Request): Promise<TeamsDto | TextReply> {
  const teams = await insightsTeams(client, query);
  return wantsCsv(query.format, request.headers.get("accept")) ? new TextReply(teamsCsv(teams), "text/csv", fileName("teams", teams.period)) : teams;
}

export async function recordsAnswer(client: Db, query: RecordsQuery, request: Request): Promise<RecordsDto | TextReply> {
  const csv = wantsCsv(query.format, request.headers.get("accept"));
  const records = await insightsRecords(client, query, { all: csv });
  return csv ? new TextReply(recordsCsv(records), "text/csv", fileName(query.metric, records.period, records.team)) : records;
}
