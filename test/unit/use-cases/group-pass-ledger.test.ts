/**
 * The group pass of a run that listed the user database (member-ledger.ts): it lists the users no second
 * time, and leaves the users' groups and the groups' members as a pass that listed them would: after creates,
 * renames, moves, deletes and refused writes of the same run, for users the run did not touch, and for
 * stored groups that differ from what the groups give; and so while the store's objectGUID index lags the
 * run's writes, as DynamoDB's does on AWS (the pass reads its users back by name).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../../shared/config/config-schema';
import type { DirectoryGroupEntry } from '../../../shared/domain/group';
import type { PlannedChange } from '../../../shared/domain/plan-sync';
import { synchronize } from '../../../shared/use-cases/sync-pipeline';
import { directoryEntry, type InMemoryDirectory, type InMemoryUserStore } from '../../support/in-memory';
import { type InMemoryApp, inMemoryApp, inMemoryConfig } from '../../support/in-memory-app';
import { directoryGroup, InMemoryGroupStore } from '../../support/in-memory-groups';
import { lagGuidIndex } from '../../support/lagging-guid-index';

const BASE = 'DC=company,DC=local';
const dnOf = (name: string) => `CN=${name},OU=Groups,${BASE}`;
const userDn = (n: number) => directoryEntry(n).distinguishedName;
const guidOf = (n: number) => directoryEntry(n).objectGuid;
let sequence = 0;
const group = (name: string, members: string[]) => directoryGroup(++sequence, dnOf(name), members);

let app: InMemoryApp;
let directory: InMemoryDirectory;
let store: InMemoryUserStore;
let groups: InMemoryGroupStore;

const rules = [{ group: dnOf('Exporters'), privileges: ['exportEmail' as const], ownArchiveAccess: [] }];
const CONFIG: Omit<ConfigInput, 'connection'> = {
  groups: { sync: 'all' },
  privilegeRules: rules,
  options: { deleteUsers: true, deletionThreshold: { maxPercent: 100 } },
};

/** A full read (the cursor cleared): the database is listed; how often it was, and the report. */
async function fullRun(config: Omit<ConfigInput, 'connection'> = CONFIG) {
  await app.settings.clearCursor();
  const before = store.listings;
  const report = await synchronize(
    { ...app.deps(), groups },
    { config: inMemoryConfig(config), password: directory.password },
  );
  expect(report.status).toBe('succeeded');
  return { report, listings: store.listings - before };
}
const groupsOf = async (name: string) => (await store.getUser(name))?.groups;
const membersOf = async (name: string) => {
  const found = [...groups.groups.values()].find((g) => g.group.name === name);
  return (await groups.membersOf(found?.group.objectGuid ?? '')).map((m) => m.name);
};
const stepMessage = (report: { steps: readonly { name: string; message?: string }[] }) =>
  report.steps.find((s) => s.name === 'groups')?.message ?? '';

beforeEach(() => {
  app = inMemoryApp({ entries: [1, 2, 3, 4, 5].map((n) => directoryEntry(n)) });
  ({ directory, store } = app);
  groups = new InMemoryGroupStore(store);
  directory.putGroup(
    group('Staff', [userDn(1), userDn(2), userDn(3)]),
    group('Sales', [userDn(4)]),
    group('Exporters', [dnOf('Sales')]),
  );
});

describe('the group pass of a run that listed the database', () => {
  it('lists the users once: a first sync creates them with their groups and writes no user again', async () => {
    const { report, listings } = await fullRun();
    expect(listings).toBe(1);
    expect(report.counts.created).toBe(5);
    expect(stepMessage(report)).toContain('3 created, 0 updated, 0 deleted; 0 users');
    expect(stepMessage(report)).toContain('gives exportEmail to 1 users');
    expect(await groupsOf('user1')).toEqual(['Staff']);
    expect(await store.getUser('user4')).toMatchObject({
      groups: ['Exporters', 'Sales'],
      groupPrivileges: ['exportEmail'],
    });
    expect(await membersOf('Staff')).toEqual(['user1', 'user2', 'user3']);
    expect(await membersOf('Exporters')).toEqual(['Sales']);
  });

  it('follows the writes of its run: a rename, a move, a delete, a create, and users it did not touch', async () => {
    await fullRun();
    const staff = [...directory.groupEntries.values()].find((g) => g.sAMAccountName === 'Staff');
    const sales = [...directory.groupEntries.values()].find((g) => g.sAMAccountName === 'Sales');
    const moved = `CN=User 3,OU=Moved,${BASE}`;
    directory.put(directoryEntry(2, { sAMAccountName: 'renamed2' }));
    directory.move(guidOf(3), moved);
    directory.remove(guidOf(4));
    directory.put(directoryEntry(6));
    // What AD does: a group lists a moved member under its new DN, and a deleted one no more.
    directory.putGroup(
      { ...(staff as DirectoryGroupEntry), members: [userDn(1), userDn(2), moved] },
      { ...(sales as DirectoryGroupEntry), members: [userDn(6)] },
    );
    const { report, listings } = await fullRun();
    expect(listings).toBe(1);
    expect(report.counts).toMatchObject({ created: 1, updated: 2, deleted: 1 });
    expect(await membersOf('Staff')).toEqual(['renamed2', 'user1', 'user3']);
    expect(await membersOf('Sales')).toEqual(['user6']);
    expect(await groupsOf('renamed2')).toEqual(['Staff']);
    expect(await groupsOf('user3')).toEqual(['Staff']);
    expect(await store.getUser('user6')).toMatchObject({
      groups: ['Exporters', 'Sales'],
      groupPrivileges: ['exportEmail'],
    });
    expect(await store.getUser('user4')).toBeUndefined();
    expect(stepMessage(report)).toContain('gives exportEmail to 1 users');
    // user5 (in no group, untouched) and user1 (untouched) are as they were.
    expect(await groupsOf('user1')).toEqual(['Staff']);
    expect(await groupsOf('user5')).toBeUndefined();
  });

  it('corrects a stored user whose groups differ, and one the run keeps out of scope', async () => {
    await fullRun();
    const held = await store.getUser('user1');
    store.users.set('user1', {
      ...(held as NonNullable<typeof held>),
      groups: ['Bogus'],
      groupPrivileges: ['exportEmail'],
    });
    // user2 is disabled (out of scope, kept: no delete) and leaves Staff.
    directory.put(directoryEntry(2, { userAccountControl: 514 }));
    const staff = [...directory.groupEntries.values()].find((g) => g.sAMAccountName === 'Staff');
    directory.putGroup({ ...(staff as DirectoryGroupEntry), members: [userDn(1), userDn(3)] });
    const { report, listings } = await fullRun({ ...CONFIG, options: { deleteUsers: false } });
    expect(listings).toBe(1);
    expect(await store.getUser('user1')).toMatchObject({ groups: ['Staff'], groupPrivileges: [] });
    expect(await groupsOf('user2')).toEqual([]);
    expect(stepMessage(report)).toContain('2 users');
    expect(await membersOf('Staff')).toEqual(['user1', 'user3']);
  });

  /** Sales' members become user4 and user6 (user6 a new user). */
  const salesHolds4And6 = () => {
    const sales = [...directory.groupEntries.values()].find((g) => g.sAMAccountName === 'Sales');
    directory.putGroup({ ...(sales as DirectoryGroupEntry), members: [userDn(4), userDn(6)] });
  };
  /** The rename to renamed1 is refused; user6's create is written, but answered as found in place. */
  const refuseRenamed1AndFindUser6InPlace = () => {
    const apply = store.applyChanges.bind(store);
    store.applyChanges = async (changes: readonly PlannedChange[], context) => {
      const refused = changes.filter((c) => c.userName === 'renamed1');
      const result = await apply(
        changes.filter((c) => !refused.includes(c)),
        context,
      );
      return {
        applied: result.applied.filter((c) => c.userName !== 'user6'),
        alreadyApplied: result.alreadyApplied + 1,
        conflicts: refused.map((change) => ({ change, reason: 'changed meanwhile' })),
      };
    };
  };

  it('reads back the users whose write was refused or found in place: what the database holds counts', async () => {
    await fullRun();
    directory.put(directoryEntry(1, { sAMAccountName: 'renamed1' }), directoryEntry(6));
    salesHolds4And6();
    // The rename is refused; user6's create is written, but answered as found in place (a concurrent apply).
    refuseRenamed1AndFindUser6InPlace();
    const { listings } = await fullRun();
    expect(listings).toBe(1);
    expect(await membersOf('Staff')).toEqual(['user1', 'user2', 'user3']);
    expect(await groupsOf('user1')).toEqual(['Staff']);
    expect(await membersOf('Sales')).toEqual(['user4', 'user6']);
  });

  it('names what the run wrote, though the objectGUID index has not caught up with any of it', async () => {
    await fullRun();
    // Through the whole run, the index answers as the first run left the database (AWS's index lags).
    const lag = lagGuidIndex(store, [...store.users.values()]);
    directory.put(
      directoryEntry(2, { sAMAccountName: 'renamed2' }),
      directoryEntry(1, { sAMAccountName: 'renamed1' }),
      directoryEntry(6),
    );
    salesHolds4And6();
    // user1's rename is refused; user6's create is written but answered as found in place; user2's is committed.
    refuseRenamed1AndFindUser6InPlace();
    const { listings } = await fullRun();
    expect(listings).toBe(1);
    // The index would have answered user2 under its old name and not known user6.
    expect(await membersOf('Staff')).toEqual(['renamed2', 'user1', 'user3']);
    expect(await groupsOf('renamed2')).toEqual(['Staff']);
    expect(await membersOf('Sales')).toEqual(['user4', 'user6']);
    expect(await store.getUser('user6')).toMatchObject({ groups: ['Exporters', 'Sales'] });
    expect(lag.nameLookups.flat()).toEqual(expect.arrayContaining(['renamed2', 'user1', 'user6']));
  });
});
