// The result of a template test run: plain data, so the report, `--json` and the unit tests all
// read the same thing.

/** Which check found a problem (also the heading a reader scans the report for). */
export type CheckName =
  | "load"
  | "catalog"
  | "parameters"
  | "render"
  | "yaml"
  | "github-workflow"
  | "github-action"
  | "azure-pipeline"
  | "terraform"
  | "kubernetes"
  | "shell"
  | "pass-through"
  | "expect"
  | "golden";

export interface Failure {
  check: CheckName;
  /** The file it concerns: a rendered path, or a path in the template folder for load problems. */
  file?: string;
  message: string;
  /** A unified diff (golden mismatches). */
  diff?: string;
}

/** A generated file as the checks see it. */
export interface OutputFile {
  path: string;
  content: string;
  /** The template source it came from. */
  source: string;
}

export interface CaseResult {
  name: string;
  description?: string;
  ok: boolean;
  /** Paths of the rendered files (empty for a case whose parameters must be refused). */
  files: string[];
  failures: Failure[];
  /** Checks that could not run here (a missing tool), so a green result is read correctly. */
  skipped: string[];
  durationMs: number;
}

export interface VersionResult {
  version: string;
  lifecycle: string;
  type: string;
  /** The folder holding this version's template.yaml, relative to the run's root. */
  dir: string;
  digest: string;
  ok: boolean;
  /** Problems of the version as a whole (no test case, no changelog entry, a bad default…). */
  failures: Failure[];
  cases: CaseResult[];
}

export interface TemplateResult {
  name: string;
  /** The template folder, relative to the run's root. */
  dir: string;
  ok: boolean;
  versions: VersionResult[];
  /** Versions that could not be loaded at all, with the file and problem. */
  loadFailures: Failure[];
}

export interface RunSummary {
  templates: number;
  versions: number;
  cases: number;
  passed: number;
  failed: number;
  /** Template versions that did not load, plus version-level problems. */
  broken: number;
}

export interface RunResult {
  ok: boolean;
  root: string;
  templates: TemplateResult[];
  summary: RunSummary;
  durationMs: number;
}
