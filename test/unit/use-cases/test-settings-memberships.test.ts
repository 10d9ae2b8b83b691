/**
 * Test Settings lists the existing users whose groups or group privileges would change (SPEC 8.2: "Test
 * Settings ... show the groups and the privileges a user would get, and why"), once each, with the in-memory
 * fakes; a sync's report stays as it was.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../../shared/config/config-schema';
import { NO_MEMBERSHIP } from '../../../shared/domain/group-membership';
import { REPORT_LIST_LIMIT } from '../../../shared/domain/report';
import type { User } from '../../../shared/domain/user';
import { MembershipPreview } from '../../../shared/use-cases/membership-preview';
import { ReportLists } from '../../../shared/use-cases/run-report';
import { noGroups } from '../../../shared/use-cases/sync-groups';
import { synchronize, testSettings } from '../../../shared/use-cases/sync-pipeline';
import { directoryEntry, type InMemoryDirectory, type InMemoryUserStore } from '../../support/in-memory';
import { type InMemoryApp, inMemoryApp, inMemoryConfig } from '../../support/in-memory-app';
import { directoryGroup, InMemoryGroupStore } from '../../support/in-memory-groups';

const BASE = 'DC=company,DC=local';
const dnOf = (name: string) => `CN=${name},OU=Groups,${BASE}`;
const userDn = (n: number) => directoryEntry(n).distinguishedName;
let sequence = 0;
const group = (name: string, members: string[]) => directoryGroup(++sequence, dnOf(name), members);
const rules = [
  { group: dnOf('Exporters'), privileges: ['exportEmail' as const], ownArchiveAccess: ['write' as const] },
];
const exporting = { privilegeRules: rules };

let app: InMemoryApp;
let directory: InMemoryDirectory;
let store: InMemoryUserStore;
let groups: InMemoryGroupStore;
let auditors: ReturnType<typeof group>;

const sync = (config: Omit<ConfigInput, 'connection'>) =>
  synchronize({ ...app.deps(), groups }, { config: inMemoryConfig(config), password: directory.password });
const test = (config: Omit<ConfigInput, 'connection'>) =>
  testSettings({ ...app.deps(), groups }, { config: inMemoryConfig(config), password: directory.password });
const changeOf = (report: { changes: readonly { userName: string }[] }, userName: string) =>
  report.changes.filter((c) => c.userName === userName);

beforeEach(() => {
  app = inMemoryApp({ entries: [1, 2, 3].map((n) => directoryEntry(n)) });
  ({ directory, store } = app);
  groups = new InMemoryGroupStore(store);
  // Exporters > Auditors > user1.
  auditors = group('Auditors', [userDn(1)]);
  directory.putGroup(group('Exporters', [dnOf('Auditors')]), auditors);
});

describe("Test Settings' report of the group pass", () => {
  it('lists an existing user who would gain a rule, as an update with its membership and why', async () => {
    await sync({});
    const report = await test(exporting);
    expect(changeOf(report, 'user1')).toEqual([
      {
        action: 'update',
        userName: 'user1',
        fullName: 'User 1',
        emailAddresses: ['user1@company.local'],
        changedFields: ['groupPrivileges', 'groupArchiveAccess'],
        membership: {
          groups: [],
          groupPrivileges: ['exportEmail'],
          groupArchiveAccess: ['write'],
          rules: [{ rule: 0, ...rules[0], via: ['Auditors', 'Exporters'] }],
        },
      },
    ]);
    expect(report.changes.map((c) => c.userName)).toEqual(['user1']);
    // As a sync counts: the users' plan; the groups step says how many users' group privileges change.
    expect(report.counts).toMatchObject({ updated: 0, unchanged: 3 });
    expect(report.steps.find((s) => s.name === 'groups')?.message).toContain(
      "1 users' groups or group privileges to change",
    );
    expect((await store.getUser('user1'))?.groupPrivileges).toBeUndefined();
  });

  it('lists one who would lose it', async () => {
    await sync(exporting);
    directory.putGroup({ ...auditors, members: [] });
    const report = await test(exporting);
    expect(changeOf(report, 'user1')).toEqual([
      expect.objectContaining({
        action: 'update',
        changedFields: ['groupPrivileges', 'groupArchiveAccess'],
        membership: { groups: [], groupPrivileges: [], groupArchiveAccess: [], rules: [] },
      }),
    ]);
    expect(report.changes).toHaveLength(1);
  });

  it('lists a user with a plain update and a membership change once: the fields together', async () => {
    await sync({});
    directory.put(directoryEntry(1, { displayName: 'User One' }));
    const report = await test({ ...exporting, groups: { sync: 'all' } });
    expect(changeOf(report, 'user1')).toEqual([
      expect.objectContaining({
        action: 'update',
        fullName: 'User One',
        changedFields: ['fullName', 'groups', 'groupPrivileges', 'groupArchiveAccess'],
        membership: expect.objectContaining({
          groups: ['Auditors', 'Exporters'],
          groupPrivileges: ['exportEmail'],
        }),
      }),
    ]);
    expect(report.counts.updated).toBe(1);
  });

  it('lists a renamed user once, under its new name', async () => {
    await sync({});
    directory.put(directoryEntry(1, { sAMAccountName: 'user1b' }));
    const report = await test(exporting);
    expect(report.changes).toEqual([
      expect.objectContaining({
        userName: 'user1b',
        changedFields: expect.arrayContaining(['userName', 'groupPrivileges', 'groupArchiveAccess']),
        membership: expect.objectContaining({ groupPrivileges: ['exportEmail'] }),
      }),
    ]);
  });

  it('leaves a sync’s report as it was: the membership writes are not listed', async () => {
    await sync({});
    const report = await sync(exporting);
    expect(report.changes).toEqual([]);
    expect(report.counts.updated).toBe(0);
    expect((await store.getUser('user1'))?.groupPrivileges).toEqual(['exportEmail']);
  });
});

describe('MembershipPreview', () => {
  const entry = (userName: string) => ({ userName, fullName: '', emailAddresses: [], changedFields: [] });

  it('leaves out a user the plan deletes (listed so), and one whose update the cap left out', async () => {
    await sync({});
    const user = (await store.getUser('user1')) as User;
    const changed = { current: user, target: NO_MEMBERSHIP, changedFields: ['groups' as const] };
    const lists = new ReportLists();
    const preview = new MembershipPreview(lists);
    preview.plan({ action: 'delete', ...entry('user1'), current: user, withheld: false });
    lists.addChange('planned', { action: 'delete', ...entry('user1') });
    preview.add([changed], noGroups().index);
    expect(lists.changes.map((c) => c.action)).toEqual(['delete']);
    // Its update was planned, but not listed (beyond the cap): left out, and counted once already.
    const capped = new ReportLists();
    const omitted = new MembershipPreview(capped);
    omitted.plan({ action: 'update', ...entry('user1'), current: user, target: user as never });
    omitted.add([changed], noGroups().index);
    expect(capped.changes).toEqual([]);
    expect(capped.omitted).toBeUndefined();
  });

  it('counts in omitted what the cap leaves out', () => {
    const full = new ReportLists();
    for (let i = 0; i < REPORT_LIST_LIMIT; i += 1)
      full.addChange('planned', { action: 'create', ...entry(`u${i}`) });
    const user = { userName: 'user1', distinguishedName: userDn(1), objectGuid: 'g1' } as User;
    new MembershipPreview(full).add(
      [{ current: user, target: NO_MEMBERSHIP, changedFields: ['groups'] }],
      noGroups().index,
    );
    expect(full.omitted).toEqual({ changes: 1, excluded: 0 });
    expect(full.changes).toHaveLength(REPORT_LIST_LIMIT);
  });
});

describe("Test Settings' report at the cap", () => {
  it('counts a withheld delete the cap left out once, not again as its membership update', async () => {
    const count = REPORT_LIST_LIMIT + 5;
    const entries = Array.from({ length: count }, (_, i) => directoryEntry(i + 1));
    app = inMemoryApp({ entries });
    ({ directory, store } = app);
    groups = new InMemoryGroupStore(store);
    const exporters = group(
      'Exporters',
      entries.map((e) => e.distinguishedName),
    );
    directory.putGroup(exporters);
    const options = { deleteUsers: true, deletionThreshold: { maxCount: 1, maxPercent: 100 } };
    expect((await sync({ ...exporting, options })).counts.created).toBe(count);
    // Everyone leaves the directory: every delete is withheld, and every user would lose the rule's privileges.
    for (const e of entries) directory.remove(e.objectGuid);
    directory.putGroup({ ...exporters, members: [] });
    const report = await test({ ...exporting, options });
    expect(report.status).toBe('deletionThresholdExceeded');
    expect(report.changes).toHaveLength(REPORT_LIST_LIMIT);
    expect(report.changes.every((c) => c.action === 'delete' && c.withheld)).toBe(true);
    expect(report.omitted).toEqual({ changes: 5, excluded: 0 });
  }, 60_000);
});
