// A GitHub double that follows GitHub's published REST API description; see server.ts.
export { startGithubDouble, GithubDouble, type Fault, type GithubDoubleOptions, type RecordedCall, type WorkflowOutcome } from "./server.ts";
export { githubSpec, GithubSpec } from "./spec.ts";
