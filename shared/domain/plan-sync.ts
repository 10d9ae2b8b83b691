/**
 * The sync plan (docs/contract.md#the-plan) of the directory users read: creates, updates and conflicts, a
 * pure function of those users and the user database. Deletes are decided once the whole read is known, in
 * plan-deletes.ts. Nothing here reads or writes anything.
 */
import { changedAttributes } from './attribute-mapping';
import type { MembershipExplanation } from './group-membership';
import type { ArchiveAccess, Privilege } from './privileges';
import type { ExclusionReason } from './scope-policy';
import type { MappedUser, User } from './user';

export type ChangeAction = 'create' | 'update' | 'delete' | 'suspend' | 'restore' | 'conflict' | 'unchanged';
export type UserField =
  | 'userName'
  | 'fullName'
  | 'emailAddresses'
  | 'distinguishedName'
  | 'userPrincipalName'
  | 'objectGuid'
  /** A mapped attribute (docs/contract.md#attribute-mapping). */
  | `attributes.${string}`
  /**
   * Written by the group pass of a run (use-cases/sync-groups.ts), never by planSync; a one-user sync's change
   * carries them (plan-groups.ts, withMembershipFields).
   */
  | MembershipField;
export type MembershipField = 'groups' | 'groupPrivileges' | 'groupArchiveAccess';
/** A directory user's membership fields: the synchronized groups it is in, what their rules give it. */
export interface MembershipValues {
  readonly groups: readonly string[];
  readonly groupPrivileges: readonly Privilege[];
  readonly groupArchiveAccess: readonly ArchiveAccess[];
}

interface ChangeBase {
  readonly userName: string;
  readonly fullName: string;
  readonly emailAddresses: readonly string[];
  readonly changedFields: readonly UserField[];
  readonly reason?: string;
}
export interface CreateChange extends ChangeBase {
  readonly action: 'create';
  readonly target: MappedUser;
  /**
   * What the user's groups give it, when the run read groups first: written with the create. Test Settings'
   * also says why (the rules), for its report.
   */
  readonly memberships?: MembershipValues | MembershipExplanation;
}
export interface UpdateChange extends ChangeBase {
  readonly action: 'update';
  readonly target: MappedUser;
  readonly current: User;
  /**
   * What the user's groups give it, when the change writes it (a one-user sync: plan-groups.ts, and its
   * fields in changedFields); without it an update keeps what the user holds, the group pass's to change.
   */
  readonly memberships?: MembershipValues;
}
export interface UnchangedChange extends ChangeBase {
  readonly action: 'unchanged';
  readonly current: User;
}
export interface DeleteChange extends ChangeBase {
  readonly action: 'delete';
  readonly current: User;
  /** True when the delete is held back (the deletion threshold; see plan-deletes.ts). */
  readonly withheld: boolean;
}
/** A delete that waits out the grace period first (plan-deletes.ts): the user is suspended, not deleted. */
export interface SuspendChange extends ChangeBase {
  readonly action: 'suspend';
  readonly current: User;
  /** True when it is held back with the run's deletes (the threshold counts suspensions as deletes). */
  readonly withheld: boolean;
}
/** A suspended user back in scope: its suspension ends, and its maintained fields are brought up to date. */
export interface RestoreChange extends ChangeBase {
  readonly action: 'restore';
  readonly target: MappedUser;
  readonly current: User;
  /** As an update's. */
  readonly memberships?: MembershipValues;
}
export interface ConflictChange extends ChangeBase {
  readonly action: 'conflict';
  readonly target: MappedUser;
  /** True when a later (full) read may resolve it; false for a lasting one, like a local user's name. */
  readonly unsettled: boolean;
  /**
   * True when the name's holder is a directory user this read has not seen (yet): whether it still exists
   * decides between a conflict and adopting the name. A streamed full read decides once it has read all.
   */
  readonly undecided?: boolean;
}
export type PlannedChange =
  | CreateChange
  | UpdateChange
  | RestoreChange
  | UnchangedChange
  | DeleteChange
  | SuspendChange
  | ConflictChange;
/** The changes that take a user out of the user database, at once or after the grace period. */
export type RemovalChange = DeleteChange | SuspendChange;

export interface SyncPlan {
  /** Creates, updates, unchanged users and conflicts, in user-name order; never deletes. */
  readonly changes: readonly PlannedChange[];
}

export interface PlanInput {
  /** Directory users in scope, mapped. */
  readonly inScope: readonly MappedUser[];
  /** Directory users read but out of scope, by objectGUID, with their reasons. */
  readonly excluded: ReadonlyMap<string, readonly ExclusionReason[]>;
  /** The users of the user database the read users may concern (by objectGUID or name), local ones included. */
  readonly current: readonly User[];
  /**
   * False when the read did not return every directory user (an incremental read, a page of a streamed
   * read): a name's holder that was not read may still exist. Default true.
   */
  readonly readComplete?: boolean;
  /** objectGUIDs of users known to be deleted in the directory (tombstones, or gone from a finished read). */
  readonly deletedInDirectory?: Pick<ReadonlySet<string>, 'has'>;
}

const key = (userName: string): string => userName.toLowerCase();

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((value, i) => value === b[i]);

/** Which maintained fields differ between what the directory says and what the database holds. */
export function changedFields(target: MappedUser, current: User): UserField[] {
  const fields: UserField[] = [];
  if (target.userName !== current.userName) fields.push('userName');
  if (target.fullName !== current.fullName) fields.push('fullName');
  if (!sameList(target.emailAddresses, current.emailAddresses)) fields.push('emailAddresses');
  if (target.distinguishedName !== current.distinguishedName) fields.push('distinguishedName');
  if ((target.userPrincipalName ?? '') !== (current.userPrincipalName ?? ''))
    fields.push('userPrincipalName');
  if (target.objectGuid !== current.objectGuid) fields.push('objectGuid');
  fields.push(...(changedAttributes(target.attributes, current.attributes) as UserField[]));
  return fields;
}

const describe = (user: MappedUser) => ({
  userName: user.userName,
  fullName: user.fullName,
  emailAddresses: user.emailAddresses,
});

/**
 * Plans the directory users read. They are matched to database users by objectGUID first (so a rename in AD
 * updates the same user), then by user name (case-insensitive). Local users are never changed; a directory
 * user whose name a local user holds is a conflict.
 */
export function planSync(input: PlanInput): SyncPlan {
  const { current } = input;
  const complete = input.readComplete ?? true;
  const deleted = input.deletedInDirectory ?? new Set<string>();
  const directoryUsers = current.filter((u) => u.authentication === 'directoryServices');
  const byGuid = new Map(directoryUsers.filter((u) => u.objectGuid).map((u) => [u.objectGuid as string, u]));
  const byName = new Map(current.map((u) => [key(u.userName), u]));
  const inDirectory = new Set([...input.inScope.map((u) => u.objectGuid), ...input.excluded.keys()]);
  const matched = new Set<User>();
  const changes: PlannedChange[] = [];

  const inScope = [...input.inScope].sort((a, b) => key(a.userName).localeCompare(key(b.userName)));

  // Pass 1: users the database already knows by objectGUID.
  const unmatched: MappedUser[] = [];
  for (const target of inScope) {
    const existing = byGuid.get(target.objectGuid);
    if (!existing) {
      unmatched.push(target);
      continue;
    }
    matched.add(existing);
    const holder = byName.get(key(target.userName));
    if (holder && holder !== existing) {
      changes.push({
        action: 'conflict',
        target,
        ...describe(target),
        changedFields: ['userName'],
        reason: `renamed from ${existing.userName} (in the directory, or by the mapping of user names), but ${holder.authentication === 'local' ? 'a local' : 'another'} user already holds the name ${holder.userName}`,
        unsettled: holder.authentication !== 'local',
      });
      continue;
    }
    const fields = changedFields(target, existing);
    changes.push(
      existing.suspendedAt
        ? { action: 'restore', target, current: existing, ...describe(target), changedFields: fields }
        : fields.length === 0
          ? { action: 'unchanged', current: existing, ...describe(target), changedFields: [] }
          : { action: 'update', target, current: existing, ...describe(target), changedFields: fields },
    );
  }

  // Pass 2: users new to the database, or held there under their name without (or with a stale) anchor.
  for (const target of unmatched) {
    const holder = byName.get(key(target.userName));
    if (!holder) {
      changes.push({ action: 'create', target, ...describe(target), changedFields: [] });
      continue;
    }
    const conflict = (reason: string, unsettled = true, undecided = false): void => {
      changes.push({
        action: 'conflict',
        target,
        ...describe(target),
        changedFields: [],
        reason,
        unsettled,
        ...(undecided ? { undecided } : {}),
      });
    };
    if (holder.authentication === 'local') {
      conflict(`a local user already holds the name ${holder.userName}; it is left as it is`, false);
    } else if (matched.has(holder)) {
      conflict(
        `the name ${holder.userName} is being released by a rename in this run; the user follows in the next run`,
      );
    } else if (holder.objectGuid && inDirectory.has(holder.objectGuid)) {
      conflict(`another directory object (${holder.objectGuid}) already holds the name ${holder.userName}`);
    } else if (holder.objectGuid && !complete && !deleted.has(holder.objectGuid)) {
      conflict(
        `${holder.userName} may still belong to another directory object; the next full read decides`,
        true,
        true,
      );
    } else {
      // The directory user behind this name was recreated (new objectGUID) or predates anchoring: adopt it.
      matched.add(holder);
      changes.push({
        action: holder.suspendedAt ? 'restore' : 'update',
        target,
        current: holder,
        ...describe(target),
        changedFields: changedFields(target, holder),
        reason: holder.objectGuid
          ? 'the directory account was recreated under the same name'
          : 'anchored to objectGUID',
      });
    }
  }

  return { changes };
}
