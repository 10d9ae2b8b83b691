import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { changeEventOfRecord } from '../../../shared/adapters/dynamodb/change-stream';
import { groupIndexKeys, groupKey, groupMembersSortKey } from '../../../shared/adapters/dynamodb/keys';
import type { GroupLastChange } from '../../../shared/domain/change-event';

const GUID = '6f9619ff-8b86-d011-b42d-00c04fc964ff';
const MEMBER = '00000000-0000-4000-8000-000000000001';
const item = (version: number, lastChange: GroupLastChange) => ({
  ...groupKey(GUID),
  ...groupIndexKeys('Staff'),
  name: 'Staff',
  displayName: 'Staff',
  distinguishedName: 'CN=Staff,OU=Groups,DC=company,DC=local',
  objectGuid: GUID,
  emailAddresses: [],
  kind: 'security',
  scope: 'global',
  memberCount: 1,
  membersHash: 'hash',
  version,
  lastChange,
});
const mark = (kind: GroupLastChange['kind'], version: number): GroupLastChange => ({
  runId: 'run-1',
  kind,
  changedFields: kind === 'update' ? ['members', 'memberCount'] : [],
  membersAdded: kind === 'delete' ? [] : [MEMBER],
  membersRemoved: [],
  at: '2026-12-06T10:00:00.000Z',
  version,
});
const record = (eventName: string, image: Record<string, unknown>) => ({
  eventName,
  dynamodb: eventName === 'REMOVE' ? { OldImage: marshall(image) } : { NewImage: marshall(image) },
});

describe('group change events from the stream', () => {
  it('makes group.updated of a marked write: the fields, the members that joined, the Group', () => {
    expect(changeEventOfRecord(record('MODIFY', item(2, mark('update', 2))))).toEqual({
      id: `run-1:${GUID}:2`,
      type: 'group.updated',
      time: '2026-12-06T10:00:00.000Z',
      runId: 'run-1',
      name: 'Staff',
      objectGuid: GUID,
      changedFields: ['members', 'memberCount'],
      membersAdded: [MEMBER],
      membersRemoved: [],
      group: {
        name: 'Staff',
        displayName: 'Staff',
        distinguishedName: 'CN=Staff,OU=Groups,DC=company,DC=local',
        objectGuid: GUID,
        emailAddresses: [],
        kind: 'security',
        scope: 'global',
        memberCount: 1,
      },
    });
  });

  it('makes group.deleted of the removal of a marked item only, and nothing of member chunks', () => {
    expect(changeEventOfRecord(record('REMOVE', item(3, mark('delete', 3))))?.type).toBe('group.deleted');
    // The mark before the removal, a created group's event, a chunk of members.
    expect(changeEventOfRecord(record('MODIFY', item(3, mark('delete', 3))))).toBeUndefined();
    expect(changeEventOfRecord(record('INSERT', item(1, mark('create', 1))))?.type).toBe('group.created');
    const chunk = { ...groupKey(GUID, groupMembersSortKey(0)), members: [] };
    expect(changeEventOfRecord(record('INSERT', chunk))).toBeUndefined();
  });
});
