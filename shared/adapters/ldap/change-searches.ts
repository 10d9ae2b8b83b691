/**
 * The searches that tell an incremental run what a read by the users' uSNChanged cannot see: OUs and containers
 * changed under the base DN (a rename or move changes the DNs of the users under them and not their
 * uSNChanged), the users whose rule attributes name a DN (a renamed manager's reports), and the mapped attributes
 * whose changes never move the user's uSNChanged (back links, constructed attributes, logon counters). Every
 * value is a Filter object's value, never filter text.
 */
import {
  AndFilter,
  type Client,
  EqualityFilter,
  type Filter,
  GreaterThanEqualsFilter,
  InsufficientAccessError,
  NoSuchObjectError,
  OrFilter,
} from 'ldapts';
import { sameDistinguishedName } from '../../domain/distinguished-name';
import type { CompletePagingClient } from './complete-paging-client';
import { guidOf, single } from './user-entry';
import { BINARY_ATTRIBUTES, PAGE_SIZE, userFilter } from './user-searches';

/**
 * `(&(uSNChanged>=N)(|(objectCategory=organizationalUnit)(objectCategory=container)))`: OUs and plain
 * containers, the objects users live under, changed since N. By objectCategory rather than objectClass, so
 * that the classes derived from container (a group policy's, changed at every edit of the policy) do not
 * match: they hold no users. The domain object and builtinDomain are left out too: neither can be renamed
 * or moved inside a domain, and the domain object changes for reasons of its own (its lockout policy).
 */
export const changedContainersFilter = (sinceUsn: number): Filter =>
  new AndFilter({
    filters: [
      // The indexed, narrowing term first (see userFilter).
      new GreaterThanEqualsFilter({ attribute: 'uSNChanged', value: String(sinceUsn) }),
      new OrFilter({
        filters: ['organizationalUnit', 'container'].map(
          (value) => new EqualityFilter({ attribute: 'objectCategory', value }),
        ),
      }),
    ],
  });

/**
 * The DNs of the OUs and containers under the base DN (not the base itself: renamed, the run fails at it;
 * edited, nothing under it moved) changed since N, at most `limit` of them.
 */
export async function changedContainers(
  client: CompletePagingClient,
  baseDn: string,
  sinceUsn: number,
  limit = 5,
): Promise<string[]> {
  const found: string[] = [];
  // searchPages: leaving it at `limit` ends the search on the server too (AD keeps few paged result sets).
  const pages = client.searchPages(
    baseDn,
    {
      scope: 'sub',
      filter: changedContainersFilter(sinceUsn),
      attributes: ['objectGUID'],
      explicitBufferAttributes: ['objectGUID'],
    },
    { first: PAGE_SIZE, rest: PAGE_SIZE },
  );
  for await (const page of pages) {
    for (const entry of page.searchEntries) {
      if (!sameDistinguishedName(entry.dn, baseDn)) found.push(entry.dn);
    }
    if (found.length >= limit) break;
  }
  return found.slice(0, limit);
}

/**
 * The users anywhere under `namingContext` whose uSNChanged is at least N (`(&(uSNChanged>=N)(objectCategory=
 * person)(objectClass=user))`): their objectGUIDs and DNs, paged.
 */
export async function usersChangedSince(
  client: Client,
  namingContext: string,
  sinceUsn: number,
): Promise<{ objectGuid: string; distinguishedName: string }[]> {
  const found: { objectGuid: string; distinguishedName: string }[] = [];
  const pages = client.searchPaginated(namingContext, {
    scope: 'sub',
    filter: userFilter(new GreaterThanEqualsFilter({ attribute: 'uSNChanged', value: String(sinceUsn) })),
    attributes: ['objectGUID'],
    explicitBufferAttributes: BINARY_ATTRIBUTES,
    paged: { pageSize: PAGE_SIZE },
  });
  for await (const page of pages) {
    for (const entry of page.searchEntries)
      found.push({ objectGuid: guidOf(entry), distinguishedName: entry.dn });
  }
  return found;
}

/** Users (the user read's filter) with any of these attributes equal to any of these DNs. */
export const referencingFilter = (attributes: readonly string[], dns: readonly string[]): Filter =>
  userFilter(
    new OrFilter({
      filters: attributes.flatMap((attribute) =>
        dns.map((dn) => new EqualityFilter({ attribute, value: dn })),
      ),
    }),
  );

/**
 * Attributes whose changes AD and Samba do not stamp on the object's uSNChanged, by name: back links (the DC
 * keeps them from another object's forward link) and constructed attributes (computed at read time), for a DC
 * whose schema the account cannot read; and the logon counters, which each DC keeps for itself (not
 * replicated). The schema's own not-replicated flag is not used: objectGUID and uSNChanged carry it too.
 */
const KNOWN_UNTRACKED = new Set(
  [
    'memberOf',
    'directReports',
    'managedObjects',
    'masteredBy',
    'msDS-MembersForAzRoleBL',
    'msDS-NC-RO-Replica-Locations-BL',
    'isPrivilegeHolder',
    'tokenGroups',
    'tokenGroupsGlobalAndUniversal',
    'msDS-User-Account-Control-Computed',
    'msDS-UserPasswordExpiryTimeComputed',
    'msDS-ResultantPSO',
    'lastLogon',
    'logonCount',
    'badPwdCount',
    'badPasswordTime',
  ].map((name) => name.toLowerCase()),
);

/**
 * Constructed attributes made only from the user's own attributes or its DN: they change with its uSNChanged
 * (or with an OU above it, which an incremental run looks for).
 */
const CONSTRUCTED_FROM_OWN = new Set(
  ['createTimeStamp', 'modifyTimeStamp', 'canonicalName', 'msDS-PrincipalName', 'structuralObjectClass'].map(
    (name) => name.toLowerCase(),
  ),
);

/** systemFlags' FLAG_ATTR_IS_CONSTRUCTED. */
const CONSTRUCTED = 0x4;

/**
 * Of these attributes, those whose changes do not move the user's uSNChanged: by the schema (a back link has
 * an odd linkID; systemFlags marks constructed attributes), and by name (KNOWN_UNTRACKED).
 */
export async function untrackedAttributes(
  client: Client,
  schemaNamingContext: string | undefined,
  attributes: readonly string[],
): Promise<string[]> {
  const untracked = new Set(attributes.filter((a) => KNOWN_UNTRACKED.has(a.toLowerCase())));
  if (schemaNamingContext && attributes.length > 0) {
    try {
      const { searchEntries } = await client.search(schemaNamingContext, {
        scope: 'one',
        filter: new AndFilter({
          filters: [
            new EqualityFilter({ attribute: 'objectClass', value: 'attributeSchema' }),
            new OrFilter({
              filters: attributes.map((value) => new EqualityFilter({ attribute: 'lDAPDisplayName', value })),
            }),
          ],
        }),
        attributes: ['lDAPDisplayName', 'linkID', 'systemFlags'],
      });
      for (const entry of searchEntries) {
        const linkId = Number(single(entry.linkID) ?? 0);
        const flags = Number(single(entry.systemFlags) ?? 0);
        const name = single(entry.lDAPDisplayName)?.toLowerCase();
        const asked = attributes.find((a) => a.toLowerCase() === name);
        if (!asked || CONSTRUCTED_FROM_OWN.has(asked.toLowerCase())) continue;
        if (linkId % 2 === 1 || (flags & CONSTRUCTED) !== 0) untracked.add(asked);
      }
    } catch (error) {
      if (!(error instanceof NoSuchObjectError || error instanceof InsufficientAccessError)) throw error;
    }
  }
  return [...untracked];
}
