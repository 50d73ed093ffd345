// PromQL validation for SLI queries, in process and without a Prometheus: the grammar is
// @prometheus-io/lezer-promql (the one the Prometheus UI uses), which finds every syntax error and
// where it is; on its tree we then run the checks that Prometheus' own parser makes after parsing
// (promql/parser/parse.go, checkAST): argument counts and types of functions and aggregations,
// binary operands, ranges only on selectors, at least one non-empty matcher, regexes that RE2
// compiles. The messages are Prometheus' own wording, with 1-based line and column, so what is
// refused here reads like what promtool would say (scripts/slos-test.ts runs promtool on every
// generated rule file, and promql.test.ts compares the verdicts on a corpus).
import { parser } from "@prometheus-io/lezer-promql";
import { RE2JS } from "@bufbuild/re2";

type SyntaxNode = ReturnType<typeof parser.parse>["topNode"];

export type ValueType = "vector" | "matrix" | "scalar" | "string" | "none";

const TYPE_NAME: Record<ValueType, string> = { vector: "instant vector", matrix: "range vector", scalar: "scalar", string: "string", none: "none" };

export interface PromqlPosition {
  /** 0-based offset into the query. */
  offset: number;
  /** 1-based line and column, as Prometheus reports them. */
  line: number;
  column: number;
}

export type PromqlResult = { ok: true; type: ValueType } | { ok: false; message: string; position: PromqlPosition };

// Function signatures: argument types, how many optional arguments follow (-1: any number), the
// result. Transcribed from Prometheus' promql/parser/functions.go (Apache-2.0), as mirrored by
// @prometheus-io/codemirror-promql.
type Sig = readonly [args: readonly ValueType[], variadic: number, returns: ValueType];
const v = "vector" as const;
const m = "matrix" as const;
const s = "scalar" as const;
const str = "string" as const;
const FUNCTIONS: Record<string, Sig> = {
  abs: [[v], 0, v], absent: [[v], 0, v], absent_over_time: [[m], 0, v], acos: [[v], 0, v], acosh: [[v], 0, v], asin: [[v], 0, v],
  asinh: [[v], 0, v], atan: [[v], 0, v], atanh: [[v], 0, v], avg_over_time: [[m], 0, v], ceil: [[v], 0, v], changes: [[m], 0, v],
  clamp: [[v, s, s], 0, v], clamp_max: [[v, s], 0, v], clamp_min: [[v, s], 0, v], cos: [[v], 0, v], cosh: [[v], 0, v],
  count_over_time: [[m], 0, v], days_in_month: [[v], 1, v], day_of_month: [[v], 1, v], day_of_week: [[v], 1, v], day_of_year: [[v], 1, v],
  deg: [[v], 0, v], delta: [[m], 0, v], deriv: [[m], 0, v], exp: [[v], 0, v], floor: [[v], 0, v], histogram_avg: [[v], 0, v],
  histogram_count: [[v], 0, v], histogram_fraction: [[s, s, v], 0, v], histogram_quantile: [[s, v], 0, v], histogram_stddev: [[v], 0, v],
  histogram_stdvar: [[v], 0, v], histogram_sum: [[v], 0, v], hour: [[v], 1, v], idelta: [[m], 0, v], increase: [[m], 0, v],
  irate: [[m], 0, v], label_replace: [[v, str, str, str, str], 0, v], label_join: [[v, str, str, str], -1, v], last_over_time: [[m], 0, v],
  ln: [[v], 0, v], log10: [[v], 0, v], log2: [[v], 0, v], max_over_time: [[m], 0, v], min_over_time: [[m], 0, v], minute: [[v], 1, v],
  month: [[v], 1, v], pi: [[], 0, s], predict_linear: [[m, s], 0, v], present_over_time: [[m], 0, v], quantile_over_time: [[s, m], 0, v],
  rad: [[v], 0, v], rate: [[m], 0, v], resets: [[m], 0, v], round: [[v, s], 1, v], scalar: [[v], 0, s], sgn: [[v], 0, v], sin: [[v], 0, v],
  sinh: [[v], 0, v], sort: [[v], 0, v], sort_desc: [[v], 0, v], sqrt: [[v], 0, v], stddev_over_time: [[m], 0, v], stdvar_over_time: [[m], 0, v],
  sum_over_time: [[m], 0, v], tan: [[v], 0, v], tanh: [[v], 0, v], time: [[], 0, s], timestamp: [[v], 0, v], vector: [[s], 0, v], year: [[v], 1, v],
};

/**
 * Functions and aggregations Prometheus 3 offers only behind `--enable-feature=promql-experimental-functions`
 * (or not at all in 2.x). A rule file using them fails to load on a default Prometheus, which
 * would take every SLO's rules down with it, so they are refused.
 */
const EXPERIMENTAL = new Set([
  "sort_by_label", "sort_by_label_desc", "info", "double_exponential_smoothing", "mad_over_time", "first_over_time",
  "ts_of_first_over_time", "ts_of_max_over_time", "ts_of_min_over_time", "ts_of_last_over_time", "histogram_quantiles",
  "start_timestamp", "limitk", "limit_ratio", "start", "end", "range", "step",
]);

const AGGREGATIONS_WITH_PARAM: Record<string, ValueType> = { topk: s, bottomk: s, quantile: s, count_values: str, limitk: s, limit_ratio: s };
const COMPARISONS = new Set(["Eql", "Neq", "Lte", "Lss", "Gte", "Gtr"]);
const SET_OPERATORS = new Set(["And", "Or", "Unless"]);

class PromqlError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

export function positionAt(text: string, offset: number): PromqlPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === "\n") {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset, line, column: offset - lineStart + 1 };
}

/** Go-style unquoting of a PromQL string literal ("…", '…' or `…`); null when it is not one. */
export function unquote(literal: string): string | null {
  if (literal.length < 2) return null;
  const q = literal[0];
  if (q !== literal[literal.length - 1]) return null;
  const inner = literal.slice(1, -1);
  if (q === "`") return inner;
  if (q !== '"' && q !== "'") return null;
  try {
    const escaped = inner.replace(/\\'/g, "'").replace(/(?<!\\)"/g, '\\"');
    return JSON.parse(`"${escaped}"`) as string;
  } catch {
    return null;
  }
}

/** Quotes a label value for PromQL. */
export function quote(value: string): string {
  return JSON.stringify(value);
}

/** What the lexer would call the thing at `offset`, for "unexpected …" messages. */
function describeToken(text: string, offset: number): string {
  const rest = text.slice(offset);
  const trimmed = rest.replace(/^\s+/, "");
  if (trimmed === "") return "end of input";
  const ident = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(trimmed);
  if (ident) return `identifier "${ident[0]}"`;
  const num = /^[0-9][0-9.eExXa-fA-F_]*[a-zA-Z]*/.exec(trimmed);
  if (num) return `number "${num[0]}"`;
  const c = trimmed[0]!;
  if (c === '"' || c === "'" || c === "`") return "string";
  const op = /^(==|!=|>=|<=|=~|!~|[-+*/%^<>=!,(){}[\]@:])/.exec(trimmed);
  return op ? `"${op[0]}"` : `character "${c}"`;
}

/** Which brackets are still open at `offset` (strings and comments skipped). */
function openBrackets(text: string, offset: number): string[] {
  const stack: string[] = [];
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text[i]!;
    if (c === "#") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === '"' || c === "'" || c === "`") {
      i++;
      while (i < text.length && text[i] !== c) i += text[i] === "\\" && c !== "`" ? 2 : 1;
    } else if (c === "(" || c === "{" || c === "[") stack.push(c);
    else if (c === ")" || c === "}" || c === "]") stack.pop();
  }
  return stack;
}

const BRACKET_NAME: Record<string, string> = { "(": "parenthesis", "{": "braces", "[": "brackets" };

const KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "and", "or", "unless"]);

function syntaxError(text: string, offset: number): { message: string; offset: number } {
  // `name(` where name is no function the grammar knows: the grammar stops at the parenthesis.
  const before = /([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(text.slice(0, offset));
  if (before && /^\s*\(/.test(text.slice(offset)) && !KEYWORDS.has(before[1]!.toLowerCase())) {
    return { message: `unknown function with name "${before[1]}"`, offset: before.index };
  }
  return { message: syntaxMessage(text, offset), offset };
}

function syntaxMessage(text: string, offset: number): string {
  const token = describeToken(text, offset);
  const open = openBrackets(text, offset);
  if (token === "end of input") {
    const last = open[open.length - 1];
    if (last === "(") return "unclosed left parenthesis";
    if (last) return `unexpected end of input inside ${BRACKET_NAME[last]}`;
    return "unexpected end of input";
  }
  return `unexpected ${token}`;
}

function firstError(root: SyntaxNode): SyntaxNode | null {
  let found: SyntaxNode | null = null;
  const cursor = root.cursor();
  do {
    if (cursor.type.isError) {
      found = cursor.node;
      break;
    }
  } while (cursor.next());
  return found;
}

class Checker {
  constructor(private readonly text: string) {}

  private src(node: SyntaxNode): string {
    return this.text.slice(node.from, node.to);
  }

  private fail(node: SyntaxNode, message: string): never {
    throw new PromqlError(message, node.from);
  }

  private expect(node: SyntaxNode, want: ValueType, context: string): void {
    const got = this.check(node);
    if (got !== want) this.fail(node, `expected type ${TYPE_NAME[want]} in ${context}, got ${TYPE_NAME[got]}`);
  }

  /** Children that are expressions (the grammar's Expr alternatives), skipping keywords and operators. */
  private exprChildren(node: SyntaxNode | null): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    for (let c = node?.firstChild ?? null; c; c = c.nextSibling) if (EXPR_NODES.has(c.name)) out.push(c);
    return out;
  }

  check(node: SyntaxNode): ValueType {
    switch (node.name) {
      case "PromQL": {
        const [expr] = this.exprChildren(node);
        return expr ? this.check(expr) : "none";
      }
      case "NumberDurationLiteral":
        return "scalar";
      case "StringLiteral":
        return "string";
      case "ParenExpr": {
        const [inner] = this.exprChildren(node);
        return inner ? this.check(inner) : "none";
      }
      case "VectorSelector":
        this.checkSelector(node);
        return "vector";
      case "MatrixSelector": {
        const [inner] = this.exprChildren(node);
        if (!inner || inner.name !== "VectorSelector") this.fail(node, "ranges only allowed for vector selectors");
        this.checkSelector(inner);
        return "matrix";
      }
      case "SubqueryExpr": {
        const [inner] = this.exprChildren(node);
        if (inner) {
          const t = this.check(inner);
          if (t !== "vector") this.fail(node, `subquery is only allowed on instant vector, got ${TYPE_NAME[t]} instead`);
        }
        return "matrix";
      }
      case "OffsetExpr":
      case "StepInvariantExpr": {
        const [inner] = this.exprChildren(node);
        const t = inner ? this.check(inner) : "none";
        if (node.name === "StepInvariantExpr" && t !== "vector" && t !== "matrix") {
          this.fail(node, "@ modifier must be preceded by an instant vector selector or range vector selector or a subquery");
        }
        if (node.name === "OffsetExpr" && t !== "vector" && t !== "matrix") this.fail(node, "offset modifier must be preceded by an instant vector selector or range vector selector or a subquery");
        return t;
      }
      case "UnaryExpr": {
        const [inner] = this.exprChildren(node);
        const t = inner ? this.check(inner) : "none";
        if (t !== "scalar" && t !== "vector") this.fail(node, `unary expression only allowed on expressions of type scalar or instant vector, got ${TYPE_NAME[t]}`);
        return t;
      }
      case "BinaryExpr":
        return this.checkBinary(node);
      case "FunctionCall":
        return this.checkCall(node);
      case "AggregateExpr":
        return this.checkAggregate(node);
      default:
        // Grammar nodes newer than this checker (e.g. Prometheus 3 duration expressions): refuse
        // rather than let a rule file Prometheus cannot load through.
        this.fail(node, `unsupported expression ${JSON.stringify(this.src(node).slice(0, 40))}`);
    }
  }

  private checkSelector(node: SyntaxNode): void {
    const name = node.getChild("Identifier");
    const matchers = node.getChild("LabelMatchers");
    let nonEmpty = Boolean(name);
    for (let c = matchers?.firstChild ?? null; c; c = c.nextSibling) {
      if (c.name !== "UnquotedLabelMatcher" && c.name !== "QuotedLabelMatcher") {
        if (c.name === "QuotedLabelName") nonEmpty = true; // {"metric_name"}
        continue;
      }
      const op = c.getChild("MatchOp");
      const literal = c.getChild("StringLiteral");
      if (!op || !literal) continue;
      const value = unquote(this.src(literal));
      if (value === null) this.fail(literal, `invalid string literal ${this.src(literal)}`);
      const opName = op.firstChild?.name;
      if (opName === "EqlRegex" || opName === "NeqRegex") {
        try {
          RE2JS.compile(`^(?:${value})$`);
        } catch (e) {
          const message = (e as Error).message;
          this.fail(literal, message.startsWith("error parsing regexp") ? message : `error parsing regexp: ${message}`);
        }
        if (opName === "EqlRegex" && !RE2JS.compile(`^(?:${value})$`).matches("")) nonEmpty = true;
      } else if (opName === "EqlSingle" && value !== "") nonEmpty = true;
      else if (opName === "Neq" && value === "") nonEmpty = true;
    }
    if (!nonEmpty) this.fail(node, "vector selector must contain at least one non-empty matcher");
  }

  private checkBinary(node: SyntaxNode): ValueType {
    const [left, right] = this.exprChildren(node);
    if (!left || !right) this.fail(node, "left or right expression is missing in binary expression");
    const lt = this.check(left);
    const rt = this.check(right);
    let op: SyntaxNode | null = null;
    for (let c = left.nextSibling; c && c !== right; c = c.nextSibling) {
      if (COMPARISONS.has(c.name) || SET_OPERATORS.has(c.name) || /^(Add|Sub|Mul|Div|Mod|Pow|Atan2)$/.test(c.name)) op = c;
    }
    const opName = op?.name ?? "";
    const bool = node.getChild("BoolModifier");
    const comparison = COMPARISONS.has(opName);
    if (bool && !comparison) this.fail(node, "bool modifier can only be used on comparison operators");
    if (comparison && lt === "scalar" && rt === "scalar" && !bool) this.fail(op ?? node, "comparisons between scalars must use BOOL modifier");
    for (const [side, t] of [[left, lt], [right, rt]] as const) {
      if (t !== "scalar" && t !== "vector") this.fail(side, "binary expression must contain only scalar and instant vector types");
    }
    if (SET_OPERATORS.has(opName) && (lt === "scalar" || rt === "scalar")) {
      this.fail(node, `set operator "${opName.toLowerCase()}" not allowed in binary scalar expression`);
    }
    if (node.getChild("MatchingModifierClause") && (lt !== "vector" || rt !== "vector")) this.fail(node, "vector matching only allowed between instant vectors");
    return lt === "scalar" && rt === "scalar" ? "scalar" : "vector";
  }

  private checkCall(node: SyntaxNode): ValueType {
    const ident = node.getChild("FunctionIdentifier");
    const fn = ident ? this.src(ident) : "";
    if (EXPERIMENTAL.has(fn)) {
      this.fail(node, `function "${fn}" is experimental in Prometheus (it needs --enable-feature=promql-experimental-functions); an SLI must not depend on it`);
    }
    const sig = FUNCTIONS[fn];
    if (!sig) this.fail(node, `unknown function with name "${fn}"`);
    const args = this.exprChildren(node.getChild("FunctionCallBody"));
    const [types, variadic, returns] = sig;
    if (variadic === 0) {
      if (args.length !== types.length) this.fail(node, `expected ${types.length} argument(s) in call to "${fn}", got ${args.length}`);
    } else {
      const min = types.length - 1;
      if (args.length < min) this.fail(node, `expected at least ${min} argument(s) in call to "${fn}", got ${args.length}`);
      if (variadic > 0 && args.length > min + variadic) this.fail(node, `expected at most ${min + variadic} argument(s) in call to "${fn}", got ${args.length}`);
    }
    args.forEach((arg, i) => {
      const want = types[Math.min(i, types.length - 1)];
      if (want) this.expect(arg, want, `call to function "${fn}"`);
    });
    return returns;
  }

  private checkAggregate(node: SyntaxNode): ValueType {
    const op = node.getChild("AggregateOp");
    const name = op ? this.src(op) : "";
    if (EXPERIMENTAL.has(name)) this.fail(node, `aggregation "${name}" is experimental in Prometheus; an SLI must not depend on it`);
    const args = this.exprChildren(node.getChild("FunctionCallBody"));
    const param = AGGREGATIONS_WITH_PARAM[name];
    const wanted = param ? 2 : 1;
    if (args.length !== wanted) this.fail(node, `wrong number of arguments for aggregate expression provided, expected ${wanted}, got ${args.length}`);
    if (param) this.expect(args[0]!, param, "aggregation parameter");
    this.expect(args[args.length - 1]!, "vector", "aggregation expression");
    return "vector";
  }
}

const EXPR_NODES = new Set([
  "AggregateExpr", "BinaryExpr", "FunctionCall", "MatrixSelector", "NumberDurationLiteral", "OffsetExpr", "ParenExpr",
  "StringLiteral", "SubqueryExpr", "UnaryExpr", "VectorSelector", "StepInvariantExpr", "SmoothedExpr", "AnchoredExpr",
]);

/**
 * Parses and type-checks one PromQL expression. `{{.window}}` placeholders (Sloth's, for the
 * range of an SLI query) are read as a duration of the same length, so positions stay exact.
 */
export function checkPromql(query: string): PromqlResult {
  const text = query.replace(/\{\{\s*\.window\s*\}\}/g, (p) => "0".repeat(p.length - 2) + "5m");
  if (text.trim() === "") return { ok: false, message: "the query is empty", position: positionAt(query, 0) };
  const tree = parser.parse(text);
  const error = firstError(tree.topNode);
  if (error) {
    // An error node that swallowed text starts at the offending token; an empty one marks where
    // the parser gave up (e.g. at the end of the input).
    const { message, offset } = syntaxError(text, error.from);
    return { ok: false, message, position: positionAt(query, offset) };
  }
  try {
    const type = new Checker(text).check(tree.topNode);
    return { ok: true, type };
  } catch (e) {
    if (e instanceof PromqlError) return { ok: false, message: e.message, position: positionAt(query, e.offset) };
    throw e;
  }
}

/** An SLI query must give an instant vector (or a scalar) to divide. */
export function checkSliQuery(query: string): PromqlResult {
  const result = checkPromql(query);
  if (result.ok && result.type !== "vector" && result.type !== "scalar") {
    return { ok: false, message: `expected an instant vector or a scalar, got ${TYPE_NAME[result.type]}`, position: positionAt(query, 0) };
  }
  return result;
}
