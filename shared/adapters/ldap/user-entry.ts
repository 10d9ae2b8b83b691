/**
 * LDAP search entries (as ldapts returns them) turned into the values the sync uses: a user entry into a
 * DirectoryEntry, an objectGUID into its string form. ldapts gives a single value as a string, several as
 * an array, and a requested but absent attribute as `[]`.
 */
import type { Entry } from 'ldapts';
import type { DirectoryEntry } from '../../domain/user';
import { PartialReadError } from '../../errors';
import { formatObjectGuid } from './object-guid';

/** The first value of an attribute as text, or undefined when it is absent or empty. */
export const single = (value: unknown): string | undefined => {
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined || first === null) return undefined;
  const text = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  return text === '' ? undefined : text;
};

/** Every value of an attribute as text. */
export const many = (value: unknown): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).map((v) =>
    Buffer.isBuffer(v) ? v.toString('utf8') : String(v),
  );

export function guidOf(entry: Entry): string {
  const value = Array.isArray(entry.objectGUID) ? entry.objectGUID[0] : entry.objectGUID;
  if (!Buffer.isBuffer(value) || value.length !== 16) {
    throw new PartialReadError(`${entry.dn} was returned without a readable objectGUID`);
  }
  return formatObjectGuid(value);
}

/** What the conversion needs besides the entry. */
export interface UserEntryContext {
  /** All proxyAddresses, when the search returned them ranged and they were read separately. */
  readonly proxyAddresses?: readonly string[];
}

/** A user entry of the search as a DirectoryEntry; an entry the sync cannot rely on throws. */
export function toDirectoryEntry(entry: Entry, context: UserEntryContext = {}): DirectoryEntry {
  const sAMAccountName = single(entry.sAMAccountName);
  if (!sAMAccountName) throw new PartialReadError(`${entry.dn} has no sAMAccountName`);
  const userPrincipalName = single(entry.userPrincipalName);
  const displayName = single(entry.displayName);
  const cn = single(entry.cn);
  const mail = single(entry.mail);
  return {
    objectGuid: guidOf(entry),
    distinguishedName: entry.dn,
    sAMAccountName,
    ...(userPrincipalName ? { userPrincipalName } : {}),
    ...(displayName ? { displayName } : {}),
    ...(cn ? { cn } : {}),
    ...(mail ? { mail } : {}),
    proxyAddresses: context.proxyAddresses ? [...context.proxyAddresses] : many(entry.proxyAddresses),
    userAccountControl: Number(single(entry.userAccountControl) ?? 0),
    hiddenFromAddressLists: single(entry.msExchHideFromAddressLists)?.toUpperCase() === 'TRUE',
  };
}
