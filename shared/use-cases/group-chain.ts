/**
 * The chain of groups that makes a user a member of a selected group, for explain's words
 * (docs/contract.md#explain-one-user): a walk over memberOf, one read a group, from the user's groups and its
 * primary group (primaryGroupID, which no memberOf lists). Whether the user is a member is the sync's matching
 * rule's to decide (explain-user.ts); this only names the groups in between.
 */
import { sameDistinguishedName } from '../domain/distinguished-name';
import type { DirectorySession } from '../ports/directory-reader';

/** How deep the memberOf walk for a group chain goes, and how many groups it reads at most. */
export const CHAIN_LIMITS = { maxDepth: 32, maxGroups: 500 } as const;

/** A chain of groups: the user's direct group first, the selected group last. */
export interface GroupChain {
  readonly groups: readonly string[];
  /** The first group is the user's primary group (a membership by primaryGroupID, not by `member`). */
  readonly primary: boolean;
}

/**
 * The shortest chain of groups from the user to a selected group, walking memberOf breadth-first from the
 * user's memberOf and its primary group; undefined when none is found within CHAIN_LIMITS.
 */
export async function groupChain(
  session: Pick<DirectorySession, 'readMemberOf' | 'readPrimaryGroup'>,
  userDn: string,
  selected: readonly string[],
): Promise<GroupChain | undefined> {
  const isSelected = (dn: string) => selected.some((group) => sameDistinguishedName(dn, group));
  const primaryGroup = await session.readPrimaryGroup(userDn);
  const chainOf = (groups: string[]): GroupChain => ({
    groups,
    primary: primaryGroup !== undefined && sameDistinguishedName(groups[0] as string, primaryGroup),
  });
  // The user's own groups: memberOf, then the primary group (a level-one group like the others).
  const groupsOf = async (dn: string, depth: number) => {
    const memberOf = await session.readMemberOf(dn);
    return depth === 0 && primaryGroup !== undefined ? [...memberOf, primaryGroup] : memberOf;
  };
  const seen = new Set<string>([userDn.toLowerCase()]);
  let level: { dn: string; path: string[] }[] = [{ dn: userDn, path: [] }];
  let read = 0;
  for (let depth = 0; depth < CHAIN_LIMITS.maxDepth && level.length > 0; depth += 1) {
    const next: { dn: string; path: string[] }[] = [];
    for (const { dn, path } of level) {
      if (read >= CHAIN_LIMITS.maxGroups) return undefined;
      read += 1;
      for (const group of await groupsOf(dn, depth)) {
        if (isSelected(group)) return chainOf([...path, group]);
        // memberOf values are the directory's own DNs: the same group always reads the same.
        if (seen.has(group.toLowerCase())) continue;
        seen.add(group.toLowerCase());
        next.push({ dn: group, path: [...path, group] });
      }
    }
    level = next;
  }
  return undefined;
}
