/**
 * The application's user management (docs/contract.md#http-api): listing users, and adding and removing local
 * (manual) users. Directory users belong to the sync. A local password is kept only as a slow salted hash.
 */
import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config/config-schema';
import { type PublicUser, toPublicUser, type User } from '../domain/user';
import { NotFoundError } from '../errors';
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

/** Adds a local user with the default privileges; ConcurrentModificationError (409) when the name is taken. */
export async function createLocalUser(
  users: UserAdministration,
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
    request.password === undefined ? undefined : await hashPassword(request.password),
  );
  return toPublicUser(user);
}

export const deleteLocalUser = (users: UserAdministration, userName: string): Promise<void> =>
  users.deleteLocalUser(userName);

// scrypt with OWASP's minimum for interactive logins (N=2^17, r=8, p=1), a 16-byte salt and a 32-byte key.
const SCRYPT: ScryptOptions = { N: 2 ** 17, r: 8, p: 1, maxmem: 256 * 1024 * 1024 };

const derive = (password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, 32, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });

/**
 * A hash of nobody's password, with the parameters of real ones (a random salt and key, made at start):
 * checking a password against it costs what checking a stored hash costs, and never succeeds. A logon of
 * an unknown user checks it, so that a refusal takes about as long whoever it refuses.
 */
export const UNMATCHABLE_HASH = [
  'scrypt',
  SCRYPT.N,
  SCRYPT.r,
  SCRYPT.p,
  randomBytes(16).toString('base64url'),
  randomBytes(32).toString('base64url'),
].join('$');

/** `scrypt$N$r$p$salt$key`, base64url parts. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, SCRYPT);
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64url'), key.toString('base64url')].join(
    '$',
  );
}

export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = hash.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return false;
  const expected = Buffer.from(key, 'base64url');
  const actual = await derive(password, Buffer.from(salt, 'base64url'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT.maxmem ?? 0,
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
