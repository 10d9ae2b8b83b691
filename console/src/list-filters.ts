/** Searching and filtering the console's lists (plan, excluded users, users, groups). Pure, unit-tested. */
import type { ChangeAction, ExclusionReason, Group, ReportChange, ReportExclusion, User } from './types';

export const ACTION_LABELS: Readonly<Record<ChangeAction, string>> = {
  create: 'Create',
  update: 'Update',
  delete: 'Delete',
  suspend: 'Suspend',
  restore: 'Restore',
  conflict: 'Conflict',
};

export const REASON_LABELS: Readonly<Record<ExclusionReason, string>> = {
  noEmailAddress: 'No email address',
  disabled: 'Disabled',
  hiddenFromAddressLists: 'Hidden from address lists',
  notInSelectedGroups: 'Not in the selected groups',
  mappingFailed: 'A mapping rule failed',
};

/** Case-insensitive: every word of the search appears in one of the texts. */
export function matchesSearch(search: string, texts: readonly (string | undefined)[]): boolean {
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return true;
  const haystack = texts.filter(Boolean).join('\n').toLowerCase();
  return words.every((word) => haystack.includes(word));
}

export function filterChanges(
  changes: readonly ReportChange[],
  { action, search }: { action: ChangeAction | 'all'; search: string },
): ReportChange[] {
  return changes.filter(
    (change) =>
      (action === 'all' || change.action === action) &&
      matchesSearch(search, [
        change.userName,
        change.fullName,
        ...change.emailAddresses,
        ...change.changedFields,
      ]),
  );
}

export function filterExclusions(excluded: readonly ReportExclusion[], search: string): ReportExclusion[] {
  return excluded.filter((exclusion) =>
    matchesSearch(search, [
      exclusion.userName,
      exclusion.distinguishedName,
      ...exclusion.reasons.map((reason) => REASON_LABELS[reason]),
    ]),
  );
}

export type UserSource = 'all' | User['authentication'];

export function filterUsers(
  users: readonly User[],
  { search, source }: { search: string; source: UserSource },
): User[] {
  return users.filter(
    (user) =>
      (source === 'all' || user.authentication === source) &&
      matchesSearch(search, [
        user.userName,
        user.fullName,
        ...user.emailAddresses,
        user.distinguishedName,
        ...user.groups,
      ]),
  );
}

/** Groups whose name, display name, description, DN or addresses hold every word of the search. */
export function filterGroups(groups: readonly Group[], search: string): Group[] {
  return groups.filter((group) =>
    matchesSearch(search, [
      group.name,
      group.displayName,
      group.description,
      group.distinguishedName,
      ...group.emailAddresses,
    ]),
  );
}
