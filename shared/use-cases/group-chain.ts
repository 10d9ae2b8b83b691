/**
 * The chain of groups that makes a user a member of a selected group, for explain's words
 * (docs/contract.md#explain-one-user): a walk over memberOf, one read a group. Whether the user is a member is
 * the sync's matching rule's to decide (explain-user.ts); this only names the groups in between.
 */
import { sameDistinguishedName } from '../domain/distinguished-name';
import type { DirectorySession } from '../ports/directory-reader';

/** How deep the memberOf walk for a group chain goes, and how many groups it reads at most. */
export const CHAIN_LIMITS = { maxDepth: 32, maxGroups: 500 } as const;

/**
 * The shortest chain of groups from the user to a selected group (the user's direct group first, the
 * selected group last), walking memberOf breadth-first; undefined when none is found within CHAIN_LIMITS.
 */
export async function groupChain(
  session: Pick<DirectorySession, 'readMemberOf'>,
  userDn: string,
  selected: readonly string[],
): Promise<string[] | undefined> {
  const isSelected = (dn: string) => selected.some((group) => sameDistinguishedName(dn, group));
  const seen = new Set<string>([userDn.toLowerCase()]);
  let level: { dn: string; path: string[] }[] = [{ dn: userDn, path: [] }];
  let read = 0;
  for (let depth = 0; depth < CHAIN_LIMITS.maxDepth && level.length > 0; depth += 1) {
    const next: { dn: string; path: string[] }[] = [];
    for (const { dn, path } of level) {
      if (read >= CHAIN_LIMITS.maxGroups) return undefined;
      read += 1;
      for (const group of await session.readMemberOf(dn)) {
        if (isSelected(group)) return [...path, group];
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
