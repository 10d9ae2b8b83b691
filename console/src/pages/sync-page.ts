/**
 * Synchronize now: commits the plan and records a run. The request is synchronous, so the page shows progress
 * until the report arrives. A deletion-threshold stop is explained, with a button that allows the deletes once.
 */
import { ApiError } from '../api-client';
import type { AppState } from '../app-state';
import { announce, formatTime, h, pageHeading, replaceChildren } from '../dom';
import { renderReport } from '../report-view';
import type { Report, RunSummary, Runs } from '../types';

export function renderSyncPage(state: AppState, main: HTMLElement): void {
  const result = h('div', { id: 'sync-result' });
  const progress = h('div', { class: 'progress', id: 'sync-progress', hidden: true });
  const syncButton = h('button', { type: 'button', class: 'primary' }, 'Synchronize now');

  const showReport = (report: Report): void => {
    const withheld = report.changes.filter((c) => c.action === 'delete');
    const planStep = report.steps.find((s) => s.name === 'plan');
    const why = /deletes withheld: (.+)$/.exec(planStep?.message ?? '')?.[1];
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
              `This sync would delete ${withheld.length} directory users${why ? ` (${why})` : ''}. `,
              'Creates and updates were applied; no user was deleted. The threshold protects the user database from a wrong Base DN, filter or group emptying it.',
            ),
            h(
              'p',
              {},
              'Check the users to delete below. If the directory is right, allow the deletes for one sync:',
            ),
            h(
              'button',
              { type: 'button', class: 'danger', id: 'allow-mass-deletion', onclick: () => void run(true) },
              `Synchronize and delete ${withheld.length} users, this once`,
            ),
          )
        : '',
      renderReport(report, {
        id: 'sync',
        onEditField: state.editField,
      }),
    );
  };

  const showProgress = (running: Promise<Report>): void => {
    const started = Date.now();
    const elapsed = h('span', {}, '0 s');
    replaceChildren(
      progress,
      h('label', { for: 'sync-progress-bar' }, 'Synchronizing… '),
      h('progress', { id: 'sync-progress-bar' }),
      ' ',
      elapsed,
    );
    progress.hidden = false;
    syncButton.disabled = true;
    result.setAttribute('aria-busy', 'true');
    const timer = setInterval(() => {
      elapsed.textContent = `${Math.round((Date.now() - started) / 1000)} s`;
    }, 1000);
    void running
      .then(
        (report) => {
          showReport(report);
          announce(`Synchronization ${report.status === 'succeeded' ? 'finished' : report.status}`);
        },
        (error: unknown) => {
          replaceChildren(
            result,
            h(
              'div',
              { class: 'alert alert-error', role: 'alert' },
              error instanceof ApiError && error.code === 'SyncRunning'
                ? 'A sync is already running (the schedule or another administrator). Try again when it has finished.'
                : `The sync could not run: ${(error as Error).message}`,
            ),
          );
        },
      )
      .finally(() => {
        clearInterval(timer);
        progress.hidden = true;
        syncButton.disabled = false;
        result.removeAttribute('aria-busy');
      });
  };

  const run = (allowMassDeletion: boolean): void => {
    const running = state.api.request<Report>(
      'POST',
      '/sync',
      allowMassDeletion ? { allowMassDeletion: true } : {},
    );
    state.syncInFlight = running;
    void running
      .then((report) => {
        state.lastSync = report;
      })
      .catch(() => {})
      .finally(() => {
        if (state.syncInFlight === running) state.syncInFlight = undefined;
      });
    replaceChildren(result);
    showProgress(running);
  };

  syncButton.addEventListener('click', () => run(false));

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
  if (state.syncInFlight !== undefined) showProgress(state.syncInFlight);
  else if (state.lastSync) showReport(state.lastSync);
  else void showLastRun(state, result);
}

/** Before the first sync from this tab: when the last run was and how it ended. */
async function showLastRun(state: AppState, result: HTMLElement): Promise<void> {
  const { runs } = await state.api.request<Runs>('GET', '/sync/runs').catch(() => ({
    runs: [] as RunSummary[],
  }));
  const last = runs[0];
  if (!last || result.childElementCount > 0) return;
  const c = last.counts;
  replaceChildren(
    result,
    h(
      'p',
      { id: 'last-run' },
      `Last run ${formatTime(last.startedAt)}: ${last.status}, ${c.created} created, ${c.updated} updated, ${c.deleted} deleted. `,
      h('a', { href: '#/runs' }, 'All runs'),
    ),
  );
}
