// Polling helpers for tests that wait on other processes and on the clock.

export const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` every `everyMs` until it gives a truthy value; fails naming `what` (and `context()`) after `timeoutMs`. */
export async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, options: { everyMs?: number; context?: () => string } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${options.context ? `\n${options.context()}` : ""}`);
    await delay(options.everyMs ?? 100);
  }
}
