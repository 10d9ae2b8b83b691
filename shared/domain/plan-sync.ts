/**
 * The sync plan (docs/contract.md#the-plan): a pure function of the directory users in scope, the user
 * database and the configuration. Nothing here reads or writes anything.
 */
import type { Config } from '../config/config-schema';
import type { ExclusionReason } from './scope-policy';
import type { MappedUser, User } from './user';

export type ChangeAction = 'create' | 'update' | 'delete' | 'conflict' | 'unchanged';
export type UserField =
  | 'userName'
  | 'fullName'
  | 'emailAddresses'
  | 'distinguishedName'
  | 'userPrincipalName'
  | 'objectGuid';

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
}
export interface UpdateChange extends ChangeBase {
  readonly action: 'update';
  readonly target: MappedUser;
  readonly current: User;
}
export interface UnchangedChange extends ChangeBase {
  readonly action: 'unchanged';
  readonly current: User;
}
export interface DeleteChange extends ChangeBase {
  readonly action: 'delete';
  readonly current: User;
  /** True when the deletion threshold holds the delete back. */
  readonly withheld: boolean;
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
export type PlannedChange = CreateChange | UpdateChange | UnchangedChange | DeleteChange | ConflictChange;

export interface SyncPlan {
  readonly changes: readonly PlannedChange[];
  readonly counts: {
    readonly created: number;
    readonly updated: number;
    readonly deleted: number;
    readonly unchanged: number;
    readonly conflicts: number;
  };
  /** Set when deletes exceed the threshold and were not allowed: they stay in the plan, withheld. */
  readonly deletionThresholdExceeded?: string;
  /** Set when deletes exceed the threshold and `allowMassDeletion` lets them through, this once. */
  readonly deletionThresholdOverridden?: string;
}

export interface PlanInput {
  /** Directory users in scope, mapped. */
  readonly inScope: readonly MappedUser[];
  /** Directory users read but out of scope, by objectGUID, with their reasons. */
  readonly excluded: ReadonlyMap<string, readonly ExclusionReason[]>;
  /** Every user of the user database, local ones included. */
  readonly current: readonly User[];
  readonly options: Config['options'];
  /** A one-shot override of the deletion threshold (`POST /sync` with `allowMassDeletion`). */
  readonly allowMassDeletion?: boolean;
  /**
   * False after an incremental read (only what changed since the last run): a user that was not read is
   * unchanged, not gone. Default true: a full read, where a user not returned is gone.
   */
  readonly readComplete?: boolean;
  /** objectGUIDs of users deleted in the directory (tombstones), known on an incremental read. */
  readonly deletedInDirectory?: ReadonlySet<string>;
  /**
   * Directory users in the database, when `current` holds only those an incremental read concerns; the
   * others count as unchanged and as the deletion threshold's base. Default: those in `current`.
   */
  readonly directoryUsersInDatabase?: number;
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
  return fields;
}

const describe = (user: MappedUser) => ({
  userName: user.userName,
  fullName: user.fullName,
  emailAddresses: user.emailAddresses,
});

/**
 * Plans the sync. Directory users are matched to database users by objectGUID first (so a rename in AD
 * updates the same user), then by user name (case-insensitive). Local users are never changed or deleted;
 * a directory user whose name a local user holds is a conflict. Deletes are planned only when
 * `deleteUsers` is on, and withheld when they exceed the threshold.
 */
export function planSync(input: PlanInput): SyncPlan {
  const { current, options } = input;
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
        reason: `renamed in the directory from ${existing.userName}, but ${holder.authentication === 'local' ? 'a local' : 'another'} user already holds the name ${holder.userName}`,
        unsettled: holder.authentication !== 'local',
      });
      continue;
    }
    const fields = changedFields(target, existing);
    changes.push(
      fields.length === 0
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
        action: 'update',
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

  // Deletes: directory users of the database that the sync no longer returns in scope. After an incremental
  // read, only those known to be out of scope or deleted; the others were simply not read (unchanged).
  const deletes: DeleteChange[] = [];
  let untouched = 0;
  for (const user of directoryUsers) {
    if (matched.has(user)) continue;
    const reasons = user.objectGuid ? input.excluded.get(user.objectGuid) : undefined;
    if (!complete && !reasons && !(user.objectGuid && deleted.has(user.objectGuid))) {
      untouched += 1;
      continue;
    }
    if (options.deleteUsers) {
      deletes.push(deleteChange(user, deleteReason(reasons)));
    }
  }
  const population = input.directoryUsersInDatabase ?? directoryUsers.length;
  untouched += Math.max(0, population - directoryUsers.length);
  const exceeded = deletes.length > 0 ? thresholdExceeded(deletes.length, population, options) : undefined;
  const withhold = exceeded !== undefined && !input.allowMassDeletion;
  for (const change of deletes) {
    changes.push(
      withhold
        ? deleteChange(change.current, withheldReason(change.reason as string, exceeded), true)
        : change,
    );
  }

  const count = (action: ChangeAction) => changes.filter((c) => c.action === action).length;
  return {
    changes,
    counts: {
      created: count('create'),
      updated: count('update'),
      deleted: withhold ? 0 : deletes.length,
      unchanged: count('unchanged') + untouched,
      conflicts: count('conflict'),
    },
    ...(withhold ? { deletionThresholdExceeded: exceeded } : {}),
    ...(exceeded !== undefined && !withhold ? { deletionThresholdOverridden: exceeded } : {}),
  };
}

/** Why a directory user is deleted: out of scope for these reasons, or (none given) no longer returned. */
export const deleteReason = (reasons?: readonly ExclusionReason[]): string =>
  reasons?.length ? `out of scope: ${reasons.join(', ')}` : 'no longer returned by the directory';

/** A delete's reason once the deletion threshold holds it back (`exceeded` says why). */
export const withheldReason = (reason: string, exceeded: string): string =>
  `${reason}; withheld: ${exceeded}`;

/** The delete of a database user, for the reason given; `withheld` when the threshold holds it back. */
export function deleteChange(user: User, reason: string, withheld = false): DeleteChange {
  return {
    action: 'delete',
    current: user,
    userName: user.userName,
    fullName: user.fullName,
    emailAddresses: user.emailAddresses,
    changedFields: [],
    reason,
    withheld,
  };
}

/**
 * Why `deletes` exceeds the threshold, or undefined when it does not. The percentage is of the directory
 * users in the database (the population deletes come from); "above" is strict: exactly maxCount passes.
 */
export function thresholdExceeded(
  deletes: number,
  directoryUsersInDatabase: number,
  { deletionThreshold }: Config['options'],
): string | undefined {
  const { maxCount, maxPercent } = deletionThreshold;
  if (deletes > maxCount) return `${deletes} deletes exceed the maximum of ${maxCount}`;
  const percent = directoryUsersInDatabase === 0 ? 100 : (deletes * 100) / directoryUsersInDatabase;
  if (percent > maxPercent) {
    return `${deletes} of ${directoryUsersInDatabase} directory users (${percent.toFixed(1)}%) exceed the maximum of ${maxPercent}%`;
  }
  return undefined;
}
