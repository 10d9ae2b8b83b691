/**
 * How a directory entry becomes a user (SPEC section 3). Pure.
 */
import type { DirectoryEntry, MappedUser } from './user';

const SMTP_PREFIX = /^smtp:/i;

/** A loose check: an address the application can route, not a full RFC 5321 parser. */
const looksLikeAddress = (address: string): boolean => /^[^\s@]+@[^\s@]+$/.test(address);

/**
 * mail first, then the primary SMTP proxy address (`SMTP:`), then the secondary ones (`smtp:`) in directory
 * order; lower-cased, de-duplicated; X500, SIP and other non-SMTP proxies are ignored.
 */
export function emailAddressesOf(entry: Pick<DirectoryEntry, 'mail' | 'proxyAddresses'>): string[] {
  const smtp = entry.proxyAddresses.filter((p) => SMTP_PREFIX.test(p));
  const primary = smtp.filter((p) => p.startsWith('SMTP:'));
  const secondary = smtp.filter((p) => !p.startsWith('SMTP:'));
  const candidates = [entry.mail ?? '', ...[...primary, ...secondary].map((p) => p.slice('smtp:'.length))];
  const addresses: string[] = [];
  for (const candidate of candidates) {
    const address = candidate.trim().toLowerCase();
    if (looksLikeAddress(address) && !addresses.includes(address)) addresses.push(address);
  }
  return addresses;
}

/** userName = sAMAccountName; fullName = displayName, else cn; anchor = objectGUID. */
export function mapDirectoryUser(entry: DirectoryEntry): MappedUser {
  const fullName = entry.displayName?.trim() || entry.cn?.trim() || entry.sAMAccountName;
  return {
    userName: entry.sAMAccountName,
    fullName,
    emailAddresses: emailAddressesOf(entry),
    distinguishedName: entry.distinguishedName,
    ...(entry.userPrincipalName ? { userPrincipalName: entry.userPrincipalName } : {}),
    objectGuid: entry.objectGuid,
  };
}
