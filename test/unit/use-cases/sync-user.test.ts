/**
 * synchronizeUser with the in-memory fakes: the one user's removal against the deletion threshold, whose
 * population is the database's count of directory users (UserStore.countDirectoryUsers), not a read of every
 * user page; the user's groups and privileges by group written with its change. The rest runs against the real Samba DC and DynamoDB Local (test/integration/).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { toPublicUser, type User } from '../../../shared/domain/user';
import { synchronize } from '../../../shared/use-cases/sync-pipeline';
import { synchronizeUser } from '../../../shared/use-cases/sync-user';
import { aDirectoryUser, aLocalUser } from '../../support/builders';
import {
  directoryEntry,
  InMemoryDirectory,
  InMemorySettings,
  InMemoryUserStore,
} from '../../support/in-memory';
import { type InMemoryApp, inMemoryApp, inMemoryConfig } from '../../support/in-memory-app';
import { directoryGroup, InMemoryGroupStore } from '../../support/in-memory-groups';

const config = inMemoryConfig({ options: { deleteUsers: true } });

let directory: InMemoryDirectory;
let store: InMemoryUserStore;
const sync = (name: string) =>
  synchronizeUser(
    { directory, users: store, runs: store, newRunId: () => 'run-1' },
    { config, password: directory.password, name },
  );

beforeEach(() => {
  directory = new InMemoryDirectory();
  store = new InMemoryUserStore();
});

describe('synchronizeUser: a user out of scope', () => {
  it('deletes it within the threshold, counting the directory users without listing the database', async () => {
    directory.put(directoryEntry(1, { userAccountControl: 514 }));
    store.seed(...Array.from({ length: 10 }, (_, i) => aDirectoryUser(i + 1)));
    const report = await sync('user1');
    expect(report).toMatchObject({ status: 'succeeded', counts: { deleted: 1 } });
    expect(report.steps.map((s) => s.name)).toEqual([
      'resolve',
      'connect',
      'bind',
      'search',
      'filter',
      'plan',
      'apply',
      'record',
    ]);
    expect(store.listings).toBe(0);
    expect(await store.getUser('user1')).toBeUndefined();
  });

  it('withholds the delete above the threshold, the local users not counted', async () => {
    directory.put(directoryEntry(1, { userAccountControl: 514 }));
    store.seed(aDirectoryUser(1), aLocalUser('user2'));
    const report = await sync('user1');
    expect(report).toMatchObject({
      status: 'deletionThresholdExceeded',
      deletesWithheld: 1,
      deletesWithheldBecause: { reason: 'threshold', exceeded: 'maxPercent', deletes: 1, directoryUsers: 1 },
    });
    expect(report.steps.find((s) => s.name === 'plan')?.message).toContain('1 of 1 directory users');
    expect(await store.getUser('user1')).toBeDefined();
  });

  it('fails once, at the step that failed, and still records the run', async () => {
    const report = await sync('nobody');
    expect(report.status).toBe('failed');
    expect(report.error?.code).toBe('NotFound');
    expect(report.steps.filter((s) => !s.ok).map((s) => s.name)).toEqual(['search']);
    expect(store.runs.get('run-1')?.status).toBe('failed');
  });
});

describe('synchronizeUser and the cursor of incremental runs', () => {
  const cursor = {
    dsServiceName: 'CN=NTDS Settings,CN=DC1',
    invocationId: 'invocation-1',
    highestCommittedUsn: 7,
    fingerprint: 'f',
    lastFullAt: '2026-12-06T00:00:00.000Z',
    directoryUsers: 10,
    scopeDigest: '10:abc',
    suspensionsDueAt: '2027-01-01T00:00:00.000Z',
  };
  let settings: InMemorySettings;
  const syncWith = (name: string, options = {}) =>
    synchronizeUser(
      { directory, users: store, runs: store, cursors: settings, newRunId: () => 'run-1' },
      {
        config: inMemoryConfig({ options: { deleteUsers: true, ...options } }),
        password: directory.password,
        name,
      },
    );

  beforeEach(async () => {
    settings = new InMemorySettings();
    await settings.saveCursor(cursor);
  });

  it('drops the digest of the scope after a create: the next run compares the database for leavers', async () => {
    directory.put(directoryEntry(1));
    expect((await syncWith('user1')).counts.created).toBe(1);
    const { scopeDigest: _dropped, ...rest } = cursor;
    expect(await settings.getCursor()).toEqual(rest);
  });

  it('drops where the groups were read after a write that changes what they hold, not after one that does not', async () => {
    const groupsRead = { groupsUsn: 5, groupsDigest: '3:def' };
    await settings.saveCursor({ ...cursor, ...groupsRead });
    directory.put(directoryEntry(1), directoryEntry(2, { displayName: 'Renamed' }));
    store.seed(aDirectoryUser(2));
    expect((await syncWith('user2')).counts.updated).toBe(1);
    expect(await settings.getCursor()).toMatchObject(groupsRead);
    // A member created: the next run reads the groups, and its pass lists the user among their members.
    expect((await syncWith('user1')).counts.created).toBe(1);
    expect(await settings.getCursor()).not.toHaveProperty('groupsUsn');
    expect(await settings.getCursor()).not.toHaveProperty('groupsDigest');
  });

  it('keeps the cursor as it is when it writes nothing', async () => {
    directory.put(directoryEntry(1));
    store.seed(aDirectoryUser(1));
    expect((await syncWith('user1')).counts.unchanged).toBe(1);
    expect(await settings.getCursor()).toEqual(cursor);
  });

  it('brings the due date of suspensions forward to a suspension it makes', async () => {
    directory.put(directoryEntry(1, { userAccountControl: 514 }));
    store.seed(...Array.from({ length: 10 }, (_, i) => aDirectoryUser(i + 1)));
    const report = await syncWith('user1', { deletionGraceDays: 3 });
    expect(report.counts.suspended).toBe(1);
    const due = (await settings.getCursor())?.suspensionsDueAt;
    expect(Date.parse(due ?? '')).toBeLessThan(Date.parse(cursor.suspensionsDueAt));
    expect(Date.parse(due ?? '') - Date.parse(report.startedAt)).toBeGreaterThanOrEqual(3 * 86_400_000);
    expect(Date.parse(due ?? '') - Date.parse(report.startedAt)).toBeLessThan(3 * 86_400_000 + 60_000);
  });
});

describe("synchronizeUser: the user's groups and privileges by group (SPEC 8.2)", () => {
  const BASE = 'DC=company,DC=local';
  const dnOf = (name: string) => `CN=${name},OU=Groups,${BASE}`;
  const rule = {
    group: dnOf('Exporters'),
    privileges: ['login' as const],
    ownArchiveAccess: ['write' as const],
  };
  const given: Pick<User, 'groups' | 'groupPrivileges' | 'groupArchiveAccess'> = {
    groups: ['Exporters', 'Sales', 'Staff'],
    groupPrivileges: ['login'],
    groupArchiveAccess: ['write'],
  };
  const none = { groups: [], groupPrivileges: [], groupArchiveAccess: [] };
  /** The administrator's (or the defaults'): never the groups' to change. */
  const own = { privileges: ['archiveEmail' as const], ownArchiveAccess: ['read' as const] };
  const withGroups = inMemoryConfig({
    groups: { sync: 'all' },
    privilegeRules: [rule],
    defaultPrivileges: own,
  });
  const syncWith = (name: string, settings = withGroups) =>
    synchronizeUser(
      { directory, users: store, runs: store, newRunId: () => 'run-1' },
      { config: settings, password: directory.password, name },
    );
  const userDn = (n: number) => directoryEntry(n).distinguishedName;
  /** user1 in Sales, nested in Staff and in the rule's Exporters; user2 in no group. */
  const putGroups = (salesMembers = [userDn(1)]) =>
    directory.putGroup(
      directoryGroup(1, dnOf('Staff'), [dnOf('Sales')]),
      directoryGroup(2, dnOf('Sales'), salesMembers),
      directoryGroup(3, dnOf('Exporters'), [dnOf('Sales')]),
    );

  beforeEach(() => {
    directory.put(directoryEntry(1), directoryEntry(2));
    putGroups();
  });

  it('creates the user with its groups, nested included, and what the rule gives, besides the defaults', async () => {
    const report = await syncWith('user1');
    expect(report).toMatchObject({ status: 'succeeded', counts: { created: 1 } });
    const created = await store.getUser('user1');
    expect(created).toMatchObject({ ...own, ...given });
    expect(toPublicUser(created as User).effectivePrivileges).toEqual(['login', 'archiveEmail']);
  });

  it('updates a user who joined a rule group, naming the fields, the privileges it holds untouched', async () => {
    store.seed(aDirectoryUser(1, own));
    const report = await syncWith('user1');
    expect(report.counts).toMatchObject({ updated: 1, unchanged: 0 });
    expect(report.changes).toMatchObject([
      { action: 'update', changedFields: ['groups', 'groupPrivileges', 'groupArchiveAccess'] },
    ]);
    expect(await store.getUser('user1')).toMatchObject({ ...own, ...given });
  });

  it('takes from a user who left the group what it gave, with the directory fields that changed', async () => {
    putGroups([]);
    store.seed(aDirectoryUser(1, { ...own, ...given, fullName: 'Old Name' }));
    const report = await syncWith('user1');
    expect(report.changes).toMatchObject([
      { action: 'update', changedFields: ['fullName', 'groups', 'groupPrivileges', 'groupArchiveAccess'] },
    ]);
    expect(await store.getUser('user1')).toMatchObject({ ...own, ...none, fullName: 'User 1' });
  });

  it('leaves a user who holds what its groups give, and one in no group, unchanged', async () => {
    store.seed(aDirectoryUser(1, { ...own, ...given }), aDirectoryUser(2, own));
    expect((await syncWith('user1')).counts).toMatchObject({ unchanged: 1, updated: 0 });
    expect((await syncWith('user2')).counts).toMatchObject({ unchanged: 1, updated: 0 });
  });

  it('lists only the synchronized groups, and gives what a rule of a group not synchronized gives', async () => {
    directory.group(dnOf('Staff'), [directoryEntry(1).objectGuid]);
    const selected = inMemoryConfig({
      filters: { groups: [dnOf('Staff')] },
      groups: { sync: 'selected' },
      privilegeRules: [rule],
      defaultPrivileges: own,
    });
    await syncWith('user1', selected);
    expect(await store.getUser('user1')).toMatchObject({ ...given, groups: ['Sales', 'Staff'] });
  });

  it('leaves group fields a full run with groups off clears: it sets the mark when it writes any', async () => {
    const app = inMemoryApp({ entries: [directoryEntry(1), directoryEntry(2)] });
    const groups = new InMemoryGroupStore(app.store);
    app.directory.putGroup(directoryGroup(3, dnOf('Exporters'), [userDn(1)]));
    const onlyRule = inMemoryConfig({ privilegeRules: [rule], defaultPrivileges: own });
    const one = (name: string) =>
      synchronizeUser(
        { ...app.deps(), groups },
        { config: onlyRule, password: app.directory.password, name },
      );
    await one('user2');
    expect(groups.marked).toBe(false);
    await one('user1');
    expect(groups.marked).toBe(true);
    expect(await app.store.getUser('user1')).toMatchObject({ groupPrivileges: ['login'] });
    const off = inMemoryConfig({ defaultPrivileges: own });
    await synchronize({ ...app.deps(), groups }, { config: off, password: app.directory.password });
    expect(await app.store.getUser('user1')).toMatchObject({ ...own, ...none });
    expect(groups.marked).toBe(false);
  });

  describe('with groups off and no rule', () => {
    const off = inMemoryConfig({ defaultPrivileges: own });

    it('creates a user with no group fields, reading no group', async () => {
      expect((await syncWith('user1', off)).counts).toMatchObject({ created: 1 });
      expect((await store.getUser('user1'))?.groups).toBeUndefined();
      expect(directory.reads).not.toContain('groups');
    });

    it("clears what an earlier configuration's groups gave, naming the fields; the next sync writes nothing", async () => {
      store.seed(aDirectoryUser(1, { ...own, ...given }));
      const report = await syncWith('user1', off);
      expect(report.counts).toMatchObject({ updated: 1, unchanged: 0 });
      expect(report.changes).toMatchObject([
        { action: 'update', changedFields: ['groups', 'groupPrivileges', 'groupArchiveAccess'] },
      ]);
      const cleared = await store.getUser('user1');
      expect(cleared).toMatchObject({ ...own, ...none });
      // login came from a rule only: it is gone from what the user may do.
      expect(toPublicUser(cleared as User).effectivePrivileges).toEqual(['archiveEmail']);
      const writes = store.writes;
      expect((await syncWith('user1', off)).counts).toMatchObject({ unchanged: 1, updated: 0 });
      expect(store.writes).toBe(writes);
      expect(directory.reads).not.toContain('groups');
    });

    it('names only the fields the user holds, and writes nothing for a user holding none or empty lists', async () => {
      directory.put(directoryEntry(3));
      store.seed(
        aDirectoryUser(1, { ...own, groupPrivileges: ['login'] }),
        aDirectoryUser(2, own),
        aDirectoryUser(3, { ...own, ...none }),
      );
      expect((await syncWith('user1', off)).changes).toMatchObject([
        { action: 'update', changedFields: ['groupPrivileges'] },
      ]);
      const writes = store.writes;
      expect((await syncWith('user2', off)).counts).toMatchObject({ unchanged: 1, updated: 0 });
      expect((await syncWith('user3', off)).counts).toMatchObject({ unchanged: 1, updated: 0 });
      expect(store.writes).toBe(writes);
    });

    it('ends with the user a full run with groups off leaves, after a run with groups', async () => {
      /** A run with groups (the mark set), then the user synchronized with groups off, one way or the other. */
      const afterGroups = async (
        withGroupsOff: (app: InMemoryApp, groups: InMemoryGroupStore) => Promise<unknown>,
      ) => {
        const app = inMemoryApp({ entries: [directoryEntry(1)] });
        const groups = new InMemoryGroupStore(app.store);
        app.directory.putGroup(
          directoryGroup(1, dnOf('Staff'), [dnOf('Sales')]),
          directoryGroup(2, dnOf('Sales'), [userDn(1)]),
          directoryGroup(3, dnOf('Exporters'), [dnOf('Sales')]),
        );
        await synchronize(
          { ...app.deps(), groups },
          { config: withGroups, password: app.directory.password },
        );
        expect(await app.store.getUser('user1')).toMatchObject(given);
        await app.settings.clearCursor();
        await withGroupsOff(app, groups);
        const { updatedAt: _at, ...user } = toPublicUser((await app.store.getUser('user1')) as User);
        return user;
      };
      const byFullRun = await afterGroups((app, groups) =>
        synchronize({ ...app.deps(), groups }, { config: off, password: app.directory.password }),
      );
      const byOneUser = await afterGroups((app, groups) =>
        synchronizeUser(
          { ...app.deps(), groups },
          { config: off, password: app.directory.password, name: 'user1' },
        ),
      );
      expect(byFullRun).toMatchObject({ ...own, ...none, effectivePrivileges: ['archiveEmail'] });
      expect(byOneUser).toEqual(byFullRun);
    });
  });
});
