// Policy tests and checks: the cases runner (npm run policies:test), the conftest-style check of
// manifests and Terraform plans (npm run policy -- check), and what both read from files.
// The public face of lib/policies/testing.
export { runPolicyTests, runCase, parseCasesFile, type RunOptions, type LoadedCases } from "./runner.ts";
export { formatReport, type ReportOptions } from "./report.ts";
export { readObjects, isTerraformPlan, describeSubject, describeLocation, planName, MANIFEST_EXTENSIONS, type SourceObject, type SkippedDocument, type SourceProblem, type ReadResult } from "./documents.ts";
export { parseWaiverFile, toWaiver, WaiverInput } from "./waivers.ts";
export { withParams, parseParamOverrides } from "./params.ts";
export type { CaseObservation, CaseResult, Outcome, PolicyTestResult, Problem, RunResult, RunSummary, TestCase } from "./types.ts";
