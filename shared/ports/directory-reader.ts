import type { ConnectionConfig } from '../config/config-schema';
import type { AccountStanding } from '../domain/account-lockout';
import type { DirectoryChange } from '../domain/change-watch';
import type { DirectoryGroupEntry, PrimaryGroupMember } from '../domain/group';
import type { DirectoryEntry } from '../domain/user';
import type { UserLookup } from '../domain/user-lookup';

/** The rootDSE facts the sync uses (and the Base-DN picker shows). */
export interface RootDse {
  readonly defaultNamingContext?: string;
  readonly namingContexts: readonly string[];
  readonly dnsHostName?: string;
}

/**
 * Where a DC's replica stands: changes carry USNs local to one DC database, identified by the DC
 * (dsServiceName) and its database instance (invocationId, which a restore changes).
 */
export interface DirectorySyncState {
  readonly dsServiceName: string;
  readonly invocationId: string;
  readonly highestCommittedUsn: number;
}

export interface DirectoryGroup {
  readonly dn: string;
  readonly name: string;
  readonly description?: string;
}

/** A server to try, in order. */
export interface ServerAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * Whether this account may use DirSync (the replication-style change read) on this DC; `unknown` when the probe
 * got no answer (a timeout, a dropped connection): not known, so not usable.
 */
export type DirSyncAccess = 'permitted' | 'notPermitted' | 'unsupported' | 'unknown';

/** The names a user account can go by, read by its DN (a `userName` transform: a manager's mapped name). */
export interface AccountNames {
  readonly distinguishedName: string;
  readonly sAMAccountName: string;
  readonly userPrincipalName?: string;
  readonly mail?: string;
}

/** A change notification search held on a session (DirectorySession.watchChanges). */
export interface DirectoryWatch {
  /**
   * Resolves when the session is closed; rejects with a DirectoryError when the connection drops or the DC
   * refuses or ends the search.
   */
  readonly ended: Promise<void>;
}

/** How a change notification search is held (DirectorySession.watchChanges). */
export interface WatchOptions {
  /**
   * Ask for deleted objects too (the Show Deleted control, 1.2.840.113556.1.4.417, critical): a deletion is then
   * notified where the DC shows the tombstone to the account (docs/architecture.md#changes-in-seconds).
   */
  readonly showDeleted?: boolean;
  /**
   * Told when the DC refused the search with Show Deleted (it ended it with an error before notifying anything),
   * with that error (a DirectoryError): the search is open again on the same connection without the control.
   */
  readonly onShowDeletedRefused?: (error: Error) => void;
}

/** Which primary groups (RIDs) a primary-group read asks for: these, or all but one. */
export type PrimaryGroupIds = readonly number[] | { readonly except: number };

/** An open, TLS-protected connection to one domain controller. */
export interface DirectorySession {
  /** `host:port` of the DC that answered. */
  readonly server: string;
  readonly rootDse: RootDse;
  bind(username: string, password: string): Promise<void>;
  /** Throws NoSuchObjectError when the DN does not exist. */
  assertExists(dn: string, what: string): Promise<void>;
  /**
   * Every user object under the base DN (`(&(objectCategory=person)(objectClass=user))`), page by page as
   * the server sends them (a run holds one page at a time); with `changedSinceUsn`, only those whose
   * uSNChanged is at least that. The pages end only at the server's last cookie; a failure on the way
   * throws (a cut-short read never looks complete), and so does an entry whose flags the bind account
   * could not read (UnreadableAttributeError) or a connection lost between two requests (PartialReadError).
   */
  userPages(baseDn: string, changedSinceUsn?: number): AsyncIterable<DirectoryEntry[]>;
  /**
   * Every later user read (userPages, readUsersByGuid, findUserEntries) also asks for these attributes and
   * returns their values in DirectoryEntry.attributes: those attribute mapping reads.
   */
  alsoRead(attributes: readonly string[]): void;
  /**
   * The user accounts with these DNs anywhere in the domain (a manager may live outside the base DN), those
   * that exist, read in batches: each DN is a filter value, never filter text.
   */
  readAccountNames(dns: readonly string[]): Promise<AccountNames[]>;
  /**
   * The DNs of the organizational units and plain containers under the base DN (not the base itself) whose
   * uSNChanged is at least `sinceUsn`, a few at most: an OU renamed or moved there changes the DNs of the users
   * under it and not their uSNChanged, so an incremental run reads everything when any comes back.
   */
  changedContainers(baseDn: string, sinceUsn: number): Promise<string[]>;
  /**
   * Of these attributes (those a mapping reads), the ones whose changes do not move the user's uSNChanged: back
   * links such as memberOf and directReports, constructed attributes, the per-DC logon counters. By the schema,
   * and by name.
   */
  untrackedAttributes(attributes: readonly string[]): Promise<string[]>;
  /**
   * The objectGUIDs and DNs of the users anywhere in the domain (its naming context, where readAccountNames
   * looks) whose uSNChanged is at least `sinceUsn`: the managers outside the base DN that may have been renamed.
   */
  usersChangedSince(sinceUsn: number): Promise<{ objectGuid: string; distinguishedName: string }[]>;
  /**
   * The users under the base DN (read as userPages reads them) with any of `attributes` equal to any of `dns`
   * (the reports of a renamed manager); each DN a filter value, never filter text.
   */
  usersReferencing(
    baseDn: string,
    attributes: readonly string[],
    dns: readonly string[],
  ): Promise<DirectoryEntry[]>;
  /** The users with these objectGUIDs under the base DN (those that exist). */
  readUsersByGuid(baseDn: string, guids: readonly string[]): Promise<DirectoryEntry[]>;
  /**
   * The user objects under the base DN that one name designates (GET /directory/users/{name}): by objectGUID,
   * by DN (a base-scope read; none when it does not exist) or by sAMAccountName or userPrincipalName; each
   * read exactly as userPages reads it. Usually one; none when no user matches, several when the name is
   * ambiguous (one's sAMAccountName is another's UPN).
   */
  findUserEntries(baseDn: string, lookup: UserLookup): Promise<DirectoryEntry[]>;
  /**
   * Whether the user is a member of the group, directly or through nested groups: the filter
   * readGroupMemberGuids uses, asked of this one user (a base-scope search on its DN).
   */
  isGroupMember(userDn: string, groupDn: string): Promise<boolean>;
  /**
   * The DN of the user's primary group (primaryGroupID: a membership its memberOf does not list), a group of
   * the DC's domain; undefined when the user's objectSid or primaryGroupID cannot be read or no group has it.
   */
  readPrimaryGroup(userDn: string): Promise<string | undefined>;
  /** The DNs of the groups an object is a direct member of (its memberOf), all values. */
  readMemberOf(dn: string): Promise<string[]>;
  /** The DC and the USN it has reached, for incremental reads. */
  readSyncState(): Promise<DirectorySyncState>;
  /**
   * Holds AD's change notification search on this connection (docs/architecture.md#changes-in-seconds):
   * subtree under `namingContext` (AD allows a subtree notification only at a naming context's root), filter
   * `(objectClass=*)`, returning objectClass and objectGUID; `onChange` is told each change as the DC sends it,
   * until the session closes.
   */
  watchChanges(
    namingContext: string,
    onChange: (change: DirectoryChange) => void,
    options?: WatchOptions,
  ): DirectoryWatch;
  /**
   * The objectGUIDs of every user object under the base DN, exactly the users `userPages(baseDn)` returns,
   * page by page: the enumeration by which every run finds who left the scope (deleted, moved out of the
   * base DN, or no longer readable), with no right beyond reading users. Fails as userPages fails.
   */
  scopeGuidPages(baseDn: string): AsyncIterable<string[]>;
  /**
   * Whether DirSync is offered and this account has the right ("Replicating Directory Changes"). Detected and
   * reported, never required: a refusal by the server is an answer, not a failure, and no answer is `unknown`.
   * Never rejects.
   */
  probeDirSync(): Promise<DirSyncAccess>;
  /**
   * The account with this objectGUID anywhere in the domain, as this DC sees it: its bad-password count here,
   * whether it is locked out, the lockout policy that applies to it (POST /logon's guard). Undefined when the
   * domain has no such account; throws when any of it cannot be read.
   */
  readAccountStanding(objectGuid: string): Promise<AccountStanding | undefined>;
  /** The DNS name of the domain's PDC emulator: the DC that keeps the domain's bad-password counts. */
  readPdcEmulator(): Promise<string>;
  /**
   * objectGUIDs of users that are members of the group, directly or through nested groups, by `member` or by
   * primary group (primaryGroupID: the group's or a nested group's RID, a group of the DC's domain).
   */
  readGroupMemberGuids(baseDn: string, groupDn: string): Promise<Set<string>>;
  /**
   * Group entries with their direct members' DNs, a page at a time: every group under the base DN, or (with
   * `roots`) those groups and every group nested in them under the base DN. A root that is no group, or does
   * not exist, is not returned (the caller names what asked for it). Fails as userPages fails: a cut-short read
   * never looks complete.
   */
  groupPages(baseDn: string, roots?: readonly string[]): AsyncIterable<DirectoryGroupEntry[]>;
  /**
   * Each user account's primary group (primaryGroupID, a membership no `member` lists), a page at a time: the
   * users under the base DN (scope `base`: the one at that DN), or those whose primaryGroupID is one of `rids`
   * (`{ except }`: is not that one). Fails as userPages fails.
   */
  primaryGroupPages(
    baseDn: string,
    rids?: PrimaryGroupIds,
    scope?: 'base' | 'sub',
  ): AsyncIterable<PrimaryGroupMember[]>;
  /**
   * The objectGUIDs of the groups under the base DN, a page at a time; with `changedSinceUsn`, only those whose
   * uSNChanged is at least that (an incremental run's groups: a changed member list moves it).
   */
  groupGuidPages(baseDn: string, changedSinceUsn?: number): AsyncIterable<string[]>;
  /** Groups whose name contains `search` (all when empty), at most `limit`, for the group picker. */
  searchGroups(baseDn: string, search: string, limit: number): Promise<DirectoryGroup[]>;
  close(): Promise<void>;
}

/** Reads Active Directory; never writes to it. All failures are DirectoryErrors. */
export interface DirectoryReader {
  /** The DCs to try: the configured servers, or those found by DNS SRV for the domain. */
  resolveServers(connection: ConnectionConfig): Promise<ServerAddress[]>;
  /** Connects to the first server that answers over TLS (failover in the given order). */
  connect(servers: readonly ServerAddress[], connection: ConnectionConfig): Promise<DirectorySession>;
}

export type { DirectoryChange };
