/**
 * The decisions of a logon (POST /logon, docs/contract.md#logon) that need no I/O: how a user's password is
 * checked, and why a logon is refused. Every refusal gets the same answer; the reason is for the log only.
 */
import { effectivePrivilegesOf } from './privilege-rules';
import type { User } from './user';

/** Why a domain controller refused a bind (Active Directory's sub-code of invalidCredentials, LDAP 49). */
export const BIND_REFUSALS = [
  'wrongPassword',
  'unknownUser',
  'logonHoursRestricted',
  'workstationRestricted',
  'passwordExpired',
  'accountDisabled',
  'accountExpired',
  'passwordMustChange',
  'accountLockedOut',
  'invalidCredentials',
] as const;
export type BindRefusal = (typeof BIND_REFUSALS)[number];

/** Why a logon was refused: a reason decided before any password check, or the check's own. */
export type LogonRefusal =
  /** No user of that name in the user database (a directory user out of the sync's scope is not there). */
  | 'unknownUser'
  | 'noLoginPrivilege'
  /** A directory user suspended instead of deleted, waiting out the grace period. */
  | 'suspended'
  /** An empty simple bind is an anonymous bind in LDAP: it is never sent. */
  | 'emptyPassword'
  /** A directory user recorded with neither a userPrincipalName nor a distinguished name to bind as. */
  | 'noDirectoryName'
  /** A local user created without a password. */
  | 'noPasswordSet'
  /** The directory has no account with the user's objectGUID any more (deleted since the last sync). */
  | 'notInDirectory'
  /** The DC accepted the password of another account than the user's (a name reused since the sync). */
  | 'anotherAccount'
  | BindRefusal;

/** How a logon's password is checked, decided from the user alone. */
export type CredentialCheck =
  /** A local user: against the stored hash. */
  | { readonly by: 'localHash' }
  /** A directory user: a simple bind as the user, by userPrincipalName, else distinguished name. */
  | { readonly by: 'directoryBind'; readonly bindName: string }
  /** Refused whatever the password. */
  | { readonly by: 'nothing'; readonly reason: LogonRefusal };

/**
 * How to check the password of a logon as `user` (undefined: nobody has that name). Only a user who holds
 * the `login` privilege (its own or a group's) is checked at all, and an empty password never is.
 */
export function credentialCheckOf(user: User | undefined, password: string): CredentialCheck {
  if (!user) return { by: 'nothing', reason: 'unknownUser' };
  // The privileges an administrator set and those a group's rule gives count alike (effectivePrivileges).
  if (!effectivePrivilegesOf(user).includes('login')) return { by: 'nothing', reason: 'noLoginPrivilege' };
  if (user.suspendedAt) return { by: 'nothing', reason: 'suspended' };
  if (password === '') return { by: 'nothing', reason: 'emptyPassword' };
  if (user.authentication === 'local') return { by: 'localHash' };
  const bindName = user.userPrincipalName || user.distinguishedName;
  if (!bindName) return { by: 'nothing', reason: 'noDirectoryName' };
  return { by: 'directoryBind', bindName };
}
