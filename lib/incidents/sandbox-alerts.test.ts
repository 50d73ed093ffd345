// The sandbox's alert evaluation, pure parts: compressed windows (and that the sandbox's PromQL
// accepts them), Alertmanager's fingerprint, the labels of the generated alert, the burn-rate
// conditions (checked against the generated alert expression itself, evaluated by the sandbox's
// PromQL evaluator over recorded-series values), what changes between two evaluations, the
// webhook bodies, and when the evaluation runs at all.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseEnv } from "../core/env.ts";
import { evaluate, parsePromQL, type SeriesProvider } from "../metrics/promql.ts";
import { alertAnnotations, burnRateRules, errorBudget, recordName, sloRuleGroups, type AlertingRule, type RuleSlo } from "../slos/rules.ts";
import { RULE_WINDOWS, type RuleWindow, type SloWindow } from "../slos/schemas.ts";
import {
  SANDBOX_ALERTS_INTERVAL_MS,
  SANDBOX_ALERTS_RECEIVER,
  alertChanges,
  alertFingerprint,
  burnState,
  compressedWindow,
  errorRatioQuery,
  evaluationSlot,
  nextSlot,
  sandboxAlertOf,
  sandboxAlertsMode,
  webhookBodies,
  type EvaluatedAlert,
  type OpenAlert,
  type WindowAnswer,
} from "./sandbox-alerts.ts";
import { AlertmanagerWebhookBody } from "./schemas.ts";

const SLO: RuleSlo = {
  id: "0b6c1f5e-1234-4abc-9def-0123456789ab",
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

const NOW = new Date("2026-11-27T12:00:00.000Z");

describe("compressed windows", () => {
  it("divide every alert window by the factor: 60 gives 1 h → 60 s and 5 m → 5 s", () => {
    expect(RULE_WINDOWS.map((w) => compressedWindow(w, 60))).toEqual(["5s", "30s", "60s", "120s", "360s", "1440s", "4320s"]);
    expect(compressedWindow("1h", 1)).toBe("3600s");
    expect(compressedWindow("5m", 7)).toBe("42857ms");
    expect(compressedWindow("5m", 1440)).toBe("208ms");
  });

  it("give SLI queries the sandbox's PromQL subset accepts, for HTTP and raw SLIs", () => {
    const latency: RuleSlo = { ...SLO, kind: "latency", sli: { source: "http", selector: 'route="/pay"', thresholdSeconds: 0.3 } };
    const raw: RuleSlo = {
      ...SLO,
      sli: { source: "raw", bad: 'sum(rate(http_requests_total{service="ledger",code=~"5.."}[{{ .window }}]))', total: 'sum(rate(http_requests_total{service="ledger"}[{{.window}}]))' },
    };
    for (const slo of [SLO, latency, raw]) {
      for (const factor of [1, 7, 60, 1440]) {
        for (const w of RULE_WINDOWS) {
          const query = errorRatioQuery(slo, w, factor);
          expect(query).toContain(`[${compressedWindow(w, factor)}]`);
          expect(query).not.toContain("{{");
          expect(() => parsePromQL(query), query).not.toThrow();
        }
      }
    }
    expect(errorRatioQuery(SLO, "1h", 60)).toBe(
      '(sum(rate(http_requests_total{service="checkout-web",environment="production",code=~"5.."}[60s])) or vector(0)) / (sum(rate(http_requests_total{service="checkout-web",environment="production"}[60s])))',
    );
  });
});

describe("the fingerprint", () => {
  it("is Alertmanager's own (values read from a real Alertmanager 0.25's GET /api/v2/alerts)", () => {
    expect(
      alertFingerprint({ alertname: "SloErrorBudgetBurn", service: "checkout-web", slo: "availability", severity: "page", automation: "auto-rollback", environment: "production", slo_id: "0b6c1f5e-1234-4abc-9def-0123456789ab" }),
    ).toBe("a69caf2310d706c2");
    expect(alertFingerprint({ a: "b" })).toBe("d2b371819297f98a");
    expect(alertFingerprint({ alertname: "x", k: "ü" })).toBe("41d9c6f8ffcc0e88");
  });

  it("depends on the label set only, not on its order; any label changes it", () => {
    const labels = sandboxAlertOf(SLO, "page").labels;
    const reversed = Object.fromEntries(Object.entries(labels).reverse());
    expect(alertFingerprint(reversed)).toBe(alertFingerprint(labels));
    expect(alertFingerprint({ ...labels, severity: "ticket" })).not.toBe(alertFingerprint(labels));
    expect(alertFingerprint(labels)).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe("the alert's labels", () => {
  it("are exactly the generated rule's: alertname, the recorded series' labels, severity and automation", () => {
    const page = sandboxAlertOf(SLO, "page");
    expect(page.labels).toEqual({ alertname: "SloErrorBudgetBurn", slo_id: SLO.id, service: "checkout-web", slo: "availability", environment: "production", severity: "page", automation: "auto-rollback" });
    const generated = sloRuleGroups(SLO)[0]!.rules.filter((r): r is AlertingRule => "alert" in r);
    for (const severity of ["page", "ticket"] as const) {
      const rule = generated.find((r) => r.labels.severity === severity)!;
      const alert = sandboxAlertOf(SLO, severity, { baseUrl: "https://paved.example.com" });
      expect(alert.labels).toMatchObject(rule.labels);
      expect(alert.annotations).toEqual(alertAnnotations(SLO, severity, { baseUrl: "https://paved.example.com" }));
      expect(alert.generatorURL).toBe(`https://paved.example.com/slos/${SLO.id}`);
    }
  });

  it("do not depend on whether alerting is on (an SLO that stops alerting resolves the same alert)", () => {
    expect(sandboxAlertOf({ ...SLO, alerting: false }, "ticket").labels).toEqual(sandboxAlertOf(SLO, "ticket").labels);
  });
});

const answers = (ratios: Partial<Record<RuleWindow, number | null>>): Map<RuleWindow, WindowAnswer> =>
  new Map(RULE_WINDOWS.map((w) => [w, { ok: true, samples: ratios[w] === null || ratios[w] === undefined ? [] : [{ labels: {}, value: ratios[w]! }] }]));

/** The generated alert expression of a severity, evaluated by the sandbox's PromQL over recorded-series values. */
function generatedFires(slo: RuleSlo, severity: "page" | "ticket", ratios: Partial<Record<RuleWindow, number | null>>): boolean {
  const rule = sloRuleGroups(slo)[0]!.rules.find((r): r is AlertingRule => "alert" in r && r.labels.severity === severity)!;
  const provider: SeriesProvider = {
    select(name, matchers) {
      const window = RULE_WINDOWS.find((w) => recordName(w) === name);
      const value = window ? ratios[window] : undefined;
      if (value === undefined || value === null) return [];
      const labels = { __name__: name, slo_id: slo.id, service: slo.service, slo: slo.name, environment: slo.environment };
      return matchers.every((m) => m.op === "=" && labels[m.label as keyof typeof labels] === m.value) ? [{ labels, value, origin: 0 }] : [];
    },
  };
  const value = evaluate(parsePromQL(rule.expr), NOW.getTime(), provider, rule.expr);
  return value.kind === "vector" && value.samples.length > 0;
}

describe("the burn-rate conditions", () => {
  it("page on a quarter of requests failing, with both windows of a pair above the threshold", () => {
    const burning = answers({ "5m": 0.25, "30m": 0.25, "1h": 0.06, "6h": 0.01, "2h": 0.03, "1d": 0.0026, "3d": 0.0009 });
    expect(burnState(SLO, "page", burning)).toEqual({ state: "firing" });
    // Not yet a ticket: 3 × 0.001 over 1 d and 1 × 0.001 over 3 d are not reached.
    expect(burnState(SLO, "ticket", burning)).toEqual({ state: "ok" });
    // The long window alone is not enough (14.4 × 0.001 = 0.0144): recovery resolves at once.
    const recovered = answers({ "5m": 0.0001, "30m": 0.005, "1h": 0.2, "6h": 0.03, "2h": 0.1, "1d": 0.01, "3d": 0.004 });
    expect(burnState(SLO, "page", recovered)).toEqual({ state: "ok" });
    expect(burnState(SLO, "ticket", recovered)).toEqual({ state: "firing" });
  });

  it("say ticket only for a steady, slow burn", () => {
    const slow = answers({ "5m": 0.002, "30m": 0.002, "1h": 0.002, "2h": 0.002, "6h": 0.002, "1d": 0.002, "3d": 0.002 });
    expect(burnState(SLO, "page", slow)).toEqual({ state: "ok" });
    expect(burnState(SLO, "ticket", slow)).toEqual({ state: "firing" });
  });

  it("treat no data and NaN (no traffic) as not burning, and a failed query as unknown", () => {
    expect(burnState(SLO, "page", answers({}))).toEqual({ state: "ok" });
    expect(burnState(SLO, "page", answers({ "5m": NaN, "1h": NaN, "30m": NaN, "6h": NaN }))).toEqual({ state: "ok" });
    const failed = answers({ "5m": 0.25, "1h": 0.25 });
    failed.set("30m", { ok: false, error: "The sandbox's metrics cannot be read: boom" });
    // One pair holds: the alert fires whatever the other says.
    expect(burnState(SLO, "page", failed)).toEqual({ state: "firing" });
    const unknown = answers({});
    unknown.set("5m", { ok: false, error: "boom" });
    expect(burnState(SLO, "page", unknown)).toEqual({ state: "unknown", reason: "5m: boom" });
    expect(burnState(SLO, "ticket", unknown)).toEqual({ state: "ok" });
  });

  it("match windows by their labels, as the generated `and` does", () => {
    const ratios = new Map<RuleWindow, WindowAnswer>(RULE_WINDOWS.map((w) => [w, { ok: true, samples: [] }]));
    ratios.set("1h", { ok: true, samples: [{ labels: { route: "/a" }, value: 0.5 }, { labels: { route: "/b" }, value: 0 }] });
    ratios.set("5m", { ok: true, samples: [{ labels: { route: "/b" }, value: 0.5 }] });
    expect(burnState(SLO, "page", ratios)).toEqual({ state: "ok" });
    ratios.set("5m", { ok: true, samples: [{ labels: { route: "/a" }, value: 0.5 }] });
    expect(burnState(SLO, "page", ratios)).toEqual({ state: "firing" });
  });

  it("are the generated alert expressions' own, for every window, objective and ratio", () => {
    const ratio = fc.oneof(fc.constant(null), fc.constantFrom(0, 0.0001, 0.001, 0.0144, 0.006, 0.003, 0.25, 1), fc.double({ min: 0, max: 0.05, noNaN: true }));
    fc.assert(
      fc.property(
        fc.constantFrom<SloWindow>("7d", "28d", "30d"),
        fc.constantFrom(90, 95, 99, 99.5, 99.9, 99.95, 99.99),
        fc.record(Object.fromEntries(RULE_WINDOWS.map((w) => [w, ratio])) as Record<RuleWindow, typeof ratio>),
        (window, objective, ratios) => {
          const slo = { ...SLO, window, objective };
          for (const severity of ["page", "ticket"] as const) {
            expect(burnState(slo, severity, answers(ratios)).state === "firing").toBe(generatedFires(slo, severity, ratios));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("fire just above a pair's threshold and not at it (the rules compare with >)", () => {
    for (const window of ["7d", "28d", "30d"] as const) {
      const slo = { ...SLO, window };
      for (const rule of burnRateRules(window)) {
        const threshold = rule.factor * errorBudget(slo.objective);
        const at = answers({ [rule.long]: threshold, [rule.short]: threshold });
        const above = answers({ [rule.long]: threshold * 1.0001, [rule.short]: threshold * 1.0001 });
        expect(burnState(slo, rule.severity, at).state).toBe("ok");
        expect(burnState(slo, rule.severity, above).state).toBe("firing");
      }
    }
  });
});

const evaluated = (severity: "page" | "ticket", state: EvaluatedAlert["state"], slo: RuleSlo = SLO): EvaluatedAlert => {
  const alert = sandboxAlertOf(slo, severity);
  return { ...alert, fingerprint: alertFingerprint(alert.labels), state };
};
const openOf = (e: EvaluatedAlert, startsAt: Date): OpenAlert => ({ fingerprint: e.fingerprint, startsAt, labels: e.labels, annotations: e.annotations, generatorURL: e.generatorURL });
const ZERO = "0001-01-01T00:00:00Z";

describe("what changes between evaluations", () => {
  const page = evaluated("page", "firing");
  const earlier = new Date(NOW.getTime() - 40_000);

  it("a newly firing alert starts now; one already firing sends nothing and keeps its start", () => {
    expect(alertChanges([page, evaluated("ticket", "ok")], [], NOW)).toEqual([
      { status: "firing", labels: page.labels, annotations: page.annotations, startsAt: NOW.toISOString(), endsAt: ZERO, generatorURL: page.generatorURL, fingerprint: page.fingerprint },
    ]);
    expect(alertChanges([page], [openOf(page, earlier)], NOW)).toEqual([]);
  });

  it("resolves with its own start and ends now when the condition stops holding", () => {
    const ok = evaluated("page", "ok");
    expect(alertChanges([ok], [openOf(ok, earlier)], NOW)).toEqual([
      { status: "resolved", labels: ok.labels, annotations: ok.annotations, startsAt: earlier.toISOString(), endsAt: NOW.toISOString(), generatorURL: ok.generatorURL, fingerprint: ok.fingerprint },
    ]);
  });

  it("leaves an alert as it is while its queries fail", () => {
    const unknown = evaluated("page", "unknown");
    expect(alertChanges([unknown], [openOf(unknown, earlier)], NOW)).toEqual([]);
    expect(alertChanges([unknown], [], NOW)).toEqual([]);
  });

  it("resolves alerts whose SLO is gone or no longer alerts, and older starts of the same alert", () => {
    const gone = evaluated("page", "firing", { ...SLO, id: "9d1f0c3a-0000-4000-8000-000000000000" });
    const older = new Date(earlier.getTime() - 60_000);
    const changes = alertChanges([page], [openOf(gone, earlier), openOf(page, earlier), openOf(page, older)], NOW);
    expect(changes.map((c) => [c.status, c.fingerprint, c.startsAt])).toEqual([
      ["resolved", gone.fingerprint, earlier.toISOString()],
      ["resolved", page.fingerprint, older.toISOString()],
    ]);
  });

  it("never ends an alert before it started", () => {
    const ok = evaluated("page", "ok");
    const later = new Date(NOW.getTime() + 5_000);
    expect(alertChanges([ok], [openOf(ok, later)], NOW)[0]!.endsAt).toBe(later.toISOString());
  });
});

describe("the webhook bodies", () => {
  it("are Alertmanager's version 4, from the sandbox's receiver, grouped by alertname", () => {
    const firing = alertChanges([evaluated("page", "firing"), evaluated("ticket", "firing")], [], NOW);
    const [body, ...rest] = webhookBodies(firing);
    expect(rest).toEqual([]);
    expect(AlertmanagerWebhookBody.parse(body)).toEqual(body);
    expect(body).toMatchObject({ version: "4", status: "firing", receiver: SANDBOX_ALERTS_RECEIVER, groupLabels: { alertname: "SloErrorBudgetBurn" }, truncatedAlerts: 0 });
    expect(body!.commonLabels).toEqual({ alertname: "SloErrorBudgetBurn", slo_id: SLO.id, service: "checkout-web", slo: "availability", environment: "production", automation: "auto-rollback" });
    const ok = evaluated("page", "ok");
    expect(webhookBodies(alertChanges([ok], [openOf(ok, NOW)], NOW))[0]!.status).toBe("resolved");
    expect(webhookBodies([])).toEqual([]);
  });

  it("hold at most 1,000 alerts each", () => {
    const many = Array.from({ length: 2001 }, (_, i) => alertChanges([evaluated("page", "firing", { ...SLO, name: `slo-${i}` })], [], NOW)[0]!);
    const bodies = webhookBodies(many);
    expect(bodies.map((b) => b.alerts.length)).toEqual([1000, 1000, 1]);
    for (const b of bodies) expect(() => AlertmanagerWebhookBody.parse(b)).not.toThrow();
  });
});

describe("when it runs", () => {
  it("only over the sandbox's metrics and while no Alertmanager is configured", () => {
    const sandbox = parseEnv({ PAVED_SANDBOX: "true" });
    expect(sandboxAlertsMode(sandbox, "sandbox")).toEqual({ active: true });
    expect(sandboxAlertsMode(sandbox, "prometheus")).toMatchObject({ active: false, reason: expect.stringContaining("PROMETHEUS_URL") });
    expect(sandboxAlertsMode(parseEnv({ PAVED_SANDBOX: "true", ALERTMANAGER_WEBHOOK_TOKEN: "s3cret" }), "sandbox")).toMatchObject({ active: false, reason: expect.stringContaining("ALERTMANAGER_WEBHOOK_TOKEN") });
    expect(sandboxAlertsMode(parseEnv({ ALERTMANAGER_WEBHOOK_USERNAME: "am", ALERTMANAGER_WEBHOOK_PASSWORD: "pw" }), "sandbox")).toMatchObject({ active: false });
    expect(sandboxAlertsMode(sandbox, "sandbox", false)).toMatchObject({ active: false, reason: expect.stringContaining("Argo CD") });
  });

  it("evaluates at the start of each 10-second slot, and the next run waits for the next slot", () => {
    expect(SANDBOX_ALERTS_INTERVAL_MS).toBe(10_000);
    expect(evaluationSlot(Date.parse("2026-11-27T12:00:07.900Z")).toISOString()).toBe("2026-11-27T12:00:00.000Z");
    expect(evaluationSlot(Date.parse("2026-11-27T12:00:10.000Z")).toISOString()).toBe("2026-11-27T12:00:10.000Z");
    const next = nextSlot(Date.parse("2026-11-27T12:00:07.900Z"));
    expect(next.getTime()).toBeGreaterThanOrEqual(Date.parse("2026-11-27T12:00:10.000Z"));
    expect(next.getTime()).toBeLessThan(Date.parse("2026-11-27T12:00:10.500Z"));
  });

  it("reads its compression from PAVED_SANDBOX_ALERT_COMPRESSION (60 by default), refusing what makes no sense", () => {
    expect(parseEnv({}).sandboxAlertCompression).toBe(60);
    expect(parseEnv({ PAVED_SANDBOX_ALERT_COMPRESSION: "120" }).sandboxAlertCompression).toBe(120);
    expect(() => parseEnv({ PAVED_SANDBOX_ALERT_COMPRESSION: "0" })).toThrow(/PAVED_SANDBOX_ALERT_COMPRESSION/);
    expect(() => parseEnv({ PAVED_SANDBOX_ALERT_COMPRESSION: "fast" })).toThrow(/PAVED_SANDBOX_ALERT_COMPRESSION/);
  });
});
