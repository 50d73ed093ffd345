// The CEL environment policies run in: @bufbuild/cel (behaves like cel-go) with the functions of
// Kubernetes' CEL library that policies need, implemented with Kubernetes' semantics so that an
// exported policy means the same thing in the cluster: the strings extension, and quantities
// (`quantity('500m').isLessThan(quantity('1'))`, `asApproximateFloat()`, …).
import { CelScalar, celEnv, celFunc, celMethod, mapType, type CelEnv } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import { RE2JS } from "@bufbuild/re2";

// Kubernetes' quantity grammar (resource.ParseQuantity): a signed decimal number, then one
// suffix: binary (Ki…Ei), decimal SI (n u m k M G T P E) or a decimal exponent (e3, E-2). No
// spaces, and `K` is not a suffix.
const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei)|(n|u|m|k|M|G|T|P|E))?$/;
const BINARY: Record<string, bigint> = { Ki: 1n << 10n, Mi: 1n << 20n, Gi: 1n << 30n, Ti: 1n << 40n, Pi: 1n << 50n, Ei: 1n << 60n };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/**
 * A quantity as an exact fraction num/den (den > 0, reduced), as Kubernetes keeps quantities
 * exact: `0.1 + 0.2` equals `0.3`, and `200M` equals `0.2G`.
 */
interface Fraction {
  num: bigint;
  den: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x === 0n ? 1n : x;
}

function fraction(num: bigint, den: bigint): Fraction {
  const g = gcd(num, den);
  return { num: num / g, den: den / g };
}

/** A Kubernetes resource quantity as an exact fraction, or null when Kubernetes would refuse it. */
function parseFraction(text: string): Fraction | null {
  const m = QUANTITY.exec(text);
  if (!m) return null;
  const whole = m[2] ?? "";
  const decimals = m[3] ?? "";
  if (whole === "" && decimals === "") return null;
  let num = BigInt(whole + decimals || "0") * (m[1] === "-" ? -1n : 1n);
  let den = 10n ** BigInt(decimals.length);
  let exponent = 0;
  if (m[4]) exponent = Number(m[4].slice(1));
  else if (m[5]) num *= BINARY[m[5]] ?? 1n;
  else if (m[6]) exponent = DECIMAL[m[6]] ?? 0;
  if (!Number.isSafeInteger(exponent) || Math.abs(exponent) > 1000) return null;
  if (exponent >= 0) num *= 10n ** BigInt(exponent);
  else den *= 10n ** BigInt(-exponent);
  return fraction(num, den);
}

/** A Kubernetes resource quantity's value in base units ("500m" → 0.5, "2Gi" → 2147483648), or null. */
export function parseQuantity(text: string): number | null {
  const f = parseFraction(text);
  return f === null ? null : Number(f.num) / Number(f.den);
}

// A quantity is a CEL map holding its fraction under keys no manifest uses, so that `==` compares
// values (the fraction is reduced) and it passes through CEL like any other value.
const NUM = "__paved_quantity_num__";
const DEN = "__paved_quantity_den__";
const Quantity = mapType(CelScalar.STRING, CelScalar.DYN);
type QuantityValue = Map<string, bigint>;

function makeQuantity(f: Fraction): QuantityValue {
  return new Map<string, bigint>([
    [NUM, f.num],
    [DEN, f.den],
  ]);
}

function valueOf(q: unknown): Fraction {
  const get = (q as { get?: (k: string) => unknown }).get;
  const num = get?.call(q, NUM);
  const den = get?.call(q, DEN);
  if (typeof num !== "bigint" || typeof den !== "bigint") throw new Error("not a quantity");
  return { num, den };
}

function compare(a: Fraction, b: Fraction): number {
  const d = a.num * b.den - b.num * a.den;
  return d === 0n ? 0 : d < 0n ? -1 : 1;
}

function plus(a: Fraction, b: Fraction): Fraction {
  return fraction(a.num * b.den + b.num * a.den, a.den * b.den);
}

function isInt64(f: Fraction): boolean {
  return f.den === 1n && f.num >= INT64_MIN && f.num <= INT64_MAX;
}

const quantityFuncs = [
  celFunc("quantity", [CelScalar.STRING], Quantity, (s) => {
    const f = parseFraction(s);
    if (f === null) throw new Error(`invalid quantity "${s}"`);
    return makeQuantity(f) as never;
  }),
  celFunc("isQuantity", [CelScalar.STRING], CelScalar.BOOL, (s) => parseFraction(s) !== null),
  celMethod("isLessThan", Quantity, [Quantity], CelScalar.BOOL, function (other) {
    return compare(valueOf(this), valueOf(other)) < 0;
  }),
  celMethod("isGreaterThan", Quantity, [Quantity], CelScalar.BOOL, function (other) {
    return compare(valueOf(this), valueOf(other)) > 0;
  }),
  celMethod("compareTo", Quantity, [Quantity], CelScalar.INT, function (other) {
    return BigInt(compare(valueOf(this), valueOf(other)));
  }),
  celMethod("asApproximateFloat", Quantity, [], CelScalar.DOUBLE, function () {
    const f = valueOf(this);
    return Number(f.num) / Number(f.den);
  }),
  // As in Kubernetes: true exactly when asInteger() would succeed (a whole number within int64).
  celMethod("isInteger", Quantity, [], CelScalar.BOOL, function () {
    return isInt64(valueOf(this));
  }),
  celMethod("asInteger", Quantity, [], CelScalar.INT, function () {
    const f = valueOf(this);
    if (!isInt64(f)) throw new Error("cannot convert value to integer");
    return f.num;
  }),
  celMethod("sign", Quantity, [], CelScalar.INT, function () {
    return BigInt(compare(valueOf(this), { num: 0n, den: 1n }));
  }),
  celMethod("add", Quantity, [Quantity], Quantity, function (other) {
    return makeQuantity(plus(valueOf(this), valueOf(other))) as never;
  }),
  celMethod("add", Quantity, [CelScalar.INT], Quantity, function (n) {
    return makeQuantity(plus(valueOf(this), { num: n, den: 1n })) as never;
  }),
  celMethod("sub", Quantity, [Quantity], Quantity, function (other) {
    const o = valueOf(other);
    return makeQuantity(plus(valueOf(this), { num: -o.num, den: o.den })) as never;
  }),
  celMethod("sub", Quantity, [CelScalar.INT], Quantity, function (n) {
    return makeQuantity(plus(valueOf(this), { num: -n, den: 1n })) as never;
  }),
];

// `matches()` with RE2 semantics, as Kubernetes has it, through the RE2 engine @bufbuild/cel uses
// itself, but compiled once per pattern: @bufbuild/cel compiles the pattern at every call, which
// made a policy matching image tags 4–5× slower. Patterns almost always come from the policies,
// so the cache stays small; it is emptied if data-driven patterns ever fill it.
const REGEX_CACHE_SIZE = 1000;
const regexes = new Map<string, RE2JS>();

function compileRegex(pattern: string): { test(text: string): boolean } {
  let re = regexes.get(pattern);
  if (!re) {
    re = RE2JS.compile(pattern);
    if (regexes.size >= REGEX_CACHE_SIZE) regexes.clear();
    regexes.set(pattern, re);
  }
  return re;
}

let env: CelEnv | undefined;

/** The one environment every policy expression is planned in. */
export function policyEnv(): CelEnv {
  env ??= celEnv({ funcs: [...strings, ...quantityFuncs], re2: { compile: compileRegex } });
  return env;
}
