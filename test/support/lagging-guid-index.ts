/**
 * The objectGUID index as DynamoDB on AWS answers it: eventually consistent (a global secondary index cannot
 * be read consistently), so a lookup by objectGUID moments after a write may find the user as it was before
 * (an old name or DN) or not at all. Neither DynamoDB Local's indexes nor the in-memory store ever lag; this
 * one, put in place of a store's findUsers, does: a lookup by name still reads the store as it is now (as
 * BatchGetItem with ConsistentRead does), a lookup by objectGUID answers from the users as they were when the
 * index last caught up. An item found both ways is the index's, as in DynamoUserStore.findUsers.
 */
import type { User } from '../../shared/domain/user';
import type { UserStore } from '../../shared/ports/user-store';

export interface LaggingGuidIndex {
  /** The objectGUIDs of each lookup by objectGUID, in order. */
  readonly guidLookups: string[][];
  /** The names of each lookup by name, in order. */
  readonly nameLookups: string[][];
  /** The index catches up with these users (the database as it is now), and answers so until the next. */
  catchUp(users: readonly User[]): void;
  /** The store's own findUsers again. */
  restore(): void;
}

const key = (userName: string): string => userName.toLowerCase();

/** Puts a lagging index in place of `store`'s findUsers; it has caught up with `users`. */
export function lagGuidIndex(store: Pick<UserStore, 'findUsers'>, users: readonly User[]): LaggingGuidIndex {
  const own = store.findUsers;
  let indexed = new Map<string, User[]>();
  const guidLookups: string[][] = [];
  const nameLookups: string[][] = [];
  const catchUp = (now: readonly User[]): void => {
    indexed = new Map();
    for (const user of now) {
      if (!user.objectGuid) continue;
      indexed.set(user.objectGuid, [...(indexed.get(user.objectGuid) ?? []), user]);
    }
  };
  catchUp(users);
  store.findUsers = async (guids, userNames) => {
    if (guids.length > 0) guidLookups.push([...guids]);
    if (userNames.length > 0) nameLookups.push([...userNames]);
    const found = new Map<string, User>();
    if (userNames.length > 0)
      for (const user of await own.call(store, [], userNames)) found.set(key(user.userName), user);
    for (const guid of guids) for (const user of indexed.get(guid) ?? []) found.set(key(user.userName), user);
    return [...found.values()];
  };
  return {
    guidLookups,
    nameLookups,
    catchUp,
    restore: () => {
      store.findUsers = own;
    },
  };
}
