/**
 * The change watch on virtual time and the in-memory directory: the run a change starts (debounced, through
 * the same lock and records as POST /sync), one more run after a run under way, the reconnect with back-off and
 * its catch-up run, the probe that finds a silent DC, and the state it keeps and logs (never silent).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_RUN_GAP_MS, MIN_RUN_GAP_MS, type WatchStatus } from '../../../shared/domain/change-watch';
import type { DirectoryEntry } from '../../../shared/domain/user';
import { LdapError, UnreachableError } from '../../../shared/errors';
import { runHistory } from '../../../shared/use-cases/operation-status';
import { runStartedSync, startSync } from '../../../shared/use-cases/start-sync';
import {
  NOT_SYNCHRONIZED_FOR_MS,
  synchronizedUserLookup,
} from '../../../shared/use-cases/synchronized-user-check';
import {
  type WatchDependencies,
  type WatchLogEntry,
  watchChanges,
} from '../../../shared/use-cases/watch-changes';
import { directoryEntry } from '../../support/in-memory';
import { type InMemoryApp, inMemoryApp, inMemoryConfig } from '../../support/in-memory-app';
import { savedWithConfiguration } from '../../support/saved-password';

const BASE_DN = 'DC=company,DC=local';
const USER_DN = `CN=Alice,OU=Staff,${BASE_DN}`;

let app: InMemoryApp;
let stop = new AbortController();
let watching: Promise<void> = Promise.resolve();
let logs: WatchLogEntry[];
let kept: WatchStatus[];
/** When each run the watch started was started (ms on the clock). */
let startedAt: number[];
/** The objectGUIDs the watch asked the user database about, in order. */
let lookups: string[];
/** While set, asking the user database fails with it. */
let lookupError: Error | undefined;
const lastStart = () => startedAt.at(-1) ?? Number.NaN;

const enableWatch = (on = true) =>
  app.settings.saveConfig(inMemoryConfig({ schedule: { changeNotifications: on } }));

/**
 * Starts the watch as the local stack does (its runs started as POST /sync starts them); `role` makes it a
 * watcher function's (takeOver, exitWhenOff).
 */
function startWatch(role: Pick<WatchDependencies, 'takeOver' | 'exitWhenOff'> = {}): void {
  stop = new AbortController();
  watching = watchChanges(
    {
      configs: app.settings,
      secrets: app.deps().secrets,
      directory: app.directory,
      clock: app.clock,
      startRun: async () => {
        const runId = await startSync(app.worker(), { trigger: 'notification' });
        startedAt.push(app.clock.now().getTime());
        return runId;
      },
      isSynchronizedUser: async (guid) => {
        lookups.push(guid);
        if (lookupError) throw lookupError;
        return synchronizedUserLookup(app.store)(guid);
      },
      status: { saveWatchStatus: async (s) => void kept.push(s), getWatchStatus: async () => kept.at(-1) },
      log: (entry) => logs.push(entry),
      ...role,
    },
    stop.signal,
  );
}

/**
 * Starts the watch and lets its catch-up run (0.5 s after opening) start, run, and its gap pass: the watch is
 * quiet, and its next change is an isolated one.
 */
async function startQuietWatch(): Promise<void> {
  startWatch();
  await app.clock.advance(2_000);
  await runHandedOver();
  await app.clock.advance(MIN_RUN_GAP_MS);
}

/** Runs the syncs handed to the worker so far, as the sync function does. */
async function runHandedOver(): Promise<void> {
  for (const start of app.starter.syncs.splice(0)) {
    await app.clock.runUntil(runStartedSync(app.deps(), start));
  }
}

const state = () => kept.at(-1)?.state;
/** The states the watch went through, each once in a row (a run it started is kept with the same state). */
const transitions = () => kept.map((s) => s.state).filter((s, i, all) => s !== all[i - 1]);

beforeEach(async () => {
  app = inMemoryApp({ entries: [directoryEntry(1)] });
  logs = [];
  kept = [];
  startedAt = [];
  lookups = [];
  lookupError = undefined;
  await enableWatch();
});

afterEach(async () => {
  stop.abort();
  await app.clock.runUntil(watching);
});

describe('watchChanges', () => {
  it('opens the search on the naming context, runs once on opening, and shows it is watching', async () => {
    startWatch();
    await app.clock.advance(2_000);
    expect(app.directory.watches.size).toBe(1);
    expect([...app.directory.watches][0]?.namingContext).toBe(BASE_DN);
    expect(state()).toBe('watching');
    expect(kept.at(-1)).toMatchObject({ server: 'dc1.company.local:636', namingContext: BASE_DN });
    expect(logs.map((l) => l.message)).toContain(`watch: watching ${BASE_DN} on dc1.company.local:636`);
    // The catch-up run: changes made while no watch was open.
    expect(app.starter.syncs).toEqual([expect.objectContaining({ trigger: 'notification' })]);
    await runHandedOver();
    const [run] = await app.store.listRuns(10);
    expect(run).toMatchObject({ trigger: 'notification', status: 'succeeded' });
  });

  it('starts one run for a burst of changes, within 2 seconds of the first', async () => {
    await startQuietWatch();
    for (let i = 0; i < 200; i += 1) {
      app.directory.notify(`CN=User ${i},OU=Staff,${BASE_DN}`);
      await app.clock.advance(5);
    }
    // 200 changes over one second: still within the burst's 1.5 s from its first change.
    await app.clock.advance(499);
    expect(app.starter.syncs).toHaveLength(1);
    await runHandedOver();
    await app.clock.advance(5_000);
    expect(app.starter.syncs).toHaveLength(0);
    expect(kept.at(-1)?.lastRunId).toBeDefined();
  });

  it('waits for the quiet after a lone change, not the whole burst window', async () => {
    await startQuietWatch();
    app.directory.notify(USER_DN);
    await app.clock.advance(499);
    expect(app.starter.syncs).toHaveLength(0);
    await app.clock.advance(1);
    expect(app.starter.syncs).toHaveLength(1);
  });

  it('ignores changes out of scope: computers, users, policies and other objects outside the scopes', async () => {
    await app.settings.saveConfig(
      inMemoryConfig({
        connection: { baseDn: `OU=Staff,${BASE_DN}` },
        schedule: { changeNotifications: true },
      }),
    );
    startWatch();
    await app.clock.advance(2_000);
    expect([...app.directory.watches][0]?.namingContext).toBe(BASE_DN);
    await runHandedOver();
    app.directory.notify(`CN=PC1,OU=Staff,${BASE_DN}`, ['top', 'person', 'user', 'computer']);
    // A policy edited (a groupPolicyContainer is a container, but holds no users).
    app.directory.notify(`CN={31B2F340-016D-11D2-945F-00C04FB984F9},CN=Policies,CN=System,${BASE_DN}`, [
      'top',
      'container',
      'groupPolicyContainer',
    ]);
    // A user outside the base DN editing its own attributes starts nothing (the schedule sees one moved out).
    app.directory.notify(`CN=Alice,OU=Elsewhere,${BASE_DN}`);
    await app.clock.advance(5_000);
    expect(app.starter.syncs).toHaveLength(0);
    // A group anywhere counts (a selected group may be outside the base DN); so does anything under it.
    app.directory.notify(`CN=Sales,OU=Elsewhere,${BASE_DN}`, ['top', 'group']);
    await app.clock.advance(2_000);
    expect(app.starter.syncs).toHaveLength(1);
    await runHandedOver();
    await app.clock.advance(MIN_RUN_GAP_MS);
    app.directory.notify(`CN=Bob,OU=Staff,${BASE_DN}`);
    await app.clock.advance(2_000);
    expect(app.starter.syncs).toHaveLength(1);
  });

  it('spaces a change storm’s runs out (2, 4, 8, 16, then 30 s), and keeps 2 s for changes seconds apart', async () => {
    await startQuietWatch();
    const quietSince = app.clock.now().getTime();
    // An in-scope user saves its own attributes every 200 ms for 60 s; each run is quick.
    for (let t = 0; t < 60_000; t += 200) {
      app.directory.notify(USER_DN);
      await app.clock.advance(200);
      await runHandedOver();
    }
    const storm = startedAt.slice(1).map((at) => at - quietSince);
    // The first run is not delayed (its burst's 1.5 s at most); each run the gap held back doubles the gap.
    expect(storm).toEqual([1_500, 3_500, 7_500, 15_500, 31_500]);
    // The changes of the last gap still get their run, at the end of it (30 s: the widest gap).
    await app.clock.advance(2_000);
    await runHandedOver();
    expect(lastStart() - quietSince).toBe(61_500);
    // Quiet for the widest gap: the next change's run starts after its 0.5 s, and the gap is 2 s again.
    await app.clock.advance(MAX_RUN_GAP_MS);
    const changedAt = app.clock.now().getTime();
    app.directory.notify(USER_DN);
    await app.clock.advance(2_000);
    expect(lastStart() - changedAt).toBe(500);
    await runHandedOver();
    // A change 2.5 s after the last start: its run 0.5 s after it, as after any quiet gap (SPEC 8.4: within 2 s).
    const nextAt = app.clock.now().getTime();
    app.directory.notify(USER_DN);
    await app.clock.advance(1_000);
    expect(lastStart() - nextAt).toBe(500);
    await runHandedOver();
    // The catch-up run, five in the storm, one after it and the two isolated changes': never two at once.
    const runs = await app.store.listRuns(20);
    expect(runs.filter((r) => r.trigger === 'notification' && r.status === 'succeeded')).toHaveLength(9);
  });

  it('delays a change within the gap of the last start only to the end of the gap, within 2 s of it', async () => {
    await startQuietWatch();
    app.directory.notify(USER_DN);
    await app.clock.advance(1_000);
    await runHandedOver();
    const firstAt = lastStart();
    // 0.5 s after that start: its burst settles at 0.5 s from now, the gap ends 1.5 s from now.
    app.directory.notify(`CN=Bob,OU=Staff,${BASE_DN}`);
    await app.clock.advance(1_400);
    expect(app.starter.syncs).toHaveLength(0);
    await app.clock.advance(100);
    expect(app.starter.syncs).toHaveLength(1);
    expect(lastStart() - firstAt).toBe(MIN_RUN_GAP_MS);
  });

  it('a change during a run leads to one more run after it, never two at once', async () => {
    startWatch();
    await app.clock.advance(2_000);
    expect(app.starter.syncs).toHaveLength(1);
    // The catch-up run holds the lock (handed over, not yet run); a change comes in meanwhile.
    app.directory.notify(USER_DN);
    await app.clock.advance(10_000);
    expect(app.starter.syncs).toHaveLength(1);
    await runHandedOver();
    await app.clock.advance(1_000);
    expect(app.starter.syncs).toHaveLength(1);
    await runHandedOver();
    await app.clock.advance(10_000);
    expect(app.starter.syncs).toHaveLength(0);
    const runs = await app.store.listRuns(10);
    expect(runs.map((r) => [r.trigger, r.status])).toEqual([
      ['notification', 'succeeded'],
      ['notification', 'succeeded'],
    ]);
  });

  it('a change while Synchronize now runs waits for it, then runs', async () => {
    startWatch();
    await app.clock.advance(2_000);
    await runHandedOver();
    await startSync(app.worker());
    app.directory.notify(USER_DN);
    await app.clock.advance(5_000);
    expect(app.starter.syncs.map((s) => s.trigger)).toEqual([undefined]);
    await runHandedOver();
    await app.clock.advance(1_000);
    expect(app.starter.syncs.map((s) => s.trigger)).toEqual(['notification']);
  });

  it('reconnects with back-off after a drop, shows it failing, and runs once on reconnecting', async () => {
    startWatch();
    await app.clock.advance(2_000);
    await runHandedOver();
    app.directory.connectError = new UnreachableError('dc1.company.local:636 cannot be reached');
    app.directory.dropWatches();
    await app.clock.advance(0);
    expect(kept.at(-1)).toMatchObject({ state: 'failing', failures: 1, error: { code: 'Unreachable' } });
    expect(logs.at(-1)).toMatchObject({ level: 'warn' });
    expect(logs.at(-1)?.message).toMatch(
      /^watch: failing \(1 in a row\): the connection .* dropped; retrying at/,
    );
    // 1 s, 2 s, 4 s: each failure in a row doubles the wait.
    await app.clock.advance(1_000);
    expect(kept.at(-1)).toMatchObject({ state: 'failing', failures: 2 });
    await app.clock.advance(2_000);
    expect(kept.at(-1)).toMatchObject({ state: 'failing', failures: 3 });
    expect(app.starter.syncs).toHaveLength(0);
    app.directory.connectError = undefined;
    await app.clock.advance(4_000);
    expect(state()).toBe('watching');
    await app.clock.advance(1_500);
    expect(app.starter.syncs).toHaveLength(1);
  });

  it('finds a DC that stopped answering with its probe, and reconnects', async () => {
    startWatch();
    await app.clock.advance(2_000);
    await runHandedOver();
    app.directory.syncStateError = new UnreachableError('dc1.company.local:636 did not answer in time');
    await app.clock.advance(15_000);
    expect(transitions()).toEqual(['connecting', 'watching', 'failing', 'connecting', 'watching']);
    expect(kept.find((s) => s.state === 'failing')).toMatchObject({
      error: { message: 'dc1.company.local:636 did not answer in time' },
    });
  });

  it('fails visibly when it cannot bind, and keeps trying', async () => {
    startWatch();
    stop.abort();
    await app.clock.runUntil(watching);
    stop = new AbortController();
    watching = watchChanges(
      {
        configs: app.settings,
        secrets: savedWithConfiguration(app.settings, 'wrong'),
        directory: app.directory,
        clock: app.clock,
        startRun: () => startSync(app.worker(), { trigger: 'notification' }),
        isSynchronizedUser: async () => false,
        log: (entry) => logs.push(entry),
      },
      stop.signal,
    );
    await app.clock.advance(0);
    expect(logs.at(-1)?.status).toMatchObject({ state: 'failing', error: { code: 'InvalidCredentials' } });
    await app.clock.advance(1_000);
    expect(logs.at(-1)?.status).toMatchObject({ state: 'failing', failures: 2 });
    expect(app.starter.syncs).toHaveLength(0);
  });

  it('closes the search when turned off, and reopens it with a saved configuration', async () => {
    startWatch();
    await app.clock.advance(2_000);
    await runHandedOver();
    await enableWatch(false);
    await app.clock.advance(15_000);
    expect(state()).toBe('off');
    expect(app.directory.watches.size).toBe(0);
    await enableWatch(true);
    await app.clock.advance(15_000);
    expect(state()).toBe('watching');
    expect(app.directory.watches.size).toBe(1);
  });

  it('reopens for a save that leaves what it watches as it was, with no catch-up run (nothing went unwatched)', async () => {
    await startQuietWatch();
    const binds = app.directory.binds.length;
    await app.settings.saveConfig(
      inMemoryConfig({
        schedule: { changeNotifications: true, intervalMinutes: 15 },
        options: { deleteUsers: true },
        alerts: { staleAfterHours: 2 },
      }),
    );
    await app.clock.advance(15_000);
    expect(app.directory.binds.length).toBe(binds + 1);
    expect(transitions().slice(-2)).toEqual(['connecting', 'watching']);
    expect(app.directory.watches.size).toBe(1);
    await app.clock.advance(5_000);
    expect(app.starter.syncs).toEqual([]);
    // The reopened watch counts changes as before.
    app.directory.notify(USER_DN);
    await app.clock.advance(2_000);
    expect(app.starter.syncs).toHaveLength(1);
  });

  it('holds the old search while the new one opens: a change made meanwhile starts its run', async () => {
    await startQuietWatch();
    const connect = app.directory.connect.bind(app.directory);
    app.directory.connect = async (...args) => {
      // The change comes while the reopened watch connects: only the old search can see it.
      app.directory.notify(USER_DN);
      app.directory.connect = connect;
      return connect(...args);
    };
    await app.settings.saveConfig(
      inMemoryConfig({ schedule: { changeNotifications: true }, options: { deleteUsers: true } }),
    );
    await app.clock.advance(15_000);
    expect(app.directory.watches.size).toBe(1);
    expect(app.starter.syncs).toHaveLength(1);
    // The run is the change's (the old search noticed it), not a catch-up run.
    expect(kept.at(-1)?.lastChangeAt).toBeDefined();
  });

  it('catches up after a save that changes what it watches: the groups base DN, or the connection', async () => {
    await startQuietWatch();
    await app.settings.saveConfig(
      inMemoryConfig({ schedule: { changeNotifications: true }, groups: { baseDn: `OU=Groups,${BASE_DN}` } }),
    );
    await app.clock.advance(17_000);
    expect(app.starter.syncs).toHaveLength(1);
    await runHandedOver();
    await app.clock.advance(MIN_RUN_GAP_MS);
    await app.settings.saveConfig(
      inMemoryConfig({
        schedule: { changeNotifications: true },
        groups: { baseDn: `OU=Groups,${BASE_DN}` },
        connection: { encryption: 'starttls' },
      }),
    );
    await app.clock.advance(17_000);
    expect(app.starter.syncs).toHaveLength(1);
    expect(app.directory.watches.size).toBe(1);
  });

  it('catches up when a reopening fails: the old search is closed, and none is open until the reconnect', async () => {
    await startQuietWatch();
    app.directory.connectError = new UnreachableError('dc1.company.local:636 cannot be reached');
    await app.settings.saveConfig(
      inMemoryConfig({ schedule: { changeNotifications: true }, options: { deleteUsers: true } }),
    );
    await app.clock.advance(15_000);
    expect(state()).toBe('failing');
    expect(app.directory.watches.size).toBe(0);
    app.directory.connectError = undefined;
    await app.clock.advance(3_000);
    expect(state()).toBe('watching');
    await app.clock.advance(1_500);
    expect(app.starter.syncs).toHaveLength(1);
  });

  it('stays off, holding nothing, while changeNotifications is off', async () => {
    await enableWatch(false);
    startWatch();
    await app.clock.advance(60_000);
    expect(kept.map((s) => s.state)).toEqual(['off']);
    expect(app.directory.watches.size).toBe(0);
    expect(app.directory.binds).toEqual([]);
  });

  it('keeps a heartbeat while watching, at each probe', async () => {
    startWatch();
    await app.clock.advance(2_000);
    expect(kept.at(-1)?.checkedAt).toBeUndefined();
    await app.clock.advance(15_000);
    expect(kept.at(-1)).toMatchObject({ state: 'watching', checkedAt: '2026-11-25T12:00:15.000Z' });
  });

  it('as a watcher function: takes over from a live watch without a catch-up run, and ends at once when off', async () => {
    const live = {
      state: 'watching' as const,
      since: '2026-11-25T11:50:00.000Z',
      checkedAt: '2026-11-25T11:59:50.000Z',
    };
    kept.push(live);
    startWatch({ takeOver: true, exitWhenOff: true });
    await app.clock.advance(5_000);
    expect(state()).toBe('watching');
    expect(app.starter.syncs).toHaveLength(0);
    // A reconnect after a failure catches up, even for a watcher that took over.
    app.directory.dropWatches();
    await app.clock.advance(3_000);
    expect(app.starter.syncs).toHaveLength(1);
    await enableWatch(false);
    await app.clock.advance(15_000);
    await app.clock.runUntil(watching);
    expect(state()).toBe('off');
  });

  it('as a watcher function: catches up when the watch it follows is silent', async () => {
    kept.push({
      state: 'watching',
      since: '2026-11-25T11:00:00.000Z',
      checkedAt: '2026-11-25T11:58:00.000Z',
    });
    startWatch({ takeOver: true });
    await app.clock.advance(2_000);
    expect(state()).toBe('watching');
    expect(app.starter.syncs).toHaveLength(1);
  });

  it('retries a start that failed otherwise than on the lock, and says so', async () => {
    await startQuietWatch();
    app.starter.fail = new Error('Lambda refused');
    app.directory.notify(USER_DN);
    await app.clock.advance(1_000);
    expect(logs.some((l) => l.level === 'error' && /could not start a run/.test(l.message))).toBe(true);
    app.starter.fail = undefined;
    await app.clock.advance(10_000);
    expect(app.starter.syncs).toHaveLength(1);
  });
});

describe('watchChanges: users that leave the scope', () => {
  const STAFF = `OU=Staff,${BASE_DN}`;
  const USER_CLASSES = ['top', 'person', 'organizationalPerson', 'user'];
  const guidOf = (n: number) => directoryEntry(n).objectGuid;

  /**
   * Six users under OU=Staff (one leaving is within the deletion threshold), and the `more` users given, synchronized
   * by the catch-up run.
   */
  async function watchSynchronizedStaff(
    options: { deletionGraceDays?: number } = {},
    more: readonly DirectoryEntry[] = [],
  ): Promise<void> {
    app.directory.put(...[2, 3, 4, 5, 6].map((n) => directoryEntry(n)), ...more);
    await app.settings.saveConfig(
      inMemoryConfig({
        connection: { baseDn: STAFF },
        filters: { exchangeUsersOnly: false },
        options: { deleteUsers: true, ...options },
        schedule: { changeNotifications: true },
      }),
    );
    await startQuietWatch();
    expect(await app.store.listUsers()).toHaveLength(6 + more.length);
  }

  it('starts a run for a synchronized user moved out of the base DN, and that run deletes it', async () => {
    await watchSynchronizedStaff();
    const outside = `CN=User 2,OU=Elsewhere,${BASE_DN}`;
    app.directory.move(guidOf(2), outside);
    app.directory.notify(outside, USER_CLASSES, guidOf(2));
    await app.clock.advance(2_000);
    expect(lookups).toEqual([guidOf(2)]);
    expect(app.starter.syncs).toHaveLength(1);
    expect(logs.map((l) => l.message)).toContain(
      `watch: synchronized user ${guidOf(2)} notified outside the scope (moved out, or deleted): ${outside}`,
    );
    await runHandedOver();
    expect((await app.store.listUsers()).map((u) => u.userName)).not.toContain('user2');
  });

  it('starts a run for an OU moved out of the base DN (notified alone), and that run deletes the users in it', async () => {
    const sales = `OU=Sales,${STAFF}`;
    await watchSynchronizedStaff({}, [directoryEntry(7, { distinguishedName: `CN=User 7,${sales}` })]);
    const outside = `OU=Sales,${BASE_DN}`;
    app.directory.moveTree(sales, outside);
    // The DC notifies the OU alone, with its new DN: not its users, whose objects did not change.
    app.directory.notify(outside, ['top', 'organizationalUnit'], '77777777-2222-4333-8444-555555555555');
    await app.clock.advance(2_000);
    expect(app.starter.syncs).toHaveLength(1);
    // No lookup: an OU's objectGUID is no user's.
    expect(lookups).toEqual([]);
    expect(logs.map((l) => l.message)).toContain(
      `watch: organizational unit or container notified outside the scope (moved out, say): ${outside}`,
    );
    await runHandedOver();
    const users = (await app.store.listUsers()).map((u) => u.userName);
    expect(users).not.toContain('user7');
    expect(users).toHaveLength(6);
  });

  /** user3's tombstone, as a DC that notifies deletions tells it (under Deleted Objects, outside the scope). */
  const notifyTombstoneOf3 = () =>
    app.directory.notify(
      `CN=User 3\\0ADEL:${guidOf(3)},CN=Deleted Objects,${BASE_DN}`,
      USER_CLASSES,
      guidOf(3),
    );

  it('starts a run for a synchronized user’s tombstone (deletions notified), which suspends it in its grace period', async () => {
    await watchSynchronizedStaff({ deletionGraceDays: 7 });
    app.directory.remove(guidOf(3));
    notifyTombstoneOf3();
    await app.clock.advance(2_000);
    expect(app.starter.syncs).toHaveLength(1);
    await runHandedOver();
    expect((await app.store.listUsers()).find((u) => u.userName === 'user3')?.suspendedAt).toBeDefined();
    // Suspended, it is no longer a synchronized user: its later changes outside start nothing.
    await app.clock.advance(MIN_RUN_GAP_MS);
    notifyTombstoneOf3();
    await app.clock.advance(5_000);
    expect(app.starter.syncs).toHaveLength(0);
  });

  it('asks once about a user outside the scope that is no synchronized user, and remembers it for a minute', async () => {
    await watchSynchronizedStaff();
    const outsider = `CN=Mallory,OU=Elsewhere,${BASE_DN}`;
    const guid = '11111111-2222-4333-8444-555555555555';
    for (let i = 0; i < 50; i += 1) {
      app.directory.notify(outsider, USER_CLASSES, guid);
      await app.clock.advance(200);
    }
    expect(lookups).toEqual([guid]);
    // Computers, and users without an objectGUID, are not even asked about.
    app.directory.notify(`CN=PC1,OU=Elsewhere,${BASE_DN}`, ['top', 'user', 'computer'], guid);
    app.directory.notify(outsider, USER_CLASSES);
    await app.clock.advance(NOT_SYNCHRONIZED_FOR_MS);
    expect(lookups).toEqual([guid]);
    app.directory.notify(outsider, USER_CLASSES, guid);
    await app.clock.advance(5_000);
    expect(lookups).toEqual([guid, guid]);
    expect(app.starter.syncs).toHaveLength(0);
  });

  it('counts a change it cannot look up (a run finds leavers itself), and says so', async () => {
    await watchSynchronizedStaff();
    lookupError = new Error('the table cannot be reached');
    app.directory.notify(`CN=Someone,OU=Elsewhere,${BASE_DN}`, USER_CLASSES, guidOf(9));
    await app.clock.advance(2_000);
    expect(app.starter.syncs).toHaveLength(1);
    // An unexpected error: worded generically, and logged with the entry.
    expect(logs.find((l) => l.level === 'warn')).toMatchObject({
      message: `watch: could not tell whether ${guidOf(9)} is a synchronized user (Internal error; the details are in the service log); counting its change`,
      error: lookupError,
    });
  });

  it('asks the DC for deleted objects, and watches without them where the DC refuses, saying so', async () => {
    startWatch();
    await app.clock.advance(2_000);
    expect([...app.directory.watches][0]?.showDeleted).toBe(true);
    expect(kept.at(-1)).toMatchObject({ state: 'watching', showDeleted: true });
    stop.abort();
    await app.clock.runUntil(watching);
    app.directory.showDeletedRefusal = new LdapError('dc1.company.local:636 answered with LDAP result 12');
    startWatch();
    await app.clock.advance(2_000);
    expect([...app.directory.watches][0]?.showDeleted).toBe(false);
    expect(kept.at(-1)).toMatchObject({ state: 'watching', showDeleted: false });
    expect(logs.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      'watch: dc1.company.local:636 refused deleted objects to the notification search (dc1.company.local:636 ' +
        'answered with LDAP result 12); watching without them: a deleted user leaves at the next run',
    ]);
    // Still watching: a change in scope starts its run.
    await runHandedOver();
    await app.clock.advance(MIN_RUN_GAP_MS);
    app.directory.notify(USER_DN);
    await app.clock.advance(2_000);
    expect(app.starter.syncs).toHaveLength(1);
  });
});

describe('runHistory: the watch', () => {
  it('is shown while changeNotifications is on: as kept, a silent one as failing, none kept as off', async () => {
    const watches = { saveWatchStatus: async () => {}, getWatchStatus: async () => kept.at(-1) };
    const history = () => runHistory({ ...app.deps(), configs: app.settings, watches }, 10);
    expect((await history()).watch).toEqual({ state: 'off', since: '2026-11-25T12:00:00.000Z' });
    kept.push({
      state: 'watching',
      since: '2026-11-25T11:59:00.000Z',
      checkedAt: '2026-11-25T11:59:45.000Z',
    });
    expect((await history()).watch).toMatchObject({ state: 'watching' });
    await app.clock.advance(60_000);
    expect((await history()).watch).toMatchObject({ state: 'failing', error: { code: 'WatchSilent' } });
    await enableWatch(false);
    expect((await history()).watch).toBeUndefined();
  });
});
