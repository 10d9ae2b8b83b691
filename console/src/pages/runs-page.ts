/**
 * Runs: the history of committed syncs, newest first, and each run's report with its changes. A run under
 * way is listed with its progress; while one runs the page polls the list (and the run shown, when it is
 * that one) every few seconds, and stops once none runs or the page is left.
 */
import type { AppState } from '../app-state';
import { announce, formatTime, h, pageHeading, replaceChildren, scrollingTable } from '../dom';
import { describeProgress } from '../progress-text';
import { renderReport } from '../report-view';
import type { Report, RunHistory, RunSummary } from '../types';
import { describeWatch } from '../watch-text';

/** How often the page polls while a run is under way. */
export const RUNS_POLL_MS = 2000;

const TRIGGER_LABELS: Readonly<Record<NonNullable<RunSummary['trigger']>, string>> = {
  api: 'Synchronize now',
  schedule: 'Schedule',
  user: 'One user',
  notification: 'Change in AD',
};

const STATUS_LABELS: Readonly<Record<RunSummary['status'], string>> = {
  succeeded: 'Succeeded',
  failed: 'Failed',
  deletionThresholdExceeded: 'Threshold stop',
  skipped: 'Skipped',
  running: 'Running',
};

const RUN_COLUMNS: readonly string[] = [
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
];

/** What the page's parts share: the list, the details below it, and which run they show. */
interface RunsPage {
  readonly state: AppState;
  readonly list: HTMLElement;
  readonly detail: HTMLElement;
  /** The run whose details are shown, and its Details button. */
  open: { runId: string; button: HTMLButtonElement } | undefined;
}

/** Draws the runs into `main`, and follows them while one is under way (see the module's comment). */
export async function renderRunsPage(state: AppState, main: HTMLElement): Promise<void> {
  const { runs, watch } = await state.api.listRuns();
  const page: RunsPage = {
    state,
    detail: h('section', { id: 'run-detail', 'aria-live': 'polite' }),
    list: h('div', { id: 'runs-list' }),
    open: undefined,
  };
  replaceChildren(
    main,
    pageHeading('Runs'),
    h(
      'p',
      { class: 'intro' },
      'Every Synchronize now, scheduled sync and run a change in AD started, newest first, a run under way with its progress. Test Settings records nothing.',
    ),
    ...(watch ? [watchParagraph(watch)] : []),
    page.list,
    page.detail,
  );
  drawList(page, runs);
  if (runs.some((run) => run.status === 'running')) void poll(page, runs);
}

function drawDetail(page: RunsPage, run: RunSummary, report: Report, moveFocus: boolean): void {
  const { detail } = page;
  const heading = h('h2', { tabindex: -1, id: 'run-detail-heading' }, `Run of ${formatTime(run.startedAt)}`);
  // The details are a live region: a run under way is drawn again when its phase changes, not each count.
  if (report.status === 'running') detail.dataset.phase = report.progress?.phase ?? '';
  else delete detail.dataset.phase;
  replaceChildren(
    detail,
    heading,
    report.status === 'running'
      ? h(
          'p',
          { class: 'alert alert-info', id: 'run-running' },
          `This run is under way: ${describeProgress(report.progress).phase.toLowerCase()}. Its report shows here when it ends; the list above shows its counts.`,
        )
      : renderReport(report, { id: 'run' }),
  );
  if (moveFocus) heading.focus();
}

/** Opens a run's details (its Details button expanded, the one open before collapsed). */
async function showRun(page: RunsPage, run: RunSummary, button: HTMLButtonElement): Promise<void> {
  page.open?.button.setAttribute('aria-expanded', 'false');
  page.open = { runId: run.runId, button };
  button.setAttribute('aria-expanded', 'true');
  replaceChildren(page.detail, h('p', { role: 'status' }, 'Loading the run…'));
  try {
    drawDetail(page, run, await page.state.api.getRun(run.runId), true);
  } catch (error) {
    replaceChildren(
      page.detail,
      h('p', { class: 'alert alert-error', role: 'alert' }, (error as Error).message),
    );
  }
}

function runRow(page: RunsPage, run: RunSummary): HTMLTableRowElement {
  const expanded = page.open?.runId === run.runId;
  const button = h(
    'button',
    {
      type: 'button',
      class: 'small',
      'aria-controls': 'run-detail',
      'aria-expanded': String(expanded),
      'data-run-id': run.runId,
    },
    'Details',
  );
  if (expanded && page.open) page.open.button = button;
  button.setAttribute('aria-label', `Details of the run of ${formatTime(run.startedAt)}`);
  button.addEventListener('click', () => void showRun(page, run, button));
  const c = run.counts;
  return h(
    'tr',
    { class: run.status === 'failed' ? 'row-failed' : '' },
    h('th', { scope: 'row' }, formatTime(run.startedAt)),
    h('td', {}, TRIGGER_LABELS[run.trigger ?? 'api']),
    h(
      'td',
      {},
      h('span', { class: `status status-${run.status}` }, STATUS_LABELS[run.status]),
      run.status === 'running'
        ? h('span', { class: 'hint run-progress' }, ` ${describeProgress(run.progress).summary}`)
        : '',
      run.error ? h('span', { class: 'hint' }, ` ${run.error.code}: ${run.error.message}`) : '',
    ),
    h('td', {}, run.server ?? ''),
    [c.created, c.updated, c.deleted, c.unchanged, c.excluded, c.conflicts].map((n) =>
      h('td', { class: 'num' }, n),
    ),
    h('td', {}, button),
  );
}

function drawList(page: RunsPage, current: readonly RunSummary[]): void {
  const { list } = page;
  // A redraw keeps the keyboard focus on the Details button it was on, and the table where it was scrolled.
  const focused = list.contains(document.activeElement)
    ? document.activeElement?.getAttribute('data-run-id')
    : undefined;
  const scrolled = list.querySelector('.table-scroll');
  const scroll = { left: scrolled?.scrollLeft ?? 0, top: scrolled?.scrollTop ?? 0 };
  replaceChildren(
    list,
    current.length === 0
      ? h('p', {}, 'No sync has run yet. ', h('a', { href: '#/sync' }, 'Synchronize now'))
      : scrollingTable(
          'Runs',
          RUN_COLUMNS,
          current.map((run) => runRow(page, run)),
        ),
  );
  list.querySelector('.table-scroll')?.scrollTo(scroll.left, scroll.top);
  if (focused) {
    list.querySelector<HTMLElement>(`[data-run-id="${CSS.escape(focused)}"]`)?.focus({ preventScroll: true });
  }
}

/** While a run is under way: the list again, and the run shown when it is that one, until none runs. */
async function poll(page: RunsPage, first: readonly RunSummary[]): Promise<void> {
  const { list } = page;
  let previous = first;
  while (previous.some((run) => run.status === 'running')) {
    await new Promise((resolve) => setTimeout(resolve, RUNS_POLL_MS));
    if (!list.isConnected) return;
    const { runs: current } = await page.state.api.listRuns().catch(() => ({ runs: previous }));
    if (!list.isConnected) return;
    drawList(page, current);
    for (const run of current) {
      if (previous.find((p) => p.runId === run.runId)?.status !== 'running') continue;
      if (run.runId === page.open?.runId) await refreshDetail(page, run);
      if (run.status !== 'running') {
        announce(`The run of ${formatTime(run.startedAt)} ended: ${STATUS_LABELS[run.status]}`);
      }
    }
    previous = current;
  }
}

/** The details of a run that was under way: its report once it has ended, its new phase while it runs. */
async function refreshDetail(page: RunsPage, run: RunSummary): Promise<void> {
  if (run.status === 'running' && page.detail.dataset.phase === run.progress?.phase) return;
  const report = await page.state.api.getRun(run.runId).catch(() => undefined);
  if (report && page.list.isConnected && page.open?.runId === run.runId) drawDetail(page, run, report, false);
}

/** The change watch's state: a failing one as an alert (never silent). */
function watchParagraph(watch: NonNullable<RunHistory['watch']>): HTMLElement {
  const { failing, text } = describeWatch(watch);
  return h(
    'p',
    {
      id: 'watch-status',
      class: failing ? 'alert alert-error' : 'alert alert-info',
      'data-state': watch.state,
    },
    text,
  );
}
