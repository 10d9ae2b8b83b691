/**
 * Leavers are found by every run (docs/contract.md#leavers), here with the in-memory ports: a user deleted in
 * the directory or moved out of the base DN is deleted, suspended or held back by the next incremental run,
 * exactly as a full read would, although the directory shows this account no tombstone.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { type ConfigInput, parseConfig } from '../../../shared/config/config-schema';
import type { Report } from '../../../shared/domain/report';
import type { ExclusiveSyncDependencies } from '../../../shared/use-cases/sync-lock';
import { synchronizeNow } from '../../../shared/use-cases/synchronize-now';
import {
  directoryEntry,
  InMemoryDirectory,
  InMemorySettings,
  InMemoryUserStore,
} from '../../support/in-memory';
import { savedWithConfiguration } from '../../support/saved-password';
import { TestClock } from '../../support/test-clock';

const STAFF = 'OU=Staff,DC=company,DC=local';
const OUTSIDE = 'OU=Former Staff,DC=company,DC=local';

/** Every reading moves the clock on a millisecond: runs started one after the other are ordered. */
let clock: TestClock;
let directory: InMemoryDirectory;
let store: InMemoryUserStore;
let settings: InMemorySettings;

const save = (options: ConfigInput['options'] = {}) =>
  settings.saveConfig(
    parseConfig({
      connection: {
        servers: ['dc1.company.local'],
        domain: 'company.local',
        username: 'svc@company.local',
        baseDn: STAFF,
      },
      options: { deleteUsers: true, deletionThreshold: { maxPercent: 100 }, ...options },
    }),
  );

const deps = (): ExclusiveSyncDependencies => ({
  directory,
  users: store,
  runs: store,
  configs: settings,
  lock: settings,
  cursors: settings,
  checkpoints: settings,
  secrets: savedWithConfiguration(settings, directory.password),
  leaseSeconds: 60,
  clock,
});

const searchStep = (report: Report) => report.steps.find((s) => s.name === 'search');
const actionsOf = (report: Report): string[] => report.changes.map((c) => `${c.action}:${c.userName}`).sort();
const guid = (n: number) => directoryEntry(n).objectGuid;
const names = async () => (await store.listUsers()).map((u) => u.userName).sort();

beforeEach(async () => {
  clock = new TestClock(Date.parse('2026-12-06T12:00:00Z'), 1);
  directory = new InMemoryDirectory().put(...Array.from({ length: 6 }, (_, i) => directoryEntry(i + 1)));
  directory.pageSize = 4;
  store = new InMemoryUserStore();
  settings = new InMemorySettings(clock);
});

describe('leavers, found by an incremental run of a read-only account', () => {
  it('a full read says it found leavers by reading everything', async () => {
    await save();
    const first = await synchronizeNow(deps());
    expect(first.counts.created).toBe(6);
    expect(searchStep(first)).toMatchObject({ ok: true, leavers: 'fullRead' });
  });

  it('a user deleted in the directory and one moved out of the base DN are deleted by the next run', async () => {
    await save();
    await synchronizeNow(deps());
    directory.remove(guid(2));
    directory.move(guid(5), `CN=User 5,${OUTSIDE}`);

    const report = await synchronizeNow(deps());
    expect(report.status).toBe('succeeded');
    expect(searchStep(report)).toMatchObject({ leavers: 'enumeration' });
    expect(searchStep(report)?.message).toMatch(
      /^0 users changed since USN \d+ .*; 4 users there, not those/,
    );
    expect(actionsOf(report)).toEqual(['delete:user2', 'delete:user5']);
    expect(report.counts).toMatchObject({ deleted: 2, unchanged: 4, created: 0 });
    expect(await names()).toEqual(['user1', 'user3', 'user4', 'user6']);
  });

  it('with a grace period, suspends them instead, and a return restores one', async () => {
    await save({ deletionGraceDays: 7 });
    await synchronizeNow(deps());
    directory.remove(guid(2));
    directory.move(guid(5), `CN=User 5,${OUTSIDE}`);

    const report = await synchronizeNow(deps());
    expect(searchStep(report)).toMatchObject({ leavers: 'enumeration' });
    expect(actionsOf(report)).toEqual(['suspend:user2', 'suspend:user5']);
    expect((await store.getUser('user5'))?.suspendedAt).toBeDefined();

    directory.move(guid(5), `CN=User 5,${STAFF}`);
    const back = await synchronizeNow(deps());
    expect(searchStep(back)).toMatchObject({ leavers: 'enumeration' });
    expect(actionsOf(back)).toEqual(['restore:user5']);
    expect((await store.getUser('user5'))?.suspendedAt).toBeUndefined();
    expect((await store.getUser('user2'))?.suspendedAt).toBeDefined();
  });

  it('holds them back above the deletion threshold, and the next run finds them again', async () => {
    await save({ deletionThreshold: { maxCount: 1, maxPercent: 100 } });
    await synchronizeNow(deps());
    directory.remove(guid(2));
    directory.move(guid(5), `CN=User 5,${OUTSIDE}`);

    const stopped = await synchronizeNow(deps());
    expect(stopped.status).toBe('deletionThresholdExceeded');
    expect(stopped.deletesWithheld).toBe(2);
    expect(stopped.counts.deleted).toBe(0);
    expect(await names()).toHaveLength(6);

    const again = await synchronizeNow(deps());
    expect(again.status).toBe('deletionThresholdExceeded');
    expect(searchStep(again)).toMatchObject({ leavers: 'fullRead' });
    expect(again.deletesWithheld).toBe(2);
  });

  it('when the scope holds the same users as at the last run, lists no database and deletes nothing', async () => {
    await save();
    await synchronizeNow(deps());
    directory.put(directoryEntry(3, { displayName: 'Three Again' }));
    const listings = store.listings;
    const report = await synchronizeNow(deps());
    expect(searchStep(report)).toMatchObject({ leavers: 'enumeration' });
    expect(searchStep(report)?.message).toMatch(/6 users there, the same as at the last run \(no leavers\)/);
    expect(store.listings).toBe(listings);
    expect(actionsOf(report)).toEqual(['update:user3']);
  });

  it('a user created and another deleted since the last run: the one is created, the other deleted', async () => {
    await save();
    await synchronizeNow(deps());
    directory.remove(guid(4));
    directory.put(directoryEntry(7));
    const report = await synchronizeNow(deps());
    expect(actionsOf(report)).toEqual(['create:user7', 'delete:user4']);
  });

  it('a user who takes the name of a deleted one is created after the deleted one goes, in the same run', async () => {
    await save();
    await synchronizeNow(deps());
    directory.remove(guid(4));
    directory.put(directoryEntry(40, { sAMAccountName: 'user4' }));
    const report = await synchronizeNow(deps());
    expect(report.status).toBe('succeeded');
    expect((await store.getUser('user4'))?.objectGuid).toBe(guid(40));
  });

  it('an enumeration cut short fails the run and deletes nothing', async () => {
    await save();
    await synchronizeNow(deps());
    directory.remove(guid(2));
    directory.failAfterPages = 1;
    const failed = await synchronizeNow(deps());
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('PartialRead');
    expect(await names()).toHaveLength(6);

    directory.failAfterPages = undefined;
    const next = await synchronizeNow(deps());
    expect(actionsOf(next)).toEqual(['delete:user2']);
  });
});
