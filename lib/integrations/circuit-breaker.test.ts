import { describe, expect, it } from "vitest";
import { CircuitBreaker } from "./circuit-breaker.ts";

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe("CircuitBreaker", () => {
  it("stays closed while calls succeed, and through fewer failures in a row than the threshold", () => {
    const c = clock();
    const breaker = new CircuitBreaker({ name: "x", failureThreshold: 3, cooldownMs: 1000, now: c.now });
    for (let i = 0; i < 10; i++) {
      expect(breaker.tryAcquire()).toBe(true);
      breaker.record(i % 3 !== 2);
    }
    expect(breaker.status()).toMatchObject({ state: "closed", failures: 0 });
    breaker.record(false);
    breaker.record(false);
    expect(breaker.status()).toMatchObject({ state: "closed", failures: 2 });
    breaker.record(true);
    expect(breaker.status().failures).toBe(0);
  });

  it("opens after the threshold of failures in a row and refuses every call until the cooldown has passed", () => {
    const c = clock();
    const breaker = new CircuitBreaker({ name: "x", failureThreshold: 3, cooldownMs: 1000, now: c.now });
    for (let i = 0; i < 3; i++) {
      expect(breaker.tryAcquire()).toBe(true);
      breaker.record(false);
    }
    expect(breaker.status()).toMatchObject({ state: "open", failures: 3, retryAt: new Date(c.now() + 1000).toISOString() });
    expect(breaker.tryAcquire()).toBe(false);
    c.advance(999);
    expect(breaker.tryAcquire()).toBe(false);
    expect(breaker.retryInMs()).toBe(1);
  });

  it("lets one trial call through after the cooldown; its success closes the circuit", () => {
    const c = clock();
    const breaker = new CircuitBreaker({ name: "x", failureThreshold: 1, cooldownMs: 1000, now: c.now });
    breaker.record(false);
    c.advance(1000);
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.status().state).toBe("half_open");
    // Only one trial at a time: the others are refused while it is out.
    expect(breaker.tryAcquire()).toBe(false);
    breaker.record(true);
    expect(breaker.status()).toMatchObject({ state: "closed", failures: 0 });
    expect(breaker.tryAcquire()).toBe(true);
  });

  it("reopens on a failed trial, doubling the cooldown up to its maximum", () => {
    const c = clock();
    const breaker = new CircuitBreaker({ name: "x", failureThreshold: 2, cooldownMs: 1000, maxCooldownMs: 3000, now: c.now });
    breaker.record(false);
    breaker.record(false);
    const cooldowns: number[] = [];
    for (let i = 0; i < 4; i++) {
      cooldowns.push(breaker.retryInMs());
      c.advance(breaker.retryInMs());
      expect(breaker.tryAcquire()).toBe(true);
      breaker.record(false);
    }
    expect(cooldowns).toEqual([1000, 2000, 3000, 3000]);
    // A success resets the cooldown to its start.
    c.advance(breaker.retryInMs());
    expect(breaker.tryAcquire()).toBe(true);
    breaker.record(true);
    breaker.record(false);
    breaker.record(false);
    expect(breaker.retryInMs()).toBe(1000);
  });

  it("frees the trial slot when the trial's outcome is neither (e.g. the caller gave up)", () => {
    const c = clock();
    const breaker = new CircuitBreaker({ name: "x", failureThreshold: 1, cooldownMs: 1000, now: c.now });
    breaker.record(false);
    c.advance(1000);
    expect(breaker.tryAcquire()).toBe(true);
    breaker.release();
    expect(breaker.tryAcquire()).toBe(true);
  });

  it("describes itself for error messages", () => {
    const c = clock();
    const breaker = new CircuitBreaker({ name: "Argo CD", failureThreshold: 2, cooldownMs: 5000, now: c.now });
    breaker.record(false);
    breaker.record(false);
    expect(breaker.describeOpen()).toBe("Argo CD failed 2 times in a row: Paved stopped calling it for 5 s (circuit breaker open) and tries again in 5 s");
  });
});
