// A small PromQL evaluator for the sandbox metrics source: enough of the language for the SLIs
// Paved writes over the sandbox's counters (ratios of rates, sums by label), evaluated exactly
// against counters known in closed form. Anything outside the subset is refused with a message
// saying so, never answered differently from Prometheus' meaning.
//
// The subset:
// - number literals; vector selectors `name{label="v", label!="v", label=~"re", label!~"re"}`
//   (regexes fully anchored, JavaScript syntax for what RE2 shares with it), with `offset <d>`;
// - range selectors `selector[<d>]` only inside rate() and increase() (durations ms s m h d w y,
//   combinable as in 1h30m);
// - functions rate, increase, clamp_min, clamp_max, abs, vector, scalar, time;
// - aggregations sum, avg, min, max, count, with `by (…)` or `without (…)` before or after;
// - binary + - * / % and comparisons == != > < >= <= (filters, or 0/1 with `bool`) between
//   scalars and vectors, one-to-one matching on all labels or `on (…)` / `ignoring (…)`;
//   `and`, `or`, `unless`; unary minus; parentheses.
// Refused: group_left/group_right, subqueries, @, histogram_quantile and every other function,
// topk/quantile/… aggregations, strings.
//
// rate() and increase() are exact: (c(t) − c(t − d)) / d, where Prometheus extrapolates from the
// samples it scraped; over a window that starts before a series existed, over the part that it did.
import { MetricsQueryError } from "../core/ports/metrics-source.ts";

// ---------------------------------------------------------------------------------------------
// Syntax

export type Matcher = { label: string; op: "=" | "!=" | "=~" | "!~"; value: string };

export type Expr =
  | { type: "number"; value: number }
  | { type: "selector"; name: string | null; matchers: Matcher[]; offsetMs: number }
  | { type: "range"; selector: Extract<Expr, { type: "selector" }>; rangeMs: number }
  | { type: "call"; fn: string; args: Expr[] }
  | { type: "aggregate"; op: string; by: string[] | null; without: string[] | null; expr: Expr }
  | { type: "binary"; op: string; lhs: Expr; rhs: Expr; bool: boolean; on: string[] | null; ignoring: string[] | null }
  | { type: "neg"; expr: Expr };

type Token = { kind: "ident" | "number" | "string" | "duration" | "op" | "punct" | "eof"; text: string; pos: number };

const AGGREGATIONS = new Set(["sum", "avg", "min", "max", "count"]);
const REFUSED_AGGREGATIONS = new Set(["stddev", "stdvar", "topk", "bottomk", "quantile", "count_values", "group", "limitk", "limit_ratio"]);
const FUNCTIONS: Record<string, { args: ("vector" | "range" | "scalar")[] }> = {
  rate: { args: ["range"] },
  increase: { args: ["range"] },
  clamp_min: { args: ["vector", "scalar"] },
  clamp_max: { args: ["vector", "scalar"] },
  abs: { args: ["vector"] },
  vector: { args: ["scalar"] },
  scalar: { args: ["vector"] },
  time: { args: [] },
};
const KEYWORDS = new Set(["by", "without", "on", "ignoring", "bool", "offset", "and", "or", "unless", "group_left", "group_right"]);
const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };

function fail(query: string, pos: number, message: string): never {
  throw new MetricsQueryError(`${message} (at character ${pos + 1} of the query)`, query);
}

function tokenize(query: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let previous: Token | undefined;
  while (i < query.length) {
    const c = query[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "#") {
      while (i < query.length && query[i] !== "\n") i++;
      continue;
    }
    const start = i;
    let token: Token;
    const rest = query.slice(i);
    // A duration right after "[" or "offset" (e.g. 5m, 1h30m).
    const durationContext = previous && (previous.text === "[" || previous.text === "offset" || previous.text === ":");
    const duration = /^(\d+(ms|s|m|h|d|w|y))+/.exec(rest);
    if (durationContext && duration) {
      token = { kind: "duration", text: duration[0], pos: start };
      i += duration[0].length;
    } else if (/[0-9.]/.test(c) && /^(0x[0-9a-fA-F]+|(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)/.test(rest)) {
      const m = /^(0x[0-9a-fA-F]+|(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)/.exec(rest)!;
      token = { kind: "number", text: m[0], pos: start };
      i += m[0].length;
    } else if (/[A-Za-z_:]/.test(c)) {
      const m = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(rest)!;
      token = { kind: "ident", text: m[0], pos: start };
      i += m[0].length;
    } else if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      let value = "";
      while (j < query.length && query[j] !== c) {
        if (query[j] === "\\" && c !== "`") {
          const next = query[j + 1];
          value += next === "n" ? "\n" : next === "t" ? "\t" : (next ?? "");
          j += 2;
        } else value += query[j++];
      }
      if (j >= query.length) fail(query, start, "unterminated string");
      token = { kind: "string", text: value, pos: start };
      i = j + 1;
    } else {
      const op = /^(==|!=|>=|<=|=~|!~|[-+*/%^<>=])/.exec(rest);
      if (op) {
        token = { kind: "op", text: op[0], pos: start };
        i += op[0].length;
      } else if ("(){}[],:@".includes(c)) {
        token = { kind: "punct", text: c, pos: start };
        i++;
      } else {
        fail(query, start, `unexpected character "${c}"`);
      }
    }
    out.push(token);
    previous = token;
  }
  out.push({ kind: "eof", text: "", pos: query.length });
  return out;
}

export function parseDuration(text: string): number {
  let total = 0;
  for (const m of text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
  return total;
}

/** Parses a query of the subset; throws MetricsQueryError naming the position of what it refuses. */
export function parsePromQL(query: string): Expr {
  const tokens = tokenize(query);
  let p = 0;
  const peek = () => tokens[p]!;
  const next = () => tokens[p++]!;
  const expect = (text: string) => {
    const t = next();
    if (t.text !== text) fail(query, t.pos, `expected "${text}", found ${t.kind === "eof" ? "the end of the query" : `"${t.text}"`}`);
    return t;
  };

  const labelList = (): string[] => {
    expect("(");
    const labels: string[] = [];
    while (peek().text !== ")") {
      const t = next();
      if (t.kind !== "ident") fail(query, t.pos, `expected a label name, found "${t.text}"`);
      labels.push(t.text);
      if (peek().text === ",") next();
      else break;
    }
    expect(")");
    return labels;
  };

  const BINARY_LEVELS: string[][] = [["or"], ["and", "unless"], ["==", "!=", ">", "<", ">=", "<="], ["+", "-"], ["*", "/", "%"]];

  const binary = (level: number): Expr => {
    if (level >= BINARY_LEVELS.length) return power();
    let lhs = binary(level + 1);
    for (;;) {
      const t = peek();
      if (!BINARY_LEVELS[level]!.includes(t.text) || (t.kind !== "op" && t.kind !== "ident")) return lhs;
      next();
      let bool = false;
      let on: string[] | null = null;
      let ignoring: string[] | null = null;
      if (peek().text === "bool") {
        next();
        bool = true;
      }
      if (peek().text === "on" || peek().text === "ignoring") {
        const which = next().text;
        const labels = labelList();
        if (which === "on") on = labels;
        else ignoring = labels;
      }
      if (peek().text === "group_left" || peek().text === "group_right") fail(query, peek().pos, `${peek().text} (many-to-one matching) is not in the sandbox's PromQL subset`);
      const rhs = binary(level + 1);
      lhs = { type: "binary", op: t.text, lhs, rhs, bool, on, ignoring };
    }
  };

  const power = (): Expr => {
    const base = unary();
    if (peek().text === "^") fail(query, peek().pos, "^ is not in the sandbox's PromQL subset");
    return base;
  };

  const unary = (): Expr => {
    const t = peek();
    if (t.text === "-" || t.text === "+") {
      next();
      const expr = unary();
      return t.text === "-" ? { type: "neg", expr } : expr;
    }
    return postfix(primary());
  };

  const postfix = (expr: Expr): Expr => {
    let out = expr;
    for (;;) {
      const t = peek();
      if (t.text === "[") {
        next();
        const d = next();
        if (d.kind !== "duration") fail(query, d.pos, "expected a duration such as 5m");
        if (peek().text === ":") fail(query, peek().pos, "subqueries are not in the sandbox's PromQL subset");
        expect("]");
        if (out.type !== "selector") fail(query, t.pos, "a range can only follow a metric selector");
        out = { type: "range", selector: out, rangeMs: parseDuration(d.text) };
      } else if (t.text === "offset") {
        next();
        const d = next();
        if (d.kind !== "duration") fail(query, d.pos, "expected a duration after offset");
        const target = out.type === "range" ? out.selector : out;
        if (target.type !== "selector") fail(query, t.pos, "offset can only follow a metric selector");
        target.offsetMs = parseDuration(d.text);
      } else if (t.text === "@") {
        fail(query, t.pos, "the @ modifier is not in the sandbox's PromQL subset");
      } else return out;
    }
  };

  const selector = (name: string | null, pos: number): Extract<Expr, { type: "selector" }> => {
    const matchers: Matcher[] = [];
    if (peek().text === "{") {
      next();
      while (peek().text !== "}") {
        const label = next();
        if (label.kind !== "ident") fail(query, label.pos, `expected a label name, found "${label.text}"`);
        const op = next();
        if (!["=", "!=", "=~", "!~"].includes(op.text)) fail(query, op.pos, `expected =, !=, =~ or !~ after ${label.text}`);
        const value = next();
        if (value.kind !== "string") fail(query, value.pos, `expected a quoted label value after ${label.text}${op.text}`);
        if (op.text === "=~" || op.text === "!~") compileRegex(query, value.text, value.pos);
        matchers.push({ label: label.text, op: op.text as Matcher["op"], value: value.text });
        if (peek().text === ",") next();
        else break;
      }
      expect("}");
    }
    const nameMatcher = matchers.find((m) => m.label === "__name__" && m.op === "=");
    const metric = name ?? nameMatcher?.value ?? null;
    if (metric === null) fail(query, pos, "a selector needs a metric name (the sandbox does not match names by regex)");
    return { type: "selector", name: metric, matchers: matchers.filter((m) => m.label !== "__name__"), offsetMs: 0 };
  };

  const primary = (): Expr => {
    const t = next();
    if (t.kind === "number") return { type: "number", value: Number(t.text) };
    if (t.text === "(") {
      const inner = binary(0);
      expect(")");
      return inner;
    }
    if (t.text === "{") {
      p--;
      return selector(null, t.pos);
    }
    if (t.kind === "string") fail(query, t.pos, "string literals are not in the sandbox's PromQL subset");
    if (t.kind === "ident") {
      const lower = t.text.toLowerCase();
      if (lower === "inf" || lower === "nan") return { type: "number", value: lower === "inf" ? Infinity : NaN };
      if (AGGREGATIONS.has(t.text)) {
        let by: string[] | null = null;
        let without: string[] | null = null;
        if (peek().text === "by") {
          next();
          by = labelList();
        } else if (peek().text === "without") {
          next();
          without = labelList();
        }
        expect("(");
        const expr = binary(0);
        if (peek().text === ",") fail(query, peek().pos, `${t.text} takes one argument`);
        expect(")");
        if (peek().text === "by" && by === null && without === null) {
          next();
          by = labelList();
        } else if (peek().text === "without" && by === null && without === null) {
          next();
          without = labelList();
        }
        return { type: "aggregate", op: t.text, by, without, expr };
      }
      if (REFUSED_AGGREGATIONS.has(t.text)) fail(query, t.pos, `the aggregation ${t.text} is not in the sandbox's PromQL subset`);
      if (peek().text === "(" && !KEYWORDS.has(t.text)) {
        const fn = FUNCTIONS[t.text];
        if (!fn) fail(query, t.pos, `the function ${t.text}() is not in the sandbox's PromQL subset (it has ${Object.keys(FUNCTIONS).join(", ")})`);
        next();
        const args: Expr[] = [];
        while (peek().text !== ")") {
          args.push(binary(0));
          if (peek().text === ",") next();
          else break;
        }
        expect(")");
        if (args.length !== fn.args.length) fail(query, t.pos, `${t.text}() takes ${fn.args.length} argument${fn.args.length === 1 ? "" : "s"}`);
        fn.args.forEach((kind, i) => {
          const arg = args[i]!;
          if (kind === "range" && arg.type !== "range") fail(query, t.pos, `${t.text}() needs a range vector such as metric[5m]`);
          if (kind !== "range" && arg.type === "range") fail(query, t.pos, `${t.text}() does not take a range vector`);
        });
        return { type: "call", fn: t.text, args };
      }
      if (KEYWORDS.has(t.text)) fail(query, t.pos, `unexpected "${t.text}"`);
      return selector(t.text, t.pos);
    }
    return fail(query, t.pos, t.kind === "eof" ? "unexpected end of the query" : `unexpected "${t.text}"`);
  };

  const expr = binary(0);
  if (peek().kind !== "eof") fail(query, peek().pos, `unexpected "${peek().text}"`);
  if (expr.type === "range") fail(query, 0, "a range vector cannot be the result of an instant query (wrap it in rate() or increase())");
  return expr;
}

const regexes = new Map<string, RegExp>();

function compileRegex(query: string, source: string, pos = 0): RegExp {
  let re = regexes.get(source);
  if (!re) {
    try {
      re = new RegExp(`^(?:${source})$`, "s");
    } catch (e) {
      fail(query, pos, `invalid regular expression "${source}": ${(e as Error).message}`);
    }
    if (regexes.size > 1000) regexes.clear();
    regexes.set(source, re);
  }
  return re;
}

// ---------------------------------------------------------------------------------------------
// Evaluation

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

/** The counters behind selectors: the series of `name` that match, with their values at `atMs` (and when each began). */
export interface SeriesProvider {
  select(name: string, matchers: Matcher[], atMs: number): { labels: Record<string, string>; value: number; origin: number }[];
}

export type Value = { kind: "scalar"; value: number } | { kind: "vector"; samples: Sample[] };

export function matches(labels: Record<string, string>, matchers: readonly Matcher[], query = ""): boolean {
  return matchers.every((m) => {
    const v = labels[m.label] ?? "";
    switch (m.op) {
      case "=":
        return v === m.value;
      case "!=":
        return v !== m.value;
      case "=~":
        return compileRegex(query, m.value).test(v);
      case "!~":
        return !compileRegex(query, m.value).test(v);
    }
  });
}

const withoutName = (labels: Record<string, string>) => {
  const { __name__: _, ...rest } = labels;
  return rest;
};

function signature(labels: Record<string, string>, on: string[] | null, ignoring: string[] | null): string {
  const keys = Object.keys(labels)
    .filter((k) => k !== "__name__" && (on ? on.includes(k) : !(ignoring ?? []).includes(k)))
    .sort();
  return JSON.stringify(keys.map((k) => [k, labels[k]]));
}

function arithmetic(op: string, a: number, b: number): number {
  switch (op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      return a / b;
    case "%":
      return a % b;
    default:
      throw new Error(op);
  }
}

function compare(op: string, a: number, b: number): boolean {
  switch (op) {
    case "==":
      return a === b;
    case "!=":
      return a !== b;
    case ">":
      return a > b;
    case "<":
      return a < b;
    case ">=":
      return a >= b;
    case "<=":
      return a <= b;
    default:
      throw new Error(op);
  }
}

const COMPARISONS = new Set(["==", "!=", ">", "<", ">=", "<="]);

/** Evaluates a parsed query at an instant over the provider's series. */
export function evaluate(expr: Expr, atMs: number, provider: SeriesProvider, query = ""): Value {
  const ev = (e: Expr): Value => evaluate(e, atMs, provider, query);
  switch (expr.type) {
    case "number":
      return { kind: "scalar", value: expr.value };
    case "selector":
      return { kind: "vector", samples: provider.select(expr.name!, expr.matchers, atMs - expr.offsetMs).map((s) => ({ labels: s.labels, value: s.value })) };
    case "range":
      throw new MetricsQueryError("A range vector can only be an argument of rate() or increase().", query);
    case "neg": {
      const v = ev(expr.expr);
      return v.kind === "scalar" ? { kind: "scalar", value: -v.value } : { kind: "vector", samples: v.samples.map((s) => ({ labels: withoutName(s.labels), value: -s.value })) };
    }
    case "call":
      return call(expr, atMs, provider, query);
    case "aggregate": {
      const v = ev(expr.expr);
      if (v.kind !== "vector") throw new MetricsQueryError(`${expr.op}() needs an instant vector, not a scalar.`, query);
      const groups = new Map<string, { labels: Record<string, string>; values: number[] }>();
      for (const s of v.samples) {
        const labels = Object.fromEntries(
          Object.entries(s.labels).filter(([k]) => k !== "__name__" && (expr.by ? expr.by.includes(k) : expr.without ? !expr.without.includes(k) : false)),
        );
        const key = JSON.stringify(Object.entries(labels).sort());
        const g = groups.get(key) ?? { labels, values: [] };
        g.values.push(s.value);
        groups.set(key, g);
      }
      const reduce = (values: number[]): number => {
        switch (expr.op) {
          case "sum":
            return values.reduce((a, b) => a + b, 0);
          case "avg":
            return values.reduce((a, b) => a + b, 0) / values.length;
          case "min":
            return Math.min(...values);
          case "max":
            return Math.max(...values);
          default:
            return values.length;
        }
      };
      return { kind: "vector", samples: [...groups.values()].map((g) => ({ labels: g.labels, value: reduce(g.values) })) };
    }
    case "binary":
      return binaryOp(expr, ev(expr.lhs), ev(expr.rhs), query);
  }
}

function binaryOp(expr: Extract<Expr, { type: "binary" }>, lhs: Value, rhs: Value, query: string): Value {
  const { op, bool } = expr;
  if (op === "and" || op === "or" || op === "unless") {
    if (lhs.kind !== "vector" || rhs.kind !== "vector") throw new MetricsQueryError(`${op} needs instant vectors on both sides.`, query);
    const right = new Set(rhs.samples.map((s) => signature(s.labels, expr.on, expr.ignoring)));
    if (op === "and") return { kind: "vector", samples: lhs.samples.filter((s) => right.has(signature(s.labels, expr.on, expr.ignoring))) };
    if (op === "unless") return { kind: "vector", samples: lhs.samples.filter((s) => !right.has(signature(s.labels, expr.on, expr.ignoring))) };
    const left = new Set(lhs.samples.map((s) => signature(s.labels, expr.on, expr.ignoring)));
    return { kind: "vector", samples: [...lhs.samples, ...rhs.samples.filter((s) => !left.has(signature(s.labels, expr.on, expr.ignoring)))] };
  }
  const comparison = COMPARISONS.has(op);
  if (lhs.kind === "scalar" && rhs.kind === "scalar") {
    if (comparison && !bool) throw new MetricsQueryError("A comparison between two scalars needs the bool modifier.", query);
    return { kind: "scalar", value: comparison ? Number(compare(op, lhs.value, rhs.value)) : arithmetic(op, lhs.value, rhs.value) };
  }
  const apply = (labels: Record<string, string>, a: number, b: number, keep: number): Sample | null => {
    if (!comparison) return { labels: withoutName(labels), value: arithmetic(op, a, b) };
    const ok = compare(op, a, b);
    if (bool) return { labels: withoutName(labels), value: Number(ok) };
    return ok ? { labels, value: keep } : null;
  };
  if (lhs.kind === "vector" && rhs.kind === "scalar") {
    return { kind: "vector", samples: lhs.samples.map((s) => apply(s.labels, s.value, rhs.value, s.value)).filter((s): s is Sample => s !== null) };
  }
  if (lhs.kind === "scalar" && rhs.kind === "vector") {
    return { kind: "vector", samples: rhs.samples.map((s) => apply(s.labels, lhs.value, s.value, s.value)).filter((s): s is Sample => s !== null) };
  }
  const l = lhs as Extract<Value, { kind: "vector" }>;
  const r = rhs as Extract<Value, { kind: "vector" }>;
  const bySig = new Map<string, Sample>();
  for (const s of r.samples) {
    const sig = signature(s.labels, expr.on, expr.ignoring);
    if (bySig.has(sig)) throw new MetricsQueryError("Many-to-one matching: several series on the right-hand side share the same labels (aggregate them with sum by (…), or match on fewer labels).", query);
    bySig.set(sig, s);
  }
  const seen = new Set<string>();
  const out: Sample[] = [];
  for (const s of l.samples) {
    const sig = signature(s.labels, expr.on, expr.ignoring);
    const match = bySig.get(sig);
    if (!match) continue;
    if (seen.has(sig)) throw new MetricsQueryError("Many-to-one matching: several series on the left-hand side share the same labels.", query);
    seen.add(sig);
    // As Prometheus: one-to-one matching keeps only the `on` labels, or drops the `ignoring` ones.
    const labels = expr.on
      ? Object.fromEntries(Object.entries(s.labels).filter(([k]) => expr.on!.includes(k) || (comparison && !bool && k === "__name__")))
      : Object.fromEntries(Object.entries(s.labels).filter(([k]) => !(expr.ignoring ?? []).includes(k)));
    const r2 = apply(labels, s.value, match.value, s.value);
    if (r2) out.push(r2);
  }
  return { kind: "vector", samples: out };
}

function call(expr: Extract<Expr, { type: "call" }>, atMs: number, provider: SeriesProvider, query: string): Value {
  const ev = (e: Expr): Value => evaluate(e, atMs, provider, query);
  const vectorArg = (e: Expr) => {
    const v = ev(e);
    if (v.kind !== "vector") throw new MetricsQueryError(`${expr.fn}() needs an instant vector argument.`, query);
    return v.samples;
  };
  const scalarArg = (e: Expr) => {
    const v = ev(e);
    if (v.kind !== "scalar") throw new MetricsQueryError(`${expr.fn}() needs a scalar argument.`, query);
    return v.value;
  };
  switch (expr.fn) {
    case "rate":
    case "increase": {
      const range = expr.args[0] as Extract<Expr, { type: "range" }>;
      const end = atMs - range.selector.offsetMs;
      const start = end - range.rangeMs;
      const after = provider.select(range.selector.name!, range.selector.matchers, end);
      const before = new Map(provider.select(range.selector.name!, range.selector.matchers, start).map((s) => [JSON.stringify(Object.entries(s.labels).sort()), s.value]));
      const out: Sample[] = [];
      for (const s of after) {
        // A series that began inside the window counts from its start.
        const from = Math.max(start, s.origin);
        if (from >= end) continue;
        const startValue = from > start ? 0 : (before.get(JSON.stringify(Object.entries(s.labels).sort())) ?? 0);
        const delta = Math.max(0, s.value - startValue);
        const perSecond = delta / ((end - from) / 1000);
        out.push({ labels: withoutName(s.labels), value: expr.fn === "rate" ? perSecond : perSecond * (range.rangeMs / 1000) });
      }
      return { kind: "vector", samples: out };
    }
    case "clamp_min":
    case "clamp_max": {
      const samples = vectorArg(expr.args[0]!);
      const bound = scalarArg(expr.args[1]!);
      return { kind: "vector", samples: samples.map((s) => ({ labels: withoutName(s.labels), value: expr.fn === "clamp_min" ? Math.max(s.value, bound) : Math.min(s.value, bound) })) };
    }
    case "abs":
      return { kind: "vector", samples: vectorArg(expr.args[0]!).map((s) => ({ labels: withoutName(s.labels), value: Math.abs(s.value) })) };
    case "vector":
      return { kind: "vector", samples: [{ labels: {}, value: scalarArg(expr.args[0]!) }] };
    case "scalar": {
      const samples = vectorArg(expr.args[0]!);
      return { kind: "scalar", value: samples.length === 1 ? samples[0]!.value : NaN };
    }
    case "time":
      return { kind: "scalar", value: atMs / 1000 };
    default:
      throw new MetricsQueryError(`The function ${expr.fn}() is not in the sandbox's PromQL subset.`, query);
  }
}
