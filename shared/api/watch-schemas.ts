/** The change watch's state in GET /sync/runs, one schema for the API's validation and its OpenAPI document. */
import * as z from 'zod';
import { WATCH_STATES, type WatchStatus } from '../domain/change-watch';
import { documenting } from './documenting';

/** The change watch's state (docs/contract.md#changes-in-seconds). */
export const watchStatus = documenting<WatchStatus>()(
  z.object({
    state: z.enum(WATCH_STATES).describe('off, connecting, watching, or failing (tried again at retryAt)'),
    since: z.string().describe('when the watch entered this state'),
    server: z.string().optional().describe('the DC the search is open on, or was last tried'),
    namingContext: z.string().optional().describe('the naming context the search watches'),
    showDeleted: z
      .boolean()
      .optional()
      .describe(
        'watching: whether the search asks for deleted objects too (Show Deleted); false when the DC refused it',
      ),
    error: z
      .object({ code: z.string(), message: z.string() })
      .optional()
      .describe('failing: why the last attempt failed'),
    failures: z.int().optional().describe('failing: attempts that failed in a row'),
    retryAt: z.string().optional().describe('failing: when the watch tries again'),
    lastChangeAt: z.string().optional().describe('the last change in scope the DC notified'),
    lastRunId: z.string().optional().describe('the last run the watch started'),
    checkedAt: z
      .string()
      .optional()
      .describe("watching: when the DC last answered the watch's probe (every 15 s): its heartbeat"),
  }),
);
