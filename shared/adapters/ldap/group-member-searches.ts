/**
 * A group's members as AD counts them: those its `member` lists, nested groups' included, and the users whose
 * primary group it is (primaryGroupID: the RID of a group of the user's own domain; Domain Users, 513, for most
 * users). The primary group is listed by no group's `member` and no user's `memberOf`, and the matching rule in
 * chain (`memberOf:1.2.840.113556.1.4.1941:=`) does not find it, so it is read apart: each user's objectSid and
 * primaryGroupID (the group's SID is the user's domain SID with the RID), and, for the members of one group
 * (`filters.groups`), the RIDs of it and of its nested groups. Failures are thrown as ldapts raised them.
 */
import { AndFilter, type Client, type Entry, EqualityFilter, type Filter, NotFilter, OrFilter } from 'ldapts';
import type { PrimaryGroupMember } from '../../domain/group';
import type { PrimaryGroupIds } from '../../ports/directory-reader';
import { nestedGroupsFilter } from './group-searches';
import { guidOf, sidOf, single } from './user-entry';
import {
  BINARY_ATTRIBUTES,
  groupMemberFilter,
  PAGE_SIZE,
  primaryGroupIdIs,
  userFilter,
} from './user-searches';

/** A SID without its last sub-authority (an account's domain SID), and that sub-authority (its RID). */
const splitSid = (sid: string): { domain: string; rid: number } => {
  const at = sid.lastIndexOf('-');
  return { domain: sid.slice(0, at), rid: Number(sid.slice(at + 1)) };
};

/** The RID of a SID (its last sub-authority). */
export const ridOf = (sid: string): number => splitSid(sid).rid;

/**
 * The search options of the users' primary groups: each user account's objectSid and primaryGroupID, paged;
 * with `rids`, only the users whose primaryGroupID is one of them (primaryGroupID is indexed), or is not the one
 * excepted.
 */
export const primaryGroupSearch = (scope: 'base' | 'sub', rids?: PrimaryGroupIds) => ({
  scope,
  filter:
    rids === undefined
      ? userFilter()
      : 'except' in rids
        ? userFilter(new NotFilter({ filter: primaryGroupIdIs(rids.except) }))
        : userFilter(new OrFilter({ filters: rids.map(primaryGroupIdIs) })),
  attributes: ['objectSid', 'primaryGroupID'],
  explicitBufferAttributes: BINARY_ATTRIBUTES,
  paged: { pageSize: PAGE_SIZE },
});

/**
 * Each user's DN with its primary group's SID. A user account whose objectSid or primaryGroupID the account
 * may not read (every user has both; a hardened administrator's may be hidden) has no primary group here, as
 * before primary groups were read: one such account must not stop every run that reads groups.
 */
export function toPrimaryGroupMembers(entries: readonly Entry[]): PrimaryGroupMember[] {
  return entries.flatMap((entry) => {
    const sid = sidOf(entry);
    const rid = Number(single(entry.primaryGroupID));
    if (sid === undefined || !Number.isSafeInteger(rid) || rid <= 0) return [];
    return [{ distinguishedName: entry.dn, groupSid: `${splitSid(sid).domain}-${rid}` }];
  });
}

/** The objectSids of the entries a search finds (all pages). */
async function sidsOf(
  client: Client,
  base: string,
  scope: 'base' | 'sub',
  filter: Filter | string,
): Promise<string[]> {
  const { searchEntries } = await client.search(base, {
    scope,
    filter,
    attributes: ['objectSid'],
    explicitBufferAttributes: BINARY_ATTRIBUTES,
    paged: { pageSize: PAGE_SIZE },
  });
  return searchEntries.flatMap((entry) => sidOf(entry) ?? []);
}

const isGroup = new EqualityFilter({ attribute: 'objectCategory', value: 'group' });

/** A SID's bytes from its string form (S-1-5-21-...): the inverse of sidText. */
function sidBytes(sid: string): Buffer {
  const [, revision, authority, ...subs] = sid.split('-');
  const bytes = Buffer.alloc(8 + 4 * subs.length);
  bytes.writeUInt8(Number(revision), 0);
  bytes.writeUInt8(subs.length, 1);
  bytes.writeUIntBE(Number(authority), 2, 6);
  subs.forEach((sub, i) => {
    bytes.writeUInt32LE(Number(sub), 8 + 4 * i);
  });
  return bytes;
}

/**
 * The DN of the user's primary group (its domain SID with primaryGroupID, found among the groups of the domain
 * of `namingContext` by objectSid, given as bytes: a filter value, never filter text); undefined when the user's
 * objectSid or primaryGroupID cannot be read, or no group of that domain has the SID.
 */
export async function readPrimaryGroupDn(
  client: Client,
  namingContext: string,
  userDn: string,
): Promise<string | undefined> {
  const { searchEntries } = await client.search(userDn, primaryGroupSearch('base'));
  const [member] = toPrimaryGroupMembers(searchEntries);
  if (member === undefined) return undefined;
  const { searchEntries: groups } = await client.search(namingContext, {
    scope: 'sub',
    filter: new AndFilter({
      filters: [isGroup, new EqualityFilter({ attribute: 'objectSid', value: sidBytes(member.groupSid) })],
    }),
    attributes: ['objectClass'],
  });
  return groups[0]?.dn;
}

/**
 * The RIDs of the group and of every group nested in it that are groups of the domain of `namingContext` (its
 * head's objectSid is the domain's SID): the primary groups whose users are the group's members too, directly
 * or nested. The users searched are that domain's, and a user's primary group is a group of its own domain.
 */
export async function primaryRidsOf(
  client: Client,
  namingContext: string,
  groupDn: string,
): Promise<number[]> {
  const [domain] = await sidsOf(client, namingContext, 'base', '(objectClass=*)');
  if (domain === undefined) return [];
  const sids = [
    ...(await sidsOf(client, groupDn, 'base', isGroup)),
    ...(await sidsOf(client, namingContext, 'sub', nestedGroupsFilter([groupDn]))),
  ];
  const rids = sids.map(splitSid).flatMap((sid) => (sid.domain === domain ? [sid.rid] : []));
  return [...new Set(rids)];
}

/**
 * The objectGUIDs of the users under the base DN who are members of the group, directly or nested, by `member`
 * or by primary group (of the domain of `namingContext`).
 */
export async function readGroupMemberGuids(
  client: Client,
  namingContext: string,
  baseDn: string,
  groupDn: string,
): Promise<Set<string>> {
  const filter = groupMemberFilter(groupDn, await primaryRidsOf(client, namingContext, groupDn));
  const guids = new Set<string>();
  for await (const page of client.searchPaginated(baseDn, {
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

/** Whether the user is a member of the group as readGroupMemberGuids counts them (a base search on its DN). */
export async function isGroupMember(
  client: Client,
  namingContext: string,
  userDn: string,
  groupDn: string,
): Promise<boolean> {
  const { searchEntries } = await client.search(userDn, {
    scope: 'base',
    filter: groupMemberFilter(groupDn, await primaryRidsOf(client, namingContext, groupDn)),
    attributes: ['objectClass'],
  });
  return searchEntries.length > 0;
}
