/**
 * A user as the table stores it: the User, its keys (keys.ts) and a version that every conditional write of
 * the user checks and bumps.
 */
import type { User } from '../../domain/user';
import type { Item } from './documents';
import { userIndexKeys, userKey } from './keys';
import { withoutKeys } from './table';

/** A stored user: the User plus its version (for conditional writes). */
export interface UserItem extends User {
  readonly version: number;
}

export function toUserItem(user: User, version: number): Item {
  return { ...userKey(user.userName), ...userIndexKeys(user.userName, user.objectGuid), ...user, version };
}

export function fromUserItem(item: Item): UserItem {
  // Users written before hashes had items of their own may still carry one: it is never returned.
  const { passwordHash: _p, ...user } = withoutKeys(item);
  return user as unknown as UserItem;
}
