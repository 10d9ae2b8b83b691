/**
 * A virtual clock for the use cases (shared/ports/clock.ts): time moves only when a test moves it, and the
 * sleepers that fall due on the way wake in order (by due time, then by when they slept), each let run until
 * it waits again before the next wakes. No real timer is involved: a test of a 2-second wait takes
 * microseconds, and the same every time.
 */
import type { Clock } from '../../shared/ports/clock';

interface Sleeper {
  readonly dueAt: number;
  readonly order: number;
  readonly wake: () => void;
}

/** Lets everything already able to run (promise continuations, in-memory ports) run until it waits. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class TestClock implements Clock {
  private ms: number;
  private readonly sleepers = new Set<Sleeper>();
  private slept = 0;
  private readonly awaiting = new Set<{ readonly count: number; readonly resolve: () => void }>();

  /**
   * `start`: the time it reads first. `tickMs`: how far each reading moves the time on (so that records
   * made one after the other are ordered); moving on by reading wakes no one until the next `advance`.
   */
  constructor(
    start: Date | number = Date.parse('2026-11-25T12:00:00Z'),
    private readonly tickMs = 0,
  ) {
    this.ms = typeof start === 'number' ? start : start.getTime();
  }

  now(): Date {
    const now = new Date(this.ms);
    this.ms += this.tickMs;
    return now;
  }

  /** The time in milliseconds since the epoch, without moving it on. */
  get nowMs(): number {
    return this.ms;
  }

  /** How many sleepers are waiting. */
  get pending(): number {
    return this.sleepers.size;
  }

  /**
   * Resolves once at least `count` sleepers are waiting (at once when they are): for code that also waits on
   * real I/O (a socket, DynamoDB Local), so a test moves the time only when that code waits on the clock again.
   */
  sleeping(count = 1): Promise<void> {
    if (this.sleepers.size >= count) return Promise.resolve();
    return new Promise((resolve) => {
      this.awaiting.add({ count, resolve });
    });
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise((resolve, reject) => {
      const sleeper: Sleeper = {
        dueAt: this.ms + Math.max(0, ms),
        order: this.slept++,
        wake: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.sleepers.delete(sleeper);
        reject(abortError(signal as AbortSignal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.add(sleeper);
      for (const waiter of this.awaiting) {
        if (this.sleepers.size < waiter.count) continue;
        this.awaiting.delete(waiter);
        waiter.resolve();
      }
    });
  }

  /**
   * Moves the time on by `ms`, waking the sleepers due on the way in order; each runs until it waits again
   * (a sleep it starts that falls due within `ms` wakes too). Resolves when the time is `ms` later and what
   * woke has settled.
   */
  async advance(ms: number): Promise<void> {
    const until = this.ms + ms;
    await settle();
    for (let next = this.nextDue(until); next; next = this.nextDue(until)) {
      this.sleepers.delete(next);
      this.ms = Math.max(this.ms, next.dueAt);
      next.wake();
      await settle();
    }
    this.ms = Math.max(this.ms, until);
    await settle();
  }

  /**
   * Moves the time on to when the next sleeper is due, waking it (and any due with it) as `advance` does; how
   * far the time moved. Throws when nobody sleeps.
   */
  async advanceToNext(): Promise<number> {
    const next = this.nextDue(Number.POSITIVE_INFINITY);
    if (!next) throw new Error('nobody sleeps on the clock');
    const by = Math.max(0, next.dueAt - this.ms);
    await this.advance(by);
    return by;
  }

  /**
   * Moves the time on `stepMs` at a time until `work` settles, and answers what it does: for a use case that
   * also waits on real I/O or on other tasks (a sync's writes), which go on between the steps. Throws when
   * `work` has not settled after `limitMs` of virtual time.
   */
  async runUntil<T>(work: Promise<T>, stepMs = 1, limitMs = 3_600_000): Promise<T> {
    let settled = false;
    const done = work.finally(() => {
      settled = true;
    });
    done.catch(() => {});
    for (let elapsed = 0; !settled; elapsed += stepMs) {
      if (elapsed > limitMs) throw new Error(`still waiting after ${limitMs} ms of virtual time`);
      await this.advance(stepMs);
    }
    return done;
  }

  private nextDue(until: number): Sleeper | undefined {
    let next: Sleeper | undefined;
    for (const sleeper of this.sleepers) {
      if (sleeper.dueAt > until) continue;
      if (
        !next ||
        sleeper.dueAt < next.dueAt ||
        (sleeper.dueAt === next.dueAt && sleeper.order < next.order)
      ) {
        next = sleeper;
      }
    }
    return next;
  }
}

/** What node:timers/promises rejects an aborted wait with. */
function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('The operation was aborted'), {
    name: 'AbortError',
    code: 'ABORT_ERR',
    cause: signal.reason,
  });
}
