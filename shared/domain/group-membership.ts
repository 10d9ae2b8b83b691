/**
 * Who belongs to which group (docs/contract.md#groups), resolved from the groups read and the synchronized
 * users: each group's direct members that the sync keeps, the groups that are synchronized, and every user's
 * groups through nesting (a walk up the member graph; a cycle is walked once). Pure: no directory reads, no
 * matching rule in chain, so 10,000 groups cost one read of them and a walk in memory.
 */
import type { PrivilegeRule } from '../config/config-schema';
import {
  compareNames,
  type DirectoryGroupEntry,
  type GroupMember,
  type GroupWithMembers,
  mapDirectoryGroup,
} from './group';
import { type GroupGrants, grantsOf, NO_GRANTS } from './privilege-rules';

/** A synchronized directory user, as the user database holds it. */
export interface MemberUser {
  readonly objectGuid: string;
  readonly userName: string;
  readonly distinguishedName: string;
}

/** Which groups are synchronized: every group read, those nested in some roots (DNs), or none. */
export type SynchronizedGroups = { readonly all: true } | { readonly roots: readonly string[] };

export interface MembershipInput {
  readonly groups: readonly DirectoryGroupEntry[];
  readonly users: readonly MemberUser[];
  readonly synchronized: SynchronizedGroups;
  readonly rules: readonly PrivilegeRule[];
}

/** What a user gets from its groups. */
export interface UserMembership extends GroupGrants {
  /** The names of the synchronized groups it belongs to, nested included, in name order. */
  readonly groups: readonly string[];
}

export interface Memberships {
  /** The synchronized groups with their synchronized direct members. */
  readonly groups: readonly GroupWithMembers[];
  /** Each user (by objectGUID) that belongs to a synchronized group or a rule's group. */
  readonly users: ReadonlyMap<string, UserMembership>;
  /** Indexes of the rules whose group was not among the groups read (it is no group, or not readable). */
  readonly unknownRuleGroups: readonly number[];
}

const lower = (dn: string): string => dn.toLowerCase();

/** Resolves the memberships; see the module comment. */
export function resolveMemberships(input: MembershipInput): Memberships {
  const byDn = new Map(input.groups.map((g) => [lower(g.distinguishedName), g]));
  const usersByDn = new Map(input.users.map((u) => [lower(u.distinguishedName), u]));
  // The member graph, upwards: a group's parents, a user's direct groups (objectGUIDs).
  const parents = new Map<string, string[]>();
  const userGroups = new Map<string, string[]>();
  const add = (map: Map<string, string[]>, key: string, value: string) => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  for (const group of input.groups) {
    for (const dn of group.members) {
      const child = byDn.get(lower(dn));
      if (child) add(parents, child.objectGuid, group.objectGuid);
      const user = usersByDn.get(lower(dn));
      if (user) add(userGroups, user.objectGuid, group.objectGuid);
    }
  }
  const synchronized = synchronizedGuids(input, byDn);
  const byGuid = new Map(input.groups.map((g) => [g.objectGuid, g]));

  const groups = input.groups
    .filter((g) => synchronized.has(g.objectGuid))
    .map((entry) => mapDirectoryGroup(entry, directMembers(entry, byDn, usersByDn, synchronized)));

  const ancestors = new Map<string, readonly string[]>();
  const ancestorsOf = (guid: string): readonly string[] => {
    const known = ancestors.get(guid);
    if (known) return known;
    // Each group's own walk (not built from its parents' results): with cycles, a memo of a walk still under
    // way would be incomplete. A group seen once is not walked again.
    const seen = new Set([guid]);
    const queue = [guid];
    for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
      for (const parent of parents.get(next) ?? []) {
        if (!seen.has(parent)) {
          seen.add(parent);
          queue.push(parent);
        }
      }
    }
    const found = [...seen];
    ancestors.set(guid, found);
    return found;
  };

  // Per group, once: its place in name order, and whether a rule names it (a user's groups are many, rules few).
  const rank = new Map(
    [...input.groups]
      .sort((a, b) => compareNames(a.sAMAccountName, b.sAMAccountName))
      .map((g, i) => [g.objectGuid, i] as const),
  );
  const ruleDns = new Set(input.rules.map((r) => lower(r.group)));
  const ruleGroups = new Set(
    input.groups.filter((g) => ruleDns.has(lower(g.distinguishedName))).map((g) => g.objectGuid),
  );
  const users = new Map<string, UserMembership>();
  for (const [userGuid, direct] of userGroups) {
    const all = new Set<string>();
    for (const group of direct) for (const guid of ancestorsOf(group)) all.add(guid);
    const named = [...all].filter((guid) => synchronized.has(guid));
    named.sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0));
    const hits = [...all].filter((guid) => ruleGroups.has(guid));
    const grants =
      hits.length === 0
        ? NO_GRANTS
        : grantsOf(
            new Set(hits.map((guid) => lower(byGuid.get(guid)?.distinguishedName ?? ''))),
            input.rules,
          );
    if (named.length === 0 && grants.rules.length === 0) continue;
    users.set(userGuid, { groups: named.map((guid) => byGuid.get(guid)?.sAMAccountName ?? guid), ...grants });
  }
  const unknownRuleGroups = input.rules.flatMap((rule, i) => (byDn.has(lower(rule.group)) ? [] : [i]));
  return { groups, users, unknownRuleGroups };
}

/** The objectGUIDs of the synchronized groups: all, or the roots and every group nested in them. */
function synchronizedGuids(
  input: MembershipInput,
  byDn: ReadonlyMap<string, DirectoryGroupEntry>,
): Set<string> {
  if ('all' in input.synchronized) return new Set(input.groups.map((g) => g.objectGuid));
  const found = new Set<string>();
  const queue = input.synchronized.roots.flatMap((dn) => byDn.get(lower(dn)) ?? []);
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    if (found.has(next.objectGuid)) continue;
    found.add(next.objectGuid);
    for (const dn of next.members) {
      const child = byDn.get(lower(dn));
      if (child && !found.has(child.objectGuid)) queue.push(child);
    }
  }
  return found;
}

/** A group's direct members that are synchronized users or synchronized groups. */
function directMembers(
  entry: DirectoryGroupEntry,
  byDn: ReadonlyMap<string, DirectoryGroupEntry>,
  usersByDn: ReadonlyMap<string, MemberUser>,
  synchronized: ReadonlySet<string>,
): GroupMember[] {
  const members = new Map<string, GroupMember>();
  for (const dn of entry.members) {
    const user = usersByDn.get(lower(dn));
    if (user)
      members.set(user.objectGuid, { type: 'user', name: user.userName, objectGuid: user.objectGuid });
    const group = byDn.get(lower(dn));
    if (group && synchronized.has(group.objectGuid))
      members.set(group.objectGuid, {
        type: 'group',
        name: group.sAMAccountName,
        objectGuid: group.objectGuid,
      });
  }
  return [...members.values()];
}
