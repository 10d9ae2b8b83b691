/**
 * Groups as the sync keeps them (docs/contract.md#groups): what a group entry of the directory becomes, and
 * what differs between two versions of one. Pure.
 */
import { createHash } from 'node:crypto';
import { emailAddressesOf, MAPPING_LIMITS } from './user-mapping';

export type GroupKind = 'security' | 'distribution';
export type GroupScope = 'global' | 'domainLocal' | 'universal';

/** A synchronized group (the Group of the API). */
export interface Group {
  /** sAMAccountName: the group's name in the API, unique case-insensitively as in AD. */
  readonly name: string;
  readonly displayName: string;
  readonly distinguishedName: string;
  /** The anchor: a rename or a move in AD updates the same group. */
  readonly objectGuid: string;
  readonly description?: string;
  readonly emailAddresses: readonly string[];
  readonly kind: GroupKind;
  readonly scope: GroupScope;
  /** Its direct members that are synchronized users or groups (those `/groups/{name}/members` lists). */
  readonly memberCount: number;
}

/** A direct member of a group, as stored and listed: a synchronized user or group. */
export interface GroupMember {
  readonly type: 'user' | 'group';
  readonly name: string;
  readonly objectGuid: string;
}

/** A group entry as read from the directory, before any mapping; `members` are the DNs of its direct members. */
export interface DirectoryGroupEntry {
  readonly objectGuid: string;
  readonly distinguishedName: string;
  readonly sAMAccountName: string;
  readonly displayName?: string;
  readonly cn?: string;
  readonly description?: string;
  readonly mail?: string;
  readonly proxyAddresses: readonly string[];
  /** AD's groupType: 0x2 global, 0x4 domain local, 0x8 universal; 0x80000000 a security group. */
  readonly groupType: number;
  readonly members: readonly string[];
  /** Its objectSid (`S-1-5-21-...-513`): users whose primary group it is are its members too. */
  readonly objectSid?: string;
}

/**
 * A user's primary group as read (AD's primaryGroupID: the RID of a group of the user's own domain, a membership
 * that no group's `member` and no user's `memberOf` lists; Domain Users, RID 513, for most users): the user's
 * DN and the group's SID, the user's domain SID (its objectSid without the last sub-authority) with the RID.
 */
export interface PrimaryGroupMember {
  readonly distinguishedName: string;
  readonly groupSid: string;
}

/** A group with its direct members, as the sync writes it. */
export interface GroupWithMembers extends Group {
  readonly members: readonly GroupMember[];
}

export type GroupField =
  | 'name'
  | 'displayName'
  | 'distinguishedName'
  | 'description'
  | 'emailAddresses'
  | 'kind'
  | 'scope'
  | 'memberCount'
  | 'members';

const SECURITY_ENABLED = 0x80000000;

export const groupKindOf = (groupType: number): GroupKind =>
  (groupType & SECURITY_ENABLED) !== 0 ? 'security' : 'distribution';

export function groupScopeOf(groupType: number): GroupScope {
  if (groupType & 0x4) return 'domainLocal';
  if (groupType & 0x8) return 'universal';
  return 'global';
}

/** Names compared case-insensitively by code point (not localeCompare: a million members sort in time). */
export const compareNames = (a: string, b: string): number => {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Members in the order they are stored and listed: users then groups, each by name. */
export const memberOrder = (a: GroupMember, b: GroupMember): number =>
  a.type === b.type ? compareNames(a.name, b.name) : a.type === 'user' ? -1 : 1;

/** The Group of a directory entry with its synchronized direct members. */
export function mapDirectoryGroup(
  entry: DirectoryGroupEntry,
  members: readonly GroupMember[],
): GroupWithMembers {
  const displayName = (entry.displayName?.trim() || entry.cn?.trim() || entry.sAMAccountName).slice(
    0,
    MAPPING_LIMITS.maxNameLength,
  );
  const description = entry.description?.trim();
  return {
    name: entry.sAMAccountName,
    displayName,
    distinguishedName: entry.distinguishedName,
    objectGuid: entry.objectGuid,
    ...(description ? { description } : {}),
    emailAddresses: emailAddressesOf(entry),
    kind: groupKindOf(entry.groupType),
    scope: groupScopeOf(entry.groupType),
    memberCount: members.length,
    members: [...members].sort(memberOrder),
  };
}

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((value, i) => value === b[i]);

/** The fields of a group that differ between what the directory says and what is stored. */
export function changedGroupFields(target: GroupWithMembers, current: GroupWithMembers): GroupField[] {
  const fields: GroupField[] = [];
  if (target.name !== current.name) fields.push('name');
  if (target.displayName !== current.displayName) fields.push('displayName');
  if (target.distinguishedName !== current.distinguishedName) fields.push('distinguishedName');
  if ((target.description ?? '') !== (current.description ?? '')) fields.push('description');
  if (!sameList(target.emailAddresses, current.emailAddresses)) fields.push('emailAddresses');
  if (target.kind !== current.kind) fields.push('kind');
  if (target.scope !== current.scope) fields.push('scope');
  if (target.memberCount !== current.memberCount) fields.push('memberCount');
  const key = (m: GroupMember) => `${m.type}:${m.objectGuid}:${m.name}`;
  if (!sameList(target.members.map(key), current.members.map(key))) fields.push('members');
  return fields;
}

/** The group without its members: what the API's Group shows. */
export function toPublicGroup(group: Group): Group {
  return {
    name: group.name,
    displayName: group.displayName,
    distinguishedName: group.distinguishedName,
    objectGuid: group.objectGuid,
    ...(group.description ? { description: group.description } : {}),
    emailAddresses: group.emailAddresses,
    kind: group.kind,
    scope: group.scope,
    memberCount: group.memberCount,
  };
}

/** A short hash of a group's members (in their stored order): stored with the group, so an unchanged
 * membership is told without reading it. */
export const membersHashOf = (members: readonly GroupMember[]): string =>
  createHash('sha256')
    .update(members.map((m) => `${m.type}:${m.objectGuid}:${m.name}`).join('\n'))
    .digest('base64url');
