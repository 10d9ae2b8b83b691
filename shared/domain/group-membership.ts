/**
 * Who belongs to which group (docs/contract.md#groups), resolved from the groups read: each group's direct
 * members that the sync keeps, the groups that are synchronized, and every user's groups through nesting (its
 * direct groups' ancestors, each cycle collapsed and each group's ancestors computed once: group-nesting.ts).
 * Pure: no directory reads, no matching rule in chain, so 10,000 groups cost one read of them and work in
 * memory in proportion to the memberships and the users' lists of groups, whatever the nesting's shape.
 *
 * Memory: the groups are taken as their pages arrive, and each member DN becomes a small integer id at once
 * (each distinct DN held once, lower-cased, as bytes: dn-ids.ts); a group keeps its members as an array of
 * ids, and the inverse (an id's groups) is two typed arrays. 1,000,000 memberships of 100,000 users in 10,000 groups are
 * about 8 MB of ids and the 110,000 DNs, not a million strings and objects.
 *
 * Primary groups: a user is a direct member of its primary group (primaryGroupID, Domain Users for most), which
 * no `member` lists. The users' primary groups are taken after the groups (addPrimaryMembers: a DN and the
 * group's SID, one pair of ids a user) and become direct members of the group of that objectSid when the index
 * is first asked, so that a user's groups, the rules, the groups' members and nesting all follow from them.
 */
import type { PrivilegeRule } from '../config/config-schema';
import { DnIds } from './dn-ids';
import {
  compareNames,
  type DirectoryGroupEntry,
  type GroupMember,
  type GroupWithMembers,
  mapDirectoryGroup,
  type PrimaryGroupMember,
} from './group';
import { forEachRank, NestingClosure } from './group-nesting';
import { PrimaryMemberships } from './primary-memberships';
import { type GroupGrants, grantsOf, NO_GRANTS } from './privilege-rules';
import type { ArchiveAccess, Privilege } from './privileges';

/** A synchronized directory user, as the user database holds it. */
export interface MemberUser {
  readonly objectGuid: string;
  readonly userName: string;
  readonly distinguishedName: string;
}

/** Which groups are synchronized: every group read, those nested in some roots (DNs), or none. */
export type SynchronizedGroups = { readonly all: true } | { readonly roots: readonly string[] };

/** What a user gets from its groups. */
export interface UserMembership extends GroupGrants {
  /** The names of the synchronized groups it belongs to, nested included, in name order. */
  readonly groups: readonly string[];
}

/** Why a rule gives a user something: the rule, and the groups from one the user is in directly up to it. */
export interface RuleMatch {
  /** The rule's index in `privilegeRules`. */
  readonly rule: number;
  /** sAMAccountNames from a group the user is a direct member of to the rule's group (one name: directly). */
  readonly via: readonly string[];
}

export const NO_MEMBERSHIP: UserMembership = { groups: [], ...NO_GRANTS };

/** What a user's groups give it, and why (Test Settings' creates, explain). */
export interface MembershipExplanation {
  /** The synchronized groups it belongs to, nested included, in name order. */
  readonly groups: readonly string[];
  readonly groupPrivileges: readonly Privilege[];
  readonly groupArchiveAccess: readonly ArchiveAccess[];
  /** Each rule that gives it something, in the configuration's order. */
  readonly rules: readonly {
    /** The rule's index in `privilegeRules`. */
    readonly rule: number;
    /** The rule's group (its DN, as configured). */
    readonly group: string;
    readonly privileges: readonly Privilege[];
    readonly ownArchiveAccess: readonly ArchiveAccess[];
    /** The groups from one the user is directly in up to the rule's group (names; one name: directly). */
    readonly via: readonly string[];
  }[];
}

const lower = (dn: string): string => dn.toLowerCase();
const NONE = -1;

/** The resolved graph (built once, when the first question is asked after the last page). */
interface Graph {
  /** An id's groups (group indexes listing it as a direct member): offsets into `memberOf`. */
  readonly memberOfStart: Int32Array;
  readonly memberOf: Int32Array;
  /** The group of an id (its index), or NONE. */
  readonly groupOfId: Int32Array;
  readonly synchronized: Uint8Array;
  /** The group at each place in name order. */
  readonly byRank: Int32Array;
  /** Per group: the indexes of the rules naming it (few groups have any). */
  readonly rulesOf: Map<number, number[]>;
  /** Every group a group is nested in (group-nesting.ts). */
  readonly closure: NestingClosure;
}

/**
 * The groups of a run, taken a page at a time (`add`), then asked: a user's membership by DN, the
 * synchronized groups with their members. See the module comment.
 */
export class MembershipIndex {
  private readonly ids = new DnIds();
  private readonly entries: DirectoryGroupEntry[] = [];
  private readonly members: Int32Array[] = [];
  private readonly groupIds: number[] = [];
  private readonly byGuid = new Set<string>();
  /** The groups read by objectSid (their index). */
  private readonly bySid = new Map<string, number>();
  /** Primary group memberships taken (addPrimaryMembers), until the index is first asked. */
  private primary = new PrimaryMemberships();
  private graph: Graph | undefined;

  constructor(
    readonly synchronizedGroups: SynchronizedGroups,
    readonly rules: readonly PrivilegeRule[],
  ) {}

  /** Groups read: a group read twice (a root nested in another root) is taken once. */
  add(page: readonly DirectoryGroupEntry[]): void {
    if (this.graph) throw new Error('groups added after the index was asked');
    for (const entry of page) {
      if (this.byGuid.has(entry.objectGuid)) continue;
      this.byGuid.add(entry.objectGuid);
      const ids = new Int32Array(entry.members.length);
      entry.members.forEach((dn, i) => {
        ids[i] = this.intern(dn);
      });
      if (entry.objectSid !== undefined) this.bySid.set(entry.objectSid, this.entries.length);
      this.groupIds.push(this.intern(entry.distinguishedName));
      this.members.push(ids);
      // The entry without its member DNs: those are ids now.
      this.entries.push({ ...entry, members: [] });
    }
  }

  /**
   * Users' primary groups, after the groups (see the module comment): each user becomes a direct member of the
   * group read whose objectSid is the one given (a group of another domain has another SID: never matched). A
   * group not read is left alone, as a `member` naming something unread is.
   */
  addPrimaryMembers(page: readonly PrimaryGroupMember[]): void {
    if (this.graph) throw new Error('members added after the index was asked');
    for (const { distinguishedName, groupSid } of page) {
      const g = this.bySid.get(groupSid);
      if (g !== undefined) this.primary.add(g, this.intern(distinguishedName));
    }
  }

  /** The objectSids of the groups read (a primary group's is one of them). */
  get groupSids(): readonly string[] {
    return [...this.bySid.keys()];
  }

  /** How many groups were read. */
  get size(): number {
    return this.entries.length;
  }

  /** Whether a group of this DN was read. */
  hasGroup(dn: string): boolean {
    const id = this.ids.get(lower(dn));
    return id !== undefined && this.resolved().groupOfId[id] !== NONE;
  }

  /** The id of a DN some group lists (or a group's own), if any. */
  idOf(dn: string): number | undefined {
    return this.ids.get(lower(dn));
  }

  /** How many DNs have an id (ids are 0 up to this). */
  get idCount(): number {
    return this.ids.size;
  }

  /** What the groups of the user with this DN give it. */
  membershipOf(dn: string): UserMembership {
    const id = this.ids.get(lower(dn));
    if (id === undefined) return NO_MEMBERSHIP;
    const graph = this.resolved();
    const direct = graph.memberOf.subarray(
      graph.memberOfStart[id] as number,
      graph.memberOfStart[id + 1] as number,
    );
    if (direct.length === 0) return NO_MEMBERSHIP;
    const groups: string[] = [];
    const hits = new Set<string>();
    // In rank order: the names come sorted.
    forEachRank(graph.closure.ancestorsOfAll(direct), (rank) => {
      const g = graph.byRank[rank] as number;
      if (graph.synchronized[g] === 1) groups.push(this.entry(g).sAMAccountName);
      if (graph.rulesOf.has(g)) hits.add(lower(this.entry(g).distinguishedName));
    });
    return { groups, ...(hits.size === 0 ? NO_GRANTS : grantsOf(hits, this.rules)) };
  }

  /** Per rule that gives the user with this DN something: the shortest chain of groups from the user up to it. */
  ruleMatchesOf(dn: string): RuleMatch[] {
    const id = this.ids.get(lower(dn));
    if (id === undefined) return [];
    const graph = this.resolved();
    // Breadth first from the user's direct groups: the first path found to each group is a shortest one.
    const from = new Map<number, number>();
    const queue: number[] = [];
    for (let i = graph.memberOfStart[id] ?? 0; i < (graph.memberOfStart[id + 1] ?? 0); i += 1) {
      const g = graph.memberOf[i] as number;
      if (!from.has(g)) from.set(g, NONE);
      queue.push(g);
    }
    for (let head = 0; head < queue.length; head += 1) {
      const g = queue[head] as number;
      const own = this.groupIds[g] as number;
      for (let i = graph.memberOfStart[own] ?? 0; i < (graph.memberOfStart[own + 1] ?? 0); i += 1) {
        const parent = graph.memberOf[i] as number;
        if (from.has(parent)) continue;
        from.set(parent, g);
        queue.push(parent);
      }
    }
    const pathTo = (g: number): string[] => {
      const path: string[] = [];
      for (let at = g; at !== NONE; at = from.get(at) ?? NONE) path.unshift(this.entry(at).sAMAccountName);
      return path;
    };
    return this.rules.flatMap((rule, index) => {
      const id = this.ids.get(lower(rule.group));
      const g = id === undefined ? NONE : (graph.groupOfId[id] as number);
      return g !== NONE && from.has(g) ? [{ rule: index, via: pathTo(g) }] : [];
    });
  }

  /** The user's membership with the rules that give it something, and through which groups. */
  explain(dn: string): MembershipExplanation {
    const { groups, groupPrivileges, groupArchiveAccess } = this.membershipOf(dn);
    const rules = this.ruleMatchesOf(dn).map(({ rule, via }) => {
      const { group, privileges, ownArchiveAccess } = this.rules[rule] as PrivilegeRule;
      return { rule, group, privileges, ownArchiveAccess, via };
    });
    return { groups, groupPrivileges, groupArchiveAccess, rules };
  }

  /**
   * The synchronized groups, with their direct members that are synchronized users (`userOf`: the user an id
   * is, if any) or synchronized groups, `size` groups at a time (their members are objects: not all at once);
   * `only`: those of the groups (indexes) it accepts.
   */
  *synchronizedChunks(
    userOf: (id: number) => { readonly userName: string; readonly objectGuid: string } | undefined,
    size: number,
    only?: (group: number) => boolean,
  ): Generator<GroupWithMembers[]> {
    const graph = this.resolved();
    let chunk: GroupWithMembers[] = [];
    for (let g = 0; g < this.entries.length; g += 1) {
      if (graph.synchronized[g] !== 1 || (only && !only(g))) continue;
      const members = new Map<string, GroupMember>();
      for (const id of this.members[g] as Int32Array) {
        const user = userOf(id);
        if (user)
          members.set(user.objectGuid, { type: 'user', name: user.userName, objectGuid: user.objectGuid });
        const child = graph.groupOfId[id] as number;
        if (child !== NONE && graph.synchronized[child] === 1) {
          const { sAMAccountName: name, objectGuid } = this.entry(child);
          members.set(objectGuid, { type: 'group', name, objectGuid });
        }
      }
      chunk.push(mapDirectoryGroup(this.entry(g), [...members.values()]));
      if (chunk.length >= size) {
        yield chunk;
        chunk = [];
      }
    }
    if (chunk.length > 0) yield chunk;
  }

  /** The ids of a group's direct members (g: its index, 0 up to `size`). */
  memberIdsOf(g: number): Int32Array {
    this.resolved();
    return this.members[g] as Int32Array;
  }

  /** The objectGUID of a group (its index). */
  groupGuidOf(g: number): string {
    return this.entry(g).objectGuid;
  }

  /** Whether an id is a group's own DN. */
  isGroupId(id: number): boolean {
    return this.resolved().groupOfId[id] !== NONE;
  }

  /** How many groups are synchronized. */
  get synchronizedCount(): number {
    return this.resolved().synchronized.reduce((sum, s) => sum + s, 0);
  }

  private entry(g: number): DirectoryGroupEntry {
    return this.entries[g] as DirectoryGroupEntry;
  }

  private intern(dn: string): number {
    return this.ids.intern(lower(dn));
  }

  private resolved(): Graph {
    this.graph ??= this.buildGraph();
    return this.graph;
  }

  private buildGraph(): Graph {
    this.primary.mergeInto(this.members, this.ids.size);
    this.primary = new PrimaryMemberships();
    this.ids.compact();
    const idCount = this.ids.size;
    const groups = this.entries.length;
    const groupOfId = new Int32Array(idCount).fill(NONE);
    this.groupIds.forEach((id, g) => {
      groupOfId[id] = g;
    });
    // The inverse of the members, as offsets and values (counting sort by member id).
    const memberOfStart = new Int32Array(idCount + 1);
    for (const ids of this.members)
      for (const id of ids) memberOfStart[id + 1] = (memberOfStart[id + 1] ?? 0) + 1;
    for (let id = 0; id < idCount; id += 1)
      memberOfStart[id + 1] = (memberOfStart[id + 1] ?? 0) + (memberOfStart[id] ?? 0);
    const memberOf = new Int32Array(memberOfStart[idCount] ?? 0);
    const fill = memberOfStart.slice(0, idCount);
    this.members.forEach((ids, g) => {
      for (const id of ids) {
        const at = fill[id] as number;
        memberOf[at] = g;
        fill[id] = at + 1;
      }
    });
    const order = [...this.entries.keys()].sort((a, b) =>
      compareNames(this.entry(a).sAMAccountName, this.entry(b).sAMAccountName),
    );
    const byRank = Int32Array.from(order);
    const rank = new Int32Array(groups);
    order.forEach((g, i) => {
      rank[g] = i;
    });
    const rulesOf = new Map<number, number[]>();
    this.rules.forEach((rule, index) => {
      const id = this.ids.get(lower(rule.group));
      const g = id === undefined ? NONE : (groupOfId[id] as number);
      if (g !== NONE) rulesOf.set(g, [...(rulesOf.get(g) ?? []), index]);
    });
    const synchronized = this.synchronizedOf(groupOfId);
    const closure = new NestingClosure({ memberOfStart, memberOf, groupIds: this.groupIds, rank });
    return { memberOfStart, memberOf, groupOfId, synchronized, byRank, rulesOf, closure };
  }

  /** Which groups are synchronized: all, or the roots and every group nested in them. */
  private synchronizedOf(groupOfId: Int32Array): Uint8Array {
    const synchronized = new Uint8Array(this.entries.length);
    if ('all' in this.synchronizedGroups) return synchronized.fill(1);
    const stack = this.synchronizedGroups.roots.flatMap((dn) => {
      const id = this.ids.get(lower(dn));
      const g = id === undefined ? NONE : (groupOfId[id] as number);
      return g === NONE ? [] : [g];
    });
    for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
      if (synchronized[next] === 1) continue;
      synchronized[next] = 1;
      for (const id of this.members[next] as Int32Array) {
        const child = groupOfId[id] as number;
        if (child !== NONE && synchronized[child] !== 1) stack.push(child);
      }
    }
    return synchronized;
  }
}

/** Input of resolveMemberships: the groups read and the synchronized users, at once. */
export interface MembershipInput {
  readonly groups: readonly DirectoryGroupEntry[];
  readonly users: readonly MemberUser[];
  readonly synchronized: SynchronizedGroups;
  readonly rules: readonly PrivilegeRule[];
}

export interface Memberships {
  /** The synchronized groups with their synchronized direct members. */
  readonly groups: readonly GroupWithMembers[];
  /** Each user (by objectGUID) that belongs to a synchronized group or a rule's group. */
  readonly users: ReadonlyMap<string, UserMembership>;
  /** Indexes of the rules whose group was not among the groups read (it is no group, or not readable). */
  readonly unknownRuleGroups: readonly number[];
}

/** The memberships of a few groups and users at once (the index asked for all of them). */
export function resolveMemberships(input: MembershipInput): Memberships {
  const index = new MembershipIndex(input.synchronized, input.rules);
  index.add(input.groups);
  const byId = new Map<number, MemberUser>();
  const users = new Map<string, UserMembership>();
  for (const user of input.users) {
    const id = index.idOf(user.distinguishedName);
    if (id !== undefined) byId.set(id, user);
    const membership = index.membershipOf(user.distinguishedName);
    if (membership.groups.length > 0 || membership.rules.length > 0) users.set(user.objectGuid, membership);
  }
  const groups = [...index.synchronizedChunks((id) => byId.get(id), Number.MAX_SAFE_INTEGER)].flat();
  const unknownRuleGroups = input.rules.flatMap((rule, i) => (index.hasGroup(rule.group) ? [] : [i]));
  return { groups, users, unknownRuleGroups };
}
