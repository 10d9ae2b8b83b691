/**
 * Change events (docs/contract.md#change-events): one document per change a sync committed to the user
 * database, built by one pure function from what was committed: the user as the write left it (or, for a
 * delete, as it was last), and the mark the sync wrote with it (`lastChange`: which run, which kind of change,
 * which fields). Both deliveries use it: the EventBridge pipe's enrichment in AWS and the webhook relay of the
 * local stack, each from the table's stream. Nothing here reads or writes anything.
 */
import type { UserField } from './plan-sync';
import { type PublicUser, toPublicUser, type User } from './user';

/** The kinds of change a sync commits to a user. */
export const CHANGE_KINDS = ['create', 'update', 'delete', 'suspend', 'restore'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export const EVENT_TYPES = {
  create: 'user.created',
  update: 'user.updated',
  delete: 'user.deleted',
  suspend: 'user.suspended',
  restore: 'user.restored',
} as const satisfies Record<ChangeKind, string>;
export type ChangeEventType = (typeof EVENT_TYPES)[ChangeKind];

/**
 * The mark a sync writes on a user item with each change (the store's attribute `lastChange`). A delete is
 * marked on the item first and then removed, so that the removal carries the run that made it.
 */
export interface LastChange {
  readonly runId: string;
  readonly kind: ChangeKind;
  /** The maintained fields the change set (a create: every field it wrote; a delete: none). */
  readonly changedFields: readonly UserField[];
  /** When the change was written (the time of the event). */
  readonly at: string;
  /**
   * The version of the item the change wrote. A later write of the item that is not a sync's change (one that
   * kept the attribute it found) leaves another version under the same mark, and is no event.
   */
  readonly version: number;
}

/** The document of a change event (SPEC 7.4). */
export interface ChangeEvent {
  /** `<runId>:<objectGuid>:<version>`: the same change always has the same id, another change another one. */
  readonly id: string;
  readonly type: ChangeEventType;
  readonly time: string;
  readonly runId: string;
  readonly userName: string;
  readonly objectGuid: string;
  readonly changedFields: readonly UserField[];
  /** The user after the change; for `user.deleted`, as it was last. */
  readonly user: PublicUser;
}

/** A committed write of a user item: the user it left (or removed), with its version and mark. */
export interface CommittedUserWrite {
  /** True when the write removed the item (`user` is then the removed item). */
  readonly removed: boolean;
  readonly user: User;
  readonly version: number;
  /** The mark on the item the write left (on the removed item, for a removal). */
  readonly lastChange: LastChange | undefined;
}

/**
 * The event of a committed write, or undefined when the write is not a sync's change: a write without a mark
 * (a local user added through the API), a write of another version than its mark's (it kept the mark it
 * found), the mark before a delete (the removal is the event), the removal of an item that was not marked for
 * deletion (the old key of a rename: the new key's write is the event), or a user without an objectGUID.
 */
export function changeEventOf(write: CommittedUserWrite): ChangeEvent | undefined {
  const { lastChange: change, user } = write;
  if (!change || !user.objectGuid || change.version !== write.version) return undefined;
  if (write.removed !== (change.kind === 'delete')) return undefined;
  return {
    id: `${change.runId}:${user.objectGuid}:${change.version}`,
    type: EVENT_TYPES[change.kind],
    time: change.at,
    runId: change.runId,
    userName: user.userName,
    objectGuid: user.objectGuid,
    changedFields: change.changedFields,
    user: toPublicUser(user),
  };
}
