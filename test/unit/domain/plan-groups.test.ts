import { describe, expect, it } from 'vitest';
import { type GroupMember, type GroupWithMembers, membersHashOf } from '../../../shared/domain/group';
import { NO_MEMBERSHIP, type UserMembership } from '../../../shared/domain/group-membership';
import { diffGroup, planMemberships, withMembershipFields } from '../../../shared/domain/plan-groups';
import { type PlannedChange, planSync } from '../../../shared/domain/plan-sync';
import type { MappedUser } from '../../../shared/domain/user';
import { aDirectoryUser } from '../../support/builders';

const member = (n: number, name = `user${n}`): GroupMember => ({
  type: 'user',
  name,
  objectGuid: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
});
const staff = (members: GroupMember[], overrides: Partial<GroupWithMembers> = {}): GroupWithMembers => ({
  name: 'Staff',
  displayName: 'Staff',
  distinguishedName: 'CN=Staff,OU=Groups,DC=company,DC=local',
  objectGuid: '00000000-0000-4000-9000-000000000001',
  emailAddresses: [],
  kind: 'security',
  scope: 'global',
  memberCount: members.length,
  members,
  ...overrides,
});
const stored = (group: GroupWithMembers) => {
  const { members, ...rest } = group;
  return { ...rest, membersHash: membersHashOf(members) };
};

describe('diffGroup', () => {
  it('finds nothing to change in the same group, without its stored members', () => {
    const group = staff([member(1)]);
    expect(diffGroup(group, stored(group), undefined)).toEqual({
      changedFields: [],
      membersAdded: [],
      membersRemoved: [],
    });
  });

  it('names the fields that changed and the members that joined and left', () => {
    const before = staff([member(1), member(2)]);
    const after = staff([member(2), member(3)], { name: 'Staff-All', description: 'everyone' });
    expect(diffGroup(after, stored(before), before.members)).toEqual({
      changedFields: ['name', 'description', 'members'],
      membersAdded: [member(3).objectGuid],
      membersRemoved: [member(1).objectGuid],
    });
  });

  it('sees a member renamed as a change of the members, with nobody joining or leaving', () => {
    const before = staff([member(1)]);
    const after = staff([member(1, 'alice')]);
    expect(diffGroup(after, stored(before), before.members)).toEqual({
      changedFields: ['members'],
      membersAdded: [],
      membersRemoved: [],
    });
  });
});

describe('planMemberships', () => {
  const grants = {
    groups: ['Staff'],
    groupPrivileges: ['exportEmail' as const],
    groupArchiveAccess: [],
    rules: [],
  };

  it('gives a member what its groups give, and takes it from a user in no group', () => {
    const alice = aDirectoryUser(1);
    const bob = { ...aDirectoryUser(2), groups: ['Staff'], groupPrivileges: ['exportEmail' as const] };
    const plan = planMemberships([alice, bob], new Map([[alice.objectGuid as string, grants]]));
    expect(plan.map((c) => [c.user.userName, c.changedFields])).toEqual([
      ['user1', ['groups', 'groupPrivileges']],
      ['user2', ['groups', 'groupPrivileges']],
    ]);
    expect(plan[1]?.target).toMatchObject({ groups: [], groupPrivileges: [] });
  });

  it('leaves local users, and directory users already as their groups say', () => {
    const local = { ...aDirectoryUser(3), authentication: 'local' as const };
    const dave = {
      ...aDirectoryUser(4),
      groups: ['Staff'],
      groupPrivileges: ['exportEmail' as const],
      groupArchiveAccess: [],
    };
    const erin = aDirectoryUser(5);
    const memberships = new Map([
      [local.objectGuid as string, grants],
      [dave.objectGuid as string, grants],
    ]);
    expect(planMemberships([local, dave, erin], memberships)).toEqual([]);
  });
});

describe('withMembershipFields', () => {
  const given = {
    groups: ['Staff'],
    groupPrivileges: ['login' as const],
    groupArchiveAccess: ['write' as const],
  };
  const none = { groups: [], groupPrivileges: [], groupArchiveAccess: [] };
  const mapped = (user = aDirectoryUser(1)): MappedUser => {
    const { userName, fullName, emailAddresses, distinguishedName, userPrincipalName, objectGuid } = user;
    return {
      userName,
      fullName,
      emailAddresses,
      distinguishedName: distinguishedName as string,
      ...(userPrincipalName ? { userPrincipalName } : {}),
      objectGuid: objectGuid as string,
    };
  };
  const planOf = (target: MappedUser, ...current: ReturnType<typeof aDirectoryUser>[]): PlannedChange => {
    const [change] = planSync({ inScope: [target], excluded: new Map(), current }).changes;
    return change as PlannedChange;
  };

  it('gives a create what its groups give, without why', () => {
    const withWhy: UserMembership = { ...given, rules: ['CN=Staff,OU=Groups,DC=company,DC=local'] };
    const change = withMembershipFields(planOf(mapped()), withWhy, mapped());
    expect(change).toMatchObject({ action: 'create', changedFields: [], memberships: given });
    expect((change as { memberships: object }).memberships).not.toHaveProperty('rules');
  });

  it('leaves a create in no group as planned', () => {
    const create = planOf(mapped());
    expect(withMembershipFields(create, none, mapped())).toBe(create);
  });

  it('makes an unchanged user who joined a group an update of the fields that differ', () => {
    const stored = aDirectoryUser(1, { groupArchiveAccess: ['write'] });
    const change = withMembershipFields(planOf(mapped(), stored), given, mapped());
    expect(change).toMatchObject({
      action: 'update',
      target: mapped(),
      current: stored,
      userName: 'user1',
      changedFields: ['groups', 'groupPrivileges'],
      memberships: given,
    });
  });

  it("takes from an update's user what a group it left gave, after the fields the directory changed", () => {
    const stored = aDirectoryUser(1, { fullName: 'Old', ...given });
    const change = withMembershipFields(planOf(mapped(), stored), none, mapped());
    expect(change).toMatchObject({
      action: 'update',
      changedFields: ['fullName', 'groups', 'groupPrivileges', 'groupArchiveAccess'],
      memberships: none,
    });
  });

  it('brings a restore up to date the same way', () => {
    const stored = aDirectoryUser(1, { suspendedAt: '2026-01-02T00:00:00.000Z' });
    const change = withMembershipFields(planOf(mapped(), stored), given, mapped());
    expect(change).toMatchObject({
      action: 'restore',
      changedFields: ['groups', 'groupPrivileges', 'groupArchiveAccess'],
    });
  });

  it('with groups off (nothing given), clears from an unchanged user just what an earlier configuration left', () => {
    const stored = aDirectoryUser(1, { groupPrivileges: ['login'], groupArchiveAccess: [] });
    const change = withMembershipFields(planOf(mapped(), stored), NO_MEMBERSHIP, mapped());
    expect(change).toMatchObject({ action: 'update', current: stored, changedFields: ['groupPrivileges'] });
    expect((change as { memberships: object }).memberships).toEqual(none);
  });

  it('with groups off, leaves a user holding no group fields, or empty ones, as planned', () => {
    for (const stored of [aDirectoryUser(1), aDirectoryUser(1, none)]) {
      const unchanged = planOf(mapped(), stored);
      expect(withMembershipFields(unchanged, NO_MEMBERSHIP, mapped())).toBe(unchanged);
    }
  });

  it('leaves a user who holds what its groups give, and a conflict, as planned', () => {
    const unchanged = planOf(mapped(), aDirectoryUser(1, given));
    expect(withMembershipFields(unchanged, given, mapped())).toBe(unchanged);
    const conflict = planOf(mapped(), {
      ...aDirectoryUser(2, { userName: 'user1' }),
      authentication: 'local',
    });
    expect(conflict.action).toBe('conflict');
    expect(withMembershipFields(conflict, given, mapped())).toBe(conflict);
  });
});
