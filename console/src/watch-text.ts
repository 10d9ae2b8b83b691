/**
 * What the Runs page says of the change watch (docs/contract.md#changes-in-seconds), from GET /sync/runs
 * `watch`: one sentence, and whether it is a failure to show as one. No DOM here, so it is unit-tested as is.
 */
import type { RunHistory } from './types';

/** As dom.ts's formatTime (not imported: this file is tested without a DOM). */
const formatTime = (iso: string): string => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
};

export interface WatchText {
  readonly failing: boolean;
  readonly text: string;
}

export function describeWatch(watch: NonNullable<RunHistory['watch']>): WatchText {
  switch (watch.state) {
    case 'watching':
      return {
        failing: false,
        text: `Changes in seconds: watching ${watch.namingContext ?? 'the directory'} on ${watch.server ?? 'the DC'} since ${formatTime(watch.since)}${watch.lastChangeAt ? `; last change ${formatTime(watch.lastChangeAt)}` : ''}.`,
      };
    case 'connecting':
      return { failing: false, text: 'Changes in seconds: connecting to the directory…' };
    case 'failing':
      return {
        failing: true,
        text: `Changes in seconds are failing (${watch.failures ?? 1} in a row): ${watch.error?.message ?? 'unknown error'}. Trying again${watch.retryAt ? ` at ${formatTime(watch.retryAt)}` : ''}; the schedule still runs.`,
      };
    case 'off':
      return {
        failing: true,
        text: 'Changes in seconds are on, but no watch is running: changes reach the application on the schedule only.',
      };
  }
}
