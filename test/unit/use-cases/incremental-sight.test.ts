/**
 * What a read by the users' uSNChanged cannot see, made good on an incremental run (SPEC 8.1: the result is the
 * same as a full read's), with the in-memory ports: an OU renamed inside the base DN or moved into it (only the
 * OU's uSNChanged moves: the run reads everything and says why), a renamed manager (the users naming it are read
 * again and mapped to the new name), and a mapping reading a back link such as memberOf (every run reads
 * everything). The LDAP side: test/integration/sync/incremental-ou-moves.test.ts and attribute-mapping.test.ts.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../../shared/config/config-schema';
import type { Report } from '../../../shared/domain/report';
import { synchronizeUser } from '../../../shared/use-cases/sync-user';
import { synchronizeNow } from '../../../shared/use-cases/synchronize-now';
import { directoryEntry, type InMemoryDirectory, type InMemoryUserStore } from '../../support/in-memory';
import { type InMemoryApp, inMemoryApp, inMemoryConfig } from '../../support/in-memory-app';
import { TestClock } from '../../support/test-clock';

const STAFF = 'OU=Staff,DC=company,DC=local';
const GUESTS = 'OU=Guests,DC=company,DC=local';

let app: InMemoryApp;
let directory: InMemoryDirectory;
let store: InMemoryUserStore;

const configWith = (mapping: ConfigInput['mapping'] = { attributes: {} }) =>
  inMemoryConfig({
    connection: { baseDn: STAFF },
    mapping,
    options: { deleteUsers: true, deletionThreshold: { maxPercent: 100 } },
  });
const save = (mapping?: ConfigInput['mapping']) => app.settings.saveConfig(configWith(mapping));
const searchOf = (report: Report): string => report.steps.find((s) => s.name === 'search')?.message ?? '';
const actionsOf = (report: Report): string[] => report.changes.map((c) => `${c.action}:${c.userName}`).sort();
const userOf = async (name: string) => (await store.listUsers()).find((u) => u.userName === name);
const sync = () => synchronizeNow(app.deps());
const guidOf = (n: number) => directoryEntry(n).objectGuid;

beforeEach(() => {
  app = inMemoryApp({
    clock: new TestClock(Date.parse('2026-12-07T12:00:00Z'), 1),
    entries: [
      directoryEntry(1, { attributes: { manager: [`CN=User 2,${STAFF}`] } }),
      directoryEntry(2),
      directoryEntry(3, { distinguishedName: `CN=User 3,OU=Team,${STAFF}` }),
      // Outside the base DN until its OU moves in.
      directoryEntry(4, { distinguishedName: `CN=User 4,${GUESTS}` }),
    ],
  });
  ({ directory, store } = app);
});

describe('an OU renamed or moved', () => {
  it('inside the base DN: the next run reads everything, says why, and updates the DNs under it', async () => {
    await save();
    expect((await sync()).counts.created).toBe(3);
    directory.moveTree(`OU=Team,${STAFF}`, `OU=Crew,${STAFF}`);

    const report = await sync();
    expect(searchOf(report)).toContain(
      `full read: an OU or container under the base DN changed since the last run (OU=Crew,${STAFF})`,
    );
    expect(report.changes).toEqual([
      expect.objectContaining({ action: 'update', userName: 'user3', changedFields: ['distinguishedName'] }),
    ]);
    expect((await userOf('user3'))?.distinguishedName).toBe(`CN=User 3,OU=Crew,${STAFF}`);
    // The OU's change is behind the cursor now: the run after reads only the changes again.
    expect(searchOf(await sync())).toMatch(/^0 users changed since USN/);
  });

  it('into the base DN from outside: the users it brings are created', async () => {
    await save();
    await sync();
    directory.moveTree(GUESTS, `OU=Guests,${STAFF}`);
    const report = await sync();
    expect(searchOf(report)).toContain('full read: an OU or container under the base DN changed');
    expect(actionsOf(report)).toEqual(['create:user4']);
  });

  it('out of the base DN, or elsewhere outside it: no full read (the enumeration finds who left)', async () => {
    await save();
    await sync();
    directory.moveTree('OU=Elsewhere,DC=company,DC=local', 'OU=Away,DC=company,DC=local');
    directory.moveTree(`OU=Team,${STAFF}`, 'OU=Team,OU=Former,DC=company,DC=local');
    const report = await sync();
    expect(searchOf(report)).not.toContain('full read');
    expect(actionsOf(report)).toEqual(['delete:user3']);
  });
});

describe('a renamed manager on an incremental run', () => {
  const MANAGER: ConfigInput['mapping'] = {
    attributes: { manager: { from: 'manager', transform: 'userName' } },
  };

  it("re-reads the users naming it: their manager field follows, as a full read's would", async () => {
    await save(MANAGER);
    await sync();
    expect((await userOf('user1'))?.attributes).toEqual({ manager: 'user2' });
    directory.put(directoryEntry(2, { sAMAccountName: 'chief' }));

    const report = await sync();
    expect(searchOf(report)).toMatch(/^\d+ users changed since USN/);
    expect(directory.reads).toContain('referrers');
    expect(report.changes).toEqual([
      expect.objectContaining({ action: 'update', userName: 'chief' }),
      expect.objectContaining({ action: 'update', userName: 'user1', changedFields: ['attributes.manager'] }),
    ]);
    expect((await userOf('user1'))?.attributes).toEqual({ manager: 'chief' });
  });

  it('outside the base DN, or excluded by a filter: the users naming it are read again too', async () => {
    const boss = 'CN=Boss,OU=Elsewhere,DC=company,DC=local';
    directory.put(
      directoryEntry(1, { attributes: { manager: [boss] } }),
      directoryEntry(3, {
        distinguishedName: `CN=User 3,OU=Team,${STAFF}`,
        attributes: { manager: [`CN=User 5,${STAFF}`] },
      }),
      directoryEntry(5, { userAccountControl: 514 }),
      directoryEntry(99, { distinguishedName: boss, sAMAccountName: 'boss' }),
    );
    await save(MANAGER);
    await sync();
    expect((await userOf('user1'))?.attributes).toEqual({ manager: 'boss' });
    expect((await userOf('user3'))?.attributes).toEqual({ manager: 'user5' });
    directory.put(directoryEntry(99, { distinguishedName: boss, sAMAccountName: 'chief' }));
    directory.put(directoryEntry(5, { userAccountControl: 514, sAMAccountName: 'deputy' }));

    const report = await sync();
    expect(searchOf(report)).not.toContain('full read');
    expect(report.changes).toEqual([
      expect.objectContaining({ action: 'update', userName: 'user1', changedFields: ['attributes.manager'] }),
      expect.objectContaining({ action: 'update', userName: 'user3', changedFields: ['attributes.manager'] }),
    ]);
    expect((await userOf('user1'))?.attributes).toEqual({ manager: 'chief' });
    expect((await userOf('user3'))?.attributes).toEqual({ manager: 'deputy' });
  });

  it('renamed by a one-user sync: the next run reads the users naming it (the cursor keeps its DN)', async () => {
    await save(MANAGER);
    await sync();
    directory.put(directoryEntry(2, { sAMAccountName: 'chief' }));
    const alone = await synchronizeUser(
      { directory, users: store, runs: store, cursors: app.settings, newRunId: () => 'one-user' },
      { config: configWith(MANAGER), password: directory.password, name: 'chief' },
    );
    expect(actionsOf(alone)).toEqual(['update:chief']);
    expect((await app.settings.getCursor())?.renamedDns).toEqual([`CN=User 2,${STAFF}`]);

    const next = await sync();
    expect(actionsOf(next)).toEqual(['update:user1']);
    expect((await userOf('user1'))?.attributes).toEqual({ manager: 'chief' });
    // A clean run's cursor starts without them.
    expect((await app.settings.getCursor())?.renamedDns).toBeUndefined();
  });

  it('moved into the base DN and renamed on the way: created, and the users naming it follow', async () => {
    directory.put(directoryEntry(1, { attributes: { manager: [`CN=User 4,${GUESTS}`] } }));
    await save(MANAGER);
    await sync();
    expect((await userOf('user1'))?.attributes).toEqual({ manager: 'user4' });
    // The DC rewrites the DN the report names (a DN-valued attribute follows the object), not its uSNChanged.
    directory.move(guidOf(4), `CN=User 4,${STAFF}`);
    directory.put(directoryEntry(4, { distinguishedName: `CN=User 4,${STAFF}`, sAMAccountName: 'newcomer' }));
    const report = await sync();
    expect(actionsOf(report)).toEqual(['create:newcomer', 'update:user1']);
    expect((await userOf('user1'))?.attributes).toEqual({ manager: 'newcomer' });
  });

  it('looks for nobody when no user name changed', async () => {
    await save(MANAGER);
    await sync();
    directory.put(directoryEntry(2, { displayName: 'The Chief' }));
    const report = await sync();
    expect(actionsOf(report)).toEqual(['update:user2']);
    expect(directory.reads).not.toContain('referrers');
  });

  it('looks for nobody without a userName rule', async () => {
    await save({ attributes: { boss: { from: 'manager' } } });
    await sync();
    directory.put(directoryEntry(2, { sAMAccountName: 'chief' }));
    expect(actionsOf(await sync())).toEqual(['update:chief']);
    expect(directory.reads).not.toContain('referrers');
  });
});

describe('a mapping reading an attribute whose changes leave the uSNChanged alone', () => {
  it('makes every run read everything, and says why', async () => {
    await save({ attributes: { memberships: { from: 'memberOf', transform: 'all' } } });
    await sync();
    const second = await sync();
    expect(searchOf(second)).toContain(
      "full read: the mapping reads memberof, which changes without the user's uSNChanged",
    );
    expect(second.steps.find((s) => s.name === 'search')?.leavers).toBe('fullRead');
  });

  it('an attribute the user stamps itself keeps runs incremental', async () => {
    await save({ attributes: { department: { from: 'department' } } });
    await sync();
    expect(searchOf(await sync())).toMatch(/^0 users changed since USN/);
  });
});
