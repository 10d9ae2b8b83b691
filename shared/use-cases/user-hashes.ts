/**
 * The 16-byte hashes a run's ledgers hold (GuidLedger) instead of the database's users: a name, compared
 * case-insensitively, and a user's maintained fields (equal hashes: nothing to update).
 */
import { createHash } from 'node:crypto';
import { canonical } from '../domain/attribute-mapping';
import type { MappedUser, User } from '../domain/user';

/** The size of fieldsHash's value, for a ledger's values. */
export const HASH_BYTES = 16;

/** A user name as 16 bytes (for a GuidLedger): names compare case-insensitively. */
export const nameHash = (userName: string): string =>
  createHash('md5').update(userName.toLowerCase()).digest('hex');

/** The maintained fields (those changedFields compares) as 16 bytes: equal hashes, nothing to update. */
export const fieldsHash = (user: MappedUser | User): Buffer =>
  createHash('md5')
    .update(
      JSON.stringify([
        user.userName,
        user.fullName,
        user.emailAddresses,
        user.distinguishedName ?? '',
        user.userPrincipalName ?? '',
        user.objectGuid ?? '',
        canonical(user.attributes ?? {}),
      ]),
    )
    .digest();
