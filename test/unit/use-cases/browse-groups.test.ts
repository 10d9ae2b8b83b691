import { beforeEach, describe, expect, it } from 'vitest';
import type { GroupMember } from '../../../shared/domain/group';
import { NotFoundError, ValidationError } from '../../../shared/errors';
import {
  getGroup,
  listGroupMembers,
  listGroups,
  transitiveMembers,
} from '../../../shared/use-cases/browse-groups';
import { InMemoryUserStore } from '../../support/in-memory';
import { InMemoryGroupStore } from '../../support/in-memory-groups';

const guid = (n: number) => `00000000-0000-4000-9000-${String(n).padStart(12, '0')}`;
const user = (n: number): GroupMember => ({
  type: 'user',
  name: `user${String(n).padStart(3, '0')}`,
  objectGuid: `u-${n}`,
});
const groupMember = (n: number, name: string): GroupMember => ({ type: 'group', name, objectGuid: guid(n) });

let store: InMemoryGroupStore;
const put = (n: number, name: string, members: GroupMember[]) =>
  store.applyGroupChanges(
    [
      {
        action: 'create',
        changedFields: [],
        target: {
          name,
          displayName: name,
          distinguishedName: `CN=${name},DC=company,DC=local`,
          objectGuid: guid(n),
          emailAddresses: [],
          kind: 'security',
          scope: 'global',
          memberCount: members.length,
          members,
        },
      },
    ],
    { runId: 'run', now: '2026-12-01T00:00:00Z' },
  );

beforeEach(async () => {
  store = new InMemoryGroupStore(new InMemoryUserStore());
  // Staff > Sales > user1, user2; Sales > Staff (a cycle); Staff > user3.
  await put(1, 'Staff', [user(3), groupMember(2, 'Sales')]);
  await put(2, 'Sales', [user(1), user(2), groupMember(1, 'Staff')]);
});

describe('the groups routes', () => {
  it('lists the groups in name order and shows one by name, case-insensitively', async () => {
    expect((await listGroups(store)).groups.map((g) => g.name)).toEqual(['Sales', 'Staff']);
    expect(await getGroup(store, 'staff')).toMatchObject({ name: 'Staff', memberCount: 2 });
    await expect(getGroup(store, 'nobody')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lists the direct members, or every member through nested groups, each once, a cycle walked once', async () => {
    expect((await listGroupMembers(store, 'Staff')).members.map((m) => m.name)).toEqual(['user003', 'Sales']);
    expect((await listGroupMembers(store, 'Staff', { transitive: true })).members.map((m) => m.name)).toEqual(
      ['user001', 'user002', 'user003', 'Sales'],
    );
    let reads = 0;
    await transitiveMembers(guid(1), async (g) => {
      reads += 1;
      return store.membersOf(g);
    });
    expect(reads).toBe(2);
  });

  it('reads a wide nesting a level at a time, at most 16 groups at once, each group once', async () => {
    // Root > 40 groups > one user each, and each of the 40 also names the root and its neighbour.
    const children = Array.from({ length: 40 }, (_, i) => groupMember(100 + i, `Child ${i}`));
    const membersOf = new Map<string, GroupMember[]>([[guid(1), children]]);
    for (const [i, child] of children.entries())
      membersOf.set(child.objectGuid, [
        user(i),
        groupMember(1, 'Root'),
        children[(i + 1) % 40] as GroupMember,
      ]);
    let inFlight = 0;
    let most = 0;
    const read: string[] = [];
    const members = await transitiveMembers(guid(1), async (g) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      read.push(g);
      await Promise.resolve();
      inFlight -= 1;
      return membersOf.get(g) ?? [];
    });
    expect(read).toHaveLength(41);
    expect(new Set(read).size).toBe(41);
    expect(most).toBe(16);
    expect(members.filter((m) => m.type === 'user')).toHaveLength(40);
    expect(members.filter((m) => m.type === 'group')).toHaveLength(40);
  });

  it('pages the members 100 at a time with a cursor, and refuses a cursor it did not give', async () => {
    await put(
      3,
      'Big',
      Array.from({ length: 250 }, (_, i) => user(i)),
    );
    const first = await listGroupMembers(store, 'Big');
    expect(first.members).toHaveLength(100);
    const second = await listGroupMembers(store, 'Big', { cursor: first.cursor as string });
    const third = await listGroupMembers(store, 'Big', { cursor: second.cursor as string });
    expect(third.members).toHaveLength(50);
    expect(third.cursor).toBeUndefined();
    expect(new Set([...first.members, ...second.members, ...third.members].map((m) => m.name)).size).toBe(
      250,
    );
    await expect(listGroupMembers(store, 'Big', { cursor: 'bm90IG91cnM' })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});
