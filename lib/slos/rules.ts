// Prometheus rules for SLOs, as pure functions: recording rules for the SLI's error ratio over
// every window the alerts read, and multi-window, multi-burn-rate alerts (the Google SRE
// workbook's scheme, chapter "Alerting on SLOs").
//
// For a 30-day window the workbook pages on a burn rate of 14.4× over 1 h (confirmed over 5 m)
// or 6× over 6 h (confirmed over 30 m), and opens a ticket on 3× over 1 d (2 h) or 1× over 3 d
// (6 h). Each of these pairs fires when a given share of the whole budget is being spent:
//   14.4 × 1 h / 720 h = 2 %,  6 × 6 h / 720 h = 5 %,  3 × 24 h / 720 h = 10 %,  1 × 72 h / 720 h = 10 %.
// Other windows keep those shares and the alert windows, and scale the burn rate:
//   factor = share × window / long alert window,
// so 28 d gives 13.44×, 5.6×, 2.8×, 0.933× and 7 d gives 3.36×, 1.4×, 0.7×, 0.233×. A page then
// always means "2 % of this SLO's budget went in the last hour (or 5 % in six)", whatever its window.
import YAML from "yaml";
import type { Automation, RuleWindow, SloKind, SloWindow, Sli } from "./schemas.ts";
import { sliQueries } from "./sli.ts";

export const WINDOW_HOURS: Record<RuleWindow | SloWindow, number> = {
  "5m": 5 / 60,
  "30m": 0.5,
  "1h": 1,
  "2h": 2,
  "6h": 6,
  "1d": 24,
  "3d": 72,
  "7d": 168,
  "28d": 672,
  "30d": 720,
};

export interface BurnRateRule {
  severity: "page" | "ticket";
  long: RuleWindow;
  short: RuleWindow;
  /** Share of the whole budget spent over `long` at this burn rate. */
  budgetShare: number;
  /** Multiple of the budget-exhausting error rate. */
  factor: number;
}

const SCHEME: readonly Omit<BurnRateRule, "factor">[] = [
  { severity: "page", long: "1h", short: "5m", budgetShare: 0.02 },
  { severity: "page", long: "6h", short: "30m", budgetShare: 0.05 },
  { severity: "ticket", long: "1d", short: "2h", budgetShare: 0.1 },
  { severity: "ticket", long: "3d", short: "6h", budgetShare: 0.1 },
];

/** Rounds away float noise (1 − 0.999 = 0.0010000000000000009). */
export const tidy = (n: number) => Number.parseFloat(n.toPrecision(12));

/** The burn-rate conditions for a window: 30 d gives the workbook's 14.4 / 6 / 3 / 1. */
export function burnRateRules(window: SloWindow): BurnRateRule[] {
  return SCHEME.map((r) => ({ ...r, factor: tidy((r.budgetShare * WINDOW_HOURS[window]) / WINDOW_HOURS[r.long]) }));
}

/** The error budget as a ratio of events: 99.9 → 0.001. */
export function errorBudget(objective: number): number {
  return tidy((100 - objective) / 100);
}

/** The windows recorded for an SLO: the alert windows and its own. */
export function recordedWindows(window: SloWindow): (RuleWindow | SloWindow)[] {
  return ["5m", "30m", "1h", "2h", "6h", "1d", "3d", window];
}

export const recordName = (window: string) => `slo:sli_error:ratio_rate${window}`;
export const ALERT_NAME = "SloErrorBudgetBurn";

export interface RuleSlo {
  id: string;
  name: string;
  displayName?: string;
  service: string;
  kind: SloKind;
  objective: number;
  window: SloWindow;
  sli: Sli;
  environment: string;
  alerting: boolean;
  automation: Automation;
}

export interface RuleOptions {
  /** Paved's public URL, for the link to the SLO page; without it the link is a path. */
  baseUrl?: string;
}

export interface RecordingRule {
  record: string;
  expr: string;
  labels: Record<string, string>;
}
export interface AlertingRule {
  alert: string;
  expr: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
export interface RuleGroup {
  name: string;
  interval?: string;
  rules: (RecordingRule | AlertingRule)[];
}

/** The labels every series of an SLO carries: enough to select it and to say what it is. */
export function sloLabels(slo: Pick<RuleSlo, "id" | "name" | "service" | "environment">): Record<string, string> {
  return { slo_id: slo.id, service: slo.service, slo: slo.name, environment: slo.environment };
}

/** A selector of the SLO's recorded series, e.g. `slo:sli_error:ratio_rate1h{slo_id="…"}`. */
export function recordedSeries(slo: Pick<RuleSlo, "id">, window: string): string {
  return `${recordName(window)}{slo_id=${JSON.stringify(slo.id)}}`;
}

const percent = (n: number) => `${tidy(n * 100)}%`;

export function sloUrl(slo: Pick<RuleSlo, "id">, options: RuleOptions = {}): string {
  return `${(options.baseUrl ?? "").replace(/\/+$/, "")}/slos/${slo.id}`;
}

export function alertAnnotations(slo: RuleSlo, severity: "page" | "ticket", options: RuleOptions = {}): Record<string, string> {
  const rules = burnRateRules(slo.window).filter((r) => r.severity === severity);
  const label = slo.displayName || `${slo.service} ${slo.name}`;
  const how = rules.map((r) => `${r.factor}× over ${r.long} and ${r.short} (${percent(r.budgetShare)} of the budget in ${r.long})`).join(", or ");
  return {
    summary: `${label}: the error budget is burning ${severity === "page" ? "fast" : "steadily"} (${slo.objective}% over ${slo.window})`,
    description: `The ${slo.kind} SLO "${slo.name}" of ${slo.service} in ${slo.environment} is spending its ${slo.window} error budget (${percent(errorBudget(slo.objective))} of events) at a burn rate of at least ${how}.${
      severity === "page" && slo.automation !== "none" ? ` Self-healing: ${slo.automation}.` : ""
    }`,
    slo_url: sloUrl(slo, options),
  };
}

/** The rule groups of one SLO: its SLI over every window (and its alerts), then its own window every 5 minutes. */
export function sloRuleGroups(slo: RuleSlo, options: RuleOptions = {}): RuleGroup[] {
  const labels = sloLabels(slo);
  const budget = errorBudget(slo.objective);
  const shortWindows = recordedWindows(slo.window).filter((w) => w !== slo.window);
  const rules: (RecordingRule | AlertingRule)[] = shortWindows.map((w) => ({ record: recordName(w), expr: sliQueries(slo, w).errorRatio, labels }));
  if (slo.alerting) {
    for (const severity of ["page", "ticket"] as const) {
      const conditions = burnRateRules(slo.window)
        .filter((r) => r.severity === severity)
        .map((r) => `(${recordedSeries(slo, r.long)} > (${r.factor} * ${budget}) and ${recordedSeries(slo, r.short)} > (${r.factor} * ${budget}))`);
      rules.push({
        alert: ALERT_NAME,
        expr: conditions.join("\nor\n"),
        labels: { service: slo.service, slo: slo.name, severity, automation: slo.automation },
        annotations: alertAnnotations(slo, severity, options),
      });
    }
  }
  const group = `slo:${slo.service}:${slo.name}`;
  return [
    { name: group, rules },
    {
      // The SLO's own window reads up to 30 days of samples: every 5 minutes is plenty.
      name: `${group}:${slo.window}`,
      interval: "5m",
      rules: [
        { record: recordName(slo.window), expr: sliQueries(slo, slo.window).errorRatio, labels },
        { record: "slo:objective:ratio", expr: `vector(${tidy(slo.objective / 100)})`, labels },
        { record: "slo:error_budget:ratio", expr: `vector(${budget})`, labels },
        { record: "slo:error_budget_remaining:ratio", expr: `1 - (${recordedSeries(slo, slo.window)} / ${budget})`, labels },
      ],
    },
  ];
}

/** A Prometheus rule file (`rule_files:`) for these SLOs, with a header saying where it came from. */
export function rulesFile(slos: readonly RuleSlo[], options: RuleOptions & { header?: string } = {}): string {
  const groups = slos.flatMap((s) => sloRuleGroups(s, options));
  const body = YAML.stringify({ groups }, { lineWidth: 0, blockQuote: "literal", aliasDuplicateObjects: false });
  const header = options.header ?? "Generated by Paved from its SLO definitions; do not edit by hand.";
  return `${header
    .split("\n")
    .map((l) => `# ${l}`)
    .join("\n")}\n${body}`;
}
