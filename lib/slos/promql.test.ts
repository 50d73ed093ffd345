// PromQL validation: syntax errors and the checks Prometheus' parser makes after parsing, each
// with Prometheus' wording and position; and, where promtool is installed (CI installs it), the
// same verdict and the same position as promtool on the whole corpus.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkPromql, checkSliQuery, unquote } from "./promql.ts";

/** query → null when valid, else "line:column: message". */
const CORPUS: [string, string | null][] = [
  ['sum(rate(http_requests_total{code=~"5.."}[5m]))', null],
  ["histogram_quantile(0.9, sum by (le) (rate(x_bucket[5m])))", null],
  ['sum by (job) (rate(x{a!="b"}[5m])) / ignoring(code) group_left sum by (job) (rate(y[5m]))', null],
  ["rate(x[5m:1m])", null],
  ["rate(x[5m] offset 1h)", null],
  ["x @ 1609746000", null],
  ["topk(3, x)", null],
  ['count_values("v", x)', null],
  ["round(x, 1)", null],
  ['label_join(x, "a", ",", "b", "c")', null],
  ["1 > bool 2", null],
  ["x + on(a) y", null],
  ["sum(rate(x[5m])) or vector(0)", null],
  ["scalar(x) * 2", null],
  ['x{a="b",}', null],
  ["x # a comment", null],
  ["max_over_time(x[1d:5m])", null],
  ['sum(rate(http_requests_total{code=~"5.."}[5m])', "1:47: unclosed left parenthesis"],
  ["sum(\n  rate(x[5m]\n)", "3:2: unclosed left parenthesis"],
  ["sum(rate(x[5m])) / ", "1:20: unexpected end of input"],
  ['foo{bar="baz"', "1:14: unexpected end of input inside braces"],
  ["foo bar", '1:5: unexpected identifier "bar"'],
  ['x{a=b}', '1:5: unexpected identifier "b"'],
  ["nosuchfn(x)", '1:1: unknown function with name "nosuchfn"'],
  ["rate(http_requests_total)", '1:6: expected type range vector in call to function "rate", got instant vector'],
  ["histogram_quantile(sum by (le) (rate(x_bucket[5m])))", '1:1: expected 2 argument(s) in call to "histogram_quantile", got 1'],
  ["abs(x, y)", '1:1: expected 1 argument(s) in call to "abs", got 2'],
  ["{}", "1:1: vector selector must contain at least one non-empty matcher"],
  ['{job=~".*"}', "1:1: vector selector must contain at least one non-empty matcher"],
  ["sum(x[5m])", "1:5: expected type instant vector in aggregation expression, got range vector"],
  ["topk(x)", "1:1: wrong number of arguments for aggregate expression provided, expected 2, got 1"],
  ["x[5m] + 1", "1:1: binary expression must contain only scalar and instant vector types"],
  ["1 > 2", "1:3: comparisons between scalars must use BOOL modifier"],
  ["x and 1", '1:1: set operator "and" not allowed in binary scalar expression'],
  ["-(x[5m])", "1:1: unary expression only allowed on expressions of type scalar or instant vector, got range vector"],
  ["(x)[5m]", "1:1: ranges only allowed for vector selectors"],
];

/** Where Paved's message legitimately differs from promtool 2.42's (same verdict, other wording or position). */
const WORDING_DIFFERS = new Set(["1:1: ranges only allowed for vector selectors", "1:1: unary expression only allowed on expressions of type scalar or instant vector, got range vector"]);

const format = (q: string) => {
  const r = checkPromql(q);
  return r.ok ? null : `${r.position.line}:${r.position.column}: ${r.message}`;
};

describe("checkPromql", () => {
  it.each(CORPUS)("%s", (query, expected) => {
    expect(format(query)).toBe(expected);
  });

  it("reads Sloth's {{.window}} as a duration and keeps positions exact", () => {
    expect(checkPromql('sum(rate(x{job="a"}[{{.window}}]))')).toEqual({ ok: true, type: "vector" });
    expect(format("sum(rate(x[{{.window}}])) /")).toBe("1:28: unexpected end of input");
  });

  it("refuses functions Prometheus keeps behind a feature flag, and ones it removed", () => {
    expect(format('sort_by_label(x, "a")')).toMatch(/^1:1: function "sort_by_label" is experimental/);
    expect(format("holt_winters(x[5m], 0.5, 0.5)")).toBe('1:1: unknown function with name "holt_winters"');
  });

  it("checks regexes as RE2 does", () => {
    expect(format('x{job=~"(("}')).toMatch(/^1:8: error parsing regexp: missing closing \)/);
    expect(format('x{job=~"a|b"}')).toBeNull();
  });

  it("wants an instant vector or a scalar for an SLI", () => {
    expect(checkSliQuery("x[5m]")).toMatchObject({ ok: false, message: "expected an instant vector or a scalar, got range vector" });
    expect(checkSliQuery("sum(rate(x[5m]))")).toMatchObject({ ok: true });
  });

  it("unquotes PromQL strings", () => {
    expect(unquote('"a\\"b"')).toBe('a"b');
    expect(unquote("'it\\'s'")).toBe("it's");
    expect(unquote("`raw\\n`")).toBe("raw\\n");
    expect(unquote("x")).toBeNull();
  });
});

const PROMTOOL = process.env.PAVED_TEST_PROMTOOL ?? "/usr/bin/promtool";

describe.runIf(existsSync(PROMTOOL))("against promtool (Prometheus' own parser)", () => {
  it("gives the same verdict, and the same message and position, on the corpus", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "paved-promql-"));
    try {
      for (const [query, expected] of CORPUS) {
        const file = path.join(dir, "rules.yml");
        writeFileSync(file, `groups:\n- name: c\n  rules:\n  - record: q\n    expr: ${JSON.stringify(query)}\n`);
        let promtool: string | null = null;
        try {
          execFileSync(PROMTOOL, ["check", "rules", file], { stdio: "pipe" });
        } catch (e) {
          const out = `${String((e as { stdout: Buffer }).stdout)}${String((e as { stderr: Buffer }).stderr)}`;
          promtool = /could not parse expression: (\d+:\d+): parse error: (.*)/.exec(out)?.slice(1, 3).join(": ") ?? out;
        }
        expect(promtool === null, `${query}: promtool says ${promtool}`).toBe(expected === null);
        // promtool sometimes says more after the same words ("… in label matching, expected string").
        if (expected !== null && !WORDING_DIFFERS.has(expected)) expect(promtool?.startsWith(expected), `${query}: promtool says ${promtool}`).toBe(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
