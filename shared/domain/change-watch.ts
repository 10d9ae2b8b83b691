/**
 * The watch's decisions (docs/contract.md#changes-in-seconds), pure: which naming context to watch, which
 * notified changes start a run, when a burst of them has settled, how long to wait before reconnecting, and the
 * state the watch shows.
 */
import { isAtOrUnder, isDistinguishedName } from './distinguished-name';

/**
 * A change the DC notified: the object's DN (its new one after a move; a deleted object's tombstone DN,
 * `CN=<name>\0ADEL:<guid>,CN=Deleted Objects,<NC>`, where the DC notifies deletions) and its object classes, and
 * its objectGUID when the DC sent a readable one: a DN changes with a move, the GUID never does.
 */
export interface DirectoryChange {
  readonly dn: string;
  readonly objectClasses: readonly string[];
  readonly objectGuid?: string;
}

/**
 * `off`: changeNotifications is off (or nothing is configured). `connecting`: opening the search. `watching`:
 * the search is open. `failing`: the last attempt failed; the watch tries again at `retryAt`.
 */
export const WATCH_STATES = ['off', 'connecting', 'watching', 'failing'] as const;
export type WatchState = (typeof WATCH_STATES)[number];

/** The watch's state as the API shows it (GET /sync/runs `watch`) and its log lines say it. */
export interface WatchStatus {
  readonly state: WatchState;
  /** When the watch entered this state. */
  readonly since: string;
  /** The DC the search is open on (watching) or was last tried. */
  readonly server?: string;
  /** The naming context the search watches. */
  readonly namingContext?: string;
  /**
   * Watching: whether the search asks the DC for deleted objects too (the Show Deleted control), so that a
   * synchronized user's deletion can start a run where the DC shows its tombstone to the account; `false` when
   * the DC refused the control and the watch went on without it.
   */
  readonly showDeleted?: boolean;
  /** Failing: why the last attempt failed. */
  readonly error?: { readonly code: string; readonly message: string };
  /** Failing: attempts that failed in a row. */
  readonly failures?: number;
  /** Failing: when the watch tries again. */
  readonly retryAt?: string;
  /** The last change in scope the DC notified. */
  readonly lastChangeAt?: string;
  /** The last run the watch started. */
  readonly lastRunId?: string;
  /** Watching: when the connection last answered the watch's probe (every `checkMs`): its heartbeat. */
  readonly checkedAt?: string;
}

/**
 * Whether a kept state is a live watch's: watching, and its heartbeat within two probes. A watcher that
 * takes over from a live one (AWS) has nothing to catch up on.
 */
export const isLiveWatch = (status: WatchStatus | undefined, now: Date, timing: WatchTiming): boolean =>
  status?.state === 'watching' &&
  status.checkedAt !== undefined &&
  now.getTime() - Date.parse(status.checkedAt) <= 2 * timing.checkMs;

/** The watch's timing, in milliseconds. */
export interface WatchTiming {
  /** A burst has settled when no change came for this long... */
  readonly quietMs: number;
  /** ...or this long after its first change, whichever comes first (a change starts a run within it). */
  readonly maxDelayMs: number;
  /** The least time from the start of one of the watch's runs to the start of the next (MIN_RUN_GAP_MS)... */
  readonly minRunGapMs: number;
  /** ...doubled by each run the gap held back, up to this (MAX_RUN_GAP_MS): a storm's runs space out. */
  readonly maxRunGapMs: number;
  /** While another run holds the lock: how often the watch tries again to start its run. */
  readonly busyRetryMs: number;
  /** A start that failed otherwise (the table unreachable, say): when it is tried again. */
  readonly startRetryMs: number;
  /** How often the open watch probes its connection and re-reads the configuration. */
  readonly checkMs: number;
  /** The first wait before reconnecting; each failure in a row doubles it, up to `maxRetryMs`. */
  readonly firstRetryMs: number;
  readonly maxRetryMs: number;
}

/**
 * The watch starts its runs at least this far apart, start to start. Any in-scope user may change some of its
 * own attributes, and one doing so in a loop would otherwise keep runs going back to back (one per 1.5 s
 * burst). SPEC 8.4 wants a change's run within 2 s: a change after a quiet gap starts its run 0.5 s after it, and
 * one within 2 s of a run's start at the end of those 2 s (nextRunGap: unless a storm has widened the gap).
 */
export const MIN_RUN_GAP_MS = 2_000;

/**
 * Each run the gap held back (its changes had settled before the gap ended: changes are coming faster than
 * runs) doubles the gap, up to this; a run the gap did not hold back brings it back to MIN_RUN_GAP_MS. A storm
 * of changes thus costs runs 2, 4, 8, 16, then 30 s apart, while changes seconds apart keep the 2 s gap.
 */
export const MAX_RUN_GAP_MS = 30_000;

/** SPEC 8.4: a change starts a run within 2 seconds (after a quiet gap: MIN_RUN_GAP_MS). */
export const DEFAULT_WATCH_TIMING: WatchTiming = {
  quietMs: 500,
  maxDelayMs: 1500,
  minRunGapMs: MIN_RUN_GAP_MS,
  maxRunGapMs: MAX_RUN_GAP_MS,
  busyRetryMs: 1000,
  startRetryMs: 10_000,
  checkMs: 15_000,
  firstRetryMs: 1000,
  maxRetryMs: 60_000,
};

/**
 * The naming context to watch for a base DN: the one it is in (the longest naming context it is at or under),
 * since AD allows a subtree notification search only at a naming context's root; else the default one; else
 * the base DN itself.
 */
export function watchedNamingContext(
  rootDse: { readonly namingContexts: readonly string[]; readonly defaultNamingContext?: string },
  baseDn: string,
): string {
  const holding = rootDse.namingContexts
    .filter((nc) => isDistinguishedName(nc) && isAtOrUnder(baseDn, nc))
    .sort((a, b) => b.length - a.length)[0];
  return holding ?? rootDse.defaultNamingContext ?? baseDn;
}

/**
 * What a notified change is to the watch. `counts`: it starts a run. `container`: an organizational unit or plain
 * container outside the scopes, which starts a run too (it may have left the scope with synchronized users in
 * it). `ifSynchronized`: a user outside the scopes, which starts a run only when its objectGUID is that of a
 * synchronized user (one moved out of the base DN, or deleted where the DC notifies deletions: the run's leaver
 * detection removes it). `ignored`: nothing to run for.
 */
export type ChangeRelevance = 'counts' | 'container' | 'ifSynchronized' | 'ignored';

/** The classes of an OU or a plain container (lower case), which may hold users. */
const CONTAINER_CLASSES: readonly string[] = ['organizationalunit', 'container'];

/**
 * Whether these classes (lower case) are an OU's or a plain container's: one of CONTAINER_CLASSES and nothing
 * more specific than it (a GPO is a `groupPolicyContainer`, a subclass of `container`, and changes with each edit
 * of the policy: it holds no users, and is left out).
 */
const isPlainContainer = (classes: readonly string[]): boolean =>
  classes.some((c) => CONTAINER_CLASSES.includes(c)) &&
  classes.every((c) => c === 'top' || CONTAINER_CLASSES.includes(c));

/**
 * How a notified change matters to the sync. Only the objects a run reads, or that carry them, count: users (not
 * computers: users in AD's schema, whose logon and password times change often), groups, and organizational
 * units and plain containers (moved or renamed, they take their users with them); a notification of anything else
 * (a contact, an Exchange ActiveSync device under a user, a printer, a group policy) starts nothing, wherever it
 * is, or a production AD would start runs all day. A deletion is told with the tombstone's classes (AD keeps
 * objectClass on a tombstone; checked on Samba: a deleted user's carries `user`), so it is judged as the object
 * was. A change whose classes did not come (none readable) is judged by where it is, as it cannot be told apart.
 *
 * Of those: an object at or under one of `scopes` (the base DN, the groups' base DN), or a group anywhere (a
 * selected group of `filters.groups` may be outside both: its members are the scope), counts. A user outside the
 * scopes counts only if it is a synchronized user (`ifSynchronized`, asked of the user database by objectGUID):
 * any domain user may change some of its own attributes, and counting those would let any of them keep the sync
 * running back to back; one that is no synchronized user costs one lookup, then is remembered
 * (SynchronizedUserCheck). Without an objectGUID it cannot be asked about: ignored.
 *
 * An OU or plain container outside the scopes counts (`container`): moved or renamed out of the base DN, it takes
 * its users with it, and the DC notifies only the OU, with its new DN (checked on Samba: one entry, its classes
 * and objectGUID, none for the objects under it; Microsoft documents the same for AD), so nothing else tells the
 * watch that they left. The notification cannot tell an OU that left the scope from one that was always outside
 * (the search is at the naming context's root, and carries no old DN), and telling them apart would take a read
 * of every OU under the base DN at each opening and a set of GUIDs kept up to date; instead every OU or container
 * change outside counts. That is cheap: only administrators change OUs and containers (no user can, unlike its own
 * attributes), rarely, and a burst of them is one run, spaced out like any storm (nextRunGap).
 */
export function relevanceOf(change: DirectoryChange, scopes: readonly string[]): ChangeRelevance {
  const classes = change.objectClasses.map((c) => c.toLowerCase());
  if (classes.includes('computer')) return 'ignored';
  if (classes.includes('group')) return 'counts';
  const isUser = classes.includes('user');
  const isContainer = isPlainContainer(classes);
  if (classes.length > 0 && !isUser && !isContainer) return 'ignored';
  const inScope =
    isDistinguishedName(change.dn) &&
    scopes.some((scope) => isDistinguishedName(scope) && isAtOrUnder(change.dn, scope));
  if (inScope) return 'counts';
  if (isContainer) return 'container';
  return isUser && change.objectGuid !== undefined ? 'ifSynchronized' : 'ignored';
}

/** Changes notified and not yet run: when the first and the last came, and the earliest time to start. */
export interface PendingChanges {
  readonly firstAt: number;
  readonly lastAt: number;
  readonly notBefore: number;
}

/** One more change: the burst goes on (or starts). */
export const withChangeAt = (pending: PendingChanges | undefined, at: number): PendingChanges =>
  pending ? { ...pending, lastAt: at } : { firstAt: at, lastAt: at, notBefore: at };

/** The watch's last run: when it started, and the gap the next one keeps from that start. */
export interface LastRun {
  readonly startedAt: number;
  readonly gapMs: number;
}

/** When the burst has settled: no change for `quietMs`, or `maxDelayMs` after its first change. */
const settledAt = (pending: PendingChanges, timing: WatchTiming): number =>
  Math.min(pending.lastAt + timing.quietMs, pending.firstAt + timing.maxDelayMs);

/**
 * The gap these changes keep from the last run's start: its widened gap only while a storm goes on (their first
 * change came within the least gap of that start); otherwise the least gap, so a change after a storm, or seconds
 * after the last run, has its run within 2 s whatever the gap had grown to.
 */
const gapBefore = (pending: PendingChanges, timing: WatchTiming, last: LastRun): number =>
  pending.firstAt < last.startedAt + timing.minRunGapMs ? last.gapMs : timing.minRunGapMs;

/**
 * When the pending changes' run starts: the burst has settled, not before `notBefore`, and not before the gap
 * since the start of the watch's last run (if it started one) has passed.
 */
export const runDueAt = (pending: PendingChanges, timing: WatchTiming, last?: LastRun): number =>
  Math.max(
    pending.notBefore,
    last === undefined ? Number.NEGATIVE_INFINITY : last.startedAt + gapBefore(pending, timing, last),
    settledAt(pending, timing),
  );

/**
 * The gap after a run that starts now for these changes: doubled (up to `maxRunGapMs`) when the gap held this
 * one back (its burst settled before the gap ended: changes come faster than runs), the least gap otherwise
 * (MIN_RUN_GAP_MS).
 */
export function nextRunGap(pending: PendingChanges, timing: WatchTiming, last?: LastRun): number {
  if (last === undefined) return timing.minRunGapMs;
  const gap = gapBefore(pending, timing, last);
  const heldBack = settledAt(pending, timing) < last.startedAt + gap;
  return heldBack ? Math.min(timing.maxRunGapMs, gap * 2) : timing.minRunGapMs;
}

/** The wait before the next attempt after `failures` failed attempts in a row (1 s, 2 s, 4 s ... 60 s). */
export const reconnectDelayMs = (failures: number, timing: WatchTiming): number =>
  Math.min(timing.maxRetryMs, timing.firstRetryMs * 2 ** Math.max(0, failures - 1));

/** A watch whose heartbeat is older than this is shown failing: its process or watcher function is gone. */
export const SILENT_AFTER_MS = 60_000;

/**
 * The kept state as readers are shown it: a `watching` state whose heartbeat (`checkedAt`, or `since` before the
 * first probe) is older than SILENT_AFTER_MS is `failing` (WatchSilent): nothing watches any more (the process
 * stopped, the watcher function was not started again), and saying `watching` would hide it.
 */
export function watchAsSeen(status: WatchStatus, now: Date): WatchStatus {
  if (status.state !== 'watching') return status;
  const heard = status.checkedAt ?? status.since;
  if (now.getTime() - Date.parse(heard) <= SILENT_AFTER_MS) return status;
  return {
    ...status,
    state: 'failing',
    error: { code: 'WatchSilent', message: `the watch has not been heard from since ${heard}` },
  };
}
