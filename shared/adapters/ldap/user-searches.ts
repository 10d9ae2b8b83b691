/**
 * What a read of users asks the directory for: the page size, the attributes of a user (objectGUID as bytes),
 * and the filters (user accounts, the members of a group through nested groups, one user looked up). Filters
 * are built as ldapts Filter objects, so values (a group DN such as `CN=x)(objectClass=*`) are BER-encoded as
 * values and can never change a filter's shape.
 */
import { AndFilter, type Client, EqualityFilter, ExtensibleFilter, type Filter, OrFilter } from 'ldapts';
import type { UserLookup } from '../../domain/user-lookup';
import type { AccountNames } from '../../ports/directory-reader';
import { parseObjectGuid } from './object-guid';
import { single } from './user-entry';

/** AD's default MaxPageSize; larger pages are cut to it by the server anyway. */
export const PAGE_SIZE = 1000;
/**
 * The first page of a user read: small, so that the first entries (and a sync's first writes) come sooner; the
 * DC evaluates the whole search before it answers any page, but sends a small page sooner.
 */
export const FIRST_PAGE_SIZE = 200;

/** The attributes a sync reads of each user (the benchmark's floor read asks for the same). */
export const USER_ATTRIBUTES = [
  'objectGUID',
  'distinguishedName',
  'sAMAccountName',
  'userPrincipalName',
  'displayName',
  'cn',
  'mail',
  'proxyAddresses',
  'userAccountControl',
  'msExchHideFromAddressLists',
] as const;
/** Binary attributes must be asked for as Buffers: a GUID that happens to be valid UTF-8 would be mangled. */
export const BINARY_ATTRIBUTES = ['objectGUID', 'objectSid'];

const LDAP_MATCHING_RULE_IN_CHAIN = '1.2.840.113556.1.4.1941';

/** `(&...(objectCategory=person)(objectClass=user))`: user accounts, never contacts or computers. */
export const userFilter = (...more: Filter[]): Filter =>
  new AndFilter({
    filters: [
      // The narrowing terms first: Samba evaluates an AND's indexed terms in order and stops at an empty
      // one, so `(uSNChanged>=N)` before the class terms answers a no-change read without loading the index
      // of every user (20 ms at 100,000 users, 1 ms this way). AD chooses its index itself.
      ...more,
      new EqualityFilter({ attribute: 'objectCategory', value: 'person' }),
      new EqualityFilter({ attribute: 'objectClass', value: 'user' }),
    ],
  });

/** `(primaryGroupID=<rid>)`: the users whose primary group (a group of their domain) has this RID. */
export const primaryGroupIdIs = (rid: number): Filter =>
  new EqualityFilter({ attribute: 'primaryGroupID', value: String(rid) });

/**
 * Users that are members of the group, directly or through nested groups (LDAP_MATCHING_RULE_IN_CHAIN), or
 * whose primary group has one of `rids` (the group's and its nested groups': group-member-searches.ts; the rule
 * in chain does not follow primaryGroupID). The DN is carried as the filter's value, never spliced into filter
 * text; its text form is RFC 4515-escaped.
 */
export const groupMemberFilter = (groupDn: string, rids: readonly number[] = []): Filter => {
  const inChain = new ExtensibleFilter({
    matchType: 'memberOf',
    rule: LDAP_MATCHING_RULE_IN_CHAIN,
    value: groupDn,
  });
  return userFilter(
    rids.length === 0 ? inChain : new OrFilter({ filters: [inChain, ...rids.map(primaryGroupIdIs)] }),
  );
};

/**
 * The filter of one user lookup (GET /directory/users/{name}): an objectGUID as its 16 bytes, or the name as
 * the value of sAMAccountName and userPrincipalName equality filters (RFC 4515-escaped in its text form, so
 * `*`, `(`, `)` and `\\` match themselves). A DN is read with a base-scope search and this filter's users-only part.
 */
export const userLookupFilter = (lookup: UserLookup): Filter => {
  switch (lookup.kind) {
    case 'objectGuid':
      return userFilter(
        new EqualityFilter({ attribute: 'objectGUID', value: parseObjectGuid(lookup.objectGuid) }),
      );
    case 'distinguishedName':
      return userFilter();
    case 'accountName':
      return userFilter(
        new OrFilter({
          filters: ['sAMAccountName', 'userPrincipalName'].map(
            (attribute) => new EqualityFilter({ attribute, value: lookup.name }),
          ),
        }),
      );
  }
};

/** Users with any of these DNs (each an equality filter's value, never filter text). */
export const usersByDnFilter = (dns: readonly string[]): Filter =>
  userFilter(
    new OrFilter({
      filters: dns.map((dn) => new EqualityFilter({ attribute: 'distinguishedName', value: dn })),
    }),
  );

/** The names of the user accounts with these DNs under `base`, 100 DNs a search. */
export async function readAccountNames(
  client: Client,
  base: string,
  dns: readonly string[],
): Promise<AccountNames[]> {
  const found: AccountNames[] = [];
  for (let i = 0; i < dns.length; i += 100) {
    const { searchEntries } = await client.search(base, {
      scope: 'sub',
      filter: usersByDnFilter(dns.slice(i, i + 100)),
      attributes: ['sAMAccountName', 'userPrincipalName', 'mail'],
      paged: { pageSize: PAGE_SIZE },
    });
    for (const entry of searchEntries) {
      const sAMAccountName = single(entry.sAMAccountName);
      if (!sAMAccountName) continue;
      const userPrincipalName = single(entry.userPrincipalName);
      const mail = single(entry.mail);
      found.push({
        distinguishedName: entry.dn,
        sAMAccountName,
        ...(userPrincipalName ? { userPrincipalName } : {}),
        ...(mail ? { mail } : {}),
      });
    }
  }
  return found;
}
