/**
 * The group pass's plan (docs/contract.md#groups): which stored groups to create, update or delete, and
 * which directory users' groups and group privileges change. Pure: what the directory says against what the
 * database holds.
 */
import {
  changedGroupFields,
  type GroupField,
  type GroupMember,
  type GroupWithMembers,
  membersHashOf,
} from './group';
import type { UserMembership } from './group-membership';
import type { MembershipField, MembershipValues, PlannedChange } from './plan-sync';
import type { MappedUser, User } from './user';

/** A stored group as the plan compares it: without its members, which are read only when their hash moved. */
export interface StoredGroupSummary extends Omit<GroupWithMembers, 'members'> {
  readonly membersHash: string;
}

/** A group's plan against its stored version. */
export interface GroupDiff {
  readonly changedFields: readonly GroupField[];
  readonly membersAdded: readonly string[];
  readonly membersRemoved: readonly string[];
}

/**
 * What differs between a group read and its stored version; `storedMembers` is needed (and asked for) only
 * when the members' hash differs.
 */
export function diffGroup(
  target: GroupWithMembers,
  stored: StoredGroupSummary,
  storedMembers: readonly GroupMember[] | undefined,
): GroupDiff {
  const sameMembers = membersHashOf(target.members) === stored.membersHash;
  const fields = changedGroupFields(target, {
    ...stored,
    members: sameMembers ? target.members : (storedMembers ?? []),
  });
  if (sameMembers) return { changedFields: fields, membersAdded: [], membersRemoved: [] };
  const before = new Set((storedMembers ?? []).map((m) => m.objectGuid));
  const after = new Set(target.members.map((m) => m.objectGuid));
  return {
    changedFields: fields,
    membersAdded: [...after].filter((g) => !before.has(g)),
    membersRemoved: [...before].filter((g) => !after.has(g)),
  };
}

const sameList = (a: readonly string[] | undefined, b: readonly string[]): boolean =>
  (a ?? []).length === b.length && b.every((value, i) => value === a?.[i]);

const NONE: UserMembership = { groups: [], groupPrivileges: [], groupArchiveAccess: [], rules: [] };

/** The membership fields in which what a user holds differs from what its groups give it (`target`). */
export function changedMembershipFields(
  user: Pick<User, MembershipField>,
  target: Pick<UserMembership, MembershipField>,
): MembershipField[] {
  const changedFields: MembershipField[] = [];
  if (!sameList(user.groups, target.groups)) changedFields.push('groups');
  if (!sameList(user.groupPrivileges, target.groupPrivileges)) changedFields.push('groupPrivileges');
  if (!sameList(user.groupArchiveAccess, target.groupArchiveAccess)) changedFields.push('groupArchiveAccess');
  return changedFields;
}

/**
 * The directory users whose groups or group privileges differ from what their groups give them now (a user in
 * no group gets nothing: a user who left the group loses what its rule gave). Local users are never touched,
 * and neither are `privileges` and `ownArchiveAccess` (an administrator's, or the defaults of a create).
 */
export function planMemberships(
  users: readonly User[],
  memberships: ReadonlyMap<string, UserMembership>,
): { user: User; target: UserMembership; changedFields: MembershipField[] }[] {
  const changes: { user: User; target: UserMembership; changedFields: MembershipField[] }[] = [];
  for (const user of users) {
    if (user.authentication !== 'directoryServices' || !user.objectGuid) continue;
    const target = memberships.get(user.objectGuid) ?? NONE;
    const changedFields = changedMembershipFields(user, target);
    if (changedFields.length > 0) changes.push({ user, target, changedFields });
  }
  return changes;
}

/** The three membership fields of what a user's groups give it (not why). */
const valuesOf = ({ groups, groupPrivileges, groupArchiveAccess }: MembershipValues): MembershipValues => ({
  groups,
  groupPrivileges,
  groupArchiveAccess,
});

/** Whether what groups give a user is anything: a group, a privilege or an archive access. */
export const givesAnything = ({ groups, groupPrivileges, groupArchiveAccess }: MembershipValues): boolean =>
  groups.length + groupPrivileges.length + groupArchiveAccess.length > 0;

/**
 * One user's change with what its groups give it (`given`), written with it as a run's group pass would write
 * it (a one-user sync, which has no group pass): a create carries it when it is anything (as a run's create
 * does: sync-groups.ts); an update or a restore whose user holds something else writes it too, naming the
 * fields in `changedFields`; an unchanged user who holds something else becomes an update of just those
 * fields (`target`: the user as mapped). With groups off, `given` is nothing: a user holding what an earlier
 * configuration's groups gave is cleared (a full read's pass does it too), one holding nothing is left as
 * planned. `privileges` and `ownArchiveAccess` are not the groups' to change; a conflict, a delete and a
 * suspension are left as they are.
 */
export function withMembershipFields(
  change: PlannedChange,
  given: MembershipValues,
  target: MappedUser,
): PlannedChange {
  switch (change.action) {
    case 'create':
      return givesAnything(given) ? { ...change, memberships: valuesOf(given) } : change;
    case 'update':
    case 'restore':
    case 'unchanged': {
      const fields = changedMembershipFields(change.current, given);
      if (fields.length === 0) return change;
      const changedFields = [...change.changedFields, ...fields];
      if (change.action !== 'unchanged') return { ...change, changedFields, memberships: valuesOf(given) };
      const { action: _unchanged, ...unchanged } = change;
      return { ...unchanged, action: 'update', target, changedFields, memberships: valuesOf(given) };
    }
    default:
      return change;
  }
}
