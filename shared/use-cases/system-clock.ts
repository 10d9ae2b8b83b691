/**
 * The system's clock and timers: the default the use cases fill in where a run starts (`withDefaults`), as
 * they do `randomUUID`. It wraps only node built-ins, so it lives with the use cases, which import no adapter.
 */
import { setTimeout } from 'node:timers/promises';
import type { Clock } from '../ports/clock';

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms, signal) => setTimeout(ms, undefined, signal ? { signal } : {}),
};
