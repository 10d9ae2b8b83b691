/**
 * The write of a planned create or update: a user created with what its groups give it carries them, and says
 * so; an update carries them only when it was planned with them (a one-user sync), and keeps them otherwise.
 */
import { describe, expect, it } from 'vitest';
import { changeWrite } from '../../../shared/adapters/dynamodb/change-writes';
import type { CreateChange, UpdateChange } from '../../../shared/domain/plan-sync';

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
const itemOf = (change: CreateChange | UpdateChange) =>
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

describe('changeWrite of an update', () => {
  const current = {
    ...target,
    fullName: 'Old',
    authentication: 'directoryServices' as const,
    privileges: ['archiveEmail' as const],
    ownArchiveAccess: ['read' as const],
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    groups: ['Staff'],
    groupPrivileges: ['login' as const],
    groupArchiveAccess: [],
    version: 3,
  };
  const update: UpdateChange = { action: 'update', target, current, ...target, changedFields: ['fullName'] };

  it('keeps what the groups gave the user when it carries nothing of them', () => {
    expect(itemOf(update)).toMatchObject({
      fullName: 'Alice',
      groups: ['Staff'],
      groupPrivileges: ['login'],
    });
  });

  it('writes what it carries, the privileges an administrator set untouched, and names the fields it was planned with', () => {
    const item = itemOf({
      ...update,
      changedFields: ['fullName', 'groups', 'groupPrivileges'],
      memberships: { groups: [], groupPrivileges: [], groupArchiveAccess: [] },
    });
    expect(item).toMatchObject({
      privileges: ['archiveEmail'],
      ownArchiveAccess: ['read'],
      groups: [],
      groupPrivileges: [],
      groupArchiveAccess: [],
      version: 4,
    });
    expect(item.lastChange).toMatchObject({
      kind: 'update',
      changedFields: ['fullName', 'groups', 'groupPrivileges'],
    });
  });
});
