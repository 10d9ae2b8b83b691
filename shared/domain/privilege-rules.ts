/**
 * Privileges by group (docs/contract.md#privileges-by-group): what the rules of the groups a user belongs to
 * give, and the privileges a user holds in the end. Pure.
 */
import type { PrivilegeRule } from '../config/config-schema';
import { ARCHIVE_ACCESS, type ArchiveAccess, PRIVILEGES, type Privilege } from './privileges';

/** What the rules give a user: the union over the rules of its groups, in the configuration's order. */
export interface GroupGrants {
  readonly groupPrivileges: readonly Privilege[];
  readonly groupArchiveAccess: readonly ArchiveAccess[];
  /** The DNs of the rules' groups that gave something (why; for Test Settings and explain). */
  readonly rules: readonly string[];
}

export const NO_GRANTS: GroupGrants = { groupPrivileges: [], groupArchiveAccess: [], rules: [] };

/**
 * The union of the rules whose group is among `memberOf` (lower-cased DNs of every group the user belongs
 * to, nested groups included).
 */
export function grantsOf(memberOf: ReadonlySet<string>, rules: readonly PrivilegeRule[]): GroupGrants {
  const privileges = new Set<Privilege>();
  const access = new Set<ArchiveAccess>();
  const applied: string[] = [];
  for (const rule of rules) {
    if (!memberOf.has(rule.group.toLowerCase())) continue;
    applied.push(rule.group);
    for (const privilege of rule.privileges) privileges.add(privilege);
    for (const right of rule.ownArchiveAccess) access.add(right);
  }
  return {
    groupPrivileges: PRIVILEGES.filter((p) => privileges.has(p)),
    groupArchiveAccess: ARCHIVE_ACCESS.filter((a) => access.has(a)),
    rules: applied,
  };
}

/** The privileges a user holds: those an administrator set (or the defaults) and those its groups give. */
export function effectivePrivilegesOf(user: {
  readonly privileges: readonly Privilege[];
  readonly groupPrivileges?: readonly Privilege[];
}): Privilege[] {
  const held = new Set([...user.privileges, ...(user.groupPrivileges ?? [])]);
  return PRIVILEGES.filter((p) => held.has(p));
}

/** The own-archive access a user holds: its own and its groups'. */
export function effectiveArchiveAccessOf(user: {
  readonly ownArchiveAccess: readonly ArchiveAccess[];
  readonly groupArchiveAccess?: readonly ArchiveAccess[];
}): ArchiveAccess[] {
  const held = new Set([...user.ownArchiveAccess, ...(user.groupArchiveAccess ?? [])]);
  return ARCHIVE_ACCESS.filter((a) => held.has(a));
}
