/**
 * What the Runs page says of the change watch (docs/contract.md#changes-in-seconds), from GET /sync/runs
 * `watch`: one sentence, and whether it is a failure to show as one. A failing watch is worded by
 * shared/domain/alert-text.ts, as the banner and the CLI word it. No DOM here, so it is unit-tested as is.
 */
import { watchText } from '../../shared/domain/alert-text';
import type { RunHistory } from './types';

export interface WatchText {
  readonly failing: boolean;
  readonly text: string;
}

/** As dom.ts's formatTime (not imported: this file is tested without a DOM). */
const formatTime = (iso: string): string => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
};

export function describeWatch(watch: NonNullable<RunHistory['watch']>): WatchText {
  const alert = watchText(watch);
  if (alert) return { failing: true, text: `${alert.title}: ${alert.detail}` };
  if (watch.state === 'connecting') {
    return { failing: false, text: 'Changes in seconds: connecting to the directory…' };
  }
  const lastChange = watch.lastChangeAt ? `; last change ${formatTime(watch.lastChangeAt)}` : '';
  return {
    failing: false,
    text: `Changes in seconds: watching ${watch.namingContext ?? 'the directory'} on ${watch.server ?? 'the DC'} since ${formatTime(watch.since)}${lastChange}.`,
  };
}
