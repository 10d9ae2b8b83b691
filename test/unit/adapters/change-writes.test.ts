/** The write of a planned create: a user created with what its groups give it carries them, and says so. */
import { describe, expect, it } from 'vitest';
import { changeWrite } from '../../../shared/adapters/dynamodb/change-writes';
import type { CreateChange } from '../../../shared/domain/plan-sync';

const target = {
  userName: 'alice',
  fullName: 'Alice',
  emailAddresses: ['alice@company.local'],
  distinguishedName: 'CN=Alice,OU=Staff,DC=company,DC=local',
  objectGuid: '00000000-0000-4000-8000-000000000001',
};
const create: CreateChange = { action: 'create', target, ...target, changedFields: [] };
const context = {
  runId: 'run-1',
  now: '2026-01-01T00:00:00.000Z',
  defaults: { privileges: ['login' as const], ownArchiveAccess: [] },
};
const itemOf = (change: CreateChange) =>
  changeWrite('table', change, context)?.actions[0]?.Put?.Item as Record<string, unknown>;

describe('changeWrite of a create', () => {
  it("writes the user's groups and group privileges, and names those its groups give anything", () => {
    const item = itemOf({
      ...create,
      memberships: {
        groups: ['Staff'],
        groupPrivileges: ['exportEmail'],
        groupArchiveAccess: [],
        rules: [
          { rule: 0, group: 'CN=Staff', privileges: ['exportEmail'], ownArchiveAccess: [], via: ['Staff'] },
        ],
      },
    });
    expect(item.rules).toBeUndefined();
    expect(item).toMatchObject({
      privileges: ['login'],
      groups: ['Staff'],
      groupPrivileges: ['exportEmail'],
      groupArchiveAccess: [],
    });
    expect((item.lastChange as { changedFields: string[] }).changedFields).toEqual([
      'userName',
      'fullName',
      'emailAddresses',
      'distinguishedName',
      'objectGuid',
      'groups',
      'groupPrivileges',
    ]);
  });

  it('writes no group fields for a user created without them', () => {
    const item = itemOf(create);
    expect(item.groups).toBeUndefined();
    expect((item.lastChange as { changedFields: string[] }).changedFields).not.toContain('groups');
  });
});
