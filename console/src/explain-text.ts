/**
 * One directory user in words: the explanation of GET /directory/users/{name} (each filter's verdict, what a
 * sync would do), the outcome of a one-user sync, and the errors of both. Pure, unit-tested; the view is
 * explain-view.ts.
 */
import { ApiError } from '../../shared/api/client';
import type { Report, User, UserExplanation } from './types';

export const FILTER_LABELS: Readonly<Record<UserExplanation['filters'][number]['filter'], string>> = {
  exchangeUsersOnly: 'Exchange users only',
  enabledUsersOnly: 'Enabled users only',
  visibleInAddressListsOnly: 'Visible in address lists only',
  groups: 'Groups',
};

export const PLANNED_ACTION_LABELS: Readonly<Record<UserExplanation['plannedAction'], string>> = {
  create: 'Create',
  update: 'Update',
  unchanged: 'Unchanged',
  conflict: 'Conflict',
  delete: 'Delete',
  suspend: 'Suspend',
  restore: 'Restore',
  none: 'Nothing',
};

const FIELD_NAMES: Readonly<Record<UserExplanation['changedFields'][number], string>> = {
  userName: 'user name',
  fullName: 'full name',
  emailAddresses: 'email addresses',
  distinguishedName: 'distinguished name',
  userPrincipalName: 'user principal name',
  objectGuid: 'objectGUID',
  groups: 'groups',
  groupPrivileges: 'privileges by group',
  groupArchiveAccess: 'archive access by group',
};

/** One line per filter: its label, PASS/FAIL (or off), and what it found. */
export function filterLines(
  explanation: Pick<UserExplanation, 'filters'>,
): { label: string; verdict: UserExplanation['filters'][number]['state']; detail: string }[] {
  return explanation.filters.map(({ filter, state, detail }) => ({
    label: FILTER_LABELS[filter],
    verdict: state,
    detail: state === 'off' ? 'The filter is off.' : detail,
  }));
}

/** Whether the user is in scope, in a sentence naming the filters that exclude it. */
export function scopeSentence(explanation: Pick<UserExplanation, 'filters' | 'inScope'>): string {
  if (explanation.inScope) return 'In scope: every filter lets this user through.';
  const failed = explanation.filters.filter((f) => !f.passed).map((f) => FILTER_LABELS[f.filter]);
  return failed.length > 0 ? `Not in scope: excluded by ${failed.join(', ')}.` : 'Not in scope.';
}

/** What a sync would do with the user, in a sentence (the reason and changed fields shown apart). */
export function plannedActionSentence(
  explanation: Pick<UserExplanation, 'plannedAction' | 'changedFields' | 'mapped' | 'current'>,
): string {
  const name = explanation.mapped?.userName ?? explanation.current?.userName;
  const who = name ? ` ${name}` : '';
  const fields = explanation.changedFields.map((field) => FIELD_NAMES[field]);
  switch (explanation.plannedAction) {
    case 'create':
      return `A sync would create the user${who}.`;
    case 'update':
      return `A sync would update the user${who}${fields.length > 0 ? `: ${fields.join(', ')}` : ''}.`;
    case 'unchanged':
      return `Nothing to change: the user${who} is in step with the directory.`;
    case 'conflict':
      return `A sync would report a conflict: the user name${who} is held by another user.`;
    case 'delete':
      return `A sync would delete the user${who} from the user database.`;
    case 'suspend':
      return `A sync would suspend the user${who} (deleted when the grace period has passed).`;
    case 'restore':
      return `A sync would restore the suspended user${who}${fields.length > 0 ? ` and update: ${fields.join(', ')}` : ''}.`;
    case 'none':
      return 'A sync would do nothing with this user.';
  }
}

/** The database's record in a line: its name, source, and since when it is suspended. */
export function currentRecordSentence(
  current: User | undefined,
  formatTime: (iso: string) => string,
): string {
  if (!current) return 'The user database has no record of this user.';
  const source = current.authentication === 'local' ? 'a local user' : 'a directory user';
  return (
    `The user database holds ${current.userName} (${current.fullName}), ${source}` +
    (current.suspendedAt ? `, suspended since ${formatTime(current.suspendedAt)}.` : '.')
  );
}

const DONE: Readonly<Record<Report['changes'][number]['action'], string>> = {
  create: 'Created',
  update: 'Updated',
  delete: 'Deleted',
  suspend: 'Suspended',
  restore: 'Restored',
  conflict: 'Conflict',
};

/** The outcome of a one-user sync: whether it succeeded, and the change it applied or why it did not. */
export function userSyncOutcome(report: Report): { ok: boolean; text: string } {
  const [change] = report.changes;
  switch (report.status) {
    case 'succeeded': {
      if (!change) return { ok: true, text: 'Synchronized: nothing to change.' };
      const fields = change.changedFields.length > 0 ? ` (${change.changedFields.join(', ')})` : '';
      const reason = change.reason ? `: ${change.reason}` : '';
      return change.action === 'conflict'
        ? { ok: false, text: `Not synchronized: conflict for ${change.userName}${reason}.` }
        : { ok: true, text: `Synchronized: ${DONE[change.action]} ${change.userName}${fields}${reason}.` };
    }
    case 'failed':
      return {
        ok: false,
        text: `The sync of this user failed: ${report.error?.message ?? 'no reason given'}${report.error ? ` (${report.error.code})` : ''}.`,
      };
    case 'deletionThresholdExceeded':
      return {
        ok: false,
        text: 'Not deleted: the deletion threshold stops this delete. Synchronize now can allow deletes once.',
      };
    case 'skipped':
      return { ok: false, text: 'Skipped: another sync was running.' };
    case 'running':
      return { ok: true, text: 'The sync of this user is still running.' };
  }
}

/** What an explanation that failed says: the API's 404 and 409 in words (409's DNs listed apart). */
export function explainFailure(name: string, error: unknown): { text: string; names: string[] } {
  if (error instanceof ApiError && error.status === 404) {
    return { text: `No such user in the directory under the base DN: “${name}”.`, names: [] };
  }
  if (error instanceof ApiError && error.code === 'AmbiguousName') {
    return {
      text: `“${name}” designates several directory users; explain one by its distinguished name:`,
      names: error.details.filter((d) => d.path === 'distinguishedName').map((d) => d.message),
    };
  }
  return {
    text: `The user could not be explained: ${error instanceof Error ? error.message : String(error)}`,
    names: [],
  };
}
