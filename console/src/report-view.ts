/**
 * A Test Settings or sync report on screen: outcome, the steps with their timings, the counts, the plan or the
 * applied changes as a searchable table filtered by action, and the excluded users with their reasons.
 */

import { scheduleHealthText } from '../../shared/domain/alert-text';
import { membershipLines, stepDetails } from '../../shared/domain/report-text';
import type { FormField } from './config-form';
import { fieldOfFailure } from './config-form';
import { announce, drawMatchingRows, formatMs, formatTime, h, scrollingTable } from './dom';
import { ACTION_LABELS, filterChanges, filterExclusions, REASON_LABELS } from './list-filters';
import { attributeText } from './pages/directory/mapping-editor';
import type { ChangeAction, Report, ReportChange, ReportExclusion } from './types';

/** Rows drawn at most per table: beyond that the search narrows it down (the counts stay exact). */

const STEP_LABELS: Readonly<Record<string, string>> = {
  resolve: 'Resolve servers',
  connect: 'Connect',
  bind: 'Bind',
  search: 'Search directory',
  filter: 'Apply filters',
  plan: 'Plan',
  apply: 'Apply changes',
  record: 'Record run',
};

export const FIELD_LABELS: Readonly<Record<FormField, string>> = {
  servers: 'Servers',
  domain: 'Domain',
  baseDn: 'Base DN',
  encryption: 'Encryption',
  caCertificate: 'CA certificate',
  tlsServerName: 'TLS server name',
  username: 'User name',
  password: 'Password',
  timeoutSeconds: 'Timeout',
  exchangeUsersOnly: 'Exchange users only',
  enabledUsersOnly: 'Enabled users only',
  visibleInAddressListsOnly: 'Visible in address lists only',
  groups: 'Groups',
  deleteUsers: 'Delete users',
  maxCount: 'Deletion threshold (users)',
  maxPercent: 'Deletion threshold (%)',
  deletionGraceDays: 'Keep deleted users suspended for (days)',
  privileges: 'Default privileges',
  ownArchiveAccess: 'Own archive access',
  scheduleEnabled: 'Schedule',
  intervalMinutes: 'Interval',
  changeNotifications: 'Changes in seconds',
  failuresBeforeBackoff: 'Back off after (failed runs)',
  staleAfterHours: 'Stale after (hours)',
  mappingUserName: 'User name from',
  mappingAttributes: 'Mapped attributes',
};

const STATUS_TEXT: Readonly<Record<Report['status'], string>> = {
  succeeded: 'Succeeded',
  failed: 'Failed',
  deletionThresholdExceeded: 'Deletes stopped by the deletion threshold',
  skipped: 'Skipped (another sync was running)',
  running: 'Running (continues in a follow-up invocation)',
};

export interface ReportViewOptions {
  /** Id prefix, unique per report on the page. */
  readonly id: string;
  /** Offered when the failure is about one setting: opens Directory Services at that field. */
  readonly onEditField?: (field: FormField, message: string) => void;
  /** Offered on each excluded user: explains it (by its distinguished name). */
  readonly onExplain?: (exclusion: ReportExclusion) => void;
}

/** The step that failed and why, or undefined when the run did not fail. */
export function failureOf(report: Report): { step?: string; message: string } | undefined {
  if (report.status !== 'failed') return undefined;
  const step = report.steps.find((s) => !s.ok);
  return {
    ...(step ? { step: step.name } : {}),
    message: report.error?.message ?? step?.message ?? 'The run failed',
  };
}

/** On a scheduled run that failed: the schedule's state after it (failures in a row, the back-off). */
function scheduleLine(report: Report): HTMLElement | '' {
  const text = report.schedule ? scheduleHealthText(report.schedule) : undefined;
  return text ? h('p', { class: 'schedule-state' }, h('strong', {}, `${text.title}: `), text.detail) : '';
}

export function renderReport(report: Report, options: ReportViewOptions): HTMLElement {
  const failure = failureOf(report);
  const field = fieldOfFailure(report);
  const duration = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
  const where = [report.server && `on ${report.server}`, report.baseDn && `under ${report.baseDn}`]
    .filter(Boolean)
    .join(' ');

  return h(
    'div',
    { class: 'report', id: `${options.id}-report` },
    h(
      'p',
      { class: `outcome outcome-${report.status}`, id: `${options.id}-outcome` },
      h('strong', {}, STATUS_TEXT[report.status]),
      ` ${where}`,
      Number.isFinite(duration) ? ` in ${formatMs(duration)}` : '',
      ` · ${formatTime(report.startedAt)}`,
    ),
    failure &&
      h(
        'div',
        { class: 'alert alert-error', role: 'alert', id: `${options.id}-failure` },
        h(
          'p',
          {},
          h(
            'strong',
            {},
            failure.step ? `Failed at step “${STEP_LABELS[failure.step] ?? failure.step}”: ` : 'Failed: ',
          ),
          failure.message,
          report.error ? h('span', { class: 'code' }, ` (${report.error.code})`) : '',
        ),
        scheduleLine(report),
        field &&
          options.onEditField &&
          h(
            'p',
            {},
            h(
              'button',
              {
                type: 'button',
                class: 'link',
                onclick: () => options.onEditField?.(field, failure.message),
              },
              `Change ${FIELD_LABELS[field]} in Directory Services`,
            ),
          ),
      ),
    h('h3', {}, 'Steps'),
    scrollingTable(
      'Steps',
      ['Step', 'Result', 'Time', 'Details'],
      report.steps.map((step) =>
        h(
          'tr',
          { class: step.ok ? '' : 'row-failed' },
          h('th', { scope: 'row' }, STEP_LABELS[step.name] ?? step.name),
          h('td', {}, h('span', { class: step.ok ? 'ok' : 'failed' }, step.ok ? '✓ OK' : '✗ Failed')),
          h('td', { class: 'num' }, formatMs(step.ms)),
          h('td', {}, stepDetails(step)),
        ),
      ),
    ),
    h('h3', {}, 'Counts'),
    renderCounts(report),
    report.changes.length > 0 || report.status !== 'failed' ? renderChanges(report, options.id) : '',
    report.excluded.length > 0 ? renderExcluded(report, options) : '',
  );
}

function renderCounts(report: Report): HTMLElement {
  const c = report.counts;
  const entries: Array<[string, number]> = [
    ['Directory users', c.directoryUsers],
    ['In scope', c.inScope],
    ['Excluded', c.excluded],
    [report.dryRun ? 'To create' : 'Created', c.created],
    [report.dryRun ? 'To update' : 'Updated', c.updated],
    [report.dryRun ? 'To delete' : 'Deleted', c.deleted],
    ...(c.suspended || c.restored
      ? [
          [report.dryRun ? 'To suspend' : 'Suspended', c.suspended] satisfies [string, number],
          [report.dryRun ? 'To restore' : 'Restored', c.restored] satisfies [string, number],
        ]
      : []),
    ['Unchanged', c.unchanged],
    ['Conflicts', c.conflicts],
  ];
  return h(
    'dl',
    { class: 'counts' },
    entries.map(([label, value]) => h('div', {}, h('dt', {}, label), h('dd', {}, value))),
  );
}

function renderChanges(report: Report, id: string): HTMLElement {
  const title = report.dryRun ? 'Plan' : 'Changes';
  const searchId = `${id}-plan-search`;
  const actionId = `${id}-plan-action`;
  const statusId = `${id}-plan-status`;
  const actions = (['create', 'update', 'delete', 'suspend', 'restore', 'conflict'] as const).filter(
    (action) => report.changes.some((c) => c.action === action),
  );
  const search = h('input', { type: 'search', id: searchId, autocomplete: 'off' });
  const action = h(
    'select',
    { id: actionId },
    h('option', { value: 'all' }, `All actions (${report.changes.length})`),
    actions.map((a) =>
      h(
        'option',
        { value: a },
        `${ACTION_LABELS[a]} (${report.changes.filter((c) => c.action === a).length})`,
      ),
    ),
  );
  const status = h('p', { id: statusId, class: 'list-status', role: 'status' });
  const body = h('div', {});

  const draw = (): void => {
    const rows = filterChanges(report.changes, {
      action: action.value as ChangeAction | 'all',
      search: search.value,
    });
    const cut = drawMatchingRows(
      { status, body },
      {
        label: title,
        headers: ['Action', 'User', 'Name', 'Addresses', 'Changed fields', 'Reason'],
        toRow: (change: ReportChange) =>
          h(
            'tr',
            {},
            h('td', {}, h('span', { class: `action action-${change.action}` }, ACTION_LABELS[change.action])),
            h('th', { scope: 'row' }, change.userName),
            h('td', {}, change.fullName),
            h('td', { class: 'addresses' }, change.emailAddresses.join(', ')),
            h(
              'td',
              {},
              change.changedFields.join(', '),
              // Test Settings: the mapped attributes the write would carry.
              change.attributes && Object.keys(change.attributes).length > 0
                ? h('div', { class: 'hint mapped' }, attributesLine(change.attributes))
                : '',
              // What the user's groups give it, and why (SPEC 8.2).
              change.membership
                ? h('div', { class: 'hint membership' }, membershipLines(change.membership).join('; '))
                : '',
            ),
            h('td', {}, change.reason ?? ''),
          ),
      },
      rows,
      `${report.changes.length} in all`,
    );
    if (cut) status.textContent += '; search to narrow down';
    if (report.changes.length === 0) {
      status.textContent = report.dryRun
        ? 'Nothing to change: the user database is in step with the directory.'
        : 'Nothing changed.';
    }
  };
  search.addEventListener('input', draw);
  action.addEventListener('change', () => {
    draw();
    announce(status.textContent ?? '');
  });
  draw();

  return h(
    'section',
    { 'aria-labelledby': `${id}-plan-heading` },
    h('h3', { id: `${id}-plan-heading` }, title),
    h(
      'div',
      { class: 'list-controls' },
      h(
        'div',
        { class: 'field' },
        h('label', { for: searchId }, `Search the ${title.toLowerCase()}`),
        search,
      ),
      h('div', { class: 'field' }, h('label', { for: actionId }, 'Action'), action),
    ),
    status,
    body,
  );
}

/** Mapped attributes on one line: `field: value; ...`, in field order. */
const attributesLine = (attributes: Readonly<Record<string, unknown>>): string =>
  Object.keys(attributes)
    .sort()
    .map((field) => `${field}: ${attributeText(attributes[field])}`)
    .join('; ');

function renderExcluded(report: Report, { id, onExplain }: ReportViewOptions): HTMLElement {
  const searchId = `${id}-excluded-search`;
  const search = h('input', { type: 'search', id: searchId, autocomplete: 'off' });
  const status = h('p', { class: 'list-status', role: 'status' });
  const body = h('div', {});
  const draw = (): void => {
    drawMatchingRows(
      { status, body },
      {
        label: 'Excluded users',
        headers: ['User', 'Reasons', 'Distinguished name', ...(onExplain ? ['Why'] : [])],
        toRow: (exclusion: ReportExclusion) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, exclusion.userName),
            h(
              'td',
              {},
              exclusion.reasons.map((reason) => REASON_LABELS[reason]).join('; '),
              exclusion.detail ? h('div', { class: 'hint' }, exclusion.detail) : '',
            ),
            h('td', { class: 'dn' }, exclusion.distinguishedName),
            onExplain &&
              h(
                'td',
                {},
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'small',
                    'aria-label': `Explain ${exclusion.userName}`,
                    onclick: () => onExplain(exclusion),
                  },
                  'Explain',
                ),
              ),
          ),
      },
      filterExclusions(report.excluded, search.value),
      `${report.excluded.length} excluded`,
    );
  };
  search.addEventListener('input', draw);
  draw();
  return h(
    'section',
    { 'aria-labelledby': `${id}-excluded-heading` },
    h('h3', { id: `${id}-excluded-heading` }, `Excluded users (${report.excluded.length})`),
    h(
      'div',
      { class: 'list-controls' },
      h('div', { class: 'field' }, h('label', { for: searchId }, 'Search the excluded users'), search),
    ),
    status,
    body,
  );
}
