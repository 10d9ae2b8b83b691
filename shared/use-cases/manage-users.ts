/**
 * The application's user management (docs/contract.md#http-api): listing users, and adding and removing local
 * (manual) users. Directory users belong to the sync. A local password is kept only as a slow salted hash
 * (the PasswordHasher's).
 */
import type { Config } from '../config/config-schema';
import { type PublicUser, toPublicUser, type User } from '../domain/user';
import { NotFoundError } from '../errors';
import type { PasswordHasher } from '../ports/password-hasher';
import type { UserAdministration } from '../ports/user-administration';

const PAGE_SIZE = 100;

export async function listUsers(
  users: UserAdministration,
  cursor?: string,
): Promise<{ users: PublicUser[]; cursor?: string }> {
  const page = await users.listUsersPage(PAGE_SIZE, cursor);
  return { users: page.users.map(toPublicUser), ...(page.cursor ? { cursor: page.cursor } : {}) };
}

export async function getUser(users: UserAdministration, userName: string): Promise<PublicUser> {
  const user = await users.getUser(userName);
  if (!user) throw new NotFoundError(`there is no user named ${userName}`);
  return toPublicUser(user);
}

export interface NewLocalUser {
  readonly userName: string;
  readonly fullName?: string;
  readonly emailAddresses?: readonly string[];
  readonly password?: string;
}

export interface LocalUserDependencies {
  readonly users: UserAdministration;
  /** Makes the stored hash of a new user's password. */
  readonly hasher: PasswordHasher;
}

/** Adds a local user with the default privileges; ConcurrentModificationError (409) when the name is taken. */
export async function createLocalUser(
  { users, hasher }: LocalUserDependencies,
  defaults: Config['defaultPrivileges'],
  request: NewLocalUser,
  now = new Date().toISOString(),
): Promise<PublicUser> {
  const user: User = {
    userName: request.userName,
    fullName: request.fullName ?? request.userName,
    emailAddresses: [...new Set((request.emailAddresses ?? []).map((a) => a.toLowerCase()))],
    authentication: 'local',
    privileges: defaults.privileges,
    ownArchiveAccess: defaults.ownArchiveAccess,
    createdAt: now,
    updatedAt: now,
  };
  await users.createUser(
    user,
    request.password === undefined ? undefined : await hasher.hash(request.password),
  );
  return toPublicUser(user);
}

export const deleteLocalUser = (users: UserAdministration, userName: string): Promise<void> =>
  users.deleteLocalUser(userName);
