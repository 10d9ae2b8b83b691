/**
 * Leavers are found by every run (docs/contract.md#leavers), here with the in-memory ports: a user deleted in
 * the directory or moved out of the base DN is deleted, suspended or held back by the next incremental run,
 * exactly as a full read would, although the directory shows this account no tombstone.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { ConfigInput } from '../../../shared/config/config-schema';
import type { Report } from '../../../shared/domain/report';
import { synchronizeNow } from '../../../shared/use-cases/synchronize-now';
import {
  directoryEntry,
  type InMemoryDirectory,
  type InMemorySettings,
  type InMemoryUserStore,
} from '../../support/in-memory';
import { type InMemoryApp, inMemoryApp, inMemoryConfig } from '../../support/in-memory-app';
import { TestClock } from '../../support/test-clock';

const STAFF = 'OU=Staff,DC=company,DC=local';
const OUTSIDE = 'OU=Former Staff,DC=company,DC=local';

let app: InMemoryApp;
let directory: InMemoryDirectory;
let store: InMemoryUserStore;
let settings: InMemorySettings;

const save = (options: ConfigInput['options'] = {}) =>
  settings.saveConfig(
    inMemoryConfig({
      connection: { baseDn: STAFF },
      options: { deleteUsers: true, deletionThreshold: { maxPercent: 100 }, ...options },
    }),
  );

const searchStep = (report: Report) => report.steps.find((s) => s.name === 'search');
const actionsOf = (report: Report): string[] => report.changes.map((c) => `${c.action}:${c.userName}`).sort();
const guid = (n: number) => directoryEntry(n).objectGuid;
const names = async () => (await store.listUsers()).map((u) => u.userName).sort();

beforeEach(() => {
  app = inMemoryApp({
    // Every reading moves the clock on a millisecond: runs started one after the other are ordered.
    clock: new TestClock(Date.parse('2026-12-06T12:00:00Z'), 1),
    entries: Array.from({ length: 6 }, (_, i) => directoryEntry(i + 1)),
  });
  ({ directory, store, settings } = app);
  directory.pageSize = 4;
});

describe('leavers, found by an incremental run of a read-only account', () => {
  it('a full read says it found leavers by reading everything', async () => {
    await save();
    const first = await synchronizeNow(app.deps());
    expect(first.counts.created).toBe(6);
    expect(searchStep(first)).toMatchObject({ ok: true, leavers: 'fullRead' });
  });

  it('a user deleted in the directory and one moved out of the base DN are deleted by the next run', async () => {
    await save();
    await synchronizeNow(app.deps());
    directory.remove(guid(2));
    directory.move(guid(5), `CN=User 5,${OUTSIDE}`);

    const report = await synchronizeNow(app.deps());
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
    await synchronizeNow(app.deps());
    directory.remove(guid(2));
    directory.move(guid(5), `CN=User 5,${OUTSIDE}`);

    const report = await synchronizeNow(app.deps());
    expect(searchStep(report)).toMatchObject({ leavers: 'enumeration' });
    expect(actionsOf(report)).toEqual(['suspend:user2', 'suspend:user5']);
    expect((await store.getUser('user5'))?.suspendedAt).toBeDefined();

    directory.move(guid(5), `CN=User 5,${STAFF}`);
    const back = await synchronizeNow(app.deps());
    expect(searchStep(back)).toMatchObject({ leavers: 'enumeration' });
    expect(actionsOf(back)).toEqual(['restore:user5']);
    expect((await store.getUser('user5'))?.suspendedAt).toBeUndefined();
    expect((await store.getUser('user2'))?.suspendedAt).toBeDefined();
  });

  it('holds them back above the deletion threshold, and the next run finds them again', async () => {
    await save({ deletionThreshold: { maxCount: 1, maxPercent: 100 } });
    await synchronizeNow(app.deps());
    directory.remove(guid(2));
    directory.move(guid(5), `CN=User 5,${OUTSIDE}`);

    const stopped = await synchronizeNow(app.deps());
    expect(stopped.status).toBe('deletionThresholdExceeded');
    expect(stopped.deletesWithheld).toBe(2);
    expect(stopped.counts.deleted).toBe(0);
    expect(await names()).toHaveLength(6);

    const again = await synchronizeNow(app.deps());
    expect(again.status).toBe('deletionThresholdExceeded');
    expect(searchStep(again)).toMatchObject({ leavers: 'fullRead' });
    expect(again.deletesWithheld).toBe(2);
  });

  it('when the scope holds the same users as at the last run, lists no database and deletes nothing', async () => {
    await save();
    await synchronizeNow(app.deps());
    directory.put(directoryEntry(3, { displayName: 'Three Again' }));
    const listings = store.listings;
    const report = await synchronizeNow(app.deps());
    expect(searchStep(report)).toMatchObject({ leavers: 'enumeration' });
    expect(searchStep(report)?.message).toMatch(/6 users there, the same as at the last run \(no leavers\)/);
    expect(store.listings).toBe(listings);
    expect(actionsOf(report)).toEqual(['update:user3']);
  });

  it('a user created and another deleted since the last run: the one is created, the other deleted', async () => {
    await save();
    await synchronizeNow(app.deps());
    directory.remove(guid(4));
    directory.put(directoryEntry(7));
    const report = await synchronizeNow(app.deps());
    expect(actionsOf(report)).toEqual(['create:user7', 'delete:user4']);
  });

  it("a user recreated under a deleted one's name adopts the name in the same run (an update, as the contract says)", async () => {
    await save();
    await synchronizeNow(app.deps());
    directory.remove(guid(4));
    directory.put(directoryEntry(40, { sAMAccountName: 'user4' }));
    const report = await synchronizeNow(app.deps());
    expect(report.status).toBe('succeeded');
    expect(actionsOf(report)).toEqual(['update:user4']);
    expect((await store.getUser('user4'))?.objectGuid).toBe(guid(40));
  });

  it('a user created during a run, after its enumeration, and gone before the next run is deleted by it', async () => {
    await save();
    await synchronizeNow(app.deps());
    // user7 comes after this run has enumerated the scope, and before it reads the changes: the run reads and
    // creates it, and the digest it keeps must cover it.
    const connect = directory.connect.bind(directory);
    directory.connect = async (...args: Parameters<InMemoryDirectory['connect']>) => {
      const session = await connect(...args);
      return {
        ...session,
        async *scopeGuidPages(baseDn: string) {
          yield* session.scopeGuidPages(baseDn);
          directory.put(directoryEntry(7));
        },
      };
    };
    const during = await synchronizeNow(app.deps());
    expect(actionsOf(during)).toEqual(['create:user7']);

    directory.connect = connect;
    directory.remove(guid(7));
    const next = await synchronizeNow(app.deps());
    expect(searchStep(next)).toMatchObject({ leavers: 'enumeration' });
    expect(actionsOf(next)).toEqual(['delete:user7']);
  });

  it('an enumeration cut short fails the run and deletes nothing', async () => {
    await save();
    await synchronizeNow(app.deps());
    directory.remove(guid(2));
    directory.failAfterPages = 1;
    const failed = await synchronizeNow(app.deps());
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('PartialRead');
    expect(await names()).toHaveLength(6);

    directory.failAfterPages = undefined;
    const next = await synchronizeNow(app.deps());
    expect(actionsOf(next)).toEqual(['delete:user2']);
  });
});
