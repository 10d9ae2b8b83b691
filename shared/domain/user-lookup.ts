/**
 * How `GET /directory/users/{name}` reads one user: the name an administrator typed, parsed strictly into
 * one of the lookups a directory can answer with a single base-scope or indexed search. Pure.
 */
import { isDistinguishedName } from './distinguished-name';

/** One user, by the kind of name given. The reader escapes or encodes each value; none is filter text. */
export type UserLookup =
  /** objectGUID in AD's string form: searched as its 16 bytes. */
  | { readonly kind: 'objectGuid'; readonly objectGuid: string }
  /** A distinguished name: a base-scope read of that object, which must lie under the base DN. */
  | { readonly kind: 'distinguishedName'; readonly distinguishedName: string }
  /** Anything else: `(|(sAMAccountName=<name>)(userPrincipalName=<name>))` under the base DN. */
  | { readonly kind: 'accountName'; readonly name: string };

/** AD's string form of a GUID (as `Get-ADUser` shows it, without braces). */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A GUID in AD's string form is an objectGUID; a name with `=` that parses as a DN (RFC 4514) is a DN
 * (neither a sAMAccountName nor, in practice, a UPN contains `=`); anything else is a sAMAccountName or a
 * userPrincipalName. A name that has `=` but is not a valid DN is taken as an account name, and finds
 * nothing unless an account is named so.
 */
export function parseUserLookup(name: string): UserLookup {
  if (GUID.test(name)) return { kind: 'objectGuid', objectGuid: name.toLowerCase() };
  if (name.includes('=') && isDistinguishedName(name))
    return { kind: 'distinguishedName', distinguishedName: name };
  return { kind: 'accountName', name };
}

/** The lookup as a person reads it, for a "not found" message. */
export function describeLookup(lookup: UserLookup): string {
  switch (lookup.kind) {
    case 'objectGuid':
      return `objectGUID ${lookup.objectGuid}`;
    case 'distinguishedName':
      return `distinguished name ${lookup.distinguishedName}`;
    case 'accountName':
      return `sAMAccountName or userPrincipalName ${JSON.stringify(lookup.name)}`;
  }
}
