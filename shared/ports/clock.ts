/**
 * Time, as a dependency (STYLE.md 13): what time it is, and a wait that ends early when its signal aborts.
 * Use cases read and wait on the clock they are given, never on `Date.now()` or timers, so tests run them on
 * virtual time (test/support/test-clock.ts) instead of waiting for real seconds.
 */
export interface Clock {
  /** The time now. */
  now(): Date;
  /**
   * Resolves after `ms` milliseconds; rejects (an `AbortError`) as soon as `signal` aborts, or at once when
   * it already has, as `node:timers/promises` does.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
