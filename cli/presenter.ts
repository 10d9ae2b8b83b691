/**
 * The CLI's words: what the API answers, turned into text for a person (fixed-width tables, a report, an
 * explanation, an error answer). `--json` prints the data itself instead. The development tools print their
 * tables with the same `table`.
 */
import type { DeepReadonly, Report, UserExplanationBody } from '../shared/api/schemas';
import { membershipLines, REMOVAL_WORDS, stepDetails, withheldRemovals } from '../shared/domain/report-text';
import type { ApiError } from './api-client';

/** A fixed-width text table. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** A report's steps as a table: name, ok, milliseconds, message. */
export const stepsTable = (report: DeepReadonly<Report>): string =>
  table(
    ['step', 'ok', 'ms', 'message'],
    report.steps.map((s) => [s.name, s.ok ? 'yes' : 'NO', String(s.ms), stepDetails(s)]),
  );

export function describeReport(report: DeepReadonly<Report>): string {
  const c = report.counts;
  const lines = [
    `${report.dryRun ? 'Test Settings' : 'Sync'} ${report.status}${report.server ? ` on ${report.server}` : ''}${report.baseDn ? ` under ${report.baseDn}` : ''}`,
    '',
    stepsTable(report),
    '',
    `directory users ${c.directoryUsers}, in scope ${c.inScope}, excluded ${c.excluded}; ` +
      `created ${c.created}, updated ${c.updated}, deleted ${c.deleted}, ` +
      (c.suspended || c.restored ? `suspended ${c.suspended}, restored ${c.restored}, ` : '') +
      `unchanged ${c.unchanged}, conflicts ${c.conflicts}`,
  ];
  if (report.changes.length > 0) {
    lines.push(
      '',
      table(
        ['action', 'user', 'name', 'addresses', 'changed', 'reason'],
        report.changes.map((ch) => [
          ch.action,
          ch.userName,
          ch.fullName,
          ch.emailAddresses.join(' '),
          ch.changedFields.join(','),
          ch.reason ?? '',
        ]),
      ),
    );
  }
  // What the users' groups give them, and why (SPEC 8.2: Test Settings shows it; a sync's report too).
  const memberships = report.changes.filter((ch) => ch.membership);
  if (memberships.length > 0) {
    lines.push(
      '',
      table(
        ['groups of', 'groups and privileges by group'],
        memberships.map((ch) => [ch.userName, membershipLines(ch.membership).join('; ')]),
      ),
    );
  }
  if (report.excluded.length > 0) {
    lines.push(
      '',
      table(
        ['excluded', 'reasons'],
        report.excluded.map((e) => [e.userName, [e.reasons.join(', '), e.detail].filter(Boolean).join(': ')]),
      ),
    );
  }
  if (report.error) lines.push('', `error ${report.error.code}: ${report.error.message}`);
  if (report.status === 'deletionThresholdExceeded') {
    const { plural } = REMOVAL_WORDS[withheldRemovals(report.changes)];
    // A run whose configuration changed under it cannot be approved (the approval holds for its version).
    lines.push(
      '',
      report.deletesWithheldBecause?.reason === 'configurationChanged'
        ? `${plural} were withheld: the configuration changed during the run. Run \`adsync sync\` again with the new configuration.`
        : `${plural} were withheld. Run \`adsync sync --allow-mass-deletion\` to apply them once.`,
    );
  }
  return lines.join('\n');
}

/** A filter's state as the explanation's column says it: four characters wide. */
const FILTER_STATE_WORDS: Readonly<Record<UserExplanationBody['filters'][number]['state'], string>> = {
  passed: 'PASS',
  failed: 'FAIL',
  off: 'off ',
};

/**
 * An explanation (GET /directory/users/{name}) for a person: the user, a PASS/FAIL line per filter with its
 * detail (the group chain as a path), whether it is in scope, and what a sync would do.
 */
export function describeExplanation(explanation: DeepReadonly<UserExplanationBody>): string {
  const { attributes, mapped, current } = explanation;
  const lines = [
    `${attributes.sAMAccountName}  ${explanation.distinguishedName}`,
    `objectGUID ${explanation.objectGuid}`,
    '',
    ...explanation.filters.map((f) => `${FILTER_STATE_WORDS[f.state]}  ${f.filter.padEnd(25)} ${f.detail}`),
    '',
    explanation.inScope ? 'in scope' : 'NOT in scope',
  ];
  if (mapped) {
    lines.push(
      `maps to: ${mapped.userName} (${mapped.fullName}) ${mapped.emailAddresses.join(' ') || '(no addresses)'}`,
      ...Object.keys(mapped.attributes)
        .sort()
        .map((field) => `  ${field}: ${JSON.stringify(mapped.attributes[field])}`),
    );
  }
  if (explanation.mappingFailed) {
    lines.push(`mapping failed: ${explanation.mappingFailed.field}: ${explanation.mappingFailed.detail}`);
  }
  const changed = explanation.changedFields.length > 0 ? ` (${explanation.changedFields.join(', ')})` : '';
  lines.push(`planned action: ${explanation.plannedAction}${changed}`);
  if (explanation.reason) lines.push(`reason: ${explanation.reason}`);
  lines.push(...membershipLines(explanation.membership));
  lines.push(
    current
      ? `in the user database: ${current.userName} (${current.fullName}), ${current.authentication}` +
          `${current.suspendedAt ? `, suspended since ${current.suspendedAt}` : ''}`
      : 'not in the user database',
  );
  return lines.join('\n');
}

/**
 * An error answer as the CLI says it: 409 SyncRunning names the run that holds the lock; a locked-out logon
 * says when to try again.
 */
export function describeApiError(error: ApiError): string {
  const running = error.details.find((detail) => detail.path === 'runId')?.message;
  if (error.code === 'SyncRunning' && running) {
    return `error ${error.status} ${error.code}: another sync is running (run ${running}); try again when it has ended (adsync runs shows it)`;
  }
  if (error.code === 'LockedOut' && error.retryAfterSeconds !== undefined) {
    const minutes = Math.ceil(error.retryAfterSeconds / 60);
    return `error ${error.status} ${error.code}: too many failed logons of this user name in a row; try again in ${error.retryAfterSeconds} seconds (about ${minutes} minute${minutes === 1 ? '' : 's'})`;
  }
  return [
    `error ${error.status} ${error.code}: ${error.message}`,
    ...error.details.map((detail) => `  ${detail.path}: ${detail.message}`),
  ].join('\n');
}
