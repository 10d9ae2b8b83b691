import { describe, expect, it } from 'vitest';
import { type GroupMember, type GroupWithMembers, membersHashOf } from '../../../shared/domain/group';
import { diffGroup, planMemberships } from '../../../shared/domain/plan-groups';
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
