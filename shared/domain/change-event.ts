/**
 * Change events (docs/contract.md#change-events): one document per change a sync committed to the user
 * database, built by one pure function from what was committed: the user as the write left it (or, for a
 * delete, as it was last), and the mark the sync wrote with it (`lastChange`: which run, which kind of change,
 * which fields). Both deliveries use it: the EventBridge pipe's enrichment in AWS and the webhook relay of the
 * local stack, each from the table's stream. Nothing here reads or writes anything.
 */
import { type Group, type GroupField, toPublicGroup } from './group';
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

/** The document of a change event: a user's (SPEC 7.4) or a group's (SPEC 8.2). */
export type ChangeEvent = UserChangeEvent | GroupChangeEvent;

/** The document of a user's change event (SPEC 7.4). */
export interface UserChangeEvent {
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
export function changeEventOf(write: CommittedUserWrite): UserChangeEvent | undefined {
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

/** The kinds of change a sync commits to a group, and their event types. */
export const GROUP_EVENT_TYPES = {
  create: 'group.created',
  update: 'group.updated',
  delete: 'group.deleted',
} as const satisfies Partial<Record<ChangeKind, string>>;
export type GroupChangeKind = keyof typeof GROUP_EVENT_TYPES;

/** The mark a sync writes on a group item with each change (the store's attribute `lastChange`). */
export interface GroupLastChange {
  readonly runId: string;
  readonly kind: GroupChangeKind;
  readonly changedFields: readonly GroupField[];
  /** objectGUIDs of the direct members that joined / left (at most MAX_LISTED_MEMBERS each). */
  readonly membersAdded: readonly string[];
  readonly membersRemoved: readonly string[];
  /** Set when more members joined or left than a mark lists. */
  readonly membersTruncated?: boolean;
  readonly at: string;
  readonly version: number;
}

/** At most this many objectGUIDs of joined and left members in one mark: an event stays under 256 KB. */
export const MAX_LISTED_MEMBERS = 1000;

/** The document of a group's change event (SPEC 8.2). */
export interface GroupChangeEvent {
  /** `<runId>:<objectGuid>:<version>`, as a user's. */
  readonly id: string;
  readonly type: (typeof GROUP_EVENT_TYPES)[GroupChangeKind];
  readonly time: string;
  readonly runId: string;
  /** The group's name (sAMAccountName). */
  readonly name: string;
  readonly objectGuid: string;
  readonly changedFields: readonly GroupField[];
  readonly membersAdded: readonly string[];
  readonly membersRemoved: readonly string[];
  readonly membersTruncated?: boolean;
  /** The group after the change; for `group.deleted`, as it was last. */
  readonly group: Group;
}

/** A committed write of a group item: the group it left (or removed), with its version and mark. */
export interface CommittedGroupWrite {
  readonly removed: boolean;
  readonly group: Group;
  readonly version: number;
  readonly lastChange: GroupLastChange | undefined;
}

/** The event of a committed group write, or undefined when it is none (see changeEventOf, the same rules). */
export function groupChangeEventOf(write: CommittedGroupWrite): GroupChangeEvent | undefined {
  const { lastChange: change, group } = write;
  if (!change || change.version !== write.version) return undefined;
  if (write.removed !== (change.kind === 'delete')) return undefined;
  return {
    id: `${change.runId}:${group.objectGuid}:${change.version}`,
    type: GROUP_EVENT_TYPES[change.kind],
    time: change.at,
    runId: change.runId,
    name: group.name,
    objectGuid: group.objectGuid,
    changedFields: change.changedFields,
    membersAdded: change.membersAdded,
    membersRemoved: change.membersRemoved,
    ...(change.membersTruncated ? { membersTruncated: true } : {}),
    group: toPublicGroup(group),
  };
}
