/**
 * The group pass of a run (SPEC 8.2) with the in-memory fakes: groups synchronized with their members, the
 * users' groups through nesting, privileges by group given and taken back, an administrator's privileges
 * never touched, and a failed read that deletes nothing.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../../shared/config/config-schema';
import type { DirectoryGroupEntry } from '../../../shared/domain/group';
import { synchronize, testSettings } from '../../../shared/use-cases/sync-pipeline';
import { directoryEntry, type InMemoryDirectory, type InMemoryUserStore } from '../../support/in-memory';
import { type InMemoryApp, inMemoryApp, inMemoryConfig } from '../../support/in-memory-app';
import { directoryGroup, InMemoryGroupStore } from '../../support/in-memory-groups';

const BASE = 'DC=company,DC=local';
const dnOf = (name: string) => `CN=${name},OU=Groups,${BASE}`;
const userDn = (n: number) => directoryEntry(n).distinguishedName;
let sequence = 0;
const group = (name: string, members: string[]) => directoryGroup(++sequence, dnOf(name), members);

let app: InMemoryApp;
let directory: InMemoryDirectory;
let store: InMemoryUserStore;
let groups: InMemoryGroupStore;

const run = (config: Omit<ConfigInput, 'connection'>) =>
  synchronize({ ...app.deps(), groups }, { config: inMemoryConfig(config), password: directory.password });
const userOf = async (name: string) => store.getUser(name);
const stepOf = (report: { steps: readonly { name: string; message?: string; ok: boolean }[] }) =>
  report.steps.find((s) => s.name === 'groups');

beforeEach(() => {
  app = inMemoryApp({ entries: [1, 2, 3].map((n) => directoryEntry(n)) });
  ({ directory, store } = app);
  groups = new InMemoryGroupStore(store);
});

describe('the group pass of a run', () => {
  const rules = [
    { group: dnOf('Exporters'), privileges: ['exportEmail' as const], ownArchiveAccess: ['write' as const] },
  ];

  it('synchronizes every group with its members, and gives users their groups, nested and in a cycle', async () => {
    // Staff > Sales > user1; Sales > Staff (a cycle); Staff > user2.
    const staff = group('Staff', [dnOf('Sales'), userDn(2)]);
    const sales = group('Sales', [userDn(1), dnOf('Staff')]);
    directory.putGroup(staff, sales);
    const report = await run({ groups: { sync: 'all' } });
    expect(report.status).toBe('succeeded');
    expect(stepOf(report)).toMatchObject({ ok: true });
    expect(stepOf(report)?.message).toContain('2 groups read, 2 synchronized: 2 created');
    expect((await userOf('user1'))?.groups).toEqual(['Sales', 'Staff']);
    expect((await userOf('user2'))?.groups).toEqual(['Sales', 'Staff']);
    expect((await userOf('user3'))?.groups).toBeUndefined();
    expect(await groups.membersOf(staff.objectGuid)).toEqual([
      { type: 'user', name: 'user2', objectGuid: directoryEntry(2).objectGuid },
      { type: 'group', name: 'Sales', objectGuid: sales.objectGuid },
    ]);
    // A second run (incremental) reads no group: none changed. A full read changes nothing either.
    groups.written.length = 0;
    directory.reads.length = 0;
    const again = await run({ groups: { sync: 'all' } });
    expect(stepOf(again)?.message).toContain('no group changed since the last run');
    expect(directory.reads).not.toContain('groups');
    await app.settings.clearCursor();
    const full = await run({ groups: { sync: 'all' } });
    expect(stepOf(full)?.message).toContain('0 created, 0 updated, 0 deleted; 0 users');
    expect(groups.written).toEqual([]);
  });

  describe('an incremental run', () => {
    const all = { groups: { sync: 'all' as const } };
    const firstRun = async () => {
      const staff = group('Staff', [userDn(1)]);
      const sales = group('Sales', [userDn(2)]);
      directory.putGroup(staff, sales);
      await run(all);
      directory.reads.length = 0;
      return { staff, sales };
    };

    it('reads the groups when one changed since the last run', async () => {
      const { staff } = await firstRun();
      directory.putGroup({ ...staff, members: [userDn(1), userDn(3)] });
      const report = await run(all);
      expect(directory.reads).toContain('groups');
      expect(stepOf(report)?.message).toContain('0 created, 1 updated, 0 deleted; 1 users');
      expect((await userOf('user3'))?.groups).toEqual(['Staff']);
    });

    it('reads the groups when one was deleted (the objectGUIDs differ), and deletes it', async () => {
      const { sales } = await firstRun();
      directory.groupEntries.delete(sales.objectGuid);
      const report = await run(all);
      expect(stepOf(report)?.message).toContain('0 created, 0 updated, 1 deleted');
      expect((await userOf('user2'))?.groups).toEqual([]);
    });

    it('reads the groups once the users are planned when the plan writes: a user moved in gets its groups', async () => {
      await firstRun();
      // user4, already in Staff (the group's entry names it), appears under the base DN: no group changed.
      const staff = [...directory.groupEntries.values()].find((g) => g.sAMAccountName === 'Staff');
      directory.groupEntries.set(staff?.objectGuid as string, {
        ...(staff as DirectoryGroupEntry),
        members: [userDn(1), userDn(4)],
      });
      directory.put(directoryEntry(4));
      const report = await run(all);
      expect(report.counts.created).toBe(1);
      expect(directory.reads).toContain('groups');
      expect((await userOf('user4'))?.groups).toEqual(['Staff']);
    });

    it('reads no group when the users changed only in what groups do not hold (a display name)', async () => {
      await firstRun();
      directory.put(directoryEntry(1, { displayName: 'Someone Else' }));
      const report = await run(all);
      expect(report.counts.updated).toBe(1);
      expect(directory.reads).not.toContain('groups');
      expect(stepOf(report)?.message).toContain('no group changed since the last run');
    });

    it('reads the groups after a pass that was refused a write', async () => {
      const { staff } = await firstRun();
      const apply = groups.applyGroupChanges.bind(groups);
      groups.applyGroupChanges = async (changes, context) => ({
        ...(await apply(changes, context)),
        conflicts: 1,
      });
      directory.putGroup({ ...staff, members: [userDn(3)] });
      await run(all);
      groups.applyGroupChanges = apply;
      directory.reads.length = 0;
      await run(all);
      expect(directory.reads).toContain('groups');
    });
  });

  it('gives what a rule gives, takes it back when the user leaves, and never touches privileges', async () => {
    const exporters = group('Exporters', [dnOf('Auditors')]);
    const auditors = group('Auditors', [userDn(1)]);
    directory.putGroup(exporters, auditors);
    const report = await run({ privilegeRules: rules });
    // The step says which rule gives what, and to how many.
    expect(stepOf(report)?.message).toContain(
      `privilegeRules.0 (${dnOf('Exporters')}) gives exportEmail, write own archive to 1 users`,
    );
    const given = await userOf('user1');
    expect(given).toMatchObject({
      privileges: ['login'],
      groupPrivileges: ['exportEmail'],
      groupArchiveAccess: ['write'],
      groups: [],
    });
    // An administrator gives user1 deleteMessages; then user1 leaves the nested group.
    store.users.set('user1', {
      ...(given as NonNullable<typeof given>),
      privileges: ['login', 'deleteMessages'],
    });
    directory.putGroup({ ...auditors, members: [] });
    await run({ privilegeRules: rules });
    expect(await userOf('user1')).toMatchObject({
      privileges: ['login', 'deleteMessages'],
      groupPrivileges: [],
      groupArchiveAccess: [],
    });
  });

  it('creates a new user with its groups and group privileges: no membership write follows', async () => {
    directory.putGroup(group('Exporters', [dnOf('Auditors')]), group('Auditors', [userDn(1)]));
    const report = await run({ groups: { sync: 'all' }, privilegeRules: rules });
    expect(report.counts.created).toBe(3);
    expect(await userOf('user1')).toMatchObject({
      privileges: ['login'],
      groups: ['Auditors', 'Exporters'],
      groupPrivileges: ['exportEmail'],
      groupArchiveAccess: ['write'],
    });
    // user2 is in no group: created without group fields; the pass changes no user.
    expect((await userOf('user2'))?.groups).toBeUndefined();
    expect(stepOf(report)?.message).toContain('2 created, 0 updated, 0 deleted; 0 users');
  });

  it('deletes a group gone from a complete read, and deletes nothing when the read fails', async () => {
    const staff = group('Staff', [userDn(1)]);
    const sales = group('Sales', [userDn(2)]);
    directory.putGroup(staff, sales);
    await run({ groups: { sync: 'all' } });
    directory.groupEntries.delete(sales.objectGuid);
    directory.failAfterPages = 0;
    const failed = await run({ groups: { sync: 'all' } });
    expect(failed.status).toBe('failed');
    expect([...groups.groups.values()].map((g) => g.group.name).sort()).toEqual(['Sales', 'Staff']);
    expect((await userOf('user2'))?.groups).toEqual(['Sales']);
    directory.failAfterPages = undefined;
    await run({ groups: { sync: 'all' } });
    expect([...groups.groups.values()].map((g) => g.group.name)).toEqual(['Staff']);
    expect((await userOf('user2'))?.groups).toEqual([]);
  });

  it('synchronizes the selected groups and those nested in them', async () => {
    directory.putGroup(
      group('Selected', [dnOf('Nested')]),
      group('Nested', [userDn(1)]),
      group('Other', [userDn(2)]),
    );
    // The filter's group (the in-memory directory's users filter) holds user1.
    directory.group(dnOf('Selected'), [directoryEntry(1).objectGuid]);
    const report = await run({ filters: { groups: [dnOf('Selected')] }, groups: { sync: 'selected' } });
    expect(report.status).toBe('succeeded');
    expect([...groups.groups.values()].map((g) => g.group.name).sort()).toEqual(['Nested', 'Selected']);
    expect((await userOf('user1'))?.groups).toEqual(['Nested', 'Selected']);
  });

  it('fails naming the rule whose DN is no group (a user), before anything is written', async () => {
    const report = await run({ privilegeRules: [{ ...rules[0], group: userDn(2) }] as typeof rules });
    expect(report.status).toBe('failed');
    expect(report.error?.code).toBe('ValidationError');
    expect(stepOf(report)).toMatchObject({ ok: false });
    expect(stepOf(report)?.message).toContain('privilegeRules.0.group');
    expect(await store.listUsers()).toEqual([]);
  });

  it('fails naming the rule whose group is in another domain (AD: a referral), before anything is written', async () => {
    const outside = 'CN=Exporters,OU=Groups,DC=other,DC=com';
    const report = await run({ privilegeRules: [{ ...rules[0], group: outside }] as typeof rules });
    expect(report.status).toBe('failed');
    expect(report.error?.code).toBe('ValidationError');
    expect(stepOf(report)?.message).toContain(
      `privilegeRules.0.group: the group of privilegeRules.0 ${outside} is outside the directory's domain`,
    );
    expect(await store.listUsers()).toEqual([]);
  });

  it('takes a rule whose group the directory no longer has as giving nothing: its members lose it, the run goes on', async () => {
    directory.putGroup(group('Exporters', [userDn(1)]));
    await run({ privilegeRules: rules });
    expect(await userOf('user1')).toMatchObject({ groupPrivileges: ['exportEmail'] });
    // Deleted in AD (or renamed: the rule's DN names nothing any more).
    directory.groupEntries.clear();
    const report = await run({ privilegeRules: rules });
    expect(report.status).toBe('succeeded');
    expect(stepOf(report)).toMatchObject({ ok: true });
    expect(stepOf(report)?.message).toContain(
      `privilegeRules.0.group: the directory has no ${dnOf('Exporters')}`,
    );
    expect(await userOf('user1')).toMatchObject({ groupPrivileges: [], groupArchiveAccess: [] });
    expect((await store.listUsers()).map((u) => u.userName)).toEqual(['user1', 'user2', 'user3']);
  });

  it('Test Settings plans the groups and writes none', async () => {
    directory.putGroup(group('Staff', [userDn(1)]));
    const report = await testSettings(
      { ...app.deps(), groups },
      { config: inMemoryConfig({ groups: { sync: 'all' } }), password: directory.password },
    );
    expect(stepOf(report)?.message).toContain('1 groups read, 1 synchronized: 1 to create');
    expect(groups.groups.size).toBe(0);
  });

  it("Test Settings lists a create with what the user's groups would give it, and why", async () => {
    directory.putGroup(group('Exporters', [dnOf('Auditors')]), group('Auditors', [userDn(1)]));
    const report = await testSettings(
      { ...app.deps(), groups },
      { config: inMemoryConfig({ privilegeRules: rules }), password: directory.password },
    );
    const byName = new Map(report.changes.map((c) => [c.userName, c]));
    expect(byName.get('user1')?.membership).toEqual({
      groups: [],
      groupPrivileges: ['exportEmail'],
      groupArchiveAccess: ['write'],
      rules: [{ rule: 0, ...rules[0], via: ['Auditors', 'Exporters'] }],
    });
    expect(byName.get('user2')?.membership).toBeUndefined();
    expect(await store.listUsers()).toEqual([]);
  });
});

describe('a run whose configuration uses no groups', () => {
  const names = (report: { steps: readonly { name: string }[] }) => report.steps.map((s) => s.name);

  /**
   * Runs of the default configuration (a full read, an incremental one, a full one again): their steps, and
   * how often each listed the users.
   */
  async function defaultRuns(withGroups: boolean) {
    const fresh = inMemoryApp({ entries: [1, 2, 3].map((n) => directoryEntry(n)) });
    const deps = withGroups ? { ...fresh.deps(), groups: new InMemoryGroupStore(fresh.store) } : fresh.deps();
    const request = { config: inMemoryConfig({}), password: fresh.directory.password };
    const runs: { steps: string[]; listings: number }[] = [];
    for (const full of [true, false, true]) {
      if (full) await fresh.settings.clearCursor();
      const before = fresh.store.listings;
      const report = await synchronize(deps, request);
      runs.push({ steps: names(report), listings: fresh.store.listings - before });
    }
    return runs;
  }

  it('runs and costs as without the group pass: no groups step, no other listing of the users', async () => {
    const without = await defaultRuns(false);
    const withGroups = await defaultRuns(true);
    expect(withGroups).toEqual(without);
    expect(withGroups.flatMap((r) => r.steps)).not.toContain('groups');
  });

  it('clears what an earlier configuration left (groups, group privileges), then no longer looks', async () => {
    const rules = [{ group: dnOf('Exporters'), privileges: ['exportEmail' as const], ownArchiveAccess: [] }];
    directory.putGroup(group('Exporters', [userDn(1)]), group('Staff', [userDn(2)]));
    await run({ groups: { sync: 'all' }, privilegeRules: rules });
    expect(groups.marked).toBe(true);
    expect((await userOf('user1'))?.groupPrivileges).toEqual(['exportEmail']);
    const cleared = await run({});
    expect(stepOf(cleared)?.message).toContain('0 synchronized: 0 created, 0 updated, 2 deleted; 2 users');
    expect(groups.groups.size).toBe(0);
    expect(await userOf('user1')).toMatchObject({ groups: [], groupPrivileges: [] });
    expect(groups.marked).toBe(false);
    // The next full read: no groups step, and the users listed as often as a run without the group pass.
    await app.settings.clearCursor();
    const listings = store.listings;
    const after = await run({});
    expect(names(after)).toEqual((await defaultRuns(false))[0]?.steps);
    expect(store.listings - listings).toBe((await defaultRuns(false))[0]?.listings);
  });

  it('clears what a first run gave by rules alone (its creates carried it; no group of its own written)', async () => {
    const rules = [{ group: dnOf('Exporters'), privileges: ['exportEmail' as const], ownArchiveAccess: [] }];
    directory.putGroup(group('Exporters', [userDn(1)]));
    await run({ privilegeRules: rules });
    expect((await userOf('user1'))?.groupPrivileges).toEqual(['exportEmail']);
    expect(groups.groups.size).toBe(0);
    expect(groups.marked).toBe(true);
    await app.settings.clearCursor();
    await run({});
    expect(await userOf('user1')).toMatchObject({ groups: [], groupPrivileges: [] });
    expect(groups.marked).toBe(false);
  });

  it('keeps the mark while a write was refused, so the next full read clears the rest', async () => {
    directory.putGroup(group('Staff', [userDn(1)]));
    await run({ groups: { sync: 'all' } });
    const apply = groups.applyGroupChanges.bind(groups);
    groups.applyGroupChanges = async (changes, context) => ({
      ...(await apply(changes, context)),
      conflicts: 1,
    });
    await run({});
    expect(groups.marked).toBe(true);
    groups.applyGroupChanges = apply;
    await app.settings.clearCursor();
    await run({});
    expect(groups.marked).toBe(false);
  });
});
