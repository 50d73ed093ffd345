// Unit tests for generated rules, in promtool's format (`promtool test rules`), as pure
// functions: for an SLO, synthetic counters whose error ratio is constant, at three levels —
// a fast burn (the page alert must fire, and the ticket too), a slow burn (only the ticket), a
// healthy service (nothing) — plus checks that the recorded error ratio equals the input ratio.
// The levels are derived from the SLO's own thresholds, so every window and objective is tested
// where it matters. scripts/slos-test.ts writes these files and runs promtool on them.
import YAML from "yaml";
import { ALERT_NAME, alertAnnotations, burnRateRules, errorBudget, recordName, sloLabels, tidy, type RuleOptions, type RuleSlo } from "../rules.ts";
import { HTTP_DURATION_BUCKET, HTTP_DURATION_COUNT, HTTP_REQUESTS } from "../sli.ts";

/** For raw SLIs: which counters to synthesise (selectors with `=` matchers only). */
export interface RawSeries {
  good?: string;
  bad?: string;
  total: string;
}

export interface Scenario {
  name: string;
  errorRatio: number;
  expect: ("page" | "ticket")[];
}

/** Events per minute in the synthetic series. */
const RATE = 1000;
const MINUTES = 240;
const EVAL = "3h";

/** Error ratios just where they matter: above the fastest page threshold, between ticket and page, below every threshold. */
export function scenarios(slo: Pick<RuleSlo, "objective" | "window">): Scenario[] {
  const budget = errorBudget(slo.objective);
  const rules = burnRateRules(slo.window);
  const page = Math.min(...rules.filter((r) => r.severity === "page").map((r) => r.factor));
  const pageMax = Math.max(...rules.filter((r) => r.severity === "page").map((r) => r.factor));
  const ticket = Math.min(...rules.filter((r) => r.severity === "ticket").map((r) => r.factor));
  return [
    { name: "fast burn: pages (and opens a ticket)", errorRatio: tidy(Math.min(0.9, budget * pageMax * 2)), expect: ["page", "ticket"] },
    { name: "slow burn: opens a ticket, does not page", errorRatio: tidy(budget * ((ticket + page) / 2)), expect: ["ticket"] },
    { name: "healthy: quiet", errorRatio: tidy(budget * ticket * 0.5), expect: [] },
  ];
}

/** `name{a="b",c="d"}` → its metric name and labels. */
export function parseSeries(selector: string): { name: string; labels: Record<string, string> } {
  const m = /^([A-Za-z_:][A-Za-z0-9_:]*)\s*(?:\{(.*)\})?\s*$/.exec(selector.trim());
  if (!m) throw new Error(`Not a series selector: ${selector}`);
  const labels: Record<string, string> = {};
  for (const pair of (m[2] ?? "").matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)) {
    if (pair[2] !== "=") throw new Error(`Only = matchers can be synthesised: ${selector}`);
    labels[pair[1]!] = JSON.parse(`"${pair[3]}"`) as string;
  }
  return { name: m[1]!, labels };
}

const series = (name: string, labels: Record<string, string>) =>
  `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(",")}}`;
const counter = (perMinute: number) => `0+${tidy(perMinute)}x${MINUTES}`;

/** The input series for one error ratio. */
export function inputSeries(slo: RuleSlo, errorRatio: number, raw?: RawSeries): { series: string; values: string }[] {
  const bad = RATE * errorRatio;
  const good = RATE - bad;
  if (slo.sli.source === "http") {
    const base: Record<string, string> = { service: slo.service, environment: slo.environment, ...parseSeries(`m{${slo.sli.selector}}`).labels };
    if (slo.kind === "latency") {
      const t = slo.sli.thresholdSeconds ?? 0;
      return [
        { series: series(HTTP_DURATION_BUCKET, { ...base, le: Number.isInteger(t) ? `${t}.0` : String(t) }), values: counter(good) },
        { series: series(HTTP_DURATION_BUCKET, { ...base, le: "+Inf" }), values: counter(RATE) },
        { series: series(HTTP_DURATION_COUNT, base), values: counter(RATE) },
      ];
    }
    return [
      { series: series(HTTP_REQUESTS, { ...base, code: "200" }), values: counter(good) },
      { series: series(HTTP_REQUESTS, { ...base, code: "503" }), values: counter(bad) },
    ];
  }
  if (!raw) throw new Error(`SLO ${slo.service}/${slo.name} has a raw SLI: say which series to synthesise.`);
  const out = [{ series: raw.total.trim(), values: counter(RATE) }];
  if (slo.sli.bad) {
    if (!raw.bad) throw new Error(`SLO ${slo.service}/${slo.name}: the raw series need \`bad\`.`);
    out.push({ series: raw.bad.trim(), values: counter(bad) });
  } else {
    if (!raw.good) throw new Error(`SLO ${slo.service}/${slo.name}: the raw series need \`good\`.`);
    out.push({ series: raw.good.trim(), values: counter(good) });
  }
  return out;
}

/** A `promtool test rules` file for one SLO's rule file. */
export function promtoolTests(slo: RuleSlo, ruleFile: string, options: RuleOptions & { raw?: RawSeries } = {}): string {
  const labels = sloLabels(slo);
  const alertLabels = (severity: "page" | "ticket") => ({ ...labels, severity, automation: slo.automation });
  const tests = scenarios(slo).map((s) => ({
    name: `${slo.service}/${slo.name} (${slo.window}, ${slo.objective}%): ${s.name} at an error ratio of ${s.errorRatio}`,
    interval: "1m",
    input_series: inputSeries(slo, s.errorRatio, options.raw),
    // The recorded ratio equals the input ratio, in millionths (rate() leaves float noise).
    promql_expr_test: ["5m", "1h", "3d"].map((w) => ({
      expr: `round(${recordName(w)}{slo_id=${JSON.stringify(slo.id)}} * 1000000)`,
      eval_time: EVAL,
      exp_samples: [{ labels: series("", labels), value: Math.round(s.errorRatio * 1e6) }],
    })),
    alert_rule_test: slo.alerting
      ? [
          {
            eval_time: EVAL,
            alertname: ALERT_NAME,
            exp_alerts: s.expect.map((severity) => ({ exp_labels: alertLabels(severity), exp_annotations: alertAnnotations(slo, severity, options) })),
          },
        ]
      : [],
  }));
  return YAML.stringify({ rule_files: [ruleFile], evaluation_interval: "1m", tests }, { lineWidth: 0, aliasDuplicateObjects: false });
}
