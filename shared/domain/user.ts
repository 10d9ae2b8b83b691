import type { ArchiveAccess, Privilege } from '../config/config-schema';
import type { MappedAttributes } from './attribute-rules';
import type { RawValue } from './attribute-values';
import { effectivePrivilegesOf } from './privilege-rules';

export type Authentication = 'directoryServices' | 'local';

/** A user of the application's user database (the User of docs/contract.md#http-api). */
export interface User {
  readonly userName: string;
  readonly fullName: string;
  readonly emailAddresses: readonly string[];
  readonly authentication: Authentication;
  readonly distinguishedName?: string;
  readonly userPrincipalName?: string;
  /** objectGUID in AD's string form; the anchor that makes renames update the same user. */
  readonly objectGuid?: string;
  readonly privileges: readonly Privilege[];
  readonly ownArchiveAccess: readonly ArchiveAccess[];
  readonly createdAt: string;
  readonly updatedAt: string;
  /**
   * Set while a directory user the sync would have deleted waits out `options.deletionGraceDays`
   * (docs/contract.md#deletes): it cannot log on, and keeps its privileges and archive.
   */
  readonly suspendedAt?: string;
  /** Directory users: the synchronized groups it belongs to (nested included), by name; kept by every run. */
  readonly groups?: readonly string[];
  /** What the privilege rules of its groups give it (docs/contract.md#privileges-by-group); kept by every run. */
  readonly groupPrivileges?: readonly Privilege[];
  readonly groupArchiveAccess?: readonly ArchiveAccess[];
  /** Directory users: the fields of `mapping.attributes` (docs/contract.md#attribute-mapping); kept by every run. */
  readonly attributes?: MappedAttributes;
}

/** A user entry as read from the directory, before any policy or mapping. */
export interface DirectoryEntry {
  readonly objectGuid: string;
  readonly distinguishedName: string;
  readonly sAMAccountName: string;
  readonly userPrincipalName?: string;
  readonly displayName?: string;
  readonly cn?: string;
  readonly mail?: string;
  readonly proxyAddresses: readonly string[];
  /** Always read: an entry without a valid userAccountControl fails the read (an ACL hides it). */
  readonly userAccountControl: number;
  /**
   * msExchHideFromAddressLists; absent on a user counts as visible. Undefined when the directory's schema has
   * no such attribute (no Exchange schema): then nobody's flag is known, and a filter on it cannot run.
   */
  readonly hiddenFromAddressLists: boolean | undefined;
  /**
   * The values of the attributes the mapping reads (`mapping.attributes`), by lower-cased name: text, or
   * bytes for objectGUID and objectSid. Absent attributes are left out.
   */
  readonly attributes?: Readonly<Record<string, readonly RawValue[]>>;
}

/** What the sync maintains of a directory user in the user database. */
export interface MappedUser {
  readonly userName: string;
  readonly fullName: string;
  readonly emailAddresses: readonly string[];
  readonly distinguishedName: string;
  readonly userPrincipalName?: string;
  readonly objectGuid: string;
  /** The mapped attributes (docs/contract.md#attribute-mapping); none without a mapping. */
  readonly attributes?: MappedAttributes;
}

/** The User of the API (docs/contract.md#http-api), of logon and of change events: exactly those fields. */
export interface PublicUser {
  readonly userName: string;
  readonly fullName: string;
  readonly emailAddresses: readonly string[];
  readonly authentication: Authentication;
  readonly distinguishedName?: string;
  readonly objectGuid?: string;
  readonly privileges: readonly Privilege[];
  readonly ownArchiveAccess: readonly ArchiveAccess[];
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly suspendedAt?: string;
  readonly groups: readonly string[];
  readonly groupPrivileges: readonly Privilege[];
  readonly groupArchiveAccess: readonly ArchiveAccess[];
  /** `privileges` and `groupPrivileges` together: what the user may do (POST /logon asks for `login`). */
  readonly effectivePrivileges: readonly Privilege[];
  /** The mapped attributes (docs/contract.md#attribute-mapping): `{}` for a local user or without a mapping. */
  readonly attributes: MappedAttributes;
}

export function toPublicUser(user: User): PublicUser {
  return {
    userName: user.userName,
    fullName: user.fullName,
    emailAddresses: user.emailAddresses,
    authentication: user.authentication,
    ...(user.distinguishedName ? { distinguishedName: user.distinguishedName } : {}),
    ...(user.objectGuid ? { objectGuid: user.objectGuid } : {}),
    privileges: user.privileges,
    ownArchiveAccess: user.ownArchiveAccess,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt,
    ...(user.suspendedAt ? { suspendedAt: user.suspendedAt } : {}),
    groups: user.groups ?? [],
    groupPrivileges: user.groupPrivileges ?? [],
    groupArchiveAccess: user.groupArchiveAccess ?? [],
    effectivePrivileges: effectivePrivilegesOf(user),
    attributes: user.attributes ?? {},
  };
}
