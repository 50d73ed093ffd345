// OpenSLO and Sloth, pure: what the files say, the OpenSLO round trip, and every refusal with its
// line and column. SLI checks (kinds, selectors, raw queries) are here too.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { ValidationError } from "../core/errors.ts";
import { parseOpenSlo, parseSloth, writeOpenSlo, type ExportedSlo, type ImportIssue } from "./formats.ts";
import { sliIssues } from "./sli.ts";

const FIXTURES = path.resolve(import.meta.dirname, "../../tests/fixtures/slos");
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), "utf8");

function refusal(fn: () => unknown): { message: string; issues: ImportIssue[] } {
  try {
    fn();
  } catch (e) {
    const err = e as ValidationError;
    return { message: err.message, issues: (err.details as { issues: ImportIssue[] }).issues };
  }
  throw new Error("expected a refusal");
}

describe("OpenSLO v1", () => {
  it("reads kind: SLO documents with inline ratio indicators and ignores the rest", () => {
    const parsed = parseOpenSlo(fixture("openslo.yaml"));
    expect(parsed.ignored).toEqual([{ document: "document 1", reason: "Service documents are not imported (only kind: SLO, with its indicator inline)" }]);
    expect(parsed.slos).toMatchObject([
      {
        service: "ledger",
        name: "ledger-availability",
        displayName: "Ledger availability",
        kind: "availability",
        objective: 99.95,
        window: "28d",
        sli: { source: "raw", bad: 'sum(rate(ledger_writes_total{job="ledger",outcome="error"}[{{.window}}]))', total: 'sum(rate(ledger_writes_total{job="ledger"}[{{.window}}]))' },
      },
      {
        name: "ledger-read-latency",
        kind: "latency",
        objective: 99,
        window: "7d",
        // Bare counters are wrapped, so that each alert window has its rate.
        sli: { source: "raw", good: 'sum(rate(ledger_read_duration_seconds_bucket{job="ledger",le="0.25"}[{{.window}}]))', total: 'sum(rate(ledger_read_duration_seconds_count{job="ledger"}[{{.window}}]))' },
      },
    ]);
  });

  it("round-trips: export, import, export give the same SLOs and the same text", () => {
    const slos: ExportedSlo[] = [
      {
        service: "checkout-web",
        name: "availability",
        displayName: "Checkout availability",
        description: "Checkout answers without 5xx.",
        kind: "availability",
        objective: 99.9,
        window: "30d",
        sli: { source: "http", selector: 'route="/checkout"', errorCodes: "5..|429" },
        environment: "production",
        alerting: true,
        automation: "auto-rollback",
        ownerTeam: "storefront",
      },
      {
        service: "checkout-web",
        name: "latency",
        displayName: "",
        description: "",
        kind: "latency",
        objective: 99,
        window: "7d",
        sli: { source: "http", selector: "", thresholdSeconds: 0.3 },
        environment: "staging",
        alerting: false,
        automation: "none",
        ownerTeam: "platform",
      },
      {
        service: "ledger",
        name: "writes",
        displayName: "",
        description: "",
        kind: "availability",
        objective: 99.95,
        window: "28d",
        sli: { source: "raw", bad: 'sum(rate(e_total[{{.window}}]))', total: "sum(rate(t_total[{{.window}}]))" },
        environment: "production",
        alerting: true,
        automation: "restart",
        ownerTeam: "payments",
      },
    ];
    const text = writeOpenSlo(slos);
    expect(text).toContain("apiVersion: openslo/v1");
    expect(text).toContain('query: sum(rate(http_requests_total{service="checkout-web",environment="production",code=~"5..|429",route="/checkout"}[{{.window}}]))');
    const back = parseOpenSlo(text);
    expect(back.ignored).toEqual([]);
    expect(back.slos.map(({ where: _w, line: _l, ...s }) => s)).toEqual(slos.map((s) => ({ ...s, ...(s.displayName ? {} : { displayName: undefined }), ...(s.description ? {} : { description: undefined }) })).map((s) => JSON.parse(JSON.stringify(s))));
    expect(writeOpenSlo(back.slos.map((s) => ({ displayName: "", description: "", environment: "production", alerting: true, automation: "none", ownerTeam: "", ...s }) as ExportedSlo))).toBe(text);
  });

  it("refuses invalid PromQL with the parser's message at its line and column in the file", () => {
    const text = fixture("openslo.yaml").replace('outcome="error"}[{{.window}}]))', 'outcome="error"}[{{.window}}])');
    const { message, issues } = refusal(() => parseOpenSlo(text));
    expect(message).toMatch(/^Invalid OpenSLO file: document 2\.spec\.indicator\.spec\.ratioMetric\.bad\.metricSource\.spec\.query \(line 28, column \d+\): Invalid PromQL at line 1, column \d+: unclosed left parenthesis/);
    expect(issues[0]).toMatchObject({ code: "promql", line: 28 });
    // The column points into the query text on that line of the file.
    const line = text.split("\n")[27]!;
    expect(line.slice(issues[0]!.column! - 1)).toBe("");
  });

  it("refuses YAML that does not parse, with its line and column", () => {
    const { message, issues } = refusal(() => parseOpenSlo("apiVersion: openslo/v1\nkind: SLO\nmetadata: [\n"));
    expect(message).toMatch(/^The YAML does not parse at line \d+, column \d+/);
    expect(issues[0]).toMatchObject({ code: "yaml", line: expect.any(Number), column: expect.any(Number) });
  });

  it("refuses what Paved cannot keep, each with its position", () => {
    const doc = (spec: string) => `apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: x\nspec:\n  service: ledger\n${spec}`;
    const indicator = "  indicator:\n    spec:\n      ratioMetric:\n        bad: {metricSource: {type: Prometheus, spec: {query: 'sum(rate(e[{{.window}}]))'}}}\n        total: {metricSource: {type: Prometheus, spec: {query: 'sum(rate(t[{{.window}}]))'}}}\n";
    const objectives = "  objectives:\n    - target: 0.99\n";
    expect(refusal(() => parseOpenSlo(doc(`${indicator}  timeWindow:\n    - duration: 90d\n      isRolling: true\n${objectives}`))).issues[0]).toMatchObject({
      path: ["document 1", "spec", "timeWindow", 0, "duration"],
      message: "The window must be one of 7d, 28d, 30d (or 1w, 4w), not 90d.",
      line: 13,
    });
    expect(refusal(() => parseOpenSlo(doc(`${indicator}  timeWindow:\n    - duration: 30d\n  budgetingMethod: Timeslices\n${objectives}`))).issues[0]!.message).toMatch(/Occurrences/);
    expect(refusal(() => parseOpenSlo(doc(`  indicatorRef: my-sli\n  timeWindow:\n    - duration: 30d\n${objectives}`))).issues[0]!.message).toMatch(/inline/);
    expect(refusal(() => parseOpenSlo(doc(`${indicator.replace(/Prometheus/g, "Datadog")}  timeWindow:\n    - duration: 30d\n${objectives}`))).issues[0]!.message).toMatch(/Only Prometheus/);
    expect(refusal(() => parseOpenSlo(doc(`${indicator}  timeWindow:\n    - duration: 30d\n  objectives:\n    - target: 1.5\n`))).issues[0]!.path).toEqual(["document 1", "spec", "objectives", 0, "target"]);
    expect(refusal(() => parseOpenSlo("apiVersion: openslo/v2alpha\nkind: SLO\n")).issues[0]!.message).toBe("Only openslo/v1 is supported, not openslo/v2alpha.");
  });
});

describe("Sloth prometheus/v1", () => {
  it("reads the service's SLOs with error and total queries", () => {
    const parsed = parseSloth(fixture("sloth.yaml"));
    expect(parsed.slos).toMatchObject([
      { service: "payments-gateway", name: "requests-availability", kind: "availability", objective: 99.9, window: "30d", alerting: true, sli: { source: "raw", bad: expect.stringContaining('code=~"(5..|429)"'), total: expect.any(String) } },
      { name: "requests-latency", kind: "latency", objective: 99, alerting: false },
    ]);
  });

  it("refuses specs it cannot map, with positions", () => {
    const spec = (slo: string) => `version: "prometheus/v1"\nservice: ledger\nslos:\n${slo}`;
    expect(refusal(() => parseSloth(spec("  - name: a\n    objective: 99\n    sli:\n      raw:\n        error_ratio_query: x\n"))).issues[0]).toMatchObject({ path: ["slos", 0, "sli"], line: 6 });
    expect(refusal(() => parseSloth(spec("  - name: a\n    objective: 100\n    sli: {events: {error_query: 'sum(rate(e[{{.window}}]))', total_query: 'sum(rate(t[{{.window}}]))'}}\n"))).issues[0]).toMatchObject({ path: ["slos", 0, "objective"], line: 5 });
    const bad = refusal(() => parseSloth(spec("  - name: a\n    objective: 99\n    sli:\n      events:\n        error_query: sum(rate(e[{{.window}}])) +\n        total_query: sum(rate(t[{{.window}}]))\n")));
    expect(bad.issues[0]).toMatchObject({ path: ["slos", 0, "sli", "events", "error_query"], line: 8, code: "promql" });
    expect(bad.issues[0]!.message).toMatch(/unexpected end of input/);
    expect(refusal(() => parseSloth('version: "prometheus/v2"\nservice: x\nslos: []\n')).issues[0]!.path).toEqual(["version"]);
  });
});

describe("sliIssues", () => {
  it("wants a threshold for latency, and none for availability", () => {
    expect(sliIssues("latency", { source: "http", selector: "" })).toMatchObject([{ path: ["sli", "thresholdSeconds"] }]);
    expect(sliIssues("availability", { source: "http", selector: "", thresholdSeconds: 0.3 })).toMatchObject([{ path: ["sli", "thresholdSeconds"] }]);
    expect(sliIssues("latency", { source: "http", selector: "", thresholdSeconds: 0.3 })).toEqual([]);
  });

  it("checks selectors and error codes as PromQL, and keeps service and environment Paved's", () => {
    expect(sliIssues("availability", { source: "http", selector: 'route="/a",method!="OPTIONS"' })).toEqual([]);
    expect(sliIssues("availability", { source: "http", selector: 'route="/a' })[0]).toMatchObject({ path: ["sli", "selector"], code: "promql" });
    expect(sliIssues("availability", { source: "http", selector: 'service="other"' })[0]!.message).toMatch(/must not set service/);
    expect(sliIssues("latency", { source: "http", selector: 'le="1"', thresholdSeconds: 1 })[0]!.message).toMatch(/must not set le/);
    expect(sliIssues("availability", { source: "http", selector: "", errorCodes: "5.(" })[0]).toMatchObject({ path: ["sli", "errorCodes"] });
  });

  it("wants good or bad with total, each with {{.window}} and valid PromQL", () => {
    expect(sliIssues("availability", { source: "raw", total: "sum(rate(t[{{.window}}]))" })[0]!.message).toMatch(/either `good` or `bad`/);
    expect(sliIssues("availability", { source: "raw", bad: "sum(rate(e[5m]))", total: "sum(rate(t[{{.window}}]))" })[0]).toMatchObject({ path: ["sli", "bad"], message: expect.stringMatching(/\{\{\.window\}\}/) });
    expect(sliIssues("availability", { source: "raw", bad: "sum(rate(e[{{.window}}]))", total: "sum(t[{{.window}}])" })).toMatchObject([{ path: ["sli", "total"], code: "promql" }]);
    const issue = sliIssues("availability", { source: "raw", bad: "sum(rate(e[{{.window}}])) by", total: "sum(rate(t[{{.window}}]))" })[0];
    expect(issue).toMatchObject({ path: ["sli", "bad"], line: 1, column: 29 });
  });
});

describe("hostile YAML", () => {
  it("refuses an alias to nothing and an alias bomb as bad input in both formats, not as a crash", () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 12; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(",")}]`);
    for (const text of ["<<: *undefined", bomb.join("\n")]) {
      for (const parse of [parseOpenSlo, parseSloth]) {
        let thrown: unknown;
        try {
          parse(text);
        } catch (e) {
          thrown = e;
        }
        expect((thrown as ValidationError).code, String(thrown)).toBe("invalid_input");
      }
    }
  });
});
