// A small circuit breaker for the adapters of outside systems (GitHub, Argo CD). Retries with
// backoff already space out one caller's attempts; what they do not stop is many callers (every
// run, every page, every job of a worker) each retrying against a dependency that is down. After
// `failureThreshold` failures in a row the circuit opens: calls fail at once without a request,
// until a cooldown has passed; then one trial call goes through (half open). Its success closes
// the circuit; its failure opens it again for twice the cooldown, up to `maxCooldownMs`. So a dead
// dependency receives a bounded trickle of requests, and a recovered one is noticed within a
// cooldown. Written by hand (a few lines, no timers) rather than with `opossum`, whose timeouts
// and fallbacks the adapters already have in their own form.
//
// What counts as a failure is the adapter's decision: no answer, a timeout, a 5xx or a 429, not a
// 4xx (that is the dependency answering, if unhappily).

export type CircuitState = "closed" | "open" | "half_open";

export interface CircuitBreakerOptions {
  /** Name of the dependency, for messages ("GitHub", "Argo CD"). */
  name: string;
  /** Failures in a row that open the circuit. Default 5. */
  failureThreshold?: number;
  /** How long it stays open the first time, in ms. Default 10 s. */
  cooldownMs?: number;
  /** The longest it stays open after failed trials, in ms. Default 2 minutes. */
  maxCooldownMs?: number;
  /** The clock (tests pass a fake one). */
  now?: () => number;
}

export interface CircuitStatus {
  name: string;
  state: CircuitState;
  /** Failures in a row so far. */
  failures: number;
  /** When an open circuit lets the next trial through. */
  retryAt: string | null;
}

export class CircuitBreaker {
  readonly name: string;
  private readonly threshold: number;
  private readonly baseCooldownMs: number;
  private readonly maxCooldownMs: number;
  private readonly now: () => number;
  private state: CircuitState = "closed";
  private failures = 0;
  private cooldownMs: number;
  private openUntil = 0;
  private trialOut = false;

  constructor(options: CircuitBreakerOptions) {
    this.name = options.name;
    this.threshold = Math.max(1, options.failureThreshold ?? 5);
    this.baseCooldownMs = options.cooldownMs ?? 10_000;
    this.maxCooldownMs = Math.max(this.baseCooldownMs, options.maxCooldownMs ?? 120_000);
    this.cooldownMs = this.baseCooldownMs;
    this.now = options.now ?? Date.now;
  }

  /** Whether a call may go out now. A true answer in half-open state takes the one trial slot: record() or release() it. */
  tryAcquire(): boolean {
    if (this.state === "closed") return true;
    if (this.state === "open") {
      if (this.now() < this.openUntil) return false;
      this.state = "half_open";
      this.trialOut = false;
    }
    if (this.trialOut) return false;
    this.trialOut = true;
    return true;
  }

  /** The outcome of a call that went out. */
  record(ok: boolean): void {
    if (ok) {
      this.state = "closed";
      this.failures = 0;
      this.cooldownMs = this.baseCooldownMs;
      this.trialOut = false;
      return;
    }
    this.failures++;
    if (this.state === "half_open") {
      // The trial failed: longer this time.
      this.cooldownMs = Math.min(this.maxCooldownMs, this.cooldownMs * 2);
      this.open();
    } else if (this.state === "closed" && this.failures >= this.threshold) {
      this.open();
    }
  }

  /** A call that went out ended without telling whether the dependency works (cancelled): frees the trial slot. */
  release(): void {
    this.trialOut = false;
  }

  /** Milliseconds until an open circuit lets a trial through (0 when it would now). */
  retryInMs(): number {
    return this.state === "open" ? Math.max(0, this.openUntil - this.now()) : 0;
  }

  status(): CircuitStatus {
    return { name: this.name, state: this.state, failures: this.failures, retryAt: this.state === "open" ? new Date(this.openUntil).toISOString() : null };
  }

  /** Why a call was not made, for the error the adapter throws instead. */
  describeOpen(): string {
    const seconds = (ms: number) => `${Math.ceil(ms / 1000)} s`;
    return `${this.name} failed ${this.failures} times in a row: Paved stopped calling it for ${seconds(this.cooldownMs)} (circuit breaker open) and tries again in ${seconds(Math.max(this.retryInMs(), 1))}`;
  }

  private open(): void {
    this.state = "open";
    this.openUntil = this.now() + this.cooldownMs;
    this.trialOut = false;
  }
}
