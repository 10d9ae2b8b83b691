/**
 * Where the synchronized groups are kept (docs/data-model.md#group), as the sync sees them (GroupStore) and as
 * the read routes do (GroupDirectory).
 */
import type { Group, GroupField, GroupMember, GroupWithMembers } from '../domain/group';
import type { MembershipField, MembershipValues } from '../domain/plan-sync';
import type { User } from '../domain/user';

/** A stored group without its members: the Group, its version, and a hash of its members. */
export interface StoredGroup extends Group {
  readonly version: number;
  readonly membersHash: string;
}

/** A change the group pass writes to a group (never `unchanged`: those are not written). */
export type GroupChange =
  | {
      readonly action: 'create';
      readonly target: GroupWithMembers;
      readonly changedFields: readonly GroupField[];
    }
  | {
      readonly action: 'update';
      readonly target: GroupWithMembers;
      readonly current: StoredGroup;
      readonly changedFields: readonly GroupField[];
      /** objectGUIDs of the direct members that joined / left. */
      readonly membersAdded: readonly string[];
      readonly membersRemoved: readonly string[];
    }
  | { readonly action: 'delete'; readonly current: StoredGroup };

/** What a directory user gets from its groups. */
export type { MembershipValues } from '../domain/plan-sync';

/** A directory user whose groups, or what their rules give it, changed. */
export interface MembershipChange {
  /** As the database held it (its version is the write's condition). */
  readonly current: User;
  readonly target: MembershipValues;
  readonly changedFields: readonly MembershipField[];
}

/** Who writes, and when: the run (each write is marked with it) and the time. */
export interface GroupWriteContext {
  readonly runId: string;
  readonly now: string;
}

export interface GroupWriteResult {
  readonly applied: number;
  /** Writes refused because the item changed since it was read (the next run picks them up). */
  readonly conflicts: number;
}

export interface GroupStore {
  /** Every stored group, without members. */
  listGroups(): Promise<StoredGroup[]>;
  /** The direct members of a stored group. */
  membersOf(objectGuid: string): Promise<GroupMember[]>;
  applyGroupChanges(changes: readonly GroupChange[], context: GroupWriteContext): Promise<GroupWriteResult>;
  /**
   * Whether an earlier group pass may have left groups or users' group fields (its mark: one read by key).
   * A run whose configuration uses no groups clears them only then.
   */
  hasGroupData(): Promise<boolean>;
  /** Sets the mark before a pass writes anything (true), or removes it once a pass left nothing (false). */
  markGroupData(present: boolean): Promise<void>;
  /** Sets users' groups and group privileges, each on the version it was read at. */
  applyMembershipChanges(
    changes: readonly MembershipChange[],
    context: GroupWriteContext,
  ): Promise<GroupWriteResult>;
}

/** The groups as the read routes show them. */
export interface GroupDirectory {
  /** A page of groups in name order. */
  listGroupsPage(limit: number, cursor?: string): Promise<{ groups: Group[]; cursor?: string }>;
  /** The group of this name (sAMAccountName, case-insensitive). */
  findGroup(name: string): Promise<StoredGroup | undefined>;
  membersOf(objectGuid: string): Promise<GroupMember[]>;
}
