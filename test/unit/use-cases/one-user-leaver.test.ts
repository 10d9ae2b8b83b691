/**
 * A one-user sync and explain of a name the directory no longer has under the base DN, with the in-memory fakes:
 * the user database's directory user of that name found by its objectGUID in the domain (renamed, moved out,
 * gone) and planned as a full run plans it; a local user or a name nobody has is NotFound. The same against the
 * Samba DC and DynamoDB Local: test/integration/sync/one-user-leavers.test.ts.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../../shared/config/config-schema';
import type { Report } from '../../../shared/domain/report';
import type { User } from '../../../shared/domain/user';
import { NotFoundError } from '../../../shared/errors';
import { planOneUser } from '../../../shared/use-cases/explain-user';
import { domainOf } from '../../../shared/use-cases/one-user-leaver';
import { synchronizeUser } from '../../../shared/use-cases/sync-user';
import { aDirectoryUser, aLocalUser } from '../../support/builders';
import { directoryEntry, InMemoryDirectory, InMemoryUserStore } from '../../support/in-memory';
import { inMemoryConfig } from '../../support/in-memory-app';
import { TestClock } from '../../support/test-clock';

const STAFF = 'OU=Staff,DC=company,DC=local';
const ELSEWHERE = 'CN=User 1,OU=Former,DC=company,DC=local';
const NOW = new Date('2026-11-25T12:00:00.000Z');
const GUID = directoryEntry(1).objectGuid;

let directory: InMemoryDirectory;
let store: InMemoryUserStore;
/** Database lookups (the names and objectGUIDs asked for), to bound what a name costs. */
let lookups: { guids: readonly string[]; names: readonly string[] }[];

const configWith = (options: ConfigInput['options'] = {}) =>
  inMemoryConfig({
    connection: { baseDn: STAFF },
    options: { deleteUsers: true, deletionThreshold: { maxCount: 10, maxPercent: 100 }, ...options },
  });
const sync = (name: string, options?: ConfigInput['options']) =>
  synchronizeUser(
    { directory, users: store, runs: store, newRunId: () => 'run-1', clock: new TestClock(NOW) },
    { config: configWith(options), password: directory.password, name },
  );
const explain = async (name: string, options?: ConfigInput['options']) =>
  planOneUser({
    session: await directory.connect(),
    config: configWith(options),
    users: store,
    now: NOW,
    name,
  });
const actions = (report: { changes: readonly { action: string; userName: string }[] }) =>
  report.changes.map((c) => `${c.action}:${c.userName}`);
const step = (report: Report, name: string) => report.steps.find((s) => s.name === name);

beforeEach(() => {
  directory = new InMemoryDirectory();
  // Two users, so that one delete stays within the threshold's percentage.
  directory.put(directoryEntry(1), directoryEntry(2));
  store = new InMemoryUserStore();
  store.seed(aDirectoryUser(1), aDirectoryUser(2));
  lookups = [];
  const find = store.findUsers.bind(store);
  store.findUsers = async (guids, names) => {
    lookups.push({ guids, names });
    return find(guids, names);
  };
});

describe('a user deleted in AD', () => {
  beforeEach(() => directory.remove(GUID));

  it('is deleted by its name, UPN or objectGUID, as a full run deletes it, and nothing else is', async () => {
    for (const name of ['user1', 'USER1@company.local', GUID]) {
      store.seed(aDirectoryUser(1));
      const report = await sync(name);
      expect(report).toMatchObject({ status: 'succeeded', counts: { deleted: 1, directoryUsers: 0 } });
      expect(actions(report)).toEqual(['delete:user1']);
      expect(report.changes[0]?.reason).toBe(
        `no longer returned by the directory: no user in the domain has its objectGUID ${GUID}`,
      );
      expect(await store.getUser('user1')).toBeUndefined();
    }
    expect(await store.getUser('user2')).toBeDefined();
  });

  it('carries no leavers on the search step: the run looked for no other leaver', async () => {
    const report = await sync('user1');
    expect(step(report, 'search')).not.toHaveProperty('leavers');
    expect(step(report, 'search')?.message).toContain(`objectGUID of user1 (${GUID})`);
    expect(step(report, 'filter')?.message).toBe('left the scope: gone from the domain');
  });

  it('is suspended with a grace period, and left waiting once suspended', async () => {
    const report = await sync('user1', { deletionGraceDays: 7 });
    expect(actions(report)).toEqual(['suspend:user1']);
    const suspendedAt = (await store.getUser('user1'))?.suspendedAt;
    expect(suspendedAt).toEqual(NOW.toISOString());
    const again = await sync('user1', { deletionGraceDays: 7 });
    expect(again).toMatchObject({ status: 'succeeded', changes: [] });
    expect(step(again, 'plan')?.message).toMatch(/^nothing to do: .*grace period ends/);
  });

  it('is left as it is, and the plan step says why, while deleteUsers is off', async () => {
    const report = await sync('user1', { deleteUsers: false });
    expect(report).toMatchObject({ status: 'succeeded', changes: [], counts: { deleted: 0 } });
    expect(step(report, 'plan')?.message).toContain('deleteUsers is off');
    expect(await store.getUser('user1')).toBeDefined();
  });

  it('is held back by the deletion threshold for one user, as today', async () => {
    const report = await sync('user1', { deletionThreshold: { maxCount: 0, maxPercent: 100 } });
    expect(report).toMatchObject({ status: 'deletionThresholdExceeded', deletesWithheld: 1 });
    expect(await store.getUser('user1')).toBeDefined();
  });

  it('is NotFound to explain (no entry to explain), saying what the one-user sync would do', async () => {
    await expect(explain('user1')).rejects.toThrow(NotFoundError);
    await expect(explain('user1')).rejects.toThrow(/a one-user sync plans to delete it/);
    await expect(explain('user1', { deleteUsers: false })).rejects.toThrow(
      /plans nothing .*deleteUsers is off/,
    );
  });
});

describe('a user moved out of the base DN', () => {
  beforeEach(() => directory.move(GUID, ELSEWHERE));

  it('is deleted by its name or by its new DN, and its explanation says it moved out', async () => {
    const explained = (await explain('user1')).explanation;
    expect(explained).toMatchObject({
      distinguishedName: ELSEWHERE,
      inScope: false,
      plannedAction: 'delete',
      reason: `no longer returned by the directory: moved out of the base DN, to ${ELSEWHERE}`,
      current: { userName: 'user1' },
    });
    const report = await sync(ELSEWHERE);
    expect(actions(report)).toEqual(['delete:user1']);
    expect(report.counts).toMatchObject({ directoryUsers: 0, excluded: 0, deleted: 1 });
    expect(report.excluded).toEqual([]);
    expect(step(report, 'filter')?.message).toBe('left the scope: moved out of the base DN');
  });

  it('is suspended with a grace period', async () => {
    expect(actions(await sync('user1', { deletionGraceDays: 3 }))).toEqual(['suspend:user1']);
  });
});

describe('a user renamed in AD, synchronized by its old name', () => {
  it('is renamed (an update of the same record), never duplicated', async () => {
    directory.put(
      directoryEntry(1, { sAMAccountName: 'renamed1', userPrincipalName: 'renamed1@company.local' }),
    );
    const report = await sync('user1');
    expect(report).toMatchObject({ status: 'succeeded', counts: { updated: 1, inScope: 1 } });
    expect(report.changes[0]).toMatchObject({ action: 'update', userName: 'renamed1' });
    expect(report.changes[0]?.changedFields).toContain('userName');
    expect(await store.getUser('user1')).toBeUndefined();
    expect((await store.getUser('renamed1'))?.objectGuid).toBe(GUID);
  });
});

describe('a name the directory does not have under the base DN, and the database has no directory user of', () => {
  it('fails NotFound for a local user, which is left as it is, after one small database read', async () => {
    const local: User = aLocalUser('someone');
    store.seed(local);
    const report = await sync('someone');
    expect(report).toMatchObject({ status: 'failed', error: { code: 'NotFound' } });
    expect(await store.getUser('someone')).toEqual(local);
    expect(lookups).toEqual([{ guids: [], names: ['someone'] }]);
  });

  it('fails NotFound for a name nobody has, asking the database for at most the name and its UPN prefix', async () => {
    const report = await sync('nobody@company.local');
    expect(report).toMatchObject({ status: 'failed', error: { code: 'NotFound' } });
    expect(lookups).toEqual([{ guids: [], names: ['nobody@company.local', 'nobody'] }]);
    await expect(explain('nobody')).rejects.toThrow(NotFoundError);
  });

  it('does not take a UPN for a user whose recorded UPN is another', async () => {
    store.seed(aDirectoryUser(3, { userName: 'carol', userPrincipalName: 'carol.other@company.local' }));
    const report = await sync('carol@company.local');
    expect(report).toMatchObject({ status: 'failed', error: { code: 'NotFound' } });
    expect(await store.getUser('carol')).toBeDefined();
  });

  it('fails NotFound for a DN no object has, outside the base DN or in it', async () => {
    for (const dn of ['CN=Gone,OU=Former,DC=company,DC=local', `CN=Gone,${STAFF}`]) {
      expect((await sync(dn)).error?.code).toBe('NotFound');
    }
    expect(await store.getUser('user1')).toBeDefined();
  });
});

describe('a DN the DC resolves to a user still in the base DN', () => {
  it('is decided from the entry read, not the DN as typed: the user in scope is never taken for a leaver', async () => {
    // AD resolves other spellings of a DN (an OID for the attribute type): the DN typed is not textually under
    // the base DN, the object it names is.
    const typed = 'CN=User 1,2.5.4.11=Staff,DC=company,DC=local';
    const connect = directory.connect.bind(directory);
    directory.connect = async (...args: Parameters<typeof connect>) => {
      const session = await connect(...args);
      const find = session.findUserEntries.bind(session);
      session.findUserEntries = (baseDn, lookup) =>
        find(
          baseDn,
          lookup.kind === 'distinguishedName' && lookup.distinguishedName === typed
            ? { kind: 'distinguishedName', distinguishedName: directoryEntry(1).distinguishedName }
            : lookup,
        );
      return session;
    };
    const report = await sync(typed);
    expect(actions(report).filter((a) => !a.startsWith('unchanged'))).toEqual([]);
    expect(report.status).toBe('succeeded');
    expect(await store.getUser('user1')).toMatchObject({ objectGuid: GUID });
    expect((await store.getUser('user1'))?.suspendedAt).toBeUndefined();
  });
});

describe('a name that designates two users of the database', () => {
  it("fails AmbiguousName when one's user name is another's recorded UPN, removing neither", async () => {
    directory.remove(GUID);
    store.seed(aDirectoryUser(3, { userName: 'user1@company.local', userPrincipalName: 'x@company.local' }));
    const report = await sync('user1@company.local');
    expect(report).toMatchObject({ status: 'failed', error: { code: 'AmbiguousName' } });
    expect(await store.getUser('user1')).toBeDefined();
    expect(await store.getUser('user1@company.local')).toBeDefined();
  });
});

describe('a DN outside the domain', () => {
  it('is not read, though an object there has the objectGUID of a database user: NotFound', async () => {
    directory.move(GUID, 'CN=User 1,DC=other,DC=test');
    const report = await sync('CN=User 1,DC=other,DC=test');
    expect(report).toMatchObject({ status: 'failed', error: { code: 'NotFound' } });
    expect(lookups).toEqual([]);
  });
});

describe('domainOf', () => {
  const rootDse = {
    defaultNamingContext: 'DC=company,DC=local',
    namingContexts: [
      'DC=company,DC=local',
      'CN=Configuration,DC=company,DC=local',
      'DC=child,DC=company,DC=local',
    ],
  };

  it('is the naming context that holds the base DN, the deepest one', () => {
    expect(domainOf(rootDse, STAFF)).toBe('DC=company,DC=local');
    expect(domainOf(rootDse, 'OU=X,DC=child,DC=company,DC=local')).toBe('DC=child,DC=company,DC=local');
  });

  it('is the default naming context, else the base DN, when none holds it', () => {
    expect(domainOf(rootDse, 'DC=other,DC=test')).toBe('DC=company,DC=local');
    expect(domainOf({ namingContexts: [] }, 'DC=other,DC=test')).toBe('DC=other,DC=test');
  });
});
