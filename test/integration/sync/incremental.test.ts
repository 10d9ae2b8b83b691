/**
 * Incremental runs by uSNChanged, in an OU of this file's own: what changed is read, and nothing else is
 * touched; a restored DC (new invocationId) or changed settings force a full read.
 */
import { Attribute, Change } from 'ldapts';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../../shared/domain/report';
import type { User } from '../../../shared/domain/user';
import { synchronize } from '../../../shared/use-cases/sync-pipeline';
import { replace, userEntry } from '../../support/scratch-ou';
import { useScratchSync } from '../../support/scratch-sync';
import { fixtureConfig, servicePassword } from '../../support/sync-harness';

const scratch = useScratchSync('Incremental', { incremental: true });
const { dn: ou, tag } = scratch;
const groupDn = `CN=Incremental Team,${ou}`;
const userDn = (name: string) => `CN=Incr ${name},${ou}`;
const MEMBERS = ['i1', 'i2', 'i3', 'i4', 'i5', 'i6'];

const addUser = (name: string) =>
  scratch.admin.add(
    userDn(name),
    userEntry({
      sAMAccountName: `incr-${tag}-${name}`,
      displayName: `Incr ${name}`,
      mail: `incr-${name}@company.local`,
    }),
  );

const config = (filters: object = {}) =>
  fixtureConfig({
    connection: { baseDn: ou },
    filters: { groups: [groupDn], ...filters },
    options: { deleteUsers: true, deletionThreshold: { maxCount: 100, maxPercent: 100 } },
  });
const sync = (filters: object = {}): Promise<Report> =>
  synchronize(scratch.harness.deps, { config: config(filters), password: servicePassword() });
const searchMessage = (report: Report) => report.steps.find((s) => s.name === 'search')?.message ?? '';
const byName = async (): Promise<Map<string, User>> =>
  new Map((await scratch.harness.store.listUsers()).map((u) => [u.userName.replace(`incr-${tag}-`, ''), u]));

beforeAll(async () => {
  for (const name of [...MEMBERS, 'outsider']) await addUser(name);
  await scratch.admin.add(groupDn, {
    objectClass: ['top', 'group'],
    sAMAccountName: `incr-team-${tag}`,
    member: MEMBERS.map(userDn),
  });
});

describe('incremental runs', () => {
  it('reads everything on the first run', async () => {
    const report = await sync();
    expect(report.error).toBeUndefined();
    expect(searchMessage(report)).toContain('full read: no earlier clean run');
    expect(report.counts).toMatchObject({ directoryUsers: MEMBERS.length + 1, created: MEMBERS.length });
  });

  it('reads nothing and writes nothing when nothing changed', async () => {
    const writes = scratch.harness.userWrites();
    const report = await sync();
    expect(searchMessage(report)).toMatch(/^0 users changed since USN \d+/);
    expect(report.counts).toMatchObject({
      directoryUsers: 0,
      unchanged: MEMBERS.length,
      created: 0,
      updated: 0,
      deleted: 0,
    });
    expect(scratch.harness.userWrites()).toBe(writes);
  });

  it('picks up a modified user, a new user, a user who joined or left the group, a deleted user, and nothing else', async () => {
    const before = await byName();
    await scratch.admin.modify(userDn('i1'), [replace('mail', ['incr-i1-new@company.local'])]);
    await addUser('i7');
    await scratch.admin.modify(groupDn, [
      new Change({
        operation: 'add',
        modification: new Attribute({ type: 'member', values: [userDn('i7'), userDn('outsider')] }),
      }),
      new Change({
        operation: 'delete',
        modification: new Attribute({ type: 'member', values: [userDn('i2')] }),
      }),
    ]);
    await scratch.admin.del(userDn('i3'));

    const report = await sync();
    expect(report.error).toBeUndefined();
    expect(searchMessage(report)).toMatch(/users changed since USN/);
    // The service account cannot read tombstones: the deleted user is found by enumerating the scope.
    expect(report.steps.find((s) => s.name === 'search')?.leavers).toBe('enumeration');
    const actions = report.changes.map((c) => `${c.action}:${c.userName.replace(`incr-${tag}-`, '')}`).sort();
    expect(actions).toEqual(['create:i7', 'create:outsider', 'delete:i2', 'delete:i3', 'update:i1']);

    const after = await byName();
    for (const name of ['i4', 'i5', 'i6']) expect(after.get(name), name).toEqual(before.get(name));
    expect([...(await byName()).keys()].sort()).toEqual(['i1', 'i4', 'i5', 'i6', 'i7', 'outsider']);
  });

  it('reads everything when the DC database was restored (a new invocationId)', async () => {
    const cursor = await scratch.harness.cursors.getCursor();
    expect(cursor).toBeDefined();
    await scratch.harness.cursors.saveCursor({
      ...(cursor as NonNullable<typeof cursor>),
      invocationId: '00'.repeat(16),
    });
    const report = await sync();
    expect(searchMessage(report)).toContain("full read: the domain controller's database was restored");
    expect(report.counts).toMatchObject({
      directoryUsers: 7,
      created: 0,
      updated: 0,
      deleted: 0,
      unchanged: 6,
    });
  });

  it('reads everything when the settings changed', async () => {
    const report = await sync({ visibleInAddressListsOnly: true });
    expect(searchMessage(report)).toContain('full read: the settings changed');
  });

  it('reads everything after a run that withheld deletes, so they are not forgotten', async () => {
    await scratch.admin.modify(groupDn, [replace('member', [userDn('i1')])]);
    const stopped = await synchronize(scratch.harness.deps, {
      config: fixtureConfig({
        connection: { baseDn: ou },
        filters: { groups: [groupDn] },
        options: { deleteUsers: true, deletionThreshold: { maxCount: 1, maxPercent: 100 } },
      }),
      password: servicePassword(),
    });
    expect(stopped.status).toBe('deletionThresholdExceeded');
    const next = await sync();
    expect(searchMessage(next)).toContain('full read: no earlier clean run');
    expect(next.counts.deleted).toBe(5);
  });
});

describe('incremental runs without selected groups', () => {
  const ungrouped = () =>
    synchronize(scratch.harness.deps, {
      config: fixtureConfig({
        connection: { baseDn: ou },
        options: { deleteUsers: true, deletionThreshold: { maxPercent: 100 } },
      }),
      password: servicePassword(),
    });

  it('look up only the users they read and count the rest as unchanged', async () => {
    const full = await ungrouped();
    expect(searchMessage(full)).toContain('full read: the settings changed');
    const inDatabase = (await scratch.harness.store.listUsers()).length;

    await scratch.admin.modify(userDn('i4'), [replace('displayName', ['Incr i4 renamed'])]);
    const writes = scratch.harness.userWrites();
    const report = await ungrouped();
    expect(searchMessage(report)).toMatch(/^1 users changed since USN/);
    expect(report.changes.map((c) => [c.action, c.fullName])).toEqual([['update', 'Incr i4 renamed']]);
    expect(report.counts).toMatchObject({ updated: 1, unchanged: inDatabase - 1, deleted: 0 });
    expect(scratch.harness.userWrites()).toBe(writes + 1);
  });
});

describe('incremental group membership', () => {
  const nestedDn = `CN=Incr Nested,${ou}`;
  const actionsOf = (report: Report) =>
    report.changes.map((c) => `${c.action}:${c.userName.replace(`incr-${tag}-`, '')}`).sort();

  it('judges the users it read by the members it reads, and lists no database when they did not change', async () => {
    const full = await sync();
    expect(searchMessage(full)).toContain('full read: the settings changed');
    const members = [...(await byName()).keys()];

    await scratch.admin.modify(userDn('i1'), [replace('displayName', ['Incr i1 again'])]);
    await scratch.admin.modify(userDn('i5'), [replace('displayName', ['Incr i5 again'])]);
    const report = await sync();
    expect(searchMessage(report)).toMatch(
      /^2 users changed since USN \d+ .*; the selected groups' members unchanged; DirSync/,
    );
    expect(actionsOf(report)).toEqual(['update:i1']);
    expect(report.excluded.map((e) => [e.userName.replace(`incr-${tag}-`, ''), e.reasons])).toEqual([
      ['i5', ['notInSelectedGroups']],
    ]);
    expect([...(await byName()).keys()]).toEqual(members);
  });

  it('finds the members a nested group brings, and those its deletion takes away', async () => {
    await scratch.admin.add(nestedDn, {
      objectClass: ['top', 'group'],
      sAMAccountName: `incr-nested-${tag}`,
      member: [userDn('i6')],
    });
    await scratch.admin.modify(groupDn, [
      new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [nestedDn] }) }),
    ]);
    const joined = await sync();
    expect(searchMessage(joined)).toContain("the selected groups' members changed");
    expect(actionsOf(joined)).toEqual(['create:i6']);

    // Neither the user nor the selected group is modified by hand: the nested group is deleted.
    await scratch.admin.del(nestedDn);
    const left = await sync();
    expect(searchMessage(left)).toContain("the selected groups' members changed");
    expect(actionsOf(left)).toEqual(['delete:i6']);

    const quiet = await sync();
    expect(searchMessage(quiet)).toMatch(
      /^0 users changed since USN \d+ .*; the selected groups' members unchanged/,
    );
    expect(quiet.changes).toEqual([]);
  });
});
