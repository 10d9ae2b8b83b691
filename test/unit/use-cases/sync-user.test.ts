/**
 * synchronizeUser with the in-memory fakes: the one user's removal against the deletion threshold, whose
 * population is the database's count of directory users (UserStore.countDirectoryUsers), not a read of every
 * user page. The rest runs against the real Samba DC and DynamoDB Local (test/integration/).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { synchronizeUser } from '../../../shared/use-cases/sync-user';
import { aDirectoryUser, aLocalUser } from '../../support/builders';
import { directoryEntry, InMemoryDirectory, InMemoryUserStore } from '../../support/in-memory';
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
    expect(report).toMatchObject({ status: 'deletionThresholdExceeded', deletesWithheld: 1 });
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
