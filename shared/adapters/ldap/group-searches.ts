/**
 * The searches about groups: the groups a sync reads (with their direct members' DNs), and the groups whose
 * name or description holds a term (the settings' group picker); a group's members are group-member-searches.ts'.
 * Failures are thrown as ldapts raised them; the session turns them into DirectoryErrors.
 */
import {
  AndFilter,
  type Client,
  type Entry,
  EqualityFilter,
  ExtensibleFilter,
  type Filter,
  GreaterThanEqualsFilter,
  OrFilter,
  SubstringFilter,
} from 'ldapts';
import type { DirectoryGroupEntry } from '../../domain/group';
import { PartialReadError } from '../../errors';
import type { DirectoryGroup } from '../../ports/directory-reader';
import { allValuesOf } from './ranged-attribute';
import { guidOf, sidOf, single } from './user-entry';
import { BINARY_ATTRIBUTES } from './user-searches';

/**
 * The attributes a sync reads of each group (`member`: the DNs of its direct members, ranged on AD; objectSid:
 * the users whose primary group it is are its members too).
 */
export const GROUP_ATTRIBUTES = [
  'objectGUID',
  'sAMAccountName',
  'displayName',
  'cn',
  'description',
  'mail',
  'proxyAddresses',
  'groupType',
  'member',
  'objectSid',
] as const;

const isGroup = new EqualityFilter({ attribute: 'objectCategory', value: 'group' });

/**
 * The groups nested in any of the roots, at any depth (LDAP_MATCHING_RULE_IN_CHAIN on memberOf): the DC
 * answers the nesting in one search; the roots themselves are read by DN.
 */
export const nestedGroupsFilter = (roots: readonly string[]): Filter =>
  new AndFilter({
    filters: [
      isGroup,
      new OrFilter({
        filters: roots.map(
          (dn) => new ExtensibleFilter({ matchType: 'memberOf', rule: '1.2.840.113556.1.4.1941', value: dn }),
        ),
      }),
    ],
  });

/**
 * Groups a page of the group read holds: a group brings its members' DNs (up to 1,500 in the entry on AD), so
 * a page of the users' size would bring 100,000 DNs at a time at 100 members a group. A page's DNs become ids
 * as it arrives (group-membership.ts), and this bounds what one page holds meanwhile.
 */
export const GROUP_PAGE_SIZE = 100;

/** The search options of a group read (paged; objectGUID as bytes). */
export const groupSearch = (filter: Filter, scope: 'base' | 'sub') => ({
  scope,
  filter,
  attributes: [...GROUP_ATTRIBUTES],
  explicitBufferAttributes: BINARY_ATTRIBUTES,
  paged: { pageSize: GROUP_PAGE_SIZE },
});

export const allGroupsFilter = (): Filter => isGroup;

/** Every group, or (with a USN) those whose uSNChanged is at least it: the USN term first, as userFilter's. */
export const groupGuidsFilter = (changedSinceUsn?: number): Filter =>
  changedSinceUsn === undefined
    ? isGroup
    : new AndFilter({
        filters: [
          new GreaterThanEqualsFilter({ attribute: 'uSNChanged', value: String(changedSinceUsn) }),
          isGroup,
        ],
      });

/**
 * A group entry as the sync reads it. Its members (and proxyAddresses) come in the entry (Samba: all of them), or
 * as a first range (`member;range=0-1499` on AD), and then every value is read by range retrieval. A group without a readable
 * sAMAccountName or groupType fails the read: a group the account cannot see whole is not a group read.
 */
export async function toGroupEntry(client: Client, entry: Entry): Promise<DirectoryGroupEntry> {
  const name = single(entry.sAMAccountName);
  const groupType = Number(single(entry.groupType));
  if (!name || !Number.isInteger(groupType)) {
    throw new PartialReadError(`${entry.dn} was returned without a readable sAMAccountName and groupType`);
  }
  // Beside AD's `member;range=0-1499`, ldapts puts an empty `member` (the requested name): allValuesOf reads the
  // ranged key whatever the order, so a group of more than 1,500 members is never read as empty.
  const members = await allValuesOf(client, entry, 'member');
  const proxyAddresses = await allValuesOf(client, entry, 'proxyAddresses');
  const objectSid = sidOf(entry);
  const optional = (key: 'displayName' | 'cn' | 'description' | 'mail') => {
    const text = single(entry[key]);
    return text === undefined ? {} : { [key]: text };
  };
  return {
    objectGuid: guidOf(entry),
    distinguishedName: entry.dn,
    sAMAccountName: name,
    ...optional('displayName'),
    ...optional('cn'),
    ...optional('description'),
    ...optional('mail'),
    proxyAddresses,
    groupType,
    members,
    ...(objectSid === undefined ? {} : { objectSid }),
  };
}

/** Groups whose cn, sAMAccountName or description holds the term (every group for an empty one). */
const groupSearchFilter = (term: string): Filter =>
  new AndFilter({
    filters: [
      new EqualityFilter({ attribute: 'objectCategory', value: 'group' }),
      ...(term
        ? [
            new OrFilter({
              filters: ['cn', 'sAMAccountName', 'description'].map(
                (attribute) => new SubstringFilter({ attribute, any: [term] }),
              ),
            }),
          ]
        : []),
    ],
  });

/** At most `limit` groups under the base DN matching the search, by name. */
export async function searchGroups(
  client: Client,
  baseDn: string,
  search: string,
  limit: number,
): Promise<DirectoryGroup[]> {
  // sizeLimit: the server stops at `limit` entries and ldapts returns them instead of failing.
  const { searchEntries } = await client.search(baseDn, {
    scope: 'sub',
    filter: groupSearchFilter(search.trim()),
    attributes: ['cn', 'description'],
    sizeLimit: limit,
  });
  return searchEntries
    .map((entry) => {
      const description = single(entry.description);
      return {
        dn: entry.dn,
        name: single(entry.cn) ?? entry.dn,
        ...(description ? { description } : {}),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}
