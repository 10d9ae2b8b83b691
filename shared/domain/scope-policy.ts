/**
 * Which directory users the sync considers (docs/contract.md#filters-and-exclusion-reasons). Pure: the
 * caller has already read the entries and the objectGUIDs of the selected groups' transitive members.
 */
import type { FilterConfig } from '../config/config-schema';
import { UnreadableAttributeError } from '../errors';
import type { DirectoryEntry } from './user';
import { emailAddressesOf } from './user-mapping';

/** Every exclusion reason, in the order of the filters. */
export const exclusionReasonList = [
  'noEmailAddress',
  'disabled',
  'hiddenFromAddressLists',
  'notInSelectedGroups',
  /**
   * A mapping rule failed on the user (docs/contract.md#attribute-mapping): not a filter's verdict, so a user
   * the database holds is kept as it is, neither updated nor deleted.
   */
  'mappingFailed',
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
  if (filters.visibleInAddressListsOnly) {
    // Taking everyone as visible would put hidden users in scope (and keep them there): the run fails instead.
    if (entry.hiddenFromAddressLists === undefined) {
      throw new UnreadableAttributeError(
        "visibleInAddressListsOnly is on, but msExchHideFromAddressLists is not in the directory's schema " +
          '(as the bind account sees it; it comes with the Exchange schema extension): nobody can be told ' +
          'hidden or visible, so the filter cannot be applied. Turn the filter off, or extend the schema',
      );
    }
    if (entry.hiddenFromAddressLists) reasons.push('hiddenFromAddressLists');
  }
  if (filters.groups.length > 0 && !groupMemberGuids.has(entry.objectGuid))
    reasons.push('notInSelectedGroups');
  return reasons;
}
