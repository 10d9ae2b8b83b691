/**
 * Whether a user the DC notified outside the scopes is a synchronized one (docs/contract.md#changes-in-seconds):
 * a user moved out of the base DN, or deleted where the DC notifies deletions, is notified with a DN outside the
 * scopes, and only its objectGUID tells it from any other domain user changing its own attributes.
 *
 * The cost an outsider can cause is bounded: one lookup (a query of the user database's objectGUID index) per
 * notified user object at most; a GUID found not synchronized is remembered for NOT_SYNCHRONIZED_FOR_MS, so a
 * user outside the scope changing its attributes in a loop costs one lookup a minute; lookups of one GUID under
 * way are shared; at most MAX_REMEMBERED GUIDs are remembered (the oldest forgotten first). A synchronized user is
 * not remembered: its run removes or suspends it, after which it is no longer one.
 */
import type { Clock } from '../ports/clock';
import type { UserGuidIndex, UserSyncState } from '../ports/user-store';

/** How long a GUID found not to be a synchronized user's is answered from memory. */
export const NOT_SYNCHRONIZED_FOR_MS = 60_000;
/** The most GUIDs remembered at once: a bound on memory however many users change outside the scope. */
export const MAX_REMEMBERED = 10_000;

/**
 * Whether a user of the database is one the sync keeps: a directory user with this objectGUID, not suspended
 * (a suspended one already left the scope; its grace period runs on its own).
 */
export const isSynchronized = (user: UserSyncState, objectGuid: string): boolean =>
  user.authentication === 'directoryServices' &&
  user.objectGuid?.toLowerCase() === objectGuid.toLowerCase() &&
  user.suspendedAt === undefined;

/**
 * The lookup the watch is given: the user database asked by objectGUID (its GSI), one GUID at a time, for the
 * users' sync state only (nothing else of a user reaches the watcher).
 */
export const synchronizedUserLookup =
  (users: UserGuidIndex) =>
  async (objectGuid: string): Promise<boolean> =>
    (await users.syncStatesByGuid(objectGuid)).some((user) => isSynchronized(user, objectGuid));

export class SynchronizedUserCheck {
  /** GUIDs found not synchronized, and until when (ms on the clock) that answer holds. */
  private readonly notSynchronized = new Map<string, number>();
  private readonly asking = new Map<string, Promise<boolean>>();

  constructor(
    private readonly lookup: (objectGuid: string) => Promise<boolean>,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  /** Whether `objectGuid` is a synchronized user's; rejects when the lookup fails (nothing is remembered then). */
  isSynchronized(objectGuid: string): Promise<boolean> {
    const guid = objectGuid.toLowerCase();
    const until = this.notSynchronized.get(guid);
    if (until !== undefined && until > this.clock.now().getTime()) return Promise.resolve(false);
    this.notSynchronized.delete(guid);
    const under = this.asking.get(guid);
    if (under !== undefined) return under;
    const asked = this.lookup(guid)
      .then((found) => {
        if (!found) this.remember(guid);
        return found;
      })
      .finally(() => this.asking.delete(guid));
    this.asking.set(guid, asked);
    return asked;
  }

  private remember(guid: string): void {
    if (this.notSynchronized.size >= MAX_REMEMBERED) {
      const oldest = this.notSynchronized.keys().next().value;
      if (oldest !== undefined) this.notSynchronized.delete(oldest);
    }
    this.notSynchronized.set(guid, this.clock.now().getTime() + NOT_SYNCHRONIZED_FOR_MS);
  }
}
