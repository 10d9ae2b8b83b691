/**
 * The searches about groups: the groups whose name or description holds a term (the settings' group picker),
 * and the objectGUIDs of a group's members, nested groups' members included. Failures are thrown as ldapts
 * raised them; the session turns them into DirectoryErrors.
 */
import { AndFilter, type Client, EqualityFilter, type Filter, OrFilter, SubstringFilter } from 'ldapts';
import type { DirectoryGroup } from '../../ports/directory-reader';
import { guidOf, single } from './user-entry';
import { BINARY_ATTRIBUTES, groupMemberFilter, PAGE_SIZE } from './user-searches';

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

/** The objectGUIDs of the users under the base DN who are members of the group, directly or nested. */
export const readGroupMemberGuids = (client: Client, baseDn: string, groupDn: string): Promise<Set<string>> =>
  searchGuids(client, baseDn, groupMemberFilter(groupDn));

/** The objectGUIDs a paged search of the subtree finds, all pages. */
async function searchGuids(client: Client, base: string, filter: Filter): Promise<Set<string>> {
  const guids = new Set<string>();
  for await (const page of client.searchPaginated(base, {
    scope: 'sub',
    filter,
    attributes: ['objectGUID'],
    explicitBufferAttributes: BINARY_ATTRIBUTES,
    paged: { pageSize: PAGE_SIZE },
  })) {
    for (const entry of page.searchEntries) guids.add(guidOf(entry));
  }
  return guids;
}
