// Leadership insights: the seed document's enterprise metrics and the DORA four keys, per team,
// with their records; read-only, from daily roll-ups the insights.rollup job keeps.
export * from "./schemas.ts";
export * from "./contracts.ts";
export { BANDS, DEFINITIONS, DORA_BANDS, DORA_SOURCE, DORA_METRICS, ENTERPRISE_METRICS, METRICS, bandOf, statusOf, type Band, type MetricKey, type Status } from "./definitions.ts";
export { insightsSummary, insightsTeams, insightsRecords, periodOf } from "./read.ts";
export { refreshRollups } from "./rollup.ts";
export { summaryAnswer, teamsAnswer, recordsAnswer, wantsCsv } from "./respond.ts";
export { requestInsightsRefresh } from "./refresh.ts";
export { insightsJobs, insightsRollupJob } from "./jobs.ts";
