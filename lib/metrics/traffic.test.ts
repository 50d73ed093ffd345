import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DAY_SECONDS,
  HEALTHY,
  HISTORY_DAYS,
  LATENCY_BUCKETS,
  MAX_SEGMENTS,
  baseRate,
  compact,
  countersAt,
  exposedSamples,
  exposition,
  latencyShare,
  NORMAL_LATENCY,
  newSeries,
  normalCdf,
  observe,
  requestsBetween,
  SLOW_LATENCY,
  type Segment,
} from "./traffic.ts";

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);
const HOUR = 3_600_000;

describe("the traffic model", () => {
  it("gives each application a stable rate, lower outside production", () => {
    expect(baseRate("checkout", "production")).toBe(baseRate("checkout", "production"));
    expect(baseRate("checkout", "production")).toBeGreaterThanOrEqual(5);
    expect(baseRate("checkout", "production")).toBeLessThanOrEqual(50);
    expect(baseRate("checkout", "dev")).toBeLessThan(baseRate("checkout", "production"));
  });

  it("integrates the daily swing exactly: a whole day is the mean rate times a day", () => {
    expect(requestsBetween(10, NOW, NOW + DAY_SECONDS * 1000)).toBeCloseTo(10 * DAY_SECONDS, 6);
    // Additive over adjacent spans.
    const a = requestsBetween(7, NOW, NOW + 5 * HOUR);
    const b = requestsBetween(7, NOW + 5 * HOUR, NOW + 9 * HOUR);
    expect(a + b).toBeCloseTo(requestsBetween(7, NOW, NOW + 9 * HOUR), 6);
  });

  it("has latency shares of a log-normal distribution", () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 6);
    expect(normalCdf(1.96)).toBeCloseTo(0.975, 3);
    expect(latencyShare(NORMAL_LATENCY, NORMAL_LATENCY.medianSeconds)).toBeCloseTo(0.5, 6);
    expect(latencyShare(NORMAL_LATENCY, 0.3)).toBeGreaterThan(0.999);
    expect(latencyShare(SLOW_LATENCY, 0.3)).toBeLessThan(0.3);
  });

  it("starts a series with healthy history, and a new segment only when the regime changes", () => {
    const s = newSeries("checkout", "production", NOW, HEALTHY);
    expect(s.origin).toBe(NOW - HISTORY_DAYS * DAY_SECONDS * 1000);
    expect(s.segments).toEqual([{ from: s.origin, ...HEALTHY }]);
    expect(observe(s, NOW + 1000, HEALTHY)).toBe(s);
    const broken = observe(s, NOW + 1000, { errorRate: 0.25, slowShare: 0 });
    expect(broken.segments).toHaveLength(2);
    expect(broken.segments[1]).toEqual({ from: NOW + 1000, errorRate: 0.25, slowShare: 0 });
  });

  it("counts errors at the error rate of each segment", () => {
    let s = newSeries("checkout", "production", NOW, HEALTHY);
    s = observe(s, NOW, { errorRate: 0.25, slowShare: 0 });
    s = observe(s, NOW + HOUR, HEALTHY);
    const at = (t: number) => countersAt(s, t);
    const inBadHour = at(NOW + HOUR).errors - at(NOW).errors;
    const requestsInBadHour = at(NOW + HOUR).requests - at(NOW).requests;
    expect(inBadHour / requestsInBadHour).toBeCloseTo(0.25, 9);
    const after = (at(NOW + 2 * HOUR).errors - at(NOW + HOUR).errors) / (at(NOW + 2 * HOUR).requests - at(NOW + HOUR).requests);
    expect(after).toBeCloseTo(HEALTHY.errorRate, 9);
    expect(at(s.origin).requests).toBe(0);
  });

  it("exposes counters that never go down, with buckets rising with le up to the count", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ dt: fc.integer({ min: 1, max: 3_600_000 }), errorRate: fc.double({ min: 0, max: 1, noNaN: true }), slowShare: fc.double({ min: 0, max: 1, noNaN: true }) }), { maxLength: 20 }),
        fc.array(fc.integer({ min: 0, max: 4 * 3_600_000 }), { minLength: 2, maxLength: 10 }),
        (changes, probes) => {
          let s = newSeries("svc", "production", NOW, HEALTHY);
          let t = NOW;
          for (const c of changes) {
            t += c.dt;
            s = observe(s, t, c);
          }
          const times = probes.map((p) => NOW + p).sort((a, b) => a - b);
          let previous: ReturnType<typeof exposedSamples> | null = null;
          for (const at of times) {
            const samples = exposedSamples(s, at);
            const buckets = samples.filter((x) => x.name === "http_request_duration_seconds_bucket").map((x) => x.value);
            for (let i = 1; i < buckets.length; i++) expect(buckets[i]).toBeGreaterThanOrEqual(buckets[i - 1]!);
            expect(buckets.at(-1)).toBe(samples.find((x) => x.name === "http_request_duration_seconds_count")!.value);
            if (previous) samples.forEach((x, i) => expect(x.value).toBeGreaterThanOrEqual(previous![i]!.value));
            previous = samples;
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("merges the oldest segments beyond the limit, keeping the totals where the merged span ends", () => {
    const rps = 12;
    const segments: Segment[] = Array.from({ length: MAX_SEGMENTS + 3 }, (_, i) => ({ from: NOW + i * 60_000, errorRate: i % 2 ? 0.5 : 0.001, slowShare: i % 3 ? 0 : 1 }));
    const series = { service: "svc", environment: "production", rps, origin: NOW, segments };
    const merged = { ...series, segments: compact(rps, segments) };
    expect(merged.segments).toHaveLength(MAX_SEGMENTS);
    const end = merged.segments[1]!.from;
    const a = countersAt(series, end);
    const b = countersAt(merged, end);
    expect(b.requests).toBeCloseTo(a.requests, 6);
    expect(b.errors).toBeCloseTo(a.errors, 6);
    const later = NOW + (MAX_SEGMENTS + 10) * 60_000;
    expect(countersAt(merged, later).errors).toBeCloseTo(countersAt(series, later).errors, 6);
  });

  it("writes the Prometheus text format, families grouped, with every bucket and +Inf", () => {
    const text = exposition([newSeries("checkout", "production", NOW, HEALTHY)], NOW);
    const lines = text.trim().split("\n");
    expect(lines[0]).toBe("# HELP http_requests_total HTTP requests served, by status code (the sandbox cluster's simulated traffic).");
    expect(lines[1]).toBe("# TYPE http_requests_total counter");
    expect(lines[2]).toMatch(/^http_requests_total\{service="checkout",environment="production",code="200"\} \d+$/);
    expect(lines).toContain("# TYPE http_request_duration_seconds histogram");
    expect(lines.filter((l) => l.startsWith("http_request_duration_seconds_bucket"))).toHaveLength(LATENCY_BUCKETS.length + 1);
    expect(text).toContain('le="+Inf"');
    expect(text).toContain('le="0.3"');
    expect(text.endsWith("\n")).toBe(true);
  });
});
