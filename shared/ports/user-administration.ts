import type { User } from '../domain/user';

/** The application's user database as the admin routes manage it: list and read users, add and remove local ones. */
export interface UserAdministration {
  getUser(userName: string): Promise<User | undefined>;
  /** One page of users in user-name order; `cursor` continues where the previous page ended. */
  listUsersPage(limit: number, cursor?: string): Promise<{ users: User[]; cursor?: string }>;
  /** Deletes a local user and its password hash; throws NotFoundError, or UserKindError for a directory user. */
  deleteLocalUser(userName: string): Promise<void>;
  /**
   * Adds a user, with the password hash of a local user (kept apart from the user: never read back by the
   * store); throws ConcurrentModificationError when the name (case-insensitive) is taken.
   */
  createUser(user: User, passwordHash?: string): Promise<void>;
}
