// Kubernetes' quantity library as Paved's CEL environment implements it, checked against the
// examples of Kubernetes' documentation ("Kubernetes quantity library", CEL in Kubernetes) and
// resource.ParseQuantity's grammar.
import { isCelError, parse, plan } from "@bufbuild/cel";
import { describe, expect, it } from "vitest";
import { parseQuantity, policyEnv } from "./cel.ts";

function cel(expression: string): unknown {
  const result = plan(policyEnv(), parse(expression))({});
  if (isCelError(result)) throw new Error((result as Error).message);
  return result;
}

function celError(expression: string): string {
  const result = plan(policyEnv(), parse(expression))({});
  if (!isCelError(result)) throw new Error(`${expression} did not fail: ${String(result)}`);
  return (result as Error).message;
}

describe("quantity()", () => {
  it("compares as the issue and Kubernetes' docs say", () => {
    expect(cel("quantity('500m').isLessThan(quantity('1'))")).toBe(true);
    expect(cel("quantity('1').isGreaterThan(quantity('500m'))")).toBe(true);
    expect(cel("quantity('2Gi').compareTo(quantity('2048Mi'))")).toBe(0n);
    expect(cel("quantity('200M').compareTo(quantity('0.2G'))")).toBe(0n);
    expect(cel("quantity('50M').compareTo(quantity('50Mi'))")).toBe(-1n);
    expect(cel("quantity('50Mi').compareTo(quantity('50M'))")).toBe(1n);
    expect(cel("quantity('200M').isGreaterThan(quantity('0.2G'))")).toBe(false);
    expect(cel("quantity('50M').isLessThan(quantity('100M'))")).toBe(true);
  });

  it("is exact, as Kubernetes' Quantity is (no floating-point drift)", () => {
    expect(cel("quantity('0.1').add(quantity('0.2')).compareTo(quantity('0.3'))")).toBe(0n);
    expect(cel("quantity('1.1Gi').compareTo(quantity('1153433.6Ki'))")).toBe(0n);
    expect(cel("quantity('1') == quantity('1000m')")).toBe(true);
    expect(cel("quantity('1') == quantity('1001m')")).toBe(false);
  });

  it("converts and does arithmetic as documented", () => {
    expect(cel("quantity('50k').asInteger()")).toBe(50000n);
    expect(cel("quantity('10000k').isInteger()")).toBe(true);
    expect(cel("quantity('1.5').isInteger()")).toBe(false);
    expect(cel("quantity('50.703k').asApproximateFloat()")).toBe(50703);
    expect(cel("quantity('50k').add(20).asInteger()")).toBe(50020n);
    expect(cel("quantity('50k').add(quantity('20k')).asInteger()")).toBe(70000n);
    expect(cel("quantity('50k').sub(20).asInteger()")).toBe(49980n);
    expect(cel("quantity('50k').sub(quantity('100k')).sign()")).toBe(-1n);
    expect(cel("quantity('0').sign()")).toBe(0n);
    expect(cel("quantity('1e3').asInteger()")).toBe(1000n);
    expect(cel("quantity('1E').asInteger()")).toBe(1_000_000_000_000_000_000n);
  });

  it("fails on what cannot be an integer: a fraction, or beyond int64 (isInteger says so first)", () => {
    expect(celError("quantity('9999999999999999999999999999999999999G').asInteger()")).toContain("cannot convert value to integer");
    expect(cel("quantity('9999999999999999999999999999999999999G').isInteger()")).toBe(false);
    expect(celError("quantity('1.5').asInteger()")).toContain("cannot convert value to integer");
    expect(cel("quantity('9223372036854775807').asInteger()")).toBe(9223372036854775807n);
  });

  it("tells quantities from other strings as resource.ParseQuantity does", () => {
    for (const ok of ["1.3G", "1.3Gi", "500m", "1", "+1", "-1", ".5", "1.", "1e3", "1E-2", "2Ei", "100n", "0"]) expect(cel(`isQuantity('${ok}')`), ok).toBe(true);
    for (const bad of ["1,3Gi", "", " 1", "1 ", "1K", "1Gb", "Gi", "1.2.3", "e3", "--1"]) expect(cel(`isQuantity('${bad}')`), bad).toBe(false);
  });

  it("refuses an invalid quantity with an error that names it", () => {
    expect(celError("quantity('1,3Gi')")).toContain('invalid quantity "1,3Gi"');
    expect(celError("quantity('1K').isLessThan(quantity('1'))")).toContain('invalid quantity "1K"');
  });

  it("methods only take quantities", () => {
    expect(celError("{'a': 1}.isLessThan(quantity('1'))")).toContain("not a quantity");
  });

  it("parseQuantity gives the value in base units", () => {
    expect(parseQuantity("500m")).toBe(0.5);
    expect(parseQuantity("2Gi")).toBe(2 ** 31);
    expect(parseQuantity("1.5k")).toBe(1500);
    expect(parseQuantity("nope")).toBeNull();
  });
});

describe("the strings extension", () => {
  it("is there, as in Kubernetes", () => {
    expect(cel("'a, b,c'.split(',').map(s, s.trim()).join('|')")).toBe("a|b|c");
    expect(cel("'Hello'.lowerAscii()")).toBe("hello");
    expect(cel("'ghcr.io/acme/web'.substring(0, 7)")).toBe("ghcr.io");
    expect(cel("'ghcr.io/acme/web'.indexOf('/')")).toBe(7n);
  });
});
