/**
 * synchronizeUser with the in-memory fakes: the one user's removal against the deletion threshold, whose
 * population is the database's count of directory users (UserStore.countDirectoryUsers), not a read of every
 * user page. The rest runs against the real Samba DC and DynamoDB Local (test/integration/).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { synchronizeUser } from '../../../shared/use-cases/sync-user';
import { aDirectoryUser, aLocalUser } from '../../support/builders';
import {
  directoryEntry,
  InMemoryDirectory,
  InMemorySettings,
  InMemoryUserStore,
} from '../../support/in-memory';
import { inMemoryConfig } from '../../support/in-memory-app';

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
