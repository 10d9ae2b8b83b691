/**
 * The change watch (docs/contract.md#changes-in-seconds): while `schedule.changeNotifications` is on, it holds
 * AD's change notification search open on a DC and starts an incremental run when something in scope changes.
 *
 * 1. Load: the saved configuration and its password (off, or nothing saved: the watch waits and reads again).
 * 2. Open: resolve, connect, bind, exactly as a run does (TLS with the certificate checked, the service
 *    account), then the notification search on the naming context that holds the base DN.
 * 3. Hold: each change that counts (relevanceOf: a user, group, OU or container in scope, an OU or container
 *    outside it, or a user outside it whose objectGUID is a synchronized user's, SynchronizedUserCheck) is a
 *    notice to NotificationRuns (debounced, lock-safe); every `checkMs` the connection is probed (a DC gone
 *    silent is found) and the configuration read again (a save reopens the watch with it, the old search held
 *    until the new one is open; turning it off closes it). The search asks for deleted objects too (Show
 *    Deleted); a DC that refuses that is watched without it, and the state says so (`showDeleted: false`).
 * 4. Reconnect: a dropped connection, a failover, a refused search or a failed probe is recorded (the status,
 *    a log line) and tried again after a back-off (reconnectDelayMs). When the search opens after none was open
 *    (at start, on reconnecting) one run starts: it catches up with the changes made while no watch was open. A
 *    reopening for a saved configuration starts one only when the new watch watches something else
 *    (catchesUpAfter).
 */

import { groupsBaseDnOf } from '../config/config-schema';
import {
  DEFAULT_WATCH_TIMING,
  type DirectoryChange,
  isLiveWatch,
  reconnectDelayMs,
  relevanceOf,
  type WatchStatus,
  type WatchTiming,
  watchedNamingContext,
} from '../domain/change-watch';
import { bindCredentials } from '../domain/password-binding';
import { AdSyncError, LdapError } from '../errors';
import type { Clock } from '../ports/clock';
import type { ConfigStore, StoredConfig } from '../ports/config-store';
import type { DirectoryReader, DirectorySession } from '../ports/directory-reader';
import type { SecretStore } from '../ports/secret-store';
import type { WatchStatusStore } from '../ports/watch-status';
import { type ChangesRead, NotificationRuns } from './notification-runs';
import { baseDnOf } from './read-scope';
import { errorOf } from './run-report';
import { SynchronizedUserCheck } from './synchronized-user-check';

/** What the watch says, one structured line each: the state it entered, a run it started, a failure. */
export interface WatchLogEntry {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly status?: WatchStatus;
  readonly runId?: string;
  /** An unexpected failure (not one of ours, which the status words): for the log only, never the API. */
  readonly error?: Error;
}

export interface WatchDependencies {
  readonly configs: Pick<ConfigStore, 'getConfig'>;
  readonly secrets: Pick<SecretStore, 'getPassword'>;
  readonly directory: DirectoryReader;
  readonly clock: Clock;
  /** Starts an incremental run with trigger `notification` as POST /sync does (startSync). */
  readonly startRun: () => Promise<string>;
  /** Whether the run holding the lock reads the changes notified before `at` (notification-runs.ts). */
  readonly readsChangesOf?: (runId: string, at: number) => Promise<ChangesRead>;
  /**
   * Whether this objectGUID is a synchronized user's (synchronizedUserLookup: the user database, by its objectGUID
   * index): a user notified outside the scopes counts only then (moved out, or deleted).
   */
  readonly isSynchronizedUser: (objectGuid: string) => Promise<boolean>;
  /** Where the state is kept for the API (GET /sync/runs `watch`); a failure to keep it is only logged. */
  readonly status?: WatchStatusStore;
  readonly log: (entry: WatchLogEntry) => void;
  readonly timing?: Partial<WatchTiming>;
  /** The watcher function: with changeNotifications off (or nothing saved) it returns at once, holding nothing. */
  readonly exitWhenOff?: boolean;
  /**
   * The watcher function, started while the previous one still watches: its first opening starts no catch-up
   * run when the kept state is a live watch's (isLiveWatch), since nothing went unwatched.
   */
  readonly takeOver?: boolean;
}

/** Why a held watch closed without failing: the configuration changed (reopen with it), or the watch stops. */
type Closed = 'reconfigured' | 'stopped';

/**
 * Whether a watch reopened for a saved configuration starts a catch-up run. The old watch was open until the new
 * one opened (the reopening holds it until then), so a save that leaves what is watched as it was missed
 * nothing: the mappings, filters, deletes, schedule or alerts, or the password, start no run (a run for them
 * would take the lock from the administrator's own Synchronize now, and a full read for a changed mapping is the
 * schedule's to do). It catches up when the new watch watches something else, since between the save and the
 * reopening (up to a check's period) changes were watched with the old settings only:
 * - another connection (servers, domain, encryption, certificate, account...): a DC notifies a change when it
 *   applies it, and one that the new DC had applied before the search opened, and the old DC had not, was
 *   notified by neither; another account may see other objects; another domain is another directory;
 * - another base DN or groups' base DN (the scopes relevanceOf counts): a change under the new one was not
 *   counted by the old watch.
 * Turning the watch on is no reopening: nothing watched while it was off, nor between the save and its opening
 * (up to a check's period here, up to the watcher's next start on AWS), so its first opening catches up.
 */
function catchesUpAfter(watched: StoredConfig, saved: StoredConfig): boolean {
  const watches = (stored: StoredConfig) =>
    JSON.stringify([stored.config.connection, groupsBaseDnOf(stored.config)]);
  return watches(watched) !== watches(saved);
}

/** Watches until `signal` aborts; never throws (every failure is retried, and told). */
export async function watchChanges(deps: WatchDependencies, signal: AbortSignal): Promise<void> {
  const timing = { ...DEFAULT_WATCH_TIMING, ...deps.timing };
  const watch = new Watch(deps, timing, signal);
  await watch.run();
}

class Watch {
  private status: WatchStatus | undefined;
  private failures = 0;
  /** Taking over (the watcher function): the state kept before this watch wrote any, once it has been read. */
  private previous: Promise<WatchStatus | undefined> | undefined;
  /**
   * The watch closed for a saved configuration, still open until the one that replaces it is (no gap in which
   * a change goes unwatched): its configuration, and what closes it.
   */
  private replaced: { readonly stored: StoredConfig; readonly close: () => Promise<void> } | undefined;
  readonly runs: NotificationRuns;
  private readonly synchronized: SynchronizedUserCheck;

  constructor(
    private readonly deps: WatchDependencies,
    private readonly timing: WatchTiming,
    private readonly signal: AbortSignal,
  ) {
    this.runs = new NotificationRuns(
      {
        clock: deps.clock,
        startRun: deps.startRun,
        ...(deps.readsChangesOf ? { readsChangesOf: deps.readsChangesOf } : {}),
        onStarted: (runId) => {
          this.update({ lastRunId: runId });
          deps.log({ level: 'info', message: 'watch: started a run for the changes notified', runId });
        },
        onStartFailed: (error) =>
          deps.log({ level: 'error', message: `watch: could not start a run: ${error.message}` }),
      },
      timing,
      signal,
    );
    this.synchronized = new SynchronizedUserCheck(deps.isSynchronizedUser, deps.clock);
  }

  async run(): Promise<void> {
    // Read before this watch keeps a state of its own, which would hide the one it takes over from.
    if (this.deps.takeOver) this.previous = this.deps.status?.getWatchStatus().catch(() => undefined);
    while (!this.signal.aborted) {
      let stored: StoredConfig | undefined;
      try {
        stored = await this.deps.configs.getConfig();
        if (!stored?.config.schedule.changeNotifications) {
          await this.closeReplaced();
          this.failures = 0;
          await this.enter({ state: 'off' });
          if (this.deps.exitWhenOff) break;
          await this.deps.clock.sleep(this.timing.checkMs, this.signal);
          continue;
        }
        await this.hold(stored);
      } catch (error) {
        await this.closeReplaced();
        if (this.signal.aborted) break;
        await this.fail(error, stored);
      }
    }
    await this.closeReplaced();
    await this.runs.settled();
  }

  /**
   * Opens the search with this configuration and holds it until it fails, the configuration changes, or stop.
   * Closed for a saved configuration, it stays open until the next opening (or its failure).
   */
  private async hold(stored: StoredConfig): Promise<Closed> {
    const { config } = stored;
    const replaced = this.replaced;
    let closed: Closed | undefined;
    await this.enter({ state: 'connecting' });
    const { username, password } = bindCredentials(
      config.connection,
      await this.deps.secrets.getPassword(stored.version),
    );
    const servers = await this.deps.directory.resolveServers(config.connection);
    const session = await this.deps.directory.connect(servers, config.connection);
    const stop = new AbortController();
    const onStop = () => stop.abort();
    this.signal.addEventListener('abort', onStop, { once: true });
    if (this.signal.aborted) stop.abort();
    try {
      await session.bind(username, password);
      const baseDn = baseDnOf(config, session);
      const namingContext = watchedNamingContext(session.rootDse, baseDn);
      const scopes = [baseDn, groupsBaseDnOf(config)].filter((dn): dn is string => dn !== undefined);
      let showDeleted = true;
      const watch = session.watchChanges(namingContext, (change) => this.consider(change, scopes), {
        showDeleted,
        onShowDeletedRefused: (error) => {
          showDeleted = false;
          this.showDeletedRefused(session.server, error);
        },
      });
      const handedOver = await this.handedOver();
      this.failures = 0;
      await this.enter({ state: 'watching', server: session.server, namingContext, showDeleted });
      await this.closeReplaced();
      // The changes made while no watch was open (at start, or before this reconnect): one run. A reopening for
      // a saved configuration was watched until now, by the watch it replaces.
      const caughtUp = handedOver || (replaced !== undefined && !catchesUpAfter(replaced.stored, stored));
      if (!caughtUp) this.runs.notice();
      closed = await Promise.race([
        watch.ended.then((): never => {
          throw new LdapError(`${session.server} ended the change notification search`);
        }),
        this.supervise(session, stored, stop.signal),
      ]);
      return closed;
    } finally {
      this.signal.removeEventListener('abort', onStop);
      stop.abort();
      if (closed === 'reconfigured') this.replaced = { stored, close: () => session.close() };
      else await session.close();
    }
  }

  /** Closes the watch a saved configuration replaced, once it is no longer needed. */
  private async closeReplaced(): Promise<void> {
    const replaced = this.replaced;
    this.replaced = undefined;
    await replaced?.close();
  }

  /**
   * A notified change: a run for it if it counts (relevanceOf); an OU or container outside the scopes too, said in
   * the log (it may have taken synchronized users out with it); a user outside the scopes only once its objectGUID
   * is found to be a synchronized user's. A lookup that fails counts the change: a run is the safe side (it finds
   * leavers itself), and the gap between runs bounds what that costs.
   */
  private consider(change: DirectoryChange, scopes: readonly string[]): void {
    const relevance = relevanceOf(change, scopes);
    const guid = change.objectGuid;
    if (relevance === 'ignored') return;
    if (relevance === 'container') {
      this.deps.log({
        level: 'info',
        message: `watch: organizational unit or container notified outside the scope (moved out, say): ${change.dn}`,
      });
      this.noticeChange();
      return;
    }
    if (relevance === 'counts' || guid === undefined) {
      this.noticeChange();
      return;
    }
    this.synchronized.isSynchronized(guid).then(
      (synchronized) => {
        if (!synchronized) return;
        this.deps.log({
          level: 'info',
          message: `watch: synchronized user ${guid} notified outside the scope (moved out, or deleted): ${change.dn}`,
        });
        this.noticeChange();
      },
      (error: unknown) => {
        this.deps.log({
          level: 'warn',
          message: `watch: could not tell whether ${guid} is a synchronized user (${errorOf(error).message}); counting its change`,
          ...(error instanceof AdSyncError ? {} : { error: error as Error }),
        });
        this.noticeChange();
      },
    );
  }

  private noticeChange(): void {
    // Kept with the next save (a run started, the heartbeat): not a write per change.
    this.update({ lastChangeAt: this.deps.clock.now().toISOString() }, false);
    this.runs.notice();
  }

  /** The DC refused the search with Show Deleted: watched without it (deletions start no run), and said so. */
  private showDeletedRefused(server: string, error: Error): void {
    this.deps.log({
      level: 'warn',
      message:
        `watch: ${server} refused deleted objects to the notification search (${errorOf(error).message}); watching ` +
        'without them: a deleted user leaves at the next run',
    });
    if (this.status?.state === 'watching') this.update({ showDeleted: false });
  }

  /**
   * Every `checkMs`: the configuration read again (a save reopens the watch), and the connection probed on the
   * same connection as the search (a DC that stopped answering fails the probe within the connection's timeout).
   */
  private async supervise(
    session: DirectorySession,
    stored: StoredConfig,
    signal: AbortSignal,
  ): Promise<Closed> {
    for (;;) {
      try {
        await this.deps.clock.sleep(this.timing.checkMs, signal);
      } catch {
        return 'stopped';
      }
      const now = await this.deps.configs.getConfig();
      if (now?.version !== stored.version || !now.config.schedule.changeNotifications) return 'reconfigured';
      await session.readSyncState();
      this.update({ checkedAt: this.deps.clock.now().toISOString() });
    }
  }

  /** Whether this first opening takes over from a live watch (the previous watcher function's). */
  private async handedOver(): Promise<boolean> {
    const previous = this.previous;
    // Only the first opening: a reopening follows a failure or a change of configuration, and catches up.
    this.previous = undefined;
    return isLiveWatch(await previous, this.deps.clock.now(), this.timing);
  }

  /** A failed attempt: told (status, log line), then the back-off before the next. */
  private async fail(error: unknown, stored: StoredConfig | undefined): Promise<void> {
    this.failures += 1;
    const delay = reconnectDelayMs(this.failures, this.timing);
    const retryAt = new Date(this.deps.clock.now().getTime() + delay).toISOString();
    await this.enter(
      {
        state: 'failing',
        error: errorOf(error),
        failures: this.failures,
        retryAt,
        ...(this.status?.server ? { server: this.status.server } : {}),
      },
      stored ? 'warn' : 'error',
      error instanceof AdSyncError ? undefined : (error as Error),
    );
    try {
      await this.deps.clock.sleep(delay, this.signal);
    } catch {
      // Stopped while waiting.
    }
  }

  /** Enters a state: kept (unless it is the one already kept, `off` again say) and logged. */
  private async enter(
    next: Omit<WatchStatus, 'since' | 'lastChangeAt' | 'lastRunId'>,
    level: WatchLogEntry['level'] = 'info',
    unexpected?: Error,
  ): Promise<void> {
    if (next.state === 'off' && this.status?.state === 'off') return;
    this.status = {
      ...next,
      since: this.deps.clock.now().toISOString(),
      ...(this.status?.lastChangeAt ? { lastChangeAt: this.status.lastChangeAt } : {}),
      ...(this.status?.lastRunId ? { lastRunId: this.status.lastRunId } : {}),
    };
    this.deps.log({
      level,
      message: messageOf(this.status),
      status: this.status,
      ...(unexpected ? { error: unexpected } : {}),
    });
    await this.save();
  }

  /** Notes a change, a run or a heartbeat on the state, and keeps it (unless `save` is false). */
  private update(
    facts: Pick<WatchStatus, 'lastChangeAt' | 'lastRunId' | 'checkedAt' | 'showDeleted'>,
    save = true,
  ): void {
    if (!this.status) return;
    this.status = { ...this.status, ...facts };
    if (save) void this.save();
  }

  private async save(): Promise<void> {
    if (!this.status) return;
    try {
      await this.deps.status?.saveWatchStatus(this.status);
    } catch (error) {
      this.deps.log({
        level: 'error',
        message: `watch: could not keep its state: ${errorOf(error).message}`,
      });
    }
  }
}

/** The log line of a state. */
function messageOf(status: WatchStatus): string {
  switch (status.state) {
    case 'off':
      return 'watch: off (schedule.changeNotifications is false, or nothing is configured)';
    case 'connecting':
      return 'watch: connecting';
    case 'watching':
      return `watch: watching ${status.namingContext} on ${status.server}`;
    case 'failing':
      return `watch: failing (${status.failures} in a row): ${status.error?.message}; retrying at ${status.retryAt}`;
  }
}
