// From an SLO's definition to PromQL, as pure functions: the good / bad / total queries over any
// window, the error ratio, and the checks a definition must pass before it is saved (the kind
// and the SLI agree; every query parses and type-checks; label matchers are well-formed).
//
// The common HTTP metrics Paved assumes (and the sandbox emits):
//   http_requests_total{service, environment, code}                      counter of requests
//   http_request_duration_seconds_bucket{service, environment, le}       histogram buckets
//   http_request_duration_seconds_count{service, environment}            histogram count
// Availability: errors are `code=~"5.."` (configurable) among all requests. Latency: good
// requests are those in the bucket `le="<threshold>"`, among the histogram's count.
import type { FieldIssue } from "../core/errors.ts";
import { checkPromql, checkSliQuery, quote } from "./promql.ts";
import type { AnyWindow, HttpSli, SloKind, Sli } from "./schemas.ts";

export const HTTP_REQUESTS = "http_requests_total";
export const HTTP_DURATION_BUCKET = "http_request_duration_seconds_bucket";
export const HTTP_DURATION_COUNT = "http_request_duration_seconds_count";
export const DEFAULT_ERROR_CODES = "5..";
export const WINDOW_PLACEHOLDER = "{{.window}}";

/** Labels the HTTP SLI sets itself; a selector must not set them again. */
const RESERVED_LABELS = ["__name__", "service", "environment"];

export interface SliTarget {
  service: string;
  environment: string;
  kind: SloKind;
  sli: Sli;
}

export interface SliQueries {
  good: string | null;
  bad: string | null;
  total: string;
  /** Bad / total, 0–1. */
  errorRatio: string;
}

/** `0.3` → `le="0.3"`; integers also match the `1.0` spelling some clients use. */
function leMatcher(threshold: number): string {
  if (Number.isInteger(threshold)) return `le=~${quote(`${threshold}(\\.0)?`)}`;
  return `le=${quote(String(threshold))}`;
}

function matchers(parts: string[]): string {
  return `{${parts.filter((p) => p.trim() !== "").join(",")}}`;
}

function httpQueries(target: SliTarget & { sli: HttpSli }, window: string): { good: string | null; bad: string | null; total: string } {
  const base = [`service=${quote(target.service)}`, `environment=${quote(target.environment)}`];
  const extra = target.sli.selector.trim().replace(/,\s*$/, "");
  if (target.kind === "latency") {
    const threshold = target.sli.thresholdSeconds ?? 0;
    return {
      good: `sum(rate(${HTTP_DURATION_BUCKET}${matchers([...base, leMatcher(threshold), extra])}[${window}]))`,
      bad: null,
      total: `sum(rate(${HTTP_DURATION_COUNT}${matchers([...base, extra])}[${window}]))`,
    };
  }
  const codes = target.sli.errorCodes ?? DEFAULT_ERROR_CODES;
  return {
    good: null,
    bad: `sum(rate(${HTTP_REQUESTS}${matchers([...base, `code=~${quote(codes)}`, extra])}[${window}]))`,
    total: `sum(rate(${HTTP_REQUESTS}${matchers([...base, extra])}[${window}]))`,
  };
}

const fill = (query: string, window: string) => query.replace(/\{\{\s*\.window\s*\}\}/g, window);

/** The SLI's queries over one window (e.g. `5m`, `30d`), or with `{{.window}}` left in place. */
export function sliQueries(target: SliTarget, window: AnyWindow | typeof WINDOW_PLACEHOLDER): SliQueries {
  let good: string | null;
  let bad: string | null;
  let total: string;
  if (target.sli.source === "http") {
    ({ good, bad, total } = httpQueries(target as SliTarget & { sli: HttpSli }, window));
  } else {
    good = target.sli.good ? fill(target.sli.good, window) : null;
    bad = target.sli.bad ? fill(target.sli.bad, window) : null;
    total = fill(target.sli.total, window);
  }
  let errorRatio: string;
  if (bad !== null) {
    // No error series at all (a healthy service that never answered 5xx) still gives a ratio of 0.
    const numerator = target.sli.source === "http" ? `(${bad} or vector(0))` : `(${bad})`;
    errorRatio = `${numerator} / (${total})`;
  } else {
    errorRatio = `1 - ((${good}) / (${total}))`;
  }
  return { good, bad, total, errorRatio };
}

/**
 * Everything wrong with an SLI for its kind, each issue naming the field and, for PromQL, the
 * parser's message with its line and column. Empty when the SLI can be saved.
 */
export function sliIssues(kind: SloKind, sli: Sli, path: (string | number)[] = ["sli"]): (FieldIssue & { line?: number; column?: number })[] {
  const issues: (FieldIssue & { line?: number; column?: number })[] = [];
  if (sli.source === "http") {
    if (kind === "latency" && sli.thresholdSeconds === undefined) {
      issues.push({ path: [...path, "thresholdSeconds"], message: "A latency SLO needs `thresholdSeconds`, a bucket boundary of http_request_duration_seconds." });
    }
    if (kind === "availability" && sli.thresholdSeconds !== undefined) {
      issues.push({ path: [...path, "thresholdSeconds"], message: "`thresholdSeconds` applies to latency SLOs only." });
    }
    if (kind === "latency" && sli.errorCodes !== undefined) {
      issues.push({ path: [...path, "errorCodes"], message: "`errorCodes` applies to availability SLOs only." });
    }
    if (sli.selector) {
      const selector = checkPromql(`m{${sli.selector}}`);
      if (!selector.ok) {
        issues.push({ path: [...path, "selector"], message: `Invalid label matchers at column ${Math.max(1, selector.position.column - 2)}: ${selector.message}.`, code: "promql" });
      } else {
        const labels = [...sli.selector.matchAll(/(?:^|,)\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map((m) => m[1]!);
        const reserved = labels.filter((l) => RESERVED_LABELS.includes(l) || (kind === "latency" && l === "le"));
        if (reserved.length) {
          issues.push({ path: [...path, "selector"], message: `The selector must not set ${[...new Set(reserved)].join(", ")}: Paved sets ${kind === "latency" ? "service, environment and le" : "service and environment"} itself.` });
        }
      }
    }
    if (sli.errorCodes !== undefined) {
      const codes = checkPromql(`m{code=~${quote(sli.errorCodes)}}`);
      if (!codes.ok) issues.push({ path: [...path, "errorCodes"], message: `Invalid regex: ${codes.message}.`, code: "promql" });
    }
    return issues;
  }
  if ((sli.good === undefined) === (sli.bad === undefined)) {
    issues.push({ path: [...path, sli.good === undefined ? "bad" : "good"], message: "Give either `good` or `bad` (errors) with `total`." });
  }
  for (const field of ["good", "bad", "total"] as const) {
    const query = sli[field];
    if (query === undefined) continue;
    if (!/\{\{\s*\.window\s*\}\}/.test(query)) {
      issues.push({
        path: [...path, field],
        message: `The ${field} query must contain \`{{.window}}\` where the range goes (e.g. \`sum(rate(requests_total[{{.window}}]))\`), so that Paved can compute it over each alert window.`,
      });
      continue;
    }
    const result = checkSliQuery(query);
    if (!result.ok) {
      issues.push({
        path: [...path, field],
        message: `Invalid PromQL at line ${result.position.line}, column ${result.position.column}: ${result.message}.`,
        code: "promql",
        line: result.position.line,
        column: result.position.column,
      });
    }
  }
  return issues;
}
