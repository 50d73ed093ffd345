import { defineContract } from "../core/http/contract.ts";
import { InsightsQuery, RecordsDto, RecordsQuery, RefreshBody, RefreshResult, SummaryDto, TeamsDto } from "./schemas.ts";

const CSV = "Add `format=csv` (or send `Accept: text/csv`) for the same table as CSV.";

export const insightsSummaryContract = defineContract({
  method: "GET",
  path: "/api/v1/insights/summary",
  tag: "Insights",
  summary: "The enterprise metrics and the DORA four keys over a period, with targets, status, bands and trends",
  description: `Days are UTC; the period defaults to the last 30 days. Each metric has \`value\`, \`target\`, \`status\` (met / not_met / no_data), the DORA ones a \`band\`, and a trend (points per day, week or month, and the previous period's value). ${CSV}`,
  access: "insights.read",
  query: InsightsQuery,
  response: SummaryDto,
  alternativeMediaTypes: ["text/csv"],
  errors: ["not_found"],
});

export const insightsTeamsContract = defineContract({
  method: "GET",
  path: "/api/v1/insights/teams",
  tag: "Insights",
  summary: "The same numbers per team",
  description: CSV,
  access: "insights.read",
  query: InsightsQuery,
  response: TeamsDto,
  alternativeMediaTypes: ["text/csv"],
  errors: ["not_found"],
});

export const insightsRecordsContract = defineContract({
  method: "GET",
  path: "/api/v1/insights/records",
  tag: "Insights",
  summary: "The records behind a number: repositories not using templates, failed deployments, incidents, violations",
  description: `A page at a time (\`limit\`, \`offset\`). ${CSV} The CSV holds every record of the period (up to 50,000), not one page.`,
  access: "insights.read",
  query: RecordsQuery,
  response: RecordsDto,
  alternativeMediaTypes: ["text/csv"],
  errors: ["not_found"],
});

export const refreshInsightsContract = defineContract({
  method: "POST",
  path: "/api/v1/insights/refresh",
  tag: "Insights",
  summary: "Recompute the daily roll-ups now (they also run every hour)",
  description: "Queues the roll-up job; recomputing derived figures changes no record, so whoever may read insights may ask for it.",
  access: "insights.read",
  body: RefreshBody,
  response: RefreshResult,
  status: 202,
});

export const insightsContracts = [insightsSummaryContract, insightsTeamsContract, insightsRecordsContract, refreshInsightsContract];
