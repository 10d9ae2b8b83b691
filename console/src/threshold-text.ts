/**
 * What the Synchronize-now page says of a run the deletion threshold stopped (SPEC 3, and 7.6 for a grace
 * period): how many removals it held back and why, whether they are deletes, suspensions or both, and what
 * allowing them does, decided from the report's `deletesWithheldBecause` and the changes' `withheld` and
 * worded with shared/domain/report-text.ts. No DOM here, so it is unit-tested as is; pages/sync-page.ts draws it.
 */
import {
  describeDeletionHold,
  REMOVAL_WORDS,
  withheldChanges,
  withheldRemovals,
} from '../../shared/domain/report-text';
import type { Report } from './types';

export interface ThresholdText {
  /** The count the run recorded (the list of changes is capped): what the approval names. */
  readonly withheld: number;
  /** `This sync would suspend 1200 directory users (1200 deletes exceed the maximum of 10)`: why, when the run says. */
  readonly would: string;
  /** `Creates and updates were applied; no user was suspended.` */
  readonly applied: string;
  /** `Check the users to suspend below.` */
  readonly check: string;
  /**
   * The approving button's label; none when the configuration changed during the run (an approval holds for
   * the version the run ran on, so none could apply these: a new sync plans them afresh).
   */
  readonly allow?: string;
}

export function describeThresholdStop(report: Report): ThresholdText {
  // The held-back ones: a continued run's report also lists what its earlier invocations applied.
  const withheld = report.deletesWithheld ?? withheldChanges(report.changes).length;
  // With a grace period the removals held back are suspensions; those whose grace has ended, deletes.
  const { verb, participle: done } = REMOVAL_WORDS[withheldRemovals(report.changes)];
  const hold = report.deletesWithheldBecause;
  return {
    withheld,
    would: `This sync would ${verb} ${withheld} directory users${hold ? ` (${describeDeletionHold(hold)})` : ''}`,
    applied: `Creates and updates were applied; no user was ${done}.`,
    check: `Check the users to ${verb} below.`,
    ...(hold?.reason === 'configurationChanged'
      ? {}
      : { allow: `Synchronize and ${verb} ${withheld} users, this once` }),
  };
}
