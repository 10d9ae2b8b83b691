/**
 * A user as the table stores it: the User, its keys (keys.ts), a version that every conditional write of
 * the user checks and bumps, and the mark of the sync's last change to it (`lastChange`, which the change
 * events are made of; never part of the User).
 */
import type { LastChange } from '../../domain/change-event';
import type { User } from '../../domain/user';
import type { UserSyncState } from '../../ports/user-store';
import type { Item } from './documents';
import { userIndexKeys, userKey } from './keys';
import { withoutKeys } from './table';

/** A stored user: the User plus its version (for conditional writes). */
export interface UserItem extends User {
  readonly version: number;
}

export function toUserItem(user: User, version: number, lastChange?: LastChange): Item {
  return {
    ...userKey(user.userName),
    ...userIndexKeys(user.userName, user.objectGuid),
    ...user,
    version,
    ...(lastChange ? { lastChange } : {}),
  };
}

export function fromUserItem(item: Item): UserItem {
  // Users written before hashes had items of their own may still carry one: it is never returned.
  const { passwordHash: _p, lastChange: _c, ...user } = withoutKeys(item);
  return user as unknown as UserItem;
}

/** The mark of the sync's last change on a stored user item, if it has one. */
export function lastChangeOf(item: Item): LastChange | undefined {
  return item.lastChange as LastChange | undefined;
}

/** Every field of a UserSyncState, once: a field added to the type must be added here (and so to the grant). */
const SYNC_STATE_FIELDS: Readonly<Record<keyof UserSyncState, true>> = {
  authentication: true,
  objectGuid: true,
  suspendedAt: true,
};

/**
 * The attributes of a user item that a sync-state query asks for (DynamoUserStore.syncStatesByGuid), and all the
 * watcher's role may read of a user (cdk/watcher.ts: `dynamodb:Attributes`).
 */
export const USER_SYNC_STATE_ATTRIBUTES = Object.keys(SYNC_STATE_FIELDS) as readonly (keyof UserSyncState)[];
