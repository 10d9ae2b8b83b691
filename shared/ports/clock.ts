/**
 * Time, as a dependency (STYLE.md 13): what time it is, and a wait that ends early when its signal aborts.
 * Use cases read and wait on the clock they are given, never on `Date.now()` or timers, so tests run them on
 * virtual time (test/support/test-clock.ts) instead of waiting for real seconds.
 */
import { setTimeout } from 'node:timers/promises';

export interface Clock {
  /** The time now. */
  now(): Date;
  /**
   * Resolves after `ms` milliseconds; rejects (an `AbortError`) as soon as `signal` aborts, or at once when
   * it already has, as `node:timers/promises` does.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The system's clock and timers. It is the port's default rather than an adapter because it wraps only node
 * built-ins and the use cases fill it in where a run starts (`withDefaults`), as they do `randomUUID`; the
 * use cases import no adapter.
 */
export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) => setTimeout(ms, undefined, signal ? { signal } : {}),
};
