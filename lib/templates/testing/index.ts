// Template tests: render every test case of every template version and check the output
// (npm run templates:test). The public face of lib/templates/testing.
export { runTemplateTests, runCase, checkOutput, checkVersion, TEST_REPO, type RunOptions } from "./runner.ts";
export { formatReport, type ReportOptions } from "./report.ts";
export type { CaseResult, CheckName, Failure, OutputFile, RunResult, RunSummary, TemplateResult, VersionResult } from "./types.ts";
