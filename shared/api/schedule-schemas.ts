/** The schedule's health in run summaries and run events, one schema for validation and the OpenAPI document. */
import * as z from 'zod';
import { RUN_STATUSES } from '../domain/report';
import { SCHEDULE_STATES, type ScheduleHealth, type Staleness } from '../domain/schedule-health';
import { documenting } from './documenting';

/** A failed run's error: its code and message. */
export const runError = z.object({ code: z.string(), message: z.string() });

/** The schedule's state (docs/contract.md#operators-are-told): failures in a row, the back-off, and why. */
export const scheduleHealth = documenting<ScheduleHealth>()(
  z.object({
    state: z.enum(SCHEDULE_STATES),
    failedRuns: z.int().describe('scheduled runs that failed in a row'),
    failuresBeforeBackoff: z.int(),
    intervalMinutes: z.int(),
    delayMinutes: z
      .int()
      .describe(
        'how long the schedule waits after its last failed run: the interval, or longer while backed off',
      ),
    nextRunAt: z.string().optional().describe('while backed off: the earliest time the schedule runs again'),
    lastFailure: z
      .object({ runId: z.string(), finishedAt: z.string(), error: runError.optional() })
      .optional()
      .describe('why: the newest failed scheduled run'),
  }),
);

/** No run has succeeded for alerts.staleAfterHours. */
export const staleness = documenting<Staleness>()(
  z.object({
    since: z.string(),
    staleAfterHours: z.number(),
    lastSucceeded: z.object({ runId: z.string(), finishedAt: z.string() }).optional(),
    lastRun: z.object({ runId: z.string(), status: z.enum(RUN_STATUSES), finishedAt: z.string() }).optional(),
  }),
);
