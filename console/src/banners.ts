/**
 * The banners at the top of every page (docs/contract.md#operators-are-told): deletes a run withheld (with
 * the approval the button sends), a failing or backed-off schedule, a stale sync, a failing change watch. Decided from GET /sync/runs'
 * answer and worded with shared/domain/alert-text.ts, as the CLI words them. No DOM here, so it is
 * unit-tested as is; banner-view.ts draws it.
 */
import { scheduleHealthText, stalenessText, watchText } from '../../shared/domain/alert-text';
import type { RunHistory } from './types';

export interface Banner {
  readonly kind: 'withheld' | 'schedule' | 'stale' | 'watch';
  /** `error`: the sync is not doing its job; `warn`: something to look at. */
  readonly tone: 'error' | 'warn';
  readonly title: string;
  readonly text: string;
  /** The run to look at in Runs. */
  readonly runId?: string;
  /** On `withheld`: what approving sends (POST /sync `allowMassDeletion`), and the button's label. */
  readonly approval?: { readonly runId: string; readonly deletes: number; readonly label: string };
}

/** The banners of the history, most urgent first; none when all is well. */
export function bannersOf(history: RunHistory): Banner[] {
  const banners: Banner[] = [];
  const { schedule, stale } = history;
  if (stale) {
    const { title, detail } = stalenessText(stale);
    banners.push({
      kind: 'stale',
      tone: 'error',
      title,
      text: detail,
      ...(stale.lastRun ? { runId: stale.lastRun.runId } : {}),
    });
  }
  const scheduleText = schedule?.enabled ? scheduleHealthText(schedule) : undefined;
  if (schedule && scheduleText) {
    banners.push({
      kind: 'schedule',
      tone: schedule.state === 'backedOff' ? 'error' : 'warn',
      title: scheduleText.title,
      text: scheduleText.detail,
      ...(schedule.lastFailure ? { runId: schedule.lastFailure.runId } : {}),
    });
  }
  // A change watch that fails (or is on and not running): changes wait for the schedule.
  const watch = history.watch ? watchText(history.watch) : undefined;
  if (watch) banners.push({ kind: 'watch', tone: 'warn', title: watch.title, text: watch.detail });
  // The last run that ended (a skipped occurrence or a run under way says nothing of it).
  const last = history.runs.find((run) => run.status !== 'skipped' && run.status !== 'running');
  if (last?.status === 'deletionThresholdExceeded' && last.deletesWithheld) {
    const deletes = last.deletesWithheld;
    // Its configuration changed under it: no approval can apply these (it holds for the version it ran on).
    if (last.deletesWithheldBecause?.reason === 'configurationChanged') {
      banners.push({
        kind: 'withheld',
        tone: 'warn',
        title: 'Deletes withheld',
        text:
          `The last sync would remove ${deletes} directory user${deletes === 1 ? '' : 's'}, but the configuration ` +
          'changed while it ran, so it applied its creates and updates and held the removals back. Synchronize now ' +
          'to run with the new configuration.',
        runId: last.runId,
      });
      return banners;
    }
    banners.push({
      kind: 'withheld',
      tone: 'warn',
      title: 'Deletes withheld',
      text:
        `The last sync would remove ${deletes} directory user${deletes === 1 ? '' : 's'}, more than the deletion ` +
        'threshold allows: it applied its creates and updates and held the removals back. Check them in Runs; ' +
        'if the directory is right, apply them once.',
      runId: last.runId,
      approval: { runId: last.runId, deletes, label: `Apply the ${deletes} withheld removals once` },
    });
  }
  return banners;
}
