/**
 * planOneUser with the in-memory fakes (test/support/in-memory.ts): the name a user database holds for
 * another user, decided as a full sync decides it, and what the user's groups give it. The rest (filters,
 * chains, lookups, actions) runs against the real Samba DC and DynamoDB Local in
 * test/integration/directory/explain.test.ts.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config/config-schema';
import type { DirectorySession } from '../../../shared/ports/directory-reader';
import { FILTER_NAMES, type FilterVerdict, planOneUser } from '../../../shared/use-cases/explain-user';
import { aDirectoryUser, aLocalUser } from '../../support/builders';
import { directoryEntry, InMemoryDirectory, InMemoryUserStore } from '../../support/in-memory';
import { inMemoryConfig } from '../../support/in-memory-app';
import { directoryGroup } from '../../support/in-memory-groups';

const config = inMemoryConfig();
const NOW = new Date('2026-11-25T12:00:00.000Z');

let directory: InMemoryDirectory;
let store: InMemoryUserStore;
let session: DirectorySession;
const plan = (name: string) => planOneUser({ session, config, users: store, now: NOW, name });

beforeEach(async () => {
  directory = new InMemoryDirectory();
  store = new InMemoryUserStore();
  session = await directory.connect();
});

describe('planOneUser: a name the database holds for another user', () => {
  it('is a conflict when a local user holds it, shown as the current record', async () => {
    directory.put(directoryEntry(1));
    store.seed(aLocalUser('user1'));
    const { explanation, change } = await plan('user1');
    expect(explanation).toMatchObject({
      inScope: true,
      plannedAction: 'conflict',
      reason: 'a local user already holds the name user1; it is left as it is',
      current: { userName: 'user1', authentication: 'local' },
    });
    expect(change?.action).toBe('conflict');
  });

  it('is a conflict when another directory object that still exists holds it', async () => {
    const other = directoryEntry(2, { sAMAccountName: 'other', userPrincipalName: 'user1@company.local' });
    directory.put(directoryEntry(1), other);
    store.seed(aDirectoryUser(1, { objectGuid: other.objectGuid }));
    const { explanation } = await plan('user1');
    expect(explanation).toMatchObject({
      plannedAction: 'conflict',
      reason: `another directory object (${other.objectGuid}) already holds the name user1`,
    });
  });

  it('is adopted (an update) when the directory object that held it is gone: the account was recreated', async () => {
    directory.put(directoryEntry(1));
    store.seed(aDirectoryUser(1, { objectGuid: '00000000-0000-4000-8000-00000000dead' }));
    const { explanation, change } = await plan('user1');
    expect(explanation).toMatchObject({
      plannedAction: 'update',
      reason: 'the directory account was recreated under the same name',
      changedFields: expect.arrayContaining(['objectGuid']),
    });
    expect(change).toMatchObject({ action: 'update', target: { objectGuid: directoryEntry(1).objectGuid } });
  });

  it('is restored when the user with this objectGUID is suspended', async () => {
    const entry = directoryEntry(1);
    directory.put(entry);
    // The user as the sync wrote it from this entry (nothing to change), but suspended.
    store.seed(aDirectoryUser(1, { suspendedAt: '2026-11-20T00:00:00.000Z' }));
    expect((await plan(entry.objectGuid)).explanation).toMatchObject({
      plannedAction: 'restore',
      changedFields: [],
      current: { suspendedAt: '2026-11-20T00:00:00.000Z' },
    });
  });
});

describe('planOneUser: a user out of scope', () => {
  it('plans nothing, and says so, when the database holds only a local user of that name', async () => {
    directory.put(directoryEntry(1, { userAccountControl: 514 }));
    store.seed(aLocalUser('user1'));
    const { explanation, change } = await plan('user1');
    expect(change).toBeUndefined();
    expect(explanation).toMatchObject({
      inScope: false,
      plannedAction: 'none',
      reason:
        "out of scope (disabled) and not in the user database: nothing to do; the user database's user1 is a local user, left as it is",
    });
    expect(explanation.current).toBeUndefined();
  });
});

describe("planOneUser: each filter's state", () => {
  const GROUP = 'CN=Mail Users,OU=Groups,DC=company,DC=local';
  const statesOf = (filters: readonly FilterVerdict[]) =>
    filters.map(({ filter, state, passed }) => [filter, state, passed]);

  it('is passed or failed for a filter that is on, as the scope policy decides', async () => {
    const { mail: _none, ...withoutMail } = directoryEntry(1, { userAccountControl: 514 });
    directory.put(withoutMail, directoryEntry(2, { hiddenFromAddressLists: true }));
    directory.group(GROUP, [directoryEntry(2).objectGuid]);
    const on = parseConfig({
      ...config,
      filters: {
        exchangeUsersOnly: true,
        enabledUsersOnly: true,
        visibleInAddressListsOnly: true,
        groups: [GROUP],
      },
    });
    const explain = async (name: string) =>
      (await planOneUser({ session, config: on, users: store, now: NOW, name })).explanation;

    expect(statesOf((await explain('user1')).filters)).toEqual([
      ['exchangeUsersOnly', 'failed', false],
      ['enabledUsersOnly', 'failed', false],
      ['visibleInAddressListsOnly', 'passed', true],
      ['groups', 'failed', false],
    ]);
    expect(statesOf((await explain('user2')).filters)).toEqual([
      ['exchangeUsersOnly', 'passed', true],
      ['enabledUsersOnly', 'passed', true],
      ['visibleInAddressListsOnly', 'failed', false],
      ['groups', 'passed', true],
    ]);
  });

  it('is off for a filter that is off, which lets every user through (its detail still says "off")', async () => {
    directory.put(directoryEntry(1, { userAccountControl: 514, hiddenFromAddressLists: true }));
    const off = parseConfig({
      ...config,
      filters: {
        exchangeUsersOnly: false,
        enabledUsersOnly: false,
        visibleInAddressListsOnly: false,
        groups: [],
      },
    });
    const { explanation } = await planOneUser({
      session,
      config: off,
      users: store,
      now: NOW,
      name: 'user1',
    });
    expect(explanation.inScope).toBe(true);
    expect(
      explanation.filters.map(({ filter, state, passed, detail }) => [filter, state, passed, detail]),
    ).toEqual(FILTER_NAMES.map((filter) => [filter, 'off', true, 'off']));
  });
});

describe('planOneUser: what the groups give the user', () => {
  const EXPORTERS = 'CN=Exporters,OU=Groups,DC=company,DC=local';
  const withRule = parseConfig({
    ...config,
    privilegeRules: [{ group: EXPORTERS, privileges: ['exportEmail'], ownArchiveAccess: [] }],
  });

  it('is an update of the membership fields for a user who holds something else, as a one-user sync writes it', async () => {
    directory.put(directoryEntry(1));
    directory.putGroup(directoryGroup(1, EXPORTERS, [directoryEntry(1).distinguishedName]));
    store.seed(aDirectoryUser(1));
    const { explanation, change } = await planOneUser({
      session,
      config: withRule,
      users: store,
      now: NOW,
      name: 'user1',
    });
    // The rule's group is not synchronized (groups.sync none): it gives, it is not listed.
    expect(explanation).toMatchObject({
      plannedAction: 'update',
      changedFields: ['groupPrivileges'],
      membership: { groups: [], groupPrivileges: ['exportEmail'], rules: [{ rule: 0, via: ['Exporters'] }] },
    });
    expect(change).toMatchObject({
      action: 'update',
      memberships: { groups: [], groupPrivileges: ['exportEmail'], groupArchiveAccess: [] },
    });
  });

  it("with groups off, plans clearing what an earlier configuration's groups gave, without a membership", async () => {
    directory.put(directoryEntry(1), directoryEntry(2));
    store.seed(aDirectoryUser(1, { groups: ['Staff'], groupPrivileges: ['exportEmail'] }), aDirectoryUser(2));
    const { explanation, change } = await plan('user1');
    expect(explanation).toMatchObject({
      plannedAction: 'update',
      changedFields: ['groups', 'groupPrivileges'],
    });
    expect(explanation).not.toHaveProperty('membership');
    expect(change).toMatchObject({
      action: 'update',
      memberships: { groups: [], groupPrivileges: [], groupArchiveAccess: [] },
    });
    // Explaining writes nothing; a user holding no group fields has nothing planned.
    expect(await store.getUser('user1')).toMatchObject({
      groups: ['Staff'],
      groupPrivileges: ['exportEmail'],
    });
    expect((await plan('user2')).explanation).toMatchObject({
      plannedAction: 'unchanged',
      changedFields: [],
    });
    expect(directory.reads).not.toContain('groups');
  });
});
