/**
 * Which directory users the sync considers (docs/contract.md#filters-and-exclusion-reasons). Pure: the
 * caller has already read the entries and the objectGUIDs of the selected groups' transitive members.
 */
import type { FilterConfig } from '../config/config-schema';
import type { DirectoryEntry } from './user';
import { emailAddressesOf } from './user-mapping';

/** Every exclusion reason, in the order of the filters. */
export const exclusionReasonList = [
  'noEmailAddress',
  'disabled',
  'hiddenFromAddressLists',
  'notInSelectedGroups',
] as const;
export type ExclusionReason = (typeof exclusionReasonList)[number];

/** userAccountControl ACCOUNTDISABLE. */
const ACCOUNTDISABLE = 0x2;

export interface ScopeContext {
  readonly filters: FilterConfig;
  /** objectGUIDs of users that are members, directly or nested, of any selected group (unused when none). */
  readonly groupMemberGuids: ReadonlySet<string>;
}

/** Every reason the entry is out of scope, in the order of the filters; empty when it is in scope. */
export function exclusionReasons(
  entry: DirectoryEntry,
  { filters, groupMemberGuids }: ScopeContext,
): ExclusionReason[] {
  const reasons: ExclusionReason[] = [];
  if (filters.exchangeUsersOnly && emailAddressesOf(entry).length === 0) reasons.push('noEmailAddress');
  if (filters.enabledUsersOnly && (entry.userAccountControl & ACCOUNTDISABLE) !== 0) reasons.push('disabled');
  if (filters.visibleInAddressListsOnly && entry.hiddenFromAddressLists)
    reasons.push('hiddenFromAddressLists');
  if (filters.groups.length > 0 && !groupMemberGuids.has(entry.objectGuid))
    reasons.push('notInSelectedGroups');
  return reasons;
}
