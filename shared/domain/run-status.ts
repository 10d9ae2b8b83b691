/** A run's status and what started it: what the report and the schedule's rules share. */
/**
 * `skipped`: a scheduled run that found another sync running. `running`: a run (or preview) under way, whose
 * record carries its `progress` and is replaced when it ends; this includes a run that stopped before its
 * Lambda invocation's deadline and continues in a follow-up invocation.
 */
export const RUN_STATUSES = [
  'succeeded',
  'failed',
  'deletionThresholdExceeded',
  'skipped',
  'running',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/**
 * What started a committed run: Synchronize now, the schedule, a sync of one user, or a change the directory
 * notified (`schedule.changeNotifications`, docs/contract.md#changes-in-seconds).
 */
export const RUN_TRIGGERS = ['api', 'schedule', 'user', 'notification'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];
