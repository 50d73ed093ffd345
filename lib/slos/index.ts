// SLOs: definitions per service (availability and latency, from the common HTTP metrics or raw
// PromQL), PromQL validation, generated Prometheus rules with multi-window, multi-burn-rate
// alerts, OpenSLO and Sloth formats, and the status (budget, burn rates, risk) computed from
// what the metrics source answers.
export * from "./schemas.ts";
export * from "./contracts.ts";
export { listSlos, getSlo, sloRules, allSloRules, exportSlos, toRuleSlo, type StatusLookup, type LiveStatus } from "./read.ts";
export { liveStatus, sloBurnDown, burnDownPoints, BURN_DOWN_STEP, type BurnDown, type BurnDownPoint, type LiveOptions } from "./live.ts";
export { commitSloRules, sloRuleFiles, SLO_RULES_DIR } from "./commit-rules.ts";
export { createSlo, patchSlo, deleteSlo } from "./write.ts";
export { importSlos } from "./import.ts";
export { parseOpenSlo, parseSloth, writeOpenSlo } from "./formats.ts";
export { checkPromql, checkSliQuery } from "./promql.ts";
export { sliQueries, HTTP_REQUESTS, HTTP_DURATION_BUCKET, HTTP_DURATION_COUNT } from "./sli.ts";
export { sloRuleGroups, rulesFile, burnRateRules, errorBudget, recordName, recordedSeries, recordedWindows, sloLabels, ALERT_NAME, type RuleSlo } from "./rules.ts";
export { sloStatus, type SloStatusInput } from "./status.ts";
