// Rule generation, pure: the workbook's burn rates for 30 days and their scaling, the recorded
// windows, labels and annotations, alerting off, and every expression valid PromQL.
// (scripts/slos-test.ts runs promtool check rules and promtool test rules on generated files.)
import YAML from "yaml";
import { describe, expect, it } from "vitest";
import { checkPromql } from "./promql.ts";
import { ALERT_NAME, burnRateRules, errorBudget, recordedWindows, rulesFile, sloRuleGroups, WINDOW_HOURS, type AlertingRule, type RecordingRule, type RuleSlo } from "./rules.ts";
import { sliQueries } from "./sli.ts";

const SLO: RuleSlo = {
  id: "0b6a3c1e-2d4f-4a5b-8c6d-7e8f9a0b1c2d",
  name: "availability",
  displayName: "Checkout availability",
  service: "checkout-web",
  kind: "availability",
  objective: 99.9,
  window: "30d",
  sli: { source: "http", selector: "" },
  environment: "production",
  alerting: true,
  automation: "auto-rollback",
};

const factors = (window: RuleSlo["window"]) => burnRateRules(window).map((r) => [r.severity, r.long, r.short, r.factor]);

describe("burn rates", () => {
  it("are the workbook's for 30 days: 14.4× (1h/5m) and 6× (6h/30m) page, 3× (1d/2h) and 1× (3d/6h) ticket", () => {
    expect(factors("30d")).toEqual([
      ["page", "1h", "5m", 14.4],
      ["page", "6h", "30m", 6],
      ["ticket", "1d", "2h", 3],
      ["ticket", "3d", "6h", 1],
    ]);
  });

  it("scale with the window so that each pair still spends the same share of the budget", () => {
    expect(factors("28d").map((f) => f[3])).toEqual([13.44, 5.6, 2.8, 0.933333333333]);
    expect(factors("7d").map((f) => f[3])).toEqual([3.36, 1.4, 0.7, 0.233333333333]);
    for (const window of ["7d", "28d", "30d"] as const) {
      for (const r of burnRateRules(window)) {
        expect((r.factor * WINDOW_HOURS[r.long]) / WINDOW_HOURS[window]).toBeCloseTo(r.budgetShare, 9);
      }
    }
  });

  it("turn objectives into budgets without float noise", () => {
    expect(errorBudget(99.9)).toBe(0.001);
    expect(errorBudget(99.95)).toBe(0.0005);
    expect(errorBudget(95)).toBe(0.05);
  });
});

describe("rule groups", () => {
  const [main, period] = sloRuleGroups(SLO, { baseUrl: "https://paved.example.com/" });
  const recordings = main!.rules.filter((r): r is RecordingRule => "record" in r);
  const alerts = main!.rules.filter((r): r is AlertingRule => "alert" in r);

  it("record the error ratio over 5m, 30m, 1h, 2h, 6h, 1d, 3d, and the SLO window every 5 minutes", () => {
    expect(recordedWindows("30d")).toEqual(["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"]);
    expect(recordings.map((r) => r.record)).toEqual(["5m", "30m", "1h", "2h", "6h", "1d", "3d"].map((w) => `slo:sli_error:ratio_rate${w}`));
    expect(period!.interval).toBe("5m");
    expect(period!.rules.map((r) => (r as RecordingRule).record)).toEqual(["slo:sli_error:ratio_rate30d", "slo:objective:ratio", "slo:error_budget:ratio", "slo:error_budget_remaining:ratio"]);
    for (const r of [...recordings, ...(period!.rules as RecordingRule[])]) {
      expect(r.labels).toEqual({ slo_id: SLO.id, service: "checkout-web", slo: "availability", environment: "production" });
    }
    expect(recordings[2]!.expr).toBe(sliQueries(SLO, "1h").errorRatio);
    expect(recordings[2]!.expr).toContain('http_requests_total{service="checkout-web",environment="production",code=~"5.."}[1h]');
  });

  it("page and ticket with the SLO's labels, and link the SLO page", () => {
    expect(alerts.map((a) => [a.alert, a.labels])).toEqual([
      [ALERT_NAME, { service: "checkout-web", slo: "availability", severity: "page", automation: "auto-rollback" }],
      [ALERT_NAME, { service: "checkout-web", slo: "availability", severity: "ticket", automation: "auto-rollback" }],
    ]);
    expect(alerts[0]!.expr).toBe(
      `(slo:sli_error:ratio_rate1h{slo_id="${SLO.id}"} > (14.4 * 0.001) and slo:sli_error:ratio_rate5m{slo_id="${SLO.id}"} > (14.4 * 0.001))\nor\n(slo:sli_error:ratio_rate6h{slo_id="${SLO.id}"} > (6 * 0.001) and slo:sli_error:ratio_rate30m{slo_id="${SLO.id}"} > (6 * 0.001))`,
    );
    expect(alerts[1]!.expr).toContain("ratio_rate3d");
    expect(alerts[0]!.annotations.slo_url).toBe(`https://paved.example.com/slos/${SLO.id}`);
    expect(alerts[0]!.annotations.summary).toContain("Checkout availability");
    expect(alerts[0]!.annotations.description).toContain("Self-healing: auto-rollback.");
    expect(alerts[1]!.annotations.description).not.toContain("Self-healing");
    expect(sloRuleGroups(SLO)[0]!.rules.find((r) => "alert" in r)).toMatchObject({ annotations: { slo_url: `/slos/${SLO.id}` } });
  });

  it("are recording rules only when alerting is off", () => {
    const [quiet] = sloRuleGroups({ ...SLO, alerting: false });
    expect(quiet!.rules.every((r) => "record" in r)).toBe(true);
    expect(quiet!.rules).toHaveLength(7);
  });

  it("are valid PromQL throughout, for every kind of SLI", () => {
    const slos: RuleSlo[] = [
      SLO,
      { ...SLO, kind: "latency", window: "7d", sli: { source: "http", selector: 'route="/pay"', thresholdSeconds: 0.3 } },
      { ...SLO, kind: "latency", window: "28d", sli: { source: "http", selector: "", thresholdSeconds: 1 } },
      { ...SLO, sli: { source: "raw", good: 'sum(rate(ok_total{job="x"}[{{.window}}]))', total: 'sum(rate(all_total{job="x"}[{{.window}}]))' } },
    ];
    for (const slo of slos) {
      for (const group of sloRuleGroups(slo)) for (const rule of group.rules) expect(checkPromql(rule.expr), rule.expr).toMatchObject({ ok: true });
    }
    expect(sliQueries(slos[2]!, "5m").good).toContain('le=~"1(\\\\.0)?"');
  });
});

describe("rulesFile", () => {
  it("writes one Prometheus rule file with a header, two groups per SLO, no YAML aliases", () => {
    const text = rulesFile([SLO, { ...SLO, id: "1b6a3c1e-2d4f-4a5b-8c6d-7e8f9a0b1c2d", name: "latency", kind: "latency", sli: { source: "http", selector: "", thresholdSeconds: 0.5 } }]);
    expect(text.startsWith("# Generated by Paved")).toBe(true);
    expect(text).not.toMatch(/[&*]a\d/);
    const parsed = YAML.parse(text) as { groups: { name: string }[] };
    expect(parsed.groups.map((g) => g.name)).toEqual(["slo:checkout-web:availability", "slo:checkout-web:availability:30d", "slo:checkout-web:latency", "slo:checkout-web:latency:30d"]);
  });
});
