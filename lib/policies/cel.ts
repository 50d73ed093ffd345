// The CEL environment policies run in: @bufbuild/cel (behaves like cel-go) with the functions of
// Kubernetes' CEL library that policies need, implemented with Kubernetes' semantics so that an
// exported policy means the same thing in the cluster: the strings extension, and quantities
// (`quantity('500m').isLessThan(quantity('1'))`, `asApproximateFloat()`, …).
import { CelScalar, celEnv, celFunc, celMethod, mapType, type CelEnv } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";

const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|(n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;
const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** A Kubernetes resource quantity's value in base units ("500m" → 0.5, "2Gi" → 2147483648), or null. */
export function parseQuantity(text: string): number | null {
  const m = QUANTITY.exec(text.trim());
  if (!m) return null;
  const base = Number(m[2]) * (m[1] === "-" ? -1 : 1);
  if (m[3]) return base * (BINARY[m[3]] ?? 1);
  if (m[4]) return base * (DECIMAL[m[4]] ?? 1);
  if (m[5]) return base * 10 ** Number(m[5]);
  return base;
}

const MARK = "__paved_quantity__";
const Quantity = mapType(CelScalar.STRING, CelScalar.DYN);
type QuantityValue = Map<string, unknown>;

function makeQuantity(value: number): QuantityValue {
  return new Map<string, unknown>([[MARK, value]]);
}

function valueOf(q: unknown): number {
  const v = (q as { get?: (k: string) => unknown }).get?.(MARK);
  if (typeof v !== "number") throw new Error("not a quantity");
  return v;
}

const quantityFuncs = [
  celFunc("quantity", [CelScalar.STRING], Quantity, (s) => {
    const v = parseQuantity(s);
    if (v === null) throw new Error(`invalid quantity "${s}"`);
    return makeQuantity(v) as never;
  }),
  celFunc("isQuantity", [CelScalar.STRING], CelScalar.BOOL, (s) => parseQuantity(s) !== null),
  celMethod("isLessThan", Quantity, [Quantity], CelScalar.BOOL, function (other) {
    return valueOf(this) < valueOf(other);
  }),
  celMethod("isGreaterThan", Quantity, [Quantity], CelScalar.BOOL, function (other) {
    return valueOf(this) > valueOf(other);
  }),
  celMethod("compareTo", Quantity, [Quantity], CelScalar.INT, function (other) {
    return BigInt(Math.sign(valueOf(this) - valueOf(other)));
  }),
  celMethod("asApproximateFloat", Quantity, [], CelScalar.DOUBLE, function () {
    return valueOf(this);
  }),
  celMethod("isInteger", Quantity, [], CelScalar.BOOL, function () {
    return Number.isInteger(valueOf(this));
  }),
  celMethod("asInteger", Quantity, [], CelScalar.INT, function () {
    const v = valueOf(this);
    if (!Number.isInteger(v)) throw new Error("quantity is not an integer");
    return BigInt(v);
  }),
  celMethod("sign", Quantity, [], CelScalar.INT, function () {
    return BigInt(Math.sign(valueOf(this)));
  }),
  celMethod("add", Quantity, [Quantity], Quantity, function (other) {
    return makeQuantity(valueOf(this) + valueOf(other)) as never;
  }),
  celMethod("sub", Quantity, [Quantity], Quantity, function (other) {
    return makeQuantity(valueOf(this) - valueOf(other)) as never;
  }),
];

let env: CelEnv | undefined;

/** The one environment every policy expression is planned in. */
export function policyEnv(): CelEnv {
  env ??= celEnv({ funcs: [...strings, ...quantityFuncs] });
  return env;
}
