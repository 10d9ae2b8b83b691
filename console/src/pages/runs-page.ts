/** Runs: the history of committed syncs, newest first, and each run's report with its changes. */
import type { AppState } from '../app-state';
import { formatTime, h, pageHeading, replaceChildren, scrollingTable } from '../dom';
import { renderReport } from '../report-view';
import type { RunSummary } from '../types';

const STATUS_LABELS: Readonly<Record<RunSummary['status'], string>> = {
  succeeded: 'Succeeded',
  failed: 'Failed',
  deletionThresholdExceeded: 'Threshold stop',
  skipped: 'Skipped',
  running: 'Running',
};

export async function renderRunsPage(state: AppState, main: HTMLElement): Promise<void> {
  const { runs } = await state.api.listRuns();
  const detail = h('section', { id: 'run-detail', 'aria-live': 'polite' });
  let open: HTMLButtonElement | undefined;

  const showRun = async (run: RunSummary, button: HTMLButtonElement): Promise<void> => {
    open?.setAttribute('aria-expanded', 'false');
    open = button;
    button.setAttribute('aria-expanded', 'true');
    replaceChildren(detail, h('p', { role: 'status' }, 'Loading the run…'));
    try {
      const report = await state.api.getRun(run.runId);
      const heading = h(
        'h2',
        { tabindex: -1, id: 'run-detail-heading' },
        `Run of ${formatTime(run.startedAt)}`,
      );
      replaceChildren(detail, heading, renderReport(report, { id: 'run' }));
      heading.focus();
    } catch (error) {
      replaceChildren(
        detail,
        h('p', { class: 'alert alert-error', role: 'alert' }, (error as Error).message),
      );
    }
  };

  replaceChildren(
    main,
    pageHeading('Runs'),
    h(
      'p',
      { class: 'intro' },
      'Every Synchronize now and scheduled sync, newest first. Test Settings records nothing.',
    ),
    runs.length === 0
      ? h('p', {}, 'No sync has run yet. ', h('a', { href: '#/sync' }, 'Synchronize now'))
      : scrollingTable(
          'Runs',
          [
            'Started',
            'Trigger',
            'Status',
            'Server',
            'Created',
            'Updated',
            'Deleted',
            'Unchanged',
            'Excluded',
            'Conflicts',
            '',
          ],
          runs.map((run) => {
            const button = h(
              'button',
              { type: 'button', class: 'small', 'aria-controls': 'run-detail', 'aria-expanded': 'false' },
              'Details',
            );
            button.setAttribute('aria-label', `Details of the run of ${formatTime(run.startedAt)}`);
            button.addEventListener('click', () => void showRun(run, button));
            const c = run.counts;
            return h(
              'tr',
              { class: run.status === 'failed' ? 'row-failed' : '' },
              h('th', { scope: 'row' }, formatTime(run.startedAt)),
              h('td', {}, run.trigger === 'schedule' ? 'Schedule' : 'Synchronize now'),
              h(
                'td',
                {},
                h('span', { class: `status status-${run.status}` }, STATUS_LABELS[run.status]),
                run.error ? h('span', { class: 'hint' }, ` ${run.error.code}: ${run.error.message}`) : '',
              ),
              h('td', {}, run.server ?? ''),
              [c.created, c.updated, c.deleted, c.unchanged, c.excluded, c.conflicts].map((n) =>
                h('td', { class: 'num' }, n),
              ),
              h('td', {}, button),
            );
          }),
        ),
    detail,
  );
}
