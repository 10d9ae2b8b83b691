/**
 * How a directory entry becomes a user (docs/contract.md#mapping). Pure.
 */
import type { MappedAttributes } from './attribute-rules';
import type { DirectoryEntry, MappedUser } from './user';

const SMTP_PREFIX = /^smtp:/i;

/** A loose check: an address the application can route, not a full RFC 5321 parser. */
const looksLikeAddress = (address: string): boolean => /^[^\s@]+@[^\s@]+$/.test(address);

/**
 * Bounds on what one directory entry can put into the user database, so that an absurd entry (thousands of
 * proxy addresses, a huge display name) cannot blow up an item or a run. Values beyond them are dropped or
 * cut, by these documented rules, never the user.
 */
export const MAPPING_LIMITS = {
  /** Addresses kept per user: mail and the primary SMTP address come first, so they always stay. */
  maxAddresses: 100,
  /** RFC 5321's limit on a forward path; longer values are not routable addresses and are dropped. */
  maxAddressLength: 254,
  /** AD's rangeUpper of displayName; longer names are cut to it. */
  maxNameLength: 256,
} as const;

/**
 * mail first, then the primary SMTP proxy address (`SMTP:`), then the secondary ones (`smtp:`) in directory
 * order; lower-cased, de-duplicated; X500, SIP and other non-SMTP proxies are ignored; at most
 * MAPPING_LIMITS.maxAddresses.
 */
export function emailAddressesOf(entry: Pick<DirectoryEntry, 'mail' | 'proxyAddresses'>): string[] {
  const smtp = entry.proxyAddresses.filter((p) => SMTP_PREFIX.test(p));
  const primary = smtp.filter((p) => p.startsWith('SMTP:'));
  const secondary = smtp.filter((p) => !p.startsWith('SMTP:'));
  const candidates = [entry.mail ?? '', ...[...primary, ...secondary].map((p) => p.slice('smtp:'.length))];
  const addresses = new Set<string>();
  for (const candidate of candidates) {
    if (addresses.size >= MAPPING_LIMITS.maxAddresses) break;
    const address = candidate.trim().toLowerCase();
    if (address.length <= MAPPING_LIMITS.maxAddressLength && looksLikeAddress(address))
      addresses.add(address);
  }
  return [...addresses];
}

/** Cuts a name to the limit, by code points (never in the middle of a surrogate pair). */
const boundedName = (name: string): string => {
  const codePoints = [...name];
  return codePoints.length <= MAPPING_LIMITS.maxNameLength
    ? name
    : codePoints.slice(0, MAPPING_LIMITS.maxNameLength).join('');
};

/**
 * userName = sAMAccountName (or what the mapping took: attribute-mapping.ts); fullName = displayName, else cn;
 * anchor = objectGUID; and the mapped attributes, when there are any.
 */
export function mapDirectoryUser(
  entry: DirectoryEntry,
  mapped?: { readonly userName: string; readonly attributes: MappedAttributes },
): MappedUser {
  const fullName = boundedName(entry.displayName?.trim() || entry.cn?.trim() || entry.sAMAccountName);
  return {
    userName: mapped?.userName ?? entry.sAMAccountName,
    fullName,
    emailAddresses: emailAddressesOf(entry),
    distinguishedName: entry.distinguishedName,
    ...(entry.userPrincipalName ? { userPrincipalName: entry.userPrincipalName } : {}),
    objectGuid: entry.objectGuid,
    ...(mapped && Object.keys(mapped.attributes).length > 0 ? { attributes: mapped.attributes } : {}),
  };
}
