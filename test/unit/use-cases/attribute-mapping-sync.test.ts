/**
 * Attribute mapping in a run and in explain (SPEC 8.3), with the in-memory ports: mapped attributes written
 * and updated, the user name taken from another attribute (renames in place), a manager's mapped name (in
 * scope or read by DN, batched), a rule failing on one user, a changed mapping reading everything. The LDAP
 * side runs against the real Samba DC in test/integration/sync/attribute-mapping.test.ts.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../../shared/config/config-schema';
import type { Report } from '../../../shared/domain/report';
import { mapDirectoryUser } from '../../../shared/domain/user-mapping';
import { planOneUser } from '../../../shared/use-cases/explain-user';
import { previewWithAttributes } from '../../../shared/use-cases/run-report';
import { testSettings } from '../../../shared/use-cases/sync-pipeline';
import { synchronizeNow } from '../../../shared/use-cases/synchronize-now';
import { directoryEntry, type InMemoryDirectory, type InMemoryUserStore } from '../../support/in-memory';
import { type InMemoryApp, inMemoryApp, inMemoryConfig } from '../../support/in-memory-app';
import { TestClock } from '../../support/test-clock';

let app: InMemoryApp;
let directory: InMemoryDirectory;
let store: InMemoryUserStore;

const BOSS_DN = 'CN=Boss,OU=Elsewhere,DC=company,DC=local';
const person = (n: number, attributes: Record<string, string[]>, overrides = {}) =>
  directoryEntry(n, { attributes, ...overrides });

const save = (mapping: ConfigInput['mapping'], options: ConfigInput['options'] = { deleteUsers: true }) =>
  app.settings.saveConfig(inMemoryConfig({ mapping, options }));
const userOf = async (name: string) => (await store.listUsers()).find((u) => u.userName === name);
const searchOf = (report: Report): string => report.steps.find((s) => s.name === 'search')?.message ?? '';

beforeEach(async () => {
  app = inMemoryApp({
    clock: new TestClock(Date.parse('2026-11-25T12:00:00Z'), 1),
    entries: [
      person(1, { department: ['Sales'], manager: [`CN=User 2,OU=Staff,DC=company,DC=local`] }),
      person(2, { department: ['Board'], manager: [BOSS_DN] }),
      person(3, { department: ['Sales'], employeenumber: ['x7'] }),
    ],
  });
  ({ directory, store } = app);
  // The boss is outside the base DN's users the in-memory directory returns by page: read by DN only.
  directory.put(directoryEntry(99, { distinguishedName: BOSS_DN, sAMAccountName: 'boss' }));
});

describe('a run with a mapping', () => {
  it('writes the mapped attributes, resolves managers by mapped name, and excludes the user a rule fails on', async () => {
    await save({
      attributes: {
        department: { from: 'department' },
        manager: { from: 'manager', transform: 'userName' },
        employee: { from: 'employeeNumber', transform: 'int' },
      },
    });
    const report = await synchronizeNow(app.deps());
    expect(report.status).toBe('succeeded');
    expect(directory.alsoRead).toEqual(['department', 'employeenumber', 'manager']);
    expect((await userOf('user1'))?.attributes).toEqual({ department: 'Sales', manager: 'user2' });
    expect((await userOf('user2'))?.attributes).toEqual({ department: 'Board', manager: 'boss' });
    expect(await userOf('user3')).toBeUndefined();
    expect(report.excluded).toContainEqual({
      userName: 'user3',
      distinguishedName: 'CN=User 3,OU=Staff,DC=company,DC=local',
      reasons: ['mappingFailed'],
      detail: 'mapping.attributes.employee: "x7" is not an integer from -(2^53-1) to 2^53-1',
    });
    // Only DNs no page had returned are read by DN: user2 was on the first page with user1.
    expect(directory.dnReads.flat().every((dn) => dn !== 'CN=User 2,OU=Staff,DC=company,DC=local')).toBe(
      true,
    );
  });

  it('keeps a user the database holds when a rule starts failing on it, even with deleteUsers on', async () => {
    await save({ attributes: { department: { from: 'department' } } });
    await synchronizeNow(app.deps());
    directory.put(person(1, { department: ['Sales'], employeenumber: ['nope'] }));
    await save({
      attributes: { department: { from: 'department' }, n: { from: 'employeeNumber', transform: 'int' } },
    });
    const report = await synchronizeNow(app.deps());
    expect(report.counts).toMatchObject({ deleted: 0, excluded: 2 });
    expect((await userOf('user1'))?.attributes).toEqual({ department: 'Sales' });
  });

  it('updates changed attributes, naming attributes.<field>; a changed mapping reads everything', async () => {
    await save({ attributes: { department: { from: 'department' } } });
    await synchronizeNow(app.deps());
    directory.put(person(1, { department: ['Marketing'] }));
    const changed = await synchronizeNow(app.deps());
    expect(searchOf(changed)).not.toContain('full read');
    expect(changed.changes).toEqual([
      expect.objectContaining({
        action: 'update',
        userName: 'user1',
        changedFields: ['attributes.department'],
      }),
    ]);
    await save({ attributes: { dept: { from: 'department', transform: 'upper' } } });
    const remapped = await synchronizeNow(app.deps());
    expect(searchOf(remapped)).toContain('full read: the settings changed');
    expect(remapped.counts).toMatchObject({ updated: 3 });
    expect((await userOf('user3'))?.attributes).toEqual({ dept: 'SALES' });
  });

  it('renames every user in place when userName changes: same objectGUID, no duplicates, conflicts reported', async () => {
    await save({});
    await synchronizeNow(app.deps());
    const guidOf = async (name: string) => (await userOf(name))?.objectGuid;
    const first = await guidOf('user1');
    // user3's UPN is user1's old name: a conflict while user1 still holds it, taken by the next run.
    directory.put(directoryEntry(3, { userPrincipalName: 'user1' }));
    await save({ userName: 'userPrincipalName' });
    const report = await synchronizeNow(app.deps());
    expect(report.counts).toMatchObject({ updated: 3, created: 0, deleted: 0, conflicts: 1 });
    expect(report.changes).toContainEqual(
      expect.objectContaining({
        action: 'conflict',
        userName: 'user1',
        reason: expect.stringMatching(/already holds the name user1/),
      }),
    );
    expect(await guidOf('user1@company.local')).toBe(first);
    const next = await synchronizeNow(app.deps());
    expect(next.counts).toMatchObject({ updated: 1, created: 0, conflicts: 0 });
    const names = (await store.listUsers()).map((u) => u.userName).sort();
    expect(names).toEqual(['user1', 'user1@company.local', 'user2@company.local', 'user99@company.local']);
    expect(await guidOf('user1')).toBe(directoryEntry(3).objectGuid);
  });

  it('excludes a user without the attribute userName names, with mappingFailed', async () => {
    const { mail: _m, ...noMail } = directoryEntry(3);
    directory.put(noMail);
    await app.settings.saveConfig(
      inMemoryConfig({ mapping: { userName: 'mail' }, filters: { exchangeUsersOnly: false } }),
    );
    const report = await synchronizeNow(app.deps());
    expect(report.excluded).toEqual([
      expect.objectContaining({
        userName: 'user3',
        reasons: ['mappingFailed'],
        detail: 'mapping.userName: the user has no mail',
      }),
    ]);
    expect((await store.listUsers()).map((u) => u.userName)).toContain('user1@company.local');
  });
});

describe('Test Settings with a mapping', () => {
  it('lists the attributes each create would write, and writes nothing', async () => {
    const config = inMemoryConfig({ mapping: { attributes: { department: { from: 'department' } } } });
    const report = await testSettings(app.deps(), { config, password: directory.password });
    expect(report.changes).toContainEqual(
      expect.objectContaining({ action: 'create', userName: 'user1', attributes: { department: 'Sales' } }),
    );
    expect(await store.listUsers()).toEqual([]);
  });

  it('shows the attributes of the first writes only, so that a large preview stays small', () => {
    const preview = previewWithAttributes(2);
    const target = (n: number) => ({ ...mapDirectoryUser(directoryEntry(n)), attributes: { n: String(n) } });
    const listed = [1, 2, 3].map((n) =>
      preview({
        action: 'create',
        target: target(n),
        userName: `user${n}`,
        fullName: '',
        emailAddresses: [],
        changedFields: [],
      }),
    );
    expect(listed.map((c) => c.attributes)).toEqual([{ n: '1' }, { n: '2' }, undefined]);
  });
});

describe('explain with a mapping', () => {
  it('shows the mapped attributes, and a failing rule with its field', async () => {
    const config = inMemoryConfig({
      mapping: {
        attributes: { department: { from: 'department' }, n: { from: 'employeeNumber', transform: 'int' } },
      },
    });
    const session = await directory.connect();
    const now = new Date('2026-11-25T12:00:00Z');
    const one = await planOneUser({ session, config, users: store, now, name: 'user1' });
    expect(one.explanation).toMatchObject({
      inScope: true,
      plannedAction: 'create',
      mapped: { userName: 'user1', attributes: { department: 'Sales' } },
    });
    const three = await planOneUser({ session, config, users: store, now, name: 'user3' });
    expect(three.explanation).toMatchObject({
      inScope: false,
      plannedAction: 'none',
      mappingFailed: {
        field: 'mapping.attributes.n',
        detail: '"x7" is not an integer from -(2^53-1) to 2^53-1',
      },
    });
    expect(three.change).toBeUndefined();
  });
});
