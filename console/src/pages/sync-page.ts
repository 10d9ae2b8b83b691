/**
 * Synchronize now: starts a sync, which commits the plan and records a run, and follows it (the API answers
 * 202 and the client polls the run): the page shows the run's phase and counts while it goes, then its
 * report. Progress goes on showing after navigating away and back. A deletion-threshold stop is explained,
 * with a button that allows the deletes once.
 */
import { ApiError } from '../api-client';
import type { AppState } from '../app-state';
import { announce, formatTime, h, pageHeading, replaceChildren } from '../dom';
import { describeProgress } from '../progress-text';
import { FollowedOperation, progressView, showFollowing } from '../progress-view';
import { renderReport } from '../report-view';
import { describeThresholdStop } from '../threshold-text';
import type { Report, RunSummary } from '../types';

/** What the page says when the sync could not start or be followed. */
function syncFailure(error: unknown): HTMLElement {
  const running =
    error instanceof ApiError && error.code === 'SyncRunning'
      ? error.details.find((detail) => detail.path === 'runId')?.message
      : undefined;
  return h(
    'div',
    { class: 'alert alert-error', role: 'alert' },
    error instanceof ApiError && error.code === 'SyncRunning'
      ? [
          `A sync is already running${running ? ` (run ${running})` : ''}, started by the schedule or another administrator. `,
          h('a', { href: '#/runs' }, 'Follow it in Runs'),
          ', and synchronize again when it has finished.',
        ]
      : error instanceof ApiError && error.code === 'ApprovalMismatch'
        ? `Nothing was deleted: ${error.message}. Synchronize again to see what it would delete now.`
        : `The sync could not run: ${(error as Error).message}`,
  );
}

export function renderSyncPage(state: AppState, main: HTMLElement): void {
  const result = h('div', { id: 'sync-result' });
  const progress = h('div', { id: 'sync-following', hidden: true });
  const syncButton = h('button', { type: 'button', class: 'primary' }, 'Synchronize now');

  const showReport = (report: Report): void => {
    const stop = describeThresholdStop(report);
    replaceChildren(
      result,
      report.status === 'deletionThresholdExceeded'
        ? h(
            'section',
            { class: 'alert alert-warn', 'aria-labelledby': 'threshold-heading', id: 'threshold' },
            h('h2', { id: 'threshold-heading' }, 'Deletes stopped by the deletion threshold'),
            h(
              'p',
              {},
              `${stop.would}. `,
              `${stop.applied} The threshold protects the user database from a wrong Base DN, filter or group emptying it.`,
            ),
            stop.allow === undefined
              ? h('p', {}, 'Synchronize now again to run with the new configuration.')
              : [
                  h('p', {}, `${stop.check} If the directory is right, allow them for one sync:`),
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'danger',
                      id: 'allow-mass-deletion',
                      onclick: () => void run({ runId: report.runId, deletes: stop.withheld }),
                    },
                    stop.allow,
                  ),
                ],
          )
        : '',
      renderReport(report, {
        id: 'sync',
        onEditField: state.editField,
      }),
    );
  };

  const showProgress = (operation: FollowedOperation): void => {
    const view = progressView('sync', 'Synchronizing:');
    replaceChildren(progress, view.element);
    progress.hidden = false;
    syncButton.disabled = true;
    result.setAttribute('aria-busy', 'true');
    showFollowing(view, operation);
    void operation.done
      .then(
        (report) => {
          showReport(report);
          announce(`Synchronization ${report.status === 'succeeded' ? 'finished' : report.status}`);
        },
        (error: unknown) => replaceChildren(result, syncFailure(error)),
      )
      .finally(() => {
        progress.hidden = true;
        replaceChildren(progress);
        syncButton.disabled = false;
        result.removeAttribute('aria-busy');
      });
  };

  /** With an approval, the deletes the shown run withheld, named by that run and their count (409 otherwise). */
  const run = (approval?: { runId: string; deletes: number }): void => {
    const body = approval ? { allowMassDeletion: approval } : {};
    const operation = new FollowedOperation((onProgress) => state.api.synchronize(body, { onProgress }));
    state.syncInFlight = operation;
    void operation.done
      .then((report) => {
        state.lastSync = report;
      })
      .catch(() => {})
      .finally(() => {
        if (state.syncInFlight === operation) state.syncInFlight = undefined;
        state.refreshBanners?.();
      });
    replaceChildren(result);
    showProgress(operation);
  };

  syncButton.addEventListener('click', () => run());

  replaceChildren(
    main,
    pageHeading('Synchronize now'),
    h(
      'p',
      { class: 'intro' },
      'Reads the directory with the saved settings and applies the plan to the user database: creates, updates and, when enabled and under the threshold, deletes. The run is recorded in Runs.',
    ),
    state.draft?.dirty
      ? h(
          'p',
          { class: 'alert alert-info' },
          'Directory Services has unsaved changes: the sync uses the saved settings.',
        )
      : '',
    h('div', { class: 'actions' }, syncButton),
    progress,
    result,
  );
  const approval = state.pendingApproval;
  state.pendingApproval = undefined;
  // A banner's button: apply what the run it named withheld (409 ApprovalMismatch when it is no longer the last).
  if (approval && state.syncInFlight === undefined) run(approval);
  else if (state.syncInFlight !== undefined) showProgress(state.syncInFlight);
  else if (state.lastSync) showReport(state.lastSync);
  else void showLastRun(state, result);
}

/** Before the first sync from this tab: when the last run was and how it ended. */
async function showLastRun(state: AppState, result: HTMLElement): Promise<void> {
  const { runs } = await state.api.listRuns().catch(() => ({
    runs: [] as RunSummary[],
  }));
  const last = runs[0];
  if (!last || result.childElementCount > 0) return;
  const c = last.counts;
  replaceChildren(
    result,
    last.status === 'running'
      ? h(
          'p',
          { id: 'last-run' },
          `A sync started ${formatTime(last.startedAt)} is running (${describeProgress(last.progress).summary}). `,
          h('a', { href: '#/runs' }, 'Follow it in Runs'),
        )
      : h(
          'p',
          { id: 'last-run' },
          `Last run ${formatTime(last.startedAt)}: ${last.status}, ${c.created} created, ${c.updated} updated, ${c.deleted} deleted. `,
          h('a', { href: '#/runs' }, 'All runs'),
        ),
  );
}
