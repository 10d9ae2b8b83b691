/**
 * Changes in seconds against the Samba DC (docs/contract.md#changes-in-seconds): the watch holds a real change
 * notification search (through a TCP proxy, so the tests can drop it or take the DC away) and starts its runs
 * as POST /sync does, run by a worker as the sync function runs them, on DynamoDB Local. The tests wait on what
 * the watch says and on runs ending, never on fixed delays.
 *
 * The faults: a burst of 200 changes (every user arrives, in a few runs, never two at once), a change while
 * another run holds the lock (one more run after it), a synchronized user moved out of the OU (notified outside
 * the scope, known by its objectGUID: a run deletes it), an OU holding a synchronized user moved out of the OU
 * (the DC notifies the OU alone: a run deletes the user), the DC dropping the watch's connection, and the DC
 * unreachable for a while (each: visible as `failing`, then a catch-up run that applies what changed).
 *
 * A deletion is not tested here: Samba notifies no deletion to the read-only service account, with or without
 * Show Deleted (docs/architecture.md#changes-in-seconds), and a test cannot wait for nothing to come.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DynamoWatchStatusStore } from '../../../shared/adapters/dynamodb/dynamo-watch-status';
import { LdapDirectoryReader } from '../../../shared/adapters/ldap/ldap-directory-reader';
import type { WatchStatus } from '../../../shared/domain/change-watch';
import type { Report } from '../../../shared/domain/report';
import { SyncRunningError } from '../../../shared/errors';
import type { OperationStarter } from '../../../shared/ports/operation-starter';
import { runStartedSync, startSync } from '../../../shared/use-cases/start-sync';
import { synchronizedUserLookup } from '../../../shared/use-cases/synchronized-user-check';
import { systemClock } from '../../../shared/use-cases/system-clock';
import { type WatchLogEntry, watchChanges } from '../../../shared/use-cases/watch-changes';
import { dynamoDbClient } from '../../support/clients';
import { savedWithConfiguration } from '../../support/saved-password';
import { replace, userEntry } from '../../support/scratch-ou';
import { useScratchSync } from '../../support/scratch-sync';
import { fixtureConfig, servicePassword } from '../../support/sync-harness';
import { type FaultProxy, startFaultProxy } from '../../support/tcp-fault-proxy';
import { untilTold } from '../../support/until-told';

const directory = inject('directory');
const scratch = useScratchSync('Notify', { incremental: true });
const { dn: ou, tag } = scratch;
const BURST = 200;
/**
 * The first back-off before reconnecting (1 s by default), doubling with each failure in a row: short, so that
 * the faults cost a second of waiting, not several; long enough that the test reads two failures before a third.
 */
const FIRST_RETRY_MS = 400;
/**
 * The widest gap between the watch's runs (30 s by default). The burst below is a storm that widens the gap
 * (2, 4, 8 s ...); a change just after it waits out the widened gap, and the tests after the burst wait for
 * their runs 20 s at most: 4 s keeps the next test's first start well within its wait, and the burst's runs
 * few (one per 4 s of a burst that takes Samba 6-30 s).
 */
const MAX_RUN_GAP_MS = 4_000;
const userDn = (n: number) => `CN=Notify ${n},${ou}`;
const userName = (n: number) => `ntf-${tag}-${n}`;

let proxy: FaultProxy;
let proxyPort: number;
const stop = new AbortController();
let watching: Promise<void>;
const logs: WatchLogEntry[] = [];
const reports: Report[] = [];
const workers = new Set<Promise<unknown>>();
let busyStarts = 0;
/** Waits re-checked whenever the watch logs or a run ends (`changed()`); 20 s at most by default. */
const { until, changed } = untilTold(20_000);

const notificationRuns = () => reports.filter((r) => r.trigger === 'notification');
/** Whether a notification run after the first `before` deleted one user. */
const deletedOneSince = (before: number) =>
  notificationRuns()
    .slice(before)
    .some((r) => r.counts.deleted === 1);
const states = () => logs.flatMap((l) => (l.status ? [l.status] : []));
const lastState = (): WatchStatus | undefined => states().at(-1);
const fullNameOf = async (n: number) =>
  (await scratch.harness.store.listUsers()).find((u) => u.userName === userName(n))?.fullName;

beforeAll(async () => {
  proxy = await startFaultProxy({ targetHost: directory.host, targetPort: 636 });
  proxyPort = proxy.port;
  const { harness } = scratch;
  const config = fixtureConfig({
    connection: { baseDn: ou, servers: [`127.0.0.1:${proxyPort}`], timeoutSeconds: 3 },
    filters: { exchangeUsersOnly: false },
    // A user moved out is deleted by the run the watch starts for it.
    options: { deleteUsers: true },
    schedule: { changeNotifications: true },
  });
  await harness.configs.saveConfig(config);
  const exclusive = harness.exclusive();
  // The sync function: runs what the start handed over, in the background, as an asynchronous invocation.
  const starter: OperationStarter = {
    async startSync(start) {
      const work = runStartedSync(exclusive, start).then((outcome) => {
        if ('report' in outcome) reports.push(outcome.report);
        changed();
      });
      workers.add(work);
      void work.finally(() => {
        workers.delete(work);
        changed();
      });
    },
    startPreview: () => Promise.reject(new Error('no previews here')),
  };
  watching = watchChanges(
    {
      configs: harness.configs,
      secrets: savedWithConfiguration(harness.configs, servicePassword()),
      directory: new LdapDirectoryReader(),
      clock: systemClock,
      startRun: async () => {
        try {
          return await startSync({ ...exclusive, starter }, { trigger: 'notification' });
        } catch (error) {
          if (error instanceof SyncRunningError) busyStarts += 1;
          changed();
          throw error;
        }
      },
      isSynchronizedUser: synchronizedUserLookup(harness.store),
      status: new DynamoWatchStatusStore(dynamoDbClient(), harness.tableName),
      log: (entry) => {
        logs.push(entry);
        changed();
      },
      timing: { checkMs: 2_000, firstRetryMs: FIRST_RETRY_MS, maxRunGapMs: MAX_RUN_GAP_MS },
    },
    stop.signal,
  );
  // Opened: the catch-up run (the OU is empty yet) ends.
  await until(() => notificationRuns().length === 1, 'the catch-up run');
});

afterAll(async () => {
  stop.abort();
  await watching;
  await Promise.all(workers);
  await proxy.close();
});

describe('the change watch on the DC', () => {
  it('watches the naming context, and keeps its state where GET /sync/runs reads it', async () => {
    // Samba takes the Show Deleted control from the service account (and shows it no tombstone).
    expect(lastState()).toMatchObject({
      state: 'watching',
      namingContext: directory.baseDn,
      showDeleted: true,
    });
    const kept = await new DynamoWatchStatusStore(
      dynamoDbClient(),
      scratch.harness.tableName,
    ).getWatchStatus();
    expect(kept).toMatchObject({ state: 'watching', server: `127.0.0.1:${proxyPort}` });
  });

  it(`applies a burst of ${BURST} new users in a few runs, never two at once, losing none`, async () => {
    const before = notificationRuns().length;
    for (let n = 0; n < BURST; n += 1) {
      await scratch.admin.add(
        userDn(n),
        userEntry({ sAMAccountName: userName(n), displayName: `Notify ${n}` }),
      );
    }
    await until(
      () => notificationRuns().reduce((sum, r) => sum + r.counts.created, 0) >= BURST,
      'every user',
    );
    // Samba takes 6-30 s for 200 adds here: a storm, whose runs space out (2, then 4 s apart here), so a long
    // burst is a few runs, not one per change.
    const runs = notificationRuns().slice(before);
    expect(runs.length).toBeLessThanOrEqual(BURST / 10);
    expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
    // Never two at once: each run started after the one before it finished.
    const byStart = [...reports].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    const overlapping = byStart.filter(
      (run, i) => i > 0 && run.startedAt < (byStart[i - 1]?.finishedAt ?? ''),
    );
    expect(overlapping).toEqual([]);
    expect((await scratch.harness.store.listUsers()).length).toBe(BURST);
  });

  it('a change while another run holds the lock leads to one run after it', async () => {
    const { lock } = scratch.harness;
    expect(await lock.acquire('a-run-of-the-api', 60)).toBe(true);
    const before = notificationRuns().length;
    try {
      const busy = busyStarts;
      await scratch.admin.modify(userDn(1), [replace('displayName', ['Notify One'])]);
      // Within the widened gap the burst left (MAX_RUN_GAP_MS), then one attempt each busyRetryMs (1 s).
      await until(() => busyStarts >= busy + 2, 'two starts refused while the lock is held');
      expect(notificationRuns().length).toBe(before);
    } finally {
      // Released whatever happened: a lock held on would fail the tests after this one too.
      await lock.release('a-run-of-the-api');
    }
    await until(() => notificationRuns().length === before + 1, 'the run after the lock is free');
    expect(await fullNameOf(1)).toBe('Notify One');
  });

  it('a synchronized user moved out of the OU: notified outside the scope, a run deletes it', async () => {
    const elsewhere = `OU=Notify Out ${tag},${directory.baseDn}`;
    const moved = `CN=Notify 4,${elsewhere}`;
    const user = (await scratch.harness.store.listUsers()).find((u) => u.userName === userName(4));
    expect(user?.objectGuid).toBeDefined();
    const before = notificationRuns().length;
    await scratch.admin.add(elsewhere, { objectClass: ['top', 'organizationalUnit'] });
    try {
      await scratch.admin.modifyDN(userDn(4), moved);
      await until(() => deletedOneSince(before), 'the run that deletes the user moved out');
      expect(logs.map((l) => l.message)).toContain(
        `watch: synchronized user ${user?.objectGuid} notified outside the scope (moved out, or deleted): ${moved}`,
      );
      expect(await fullNameOf(4)).toBeUndefined();
    } finally {
      await scratch.admin.del(moved).catch(() => {});
      await scratch.admin.del(elsewhere);
    }
  });

  it('an OU holding a synchronized user moved out of the OU: the OU alone is notified, a run deletes the user', async () => {
    const team = `OU=Notify Team ${tag},${ou}`;
    const elsewhere = `OU=Notify Team ${tag},${directory.baseDn}`;
    const name = `ntf-${tag}-team`;
    const synchronized = async () =>
      (await scratch.harness.store.listUsers()).find((u) => u.userName === name);
    const created = notificationRuns().length;
    await scratch.admin.add(team, { objectClass: ['top', 'organizationalUnit'] });
    try {
      await scratch.admin.add(
        `CN=Notify Team,${team}`,
        userEntry({ sAMAccountName: name, displayName: 'Notify Team' }),
      );
      await until(
        () =>
          notificationRuns()
            .slice(created)
            .some((r) => r.counts.created === 1),
        'the run that creates the user in the OU',
      );
      expect(await synchronized()).toBeDefined();
      const before = notificationRuns().length;
      await scratch.admin.modifyDN(team, elsewhere);
      // The user's own DN changed without a notification of its own: the OU's tells the watch.
      await until(() => deletedOneSince(before), 'the run that deletes the user the OU took out');
      expect(logs.map((l) => l.message)).toContain(
        `watch: organizational unit or container notified outside the scope (moved out, say): ${elsewhere}`,
      );
      expect(await synchronized()).toBeUndefined();
    } finally {
      for (const at of [elsewhere, team]) {
        await scratch.admin.del(`CN=Notify Team,${at}`).catch(() => {});
        await scratch.admin.del(at).catch(() => {});
      }
    }
  });

  it('reconnects when the DC drops the connection, says so, and catches up', async () => {
    const before = notificationRuns().length;
    const failing = states().filter((s) => s.state === 'failing').length;
    await proxy.resetConnections();
    await scratch.admin.modify(userDn(2), [replace('displayName', ['Notify Two'])]);
    await until(() => states().filter((s) => s.state === 'failing').length > failing, 'the watch failing');
    const drop = states()
      .filter((s) => s.state === 'failing')
      .at(-1);
    expect(drop).toMatchObject({ error: { code: 'Unreachable' }, failures: 1 });
    expect(logs.find((l) => l.status === drop)?.level).toBe('warn');
    await until(
      () => lastState()?.state === 'watching' && notificationRuns().length > before,
      'the catch-up',
    );
    expect(await fullNameOf(2)).toBe('Notify Two');
  });

  it('waits out a DC that cannot be reached, backing off, and catches up when it is back', async () => {
    await proxy.close();
    const failing = states().filter((s) => s.state === 'failing').length;
    await scratch.admin.modify(userDn(3), [replace('displayName', ['Notify Three'])]);
    await until(
      () => states().filter((s) => s.state === 'failing').length >= failing + 2,
      'two failed attempts in a row',
    );
    const attempts = states()
      .filter((s) => s.state === 'failing')
      .slice(-2);
    expect(attempts.map((s) => s.failures)).toEqual([1, 2]);
    expect(
      Date.parse(attempts[1]?.retryAt ?? '') - Date.parse(attempts[1]?.since ?? ''),
    ).toBeGreaterThanOrEqual(2 * FIRST_RETRY_MS - 100);
    const before = notificationRuns().length;
    proxy = await startFaultProxy({ targetHost: directory.host, targetPort: 636, port: proxyPort });
    await until(() => lastState()?.state === 'watching', 'the watch back', 30_000);
    await until(() => notificationRuns().length > before, 'the catch-up run');
    await until(() => !workers.size, 'the runs to end');
    expect(await fullNameOf(3)).toBe('Notify Three');
  });
});
