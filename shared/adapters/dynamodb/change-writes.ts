/**
 * The transaction actions of each planned change, and what a refused one means. Every write is conditional,
 * so a repeated or concurrent apply can neither duplicate nor lose a user: a user's key is its lower-cased
 * name (one user per name, case-insensitively), creates require the key to be free, and updates and deletes
 * require the version they were planned from.
 *
 * Each write carries its change's mark (`lastChange`: the run, the kind of change, the fields), from which
 * the table's stream makes the change event (domain/change-event.ts). A delete cannot carry anything, so it
 * is two writes: the mark on the item, then the removal of the item as marked.
 */
import type { OwnerChange } from '../../domain/archive-folder';
import type { ChangeKind, LastChange } from '../../domain/change-event';
import type { MembershipField, MembershipValues, PlannedChange, UserField } from '../../domain/plan-sync';
import type { MappedUser, User } from '../../domain/user';
import type { ApplyContext } from '../../ports/user-store';
import type { Item } from './documents';
import { userKey } from './keys';
import type { TransactionWrite } from './transactions';
import { toUserItem, type UserItem } from './user-items';

export interface ChangeWrite extends TransactionWrite {
  readonly change: PlannedChange;
  /** Set when the change deletes or renames a user: its archive folders follow once it has committed. */
  readonly owner?: OwnerChange;
  /** A delete's second write, once its mark has committed: the removal of the marked item. */
  readonly removal?: ChangeWrite;
}

/** The maintained fields a create writes: every one it sets. */
const fieldsOf = (target: MappedUser): UserField[] => [
  'userName',
  'fullName',
  'emailAddresses',
  'distinguishedName',
  ...(target.userPrincipalName ? (['userPrincipalName'] as const) : []),
  'objectGuid',
  ...Object.keys(target.attributes ?? {})
    .sort()
    .map((field) => `attributes.${field}` as const),
];

/** The membership fields a create sets: those its groups give anything. */
const membershipFieldsOf = (memberships: MembershipValues | undefined): MembershipField[] =>
  memberships
    ? (['groups', 'groupPrivileges', 'groupArchiveAccess'] as const).filter((f) => memberships[f].length > 0)
    : [];

/** The membership fields a change writes, when it carries them (never the explanation of why). */
const membershipValuesOf = (m: MembershipValues | undefined): Partial<MembershipValues> =>
  m ? { groups: m.groups, groupPrivileges: m.groupPrivileges, groupArchiveAccess: m.groupArchiveAccess } : {};

/** The mark of a change that writes this version of the item. */
const mark = (
  kind: ChangeKind,
  changedFields: readonly UserField[],
  { runId, now }: ApplyContext,
  version: number,
): LastChange => ({ runId, kind, changedFields, at: now, version });

/** The user a create or update writes: maintained fields from the directory, the rest kept or defaulted. */
function directoryUser(
  target: MappedUser,
  base: Pick<
    User,
    'privileges' | 'ownArchiveAccess' | 'createdAt' | 'groups' | 'groupPrivileges' | 'groupArchiveAccess'
  >,
  now: string,
): User {
  return {
    userName: target.userName,
    fullName: target.fullName,
    emailAddresses: target.emailAddresses,
    authentication: 'directoryServices',
    distinguishedName: target.distinguishedName,
    ...(target.userPrincipalName ? { userPrincipalName: target.userPrincipalName } : {}),
    objectGuid: target.objectGuid,
    ...(target.attributes && Object.keys(target.attributes).length > 0
      ? { attributes: target.attributes }
      : {}),
    privileges: base.privileges,
    ownArchiveAccess: base.ownArchiveAccess,
    createdAt: base.createdAt,
    updatedAt: now,
    // What the user's groups give is the group pass's to change (use-cases/sync-groups.ts), or the change's
    // when it carries it (a create, a one-user sync's update): otherwise carried over.
    ...(base.groups ? { groups: base.groups } : {}),
    ...(base.groupPrivileges ? { groupPrivileges: base.groupPrivileges } : {}),
    ...(base.groupArchiveAccess ? { groupArchiveAccess: base.groupArchiveAccess } : {}),
  };
}

/** Condition that the stored user is (still) at this version, and a directory user. */
const atVersion = (version: number) => ({
  ConditionExpression: '#version = :version AND #authentication = :directory',
  ExpressionAttributeNames: { '#version': 'version', '#authentication': 'authentication' },
  ExpressionAttributeValues: { ':version': version, ':directory': 'directoryServices' },
});

/** Condition that the stored user is still the one the change was planned from. */
const unchangedSincePlanned = (current: User) => atVersion((current as UserItem).version ?? 0);

/** The write of a change: creates, updates and deletes that are not withheld; nothing for the rest. */
export function changeWrite(
  TableName: string,
  change: PlannedChange,
  context: ApplyContext,
): ChangeWrite | undefined {
  const { defaults, now } = context;
  switch (change.action) {
    case 'create': {
      // The user's groups and what they give it, when the run read its groups first (sync-groups.ts).
      const given = membershipValuesOf(change.memberships);
      const user = directoryUser(change.target, { ...defaults, createdAt: now, ...given }, now);
      const fields = [...fieldsOf(change.target), ...membershipFieldsOf(change.memberships)];
      return {
        change,
        actions: [
          {
            Put: {
              TableName,
              Item: toUserItem(user, 1, mark('create', fields, context, 1)),
              ConditionExpression: 'attribute_not_exists(pk)',
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
        ],
      };
    }
    case 'update':
    case 'restore': {
      // A restore is an update that also ends the suspension. Memberships: a one-user sync's (plan-groups.ts).
      const current = change.current as UserItem;
      const user = directoryUser(
        change.target,
        { ...current, ...membershipValuesOf(change.memberships) },
        now,
      );
      const version = current.version + 1;
      const item = toUserItem(user, version, mark(change.action, change.changedFields, context, version));
      if (user.userName.toLowerCase() === current.userName.toLowerCase()) {
        return {
          change,
          actions: [
            {
              Put: {
                TableName,
                Item: item,
                ...unchangedSincePlanned(current),
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
          ],
        };
      }
      // A rename moves the user to its new key, both halves in the same transaction; its archive folders
      // follow it.
      return {
        change,
        actions: [
          { Delete: { TableName, Key: userKey(current.userName), ...unchangedSincePlanned(current) } },
          { Put: { TableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
        ],
        owner: { action: 'rename', userName: current.userName, newUserName: user.userName },
      };
    }
    case 'suspend': {
      if (change.withheld) return undefined;
      const { version: _v, ...current } = change.current as UserItem;
      const version = (change.current as UserItem).version + 1;
      return {
        change,
        actions: [
          {
            Put: {
              TableName,
              Item: toUserItem(
                { ...current, suspendedAt: now, updatedAt: now },
                version,
                mark('suspend', [], context, version),
              ),
              ...unchangedSincePlanned(change.current),
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
        ],
      };
    }
    case 'delete': {
      if (change.withheld) return undefined;
      const current = change.current as UserItem;
      const key = userKey(current.userName);
      const marked = unchangedSincePlanned(current);
      return {
        change,
        actions: [
          {
            Update: {
              TableName,
              Key: key,
              UpdateExpression: 'SET #version = :marked, #lastChange = :mark',
              ConditionExpression: marked.ConditionExpression,
              ExpressionAttributeNames: { ...marked.ExpressionAttributeNames, '#lastChange': 'lastChange' },
              ExpressionAttributeValues: {
                ...marked.ExpressionAttributeValues,
                ':marked': current.version + 1,
                ':mark': mark('delete', [], context, current.version + 1),
              },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
        ],
        removal: {
          change,
          actions: [{ Delete: { TableName, Key: key, ...atVersion(current.version + 1) } }],
          owner: { action: 'delete', userName: current.userName },
        },
      };
    }
    default:
      return undefined;
  }
}

/** A failed create whose key already holds the very directory user it wanted to write. */
export function isAlreadyApplied(change: PlannedChange, found: Item | undefined): boolean {
  return (
    change.action === 'create' &&
    found?.objectGuid === change.target.objectGuid &&
    found?.authentication === 'directoryServices'
  );
}

/** Why a change was refused, for the report. */
export function conflictReason(change: PlannedChange, found: Item | undefined): string {
  if (change.action === 'create') {
    return found?.authentication === 'local'
      ? `a local user named ${String(found.userName)} was added meanwhile; it is left as it is`
      : `a user named ${change.userName} was added meanwhile`;
  }
  return `${change.userName} changed in the user database since the plan was made; the next run picks it up`;
}
