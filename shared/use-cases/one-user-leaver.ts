/**
 * Where a user went that the directory no longer has under the base DN by the name asked for
 * (docs/contract.md#synchronize-one-user). A full run finds such a user among its leavers: its objectGUID is no
 * longer returned, because it was deleted, moved out of the base DN, or is no longer readable. A one-user run
 * asks the user database for the name instead, and the directory for that user's objectGUID anywhere in the
 * domain:
 *
 *   the database's directory user the name designates (by user name, a userPrincipalName recorded on it, or
 *   objectGUID; a DN only while an object has it) -> its objectGUID in the domain -> under the base DN: renamed
 *   (the entry is planned as a full read plans it); elsewhere: moved out; nowhere: gone.
 *
 * A name nobody has costs one directory search and one small database read: the objectGUID is searched only for
 * a directory user the database holds. Local users are never looked for: the sync never touches them.
 */
import type { Config } from '../config/config-schema';
import { isAtOrUnder } from '../domain/distinguished-name';
import { graceEndsAt, planDeletes } from '../domain/plan-deletes';
import type { RemovalChange } from '../domain/plan-sync';
import type { DirectoryEntry, User } from '../domain/user';
import type { UserLookup } from '../domain/user-lookup';
import { AmbiguousNameError } from '../errors';
import type { DirectorySession, RootDse } from '../ports/directory-reader';
import type { UserStore } from '../ports/user-store';

/** What became of a database user the name designates: renamed in the scope, moved out of it, or gone. */
export type Whereabouts =
  | { readonly kind: 'renamed'; readonly entry: DirectoryEntry }
  | { readonly kind: 'movedOut'; readonly entry: DirectoryEntry; readonly user: User }
  | { readonly kind: 'gone'; readonly user: User };

/**
 * Where the database's directory user that the name designates is now, or undefined when the database holds no
 * such directory user (none at all, or a local one). Throws AmbiguousNameError when the name designates several.
 */
export async function findWhereabouts(
  session: DirectorySession,
  users: Pick<UserStore, 'findUsers'>,
  baseDn: string,
  lookup: UserLookup,
): Promise<Whereabouts | undefined> {
  if (lookup.kind === 'distinguishedName') return movedOutByDn(session, users, baseDn, lookup);
  const [user, ...others] = (await databaseUsersNamed(users, lookup)).filter(isDirectoryUser);
  if (!user) return undefined;
  if (others.length > 0) {
    throw new AmbiguousNameError(
      `the name designates ${others.length + 1} users of the user database (one's user name is another's ` +
        'userPrincipalName): ask by objectGUID',
      [user, ...others].map((u) => u.distinguishedName ?? u.userName),
    );
  }
  const [entry] = await session.readUsersByGuid(domainOf(session.rootDse, baseDn), [
    user.objectGuid as string,
  ]);
  if (!entry) return { kind: 'gone', user };
  return isAtOrUnder(entry.distinguishedName, baseDn)
    ? { kind: 'renamed', entry }
    : { kind: 'movedOut', entry, user };
}

/**
 * The database users a name designates: by objectGUID; else by user name, or by the userPrincipalName recorded
 * on a user whose name is the UPN's part before `@` (the usual sAMAccountName), in one read of at most two keys.
 */
async function databaseUsersNamed(
  users: Pick<UserStore, 'findUsers'>,
  lookup: Exclude<UserLookup, { kind: 'distinguishedName' }>,
): Promise<User[]> {
  if (lookup.kind === 'objectGuid') {
    return (await users.findUsers([lookup.objectGuid], [])).filter(
      (u) => u.objectGuid?.toLowerCase() === lookup.objectGuid,
    );
  }
  const name = lookup.name.toLowerCase();
  const at = name.lastIndexOf('@');
  const names = at > 0 ? [name, name.slice(0, at)] : [name];
  return (await users.findUsers([], names)).filter(
    (u) => u.userName.toLowerCase() === name || u.userPrincipalName?.toLowerCase() === name,
  );
}

/**
 * A DN outside the base DN that is a user object now: the database's directory user with its objectGUID moved
 * out of the scope. The database has no index by DN, so a DN no object has any more finds nothing. A DN outside
 * the domain is not read (no user of the scope can be there, and its DC would answer with a referral).
 */
async function movedOutByDn(
  session: DirectorySession,
  users: Pick<UserStore, 'findUsers'>,
  baseDn: string,
  lookup: Extract<UserLookup, { kind: 'distinguishedName' }>,
): Promise<Whereabouts | undefined> {
  const dn = lookup.distinguishedName;
  if (isAtOrUnder(dn, baseDn) || !isAtOrUnder(dn, domainOf(session.rootDse, baseDn))) return undefined;
  const [entry] = await session.findUserEntries(baseDn, lookup);
  if (!entry) return undefined;
  // The DC resolves other spellings of a DN (an OID for an attribute type, say): what it read decides.
  if (isAtOrUnder(entry.distinguishedName, baseDn)) return { kind: 'renamed', entry };
  const user = (await users.findUsers([entry.objectGuid], [])).find(
    (u) => isDirectoryUser(u) && u.objectGuid === entry.objectGuid,
  );
  return user ? { kind: 'movedOut', entry, user } : undefined;
}

const isDirectoryUser = (user: User): boolean =>
  user.authentication === 'directoryServices' && user.objectGuid !== undefined;

/**
 * The naming context to search an objectGUID in: the one the base DN lies in (the longest that holds it), else
 * the domain's, else the base DN itself. Only that domain's users can be in the scope.
 */
export function domainOf(rootDse: RootDse, baseDn: string): string {
  const holding = rootDse.namingContexts
    .filter((nc) => isAtOrUnder(baseDn, nc))
    .sort((a, b) => b.length - a.length);
  return holding[0] ?? rootDse.defaultNamingContext ?? baseDn;
}

/** What a one-user run decides for a database user that left the scope: its removal, or nothing, and why. */
export interface RemovalVerdict {
  readonly plannedAction: 'delete' | 'suspend' | 'none';
  readonly change?: RemovalChange;
  readonly reason: string;
}

/**
 * The removal a run's sweep plans for this directory user (planDeletes: `deleteUsers`, the grace period), `why`
 * it left the scope; the deletion threshold is the caller's (a one-user sync's), so this one delete is let
 * through it here.
 */
export function planRemoval(config: Config, user: User, now: Date, why: string): RemovalVerdict {
  const decision = planDeletes({
    candidates: [{ user, reason: why }],
    options: config.options,
    population: 1,
    approvedDeletes: 1,
    now,
  });
  const [removal] = decision.apply;
  if (removal) return { plannedAction: removal.action, change: removal, reason: removal.reason ?? why };
  if (!config.options.deleteUsers) {
    return {
      plannedAction: 'none',
      reason: `${why}; deleteUsers is off, so the sync leaves the user as it is`,
    };
  }
  return {
    plannedAction: 'none',
    reason:
      `${why}; suspended since ${user.suspendedAt}, deleted by the first sync after the grace period ends ` +
      `(${graceEndsAt(user, config.options)})`,
  };
}
