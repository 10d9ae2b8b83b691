/**
 * In-memory fakes of the ports, for fast tests of the use cases (no Samba, no Java): a directory with USNs,
 * tombstones and groups, a user database with the conditional-write rules of the real store, and the
 * settings a run keeps (configuration, lock, cursor, checkpoint, handoffs). The integration tests run the same
 * use cases against the real Samba DC and DynamoDB Local; these fakes are for the cases that are slow or
 * hard to stage there (many invocations, abandoned runs, exact counts).
 */
import type { Config } from '../../shared/config/config-schema';
import type { AccountLockoutPolicy } from '../../shared/domain/account-lockout';
import { isAtOrUnder } from '../../shared/domain/distinguished-name';
import type { DirectoryGroupEntry } from '../../shared/domain/group';
import type { PlannedChange } from '../../shared/domain/plan-sync';
import type { Report, RunSummary } from '../../shared/domain/report';
import { isSuccessOfTheSync, type SuccessMark } from '../../shared/domain/schedule-health';
import type { DirectoryEntry, User } from '../../shared/domain/user';
import type { UserLookup } from '../../shared/domain/user-lookup';
import {
  ConcurrentModificationError,
  type DirectoryError,
  InvalidCredentialsError,
  NoSuchObjectError,
  NotFoundError,
  OutsideDomainError,
  PartialReadError,
  UnreachableError,
  UserKindError,
} from '../../shared/errors';
import type { Clock } from '../../shared/ports/clock';
import type { ConfigStore, StoredConfig } from '../../shared/ports/config-store';
import type {
  DirectoryChange,
  DirectoryReader,
  DirectorySession,
  DirectoryWatch,
  PrimaryGroupIds,
  WatchOptions,
} from '../../shared/ports/directory-reader';
import type { OperationStarter, PreviewStart, SyncStart } from '../../shared/ports/operation-starter';
import type {
  ContinuationTrigger,
  RunCheckpoint,
  RunCheckpointStore,
} from '../../shared/ports/run-checkpoint';
import type { RunLock } from '../../shared/ports/run-lock';
import type { PreviewStore, RunStore } from '../../shared/ports/run-store';
import type { SyncCursor, SyncCursorStore } from '../../shared/ports/sync-cursor';
import type { UserAdministration } from '../../shared/ports/user-administration';
import type {
  ApplyContext,
  ApplyResult,
  UserGuidIndex,
  UserStore,
  UserSyncState,
} from '../../shared/ports/user-store';
import { systemClock } from '../../shared/use-cases/system-clock';

const BASE_DN = 'DC=company,DC=local';
const key = (name: string): string => name.toLowerCase();

/** A directory user, enabled and visible, with an address: in scope under the default filters. */
export function directoryEntry(n: number, overrides: Partial<DirectoryEntry> = {}): DirectoryEntry {
  return {
    objectGuid: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    distinguishedName: `CN=User ${n},OU=Staff,${BASE_DN}`,
    sAMAccountName: `user${n}`,
    userPrincipalName: `user${n}@company.local`,
    displayName: `User ${n}`,
    mail: `user${n}@company.local`,
    proxyAddresses: [],
    userAccountControl: 512,
    hiddenFromAddressLists: false,
    ...overrides,
  };
}

/**
 * A directory: entries with the USN of their last change, tombstones, groups. Every change takes the next
 * USN, as a DC does. `failAfterPages` makes the next read drop after that many pages (a cut connection).
 */
export class InMemoryDirectory implements DirectoryReader {
  readonly password = 'directory-password';
  pageSize = 2;
  failAfterPages: number | undefined;
  /** Milliseconds each page takes to arrive on `clock` (a slow directory: the run's ticks come in between). */
  pageDelayMs = 0;
  /** Where pages wait their `pageDelayMs`: the test's clock, so that a slow directory costs no real time. */
  clock: Clock = systemClock;
  private usn = 1;
  /** OUs changed (moveTree), with the USN of the change. */
  private readonly containers: { dn: string; usn: number }[] = [];
  /** The attributes whose changes do not move a user's uSNChanged (lower-cased): AD's back links, say. */
  untracked = new Set(['memberof', 'directreports']);
  private readonly entries = new Map<string, { entry: DirectoryEntry; usn: number }>();
  private readonly groups = new Map<string, Set<string>>();
  /** The domain's lockout policy (AD's default of a fresh domain: never locks). */
  lockoutPolicy: AccountLockoutPolicy = { threshold: 0, observationWindowSeconds: 1800 };
  /** Each account's bad passwords on dc1, by objectGUID (none when absent). */
  readonly badPasswords = new Map<string, { count: number; at?: Date; lockedOut?: boolean }>();
  /** Every bind, as `server:password`. */
  readonly binds: string[] = [];
  /** The membership, DirSync and scope reads asked for, in order: `members`, `dirSync`, `scope`. */
  readonly reads: string[] = [];
  /** The attributes the last session was told to read too (attribute mapping). */
  alsoRead: string[] = [];
  /** Each read of accounts by DN (a `userName` transform), with its DNs. */
  readonly dnReads: string[][] = [];
  /** The change notification searches open now (watchChanges), by the naming context each watches. */
  readonly watches = new Set<InMemoryWatch>();
  /** While set, connecting fails with it (a DC that cannot be reached). */
  connectError: Error | undefined;
  /** While set, reading the sync state (the watch's liveness probe) fails with it. */
  syncStateError: Error | undefined;
  /** While set, the DirSync probe rejects with it (a session breaking the port's promise never to reject). */
  dirSyncError: Error | undefined;

  /** While set, a search asking for deleted objects (Show Deleted) is refused with it, and held without them. */
  showDeletedRefusal: DirectoryError | undefined;

  /** The DC notifies a change to every open watch, as a notification search's entry (with its objectGUID). */
  notify(
    dn: string,
    objectClasses: readonly string[] = ['top', 'person', 'user'],
    objectGuid?: string,
  ): void {
    for (const watch of this.watches)
      watch.onChange({ dn, objectClasses, ...(objectGuid ? { objectGuid } : {}) });
  }

  /** Drops every watch's connection: their searches end with `error`. */
  dropWatches(error: Error = new UnreachableError('the connection to dc1.company.local:636 dropped')): void {
    for (const watch of [...this.watches]) watch.end(error);
  }

  put(...entries: DirectoryEntry[]): this {
    for (const entry of entries) this.entries.set(entry.objectGuid, { entry, usn: ++this.usn });
    return this;
  }

  /** Deletes a user (its tombstone is hidden, as from a read-only account). */
  remove(objectGuid: string): void {
    this.entries.delete(objectGuid);
    this.usn += 1;
  }

  /**
   * Moves a user to another DN (out of the base DN, say): a change to the user object. The DC keeps DN-valued
   * attributes naming it (a report's manager) pointing at it, without a change to those objects.
   */
  move(objectGuid: string, distinguishedName: string): void {
    const found = this.entries.get(objectGuid);
    if (!found) throw new Error(`no user ${objectGuid}`);
    const from = found.entry.distinguishedName.toLowerCase();
    for (const other of this.entries.values()) {
      const attributes = other.entry.attributes;
      if (!attributes) continue;
      const rewritten = Object.fromEntries(
        Object.entries(attributes).map(([name, values]) => [
          name,
          values.map((v) => (typeof v === 'string' && v.toLowerCase() === from ? distinguishedName : v)),
        ]),
      );
      other.entry = { ...other.entry, attributes: rewritten };
    }
    this.put({ ...found.entry, distinguishedName });
  }

  /**
   * Moves an OU (or renames it): the users under `fromDn` are under `toDn` after it, their DNs changed without a
   * change to their objects, as the DC moves them (it notifies only the OU: `notify` it).
   */
  moveTree(fromDn: string, toDn: string): void {
    for (const [guid, found] of this.entries) {
      const dn = found.entry.distinguishedName;
      if (!isAtOrUnder(dn, fromDn)) continue;
      const moved = `${dn.slice(0, dn.length - fromDn.length)}${toDn}`;
      this.entries.set(guid, { ...found, entry: { ...found.entry, distinguishedName: moved } });
    }
    // Only the OU's own uSNChanged moves.
    this.containers.push({ dn: toDn, usn: ++this.usn });
  }

  /**
   * A paged search's answer: `pageSize` at a time, each after `pageDelayMs` on the clock, cut after
   * `failAfterPages` as a reset connection cuts it.
   */
  private async *pages<T>(items: readonly T[]): AsyncGenerator<T[]> {
    for (let start = 0, page = 0; start < items.length; start += this.pageSize, page += 1) {
      if (this.failAfterPages !== undefined && page >= this.failAfterPages) {
        throw new PartialReadError('the connection was reset during the read');
      }
      if (this.pageDelayMs > 0) await this.clock.sleep(this.pageDelayMs);
      yield items.slice(start, start + this.pageSize);
    }
  }

  /** The entries under a base DN, as a subtree search finds them. */
  private under(baseDn: string): { entry: DirectoryEntry; usn: number }[] {
    const suffix = `,${baseDn.toLowerCase()}`;
    return [...this.entries.values()].filter(({ entry }) =>
      entry.distinguishedName.toLowerCase().endsWith(suffix),
    );
  }

  group(dn: string, members: readonly string[]): void {
    this.groups.set(dn, new Set(members));
    this.usn += 1;
  }

  /** Group entries (with their members' DNs), for the group reads of SPEC 8.2. */
  readonly groupEntries = new Map<string, DirectoryGroupEntry>();

  /** Each group's uSNChanged. */
  readonly groupUsn = new Map<string, number>();

  /** Users' primary groups: a user's DN and its primary group's SID (none unless a test sets them). */
  readonly primaryGroups = new Map<string, string>();

  putGroup(...entries: DirectoryGroupEntry[]): this {
    this.usn += 1;
    for (const entry of entries) {
      this.groupEntries.set(entry.objectGuid, entry);
      this.groupUsn.set(entry.objectGuid, this.usn);
    }
    return this;
  }

  /**
   * The group entries a read finds: all under the base DN, or the roots (by DN, wherever they are) and the groups
   * nested in them under the base DN (AD's in-chain rule follows the nesting anywhere; the search's base limits
   * what it returns).
   */
  groupsRead(baseDn: string, roots?: readonly string[]): DirectoryGroupEntry[] {
    const all = [...this.groupEntries.values()];
    const suffix = `,${baseDn.toLowerCase()}`;
    const under = (g: DirectoryGroupEntry) => g.distinguishedName.toLowerCase().endsWith(suffix);
    if (roots === undefined) return all.filter(under);
    const byDn = new Map(all.map((g) => [g.distinguishedName.toLowerCase(), g]));
    const found = new Map<string, DirectoryGroupEntry>();
    const queue = roots.flatMap((dn) => byDn.get(dn.toLowerCase()) ?? []);
    for (let next = queue.pop(); next; next = queue.pop()) {
      if (found.has(next.objectGuid)) continue;
      found.set(next.objectGuid, next);
      for (const dn of next.members) {
        const child = byDn.get(dn.toLowerCase());
        if (child) queue.push(child);
      }
    }
    const isRoot = new Set(roots.map((dn) => dn.toLowerCase()));
    return [...found.values()].filter((g) => isRoot.has(g.distinguishedName.toLowerCase()) || under(g));
  }

  async resolveServers() {
    return [{ host: 'dc1.company.local', port: 636 }];
  }

  async connect(): Promise<DirectorySession> {
    const directory = this;
    if (directory.connectError) throw directory.connectError;
    const open = new Set<InMemoryWatch>();
    return {
      server: 'dc1.company.local:636',
      rootDse: { defaultNamingContext: BASE_DN, namingContexts: [BASE_DN], dnsHostName: 'dc1.company.local' },
      async bind(_username: string, password: string) {
        directory.binds.push(`dc1.company.local:${password}`);
        if (password !== directory.password) throw new InvalidCredentialsError('invalid credentials');
      },
      async assertExists(dn: string, what: string) {
        const lower = dn.toLowerCase();
        // AD refers a search based in another domain elsewhere (a referral); the adapter says so.
        if (lower !== BASE_DN.toLowerCase() && !lower.endsWith(`,${BASE_DN.toLowerCase()}`))
          throw new OutsideDomainError(`${what} ${dn} is outside the directory's domain`);
        const holdsOrIsUser = [...directory.entries.values()].some(({ entry }) => {
          const at = entry.distinguishedName.toLowerCase();
          return at === lower || at.endsWith(`,${lower}`);
        });
        const isGroup = [...directory.groupEntries.values()].some(
          (g) => g.distinguishedName.toLowerCase() === lower,
        );
        if (dn !== BASE_DN && !directory.groups.has(dn) && !holdsOrIsUser && !isGroup)
          throw new NoSuchObjectError(`${what} ${dn} does not exist`);
      },
      async *userPages(baseDn: string, changedSinceUsn?: number) {
        yield* directory.pages(
          directory
            .under(baseDn)
            .filter(({ usn }) => changedSinceUsn === undefined || usn >= changedSinceUsn)
            .map(({ entry }) => entry),
        );
      },
      alsoRead(attributes: readonly string[]) {
        directory.alsoRead = [...attributes];
      },
      async readAccountNames(dns: readonly string[]) {
        directory.dnReads.push([...dns]);
        const wanted = new Set(dns.map((dn) => dn.toLowerCase()));
        return [...directory.entries.values()]
          .map(({ entry }) => entry)
          .filter((entry) => wanted.has(entry.distinguishedName.toLowerCase()))
          .map(({ distinguishedName, sAMAccountName, userPrincipalName, mail }) => ({
            distinguishedName,
            sAMAccountName,
            ...(userPrincipalName ? { userPrincipalName } : {}),
            ...(mail ? { mail } : {}),
          }));
      },
      async changedContainers(baseDn: string, sinceUsn: number) {
        const suffix = `,${baseDn.toLowerCase()}`;
        return directory.containers
          .filter(({ dn, usn }) => usn >= sinceUsn && dn.toLowerCase().endsWith(suffix))
          .map(({ dn }) => dn);
      },
      async untrackedAttributes(attributes: readonly string[]) {
        return attributes.filter((a) => directory.untracked.has(a.toLowerCase()));
      },
      async usersChangedSince(sinceUsn: number) {
        return [...directory.entries.values()]
          .filter(({ usn }) => usn >= sinceUsn)
          .map(({ entry: { objectGuid, distinguishedName } }) => ({ objectGuid, distinguishedName }));
      },
      async usersReferencing(baseDn: string, attributes: readonly string[], dns: readonly string[]) {
        directory.reads.push('referrers');
        const wanted = new Set(dns.map((dn) => dn.toLowerCase()));
        return directory
          .under(baseDn)
          .map(({ entry }) => entry)
          .filter((entry) =>
            attributes.some((a) =>
              (entry.attributes?.[a.toLowerCase()] ?? []).some(
                (v) => typeof v === 'string' && wanted.has(v.toLowerCase()),
              ),
            ),
          );
      },
      async readUsersByGuid(baseDn: string, guids: readonly string[]) {
        const under = new Set(directory.under(baseDn).map(({ entry }) => entry.objectGuid));
        return guids.flatMap((guid) => {
          const found = directory.entries.get(guid);
          return found && under.has(guid) ? [found.entry] : [];
        });
      },
      /** As the DC: a DN is read wherever it is (a base-scope read), any other name under the base DN only. */
      async findUserEntries(baseDn: string, lookup: UserLookup) {
        return [...directory.entries.values()]
          .map(({ entry }) => entry)
          .filter(
            (entry) => lookup.kind === 'distinguishedName' || isAtOrUnder(entry.distinguishedName, baseDn),
          )
          .filter((entry) =>
            lookup.kind === 'objectGuid'
              ? entry.objectGuid === lookup.objectGuid
              : lookup.kind === 'distinguishedName'
                ? entry.distinguishedName.toLowerCase() === lookup.distinguishedName.toLowerCase()
                : [entry.sAMAccountName, entry.userPrincipalName].some(
                    (name) => name?.toLowerCase() === lookup.name.toLowerCase(),
                  ),
          );
      },
      /** Direct members only: the in-memory directory has no nested groups. */
      async isGroupMember(userDn: string, groupDn: string) {
        const user = [...directory.entries.values()].find(({ entry }) => entry.distinguishedName === userDn);
        return user !== undefined && (directory.groups.get(groupDn)?.has(user.entry.objectGuid) ?? false);
      },
      async readPrimaryGroup(userDn: string) {
        const sid = directory.primaryGroups.get(userDn);
        return [...directory.groupEntries.values()].find((g) => sid !== undefined && g.objectSid === sid)
          ?.distinguishedName;
      },
      async readMemberOf(dn: string) {
        const user = [...directory.entries.values()].find(({ entry }) => entry.distinguishedName === dn);
        return [...directory.groups]
          .filter(([, members]) => user !== undefined && members.has(user.entry.objectGuid))
          .map(([group]) => group);
      },
      watchChanges(
        namingContext: string,
        onChange: (change: DirectoryChange) => void,
        options: WatchOptions = {},
      ): DirectoryWatch {
        let end: (error?: Error) => void = () => {};
        const ended = new Promise<void>((resolve, reject) => {
          end = (error) => (error ? reject(error) : resolve());
        });
        const refusal = options.showDeleted ? directory.showDeletedRefusal : undefined;
        if (refusal) options.onShowDeletedRefused?.(refusal);
        const watch: InMemoryWatch = {
          namingContext,
          onChange,
          showDeleted: options.showDeleted === true && !refusal,
          end: (error) => {
            directory.watches.delete(watch);
            open.delete(watch);
            end(error);
          },
        };
        directory.watches.add(watch);
        open.add(watch);
        return { ended };
      },
      async readSyncState() {
        if (directory.syncStateError) throw directory.syncStateError;
        return {
          dsServiceName: 'CN=NTDS Settings,CN=DC1',
          invocationId: 'invocation-1',
          highestCommittedUsn: directory.usn,
        };
      },
      async *scopeGuidPages(baseDn: string) {
        directory.reads.push('scope');
        yield* directory.pages(directory.under(baseDn).map(({ entry }) => entry.objectGuid));
      },
      async readAccountStanding(objectGuid: string) {
        directory.reads.push('standing');
        const found = directory.entries.get(objectGuid);
        if (!found) return undefined;
        const bad = directory.badPasswords.get(objectGuid);
        return {
          server: 'dc1.company.local:636',
          objectGuid,
          distinguishedName: found.entry.distinguishedName,
          ...(found.entry.userPrincipalName ? { userPrincipalName: found.entry.userPrincipalName } : {}),
          namingContext: BASE_DN,
          policy: directory.lockoutPolicy,
          badPwdCount: bad?.count ?? 0,
          ...(bad?.at ? { badPasswordTime: bad.at } : {}),
          lockedOut: bad?.lockedOut ?? false,
          readAt: directory.clock.now(),
        };
      },
      async readPdcEmulator() {
        return 'dc1.company.local';
      },
      async probeDirSync() {
        directory.reads.push('dirSync');
        if (directory.dirSyncError) throw directory.dirSyncError;
        return 'unsupported' as const;
      },
      async readGroupMemberGuids(_baseDn: string, groupDn: string) {
        directory.reads.push('members');
        return new Set(directory.groups.get(groupDn) ?? []);
      },
      async searchGroups() {
        return [];
      },
      async *groupGuidPages(baseDn: string, changedSinceUsn?: number) {
        directory.reads.push(changedSinceUsn === undefined ? 'groupGuids' : 'changedGroupGuids');
        const guids = directory
          .groupsRead(baseDn)
          .map((g) => g.objectGuid)
          .filter(
            (g) => changedSinceUsn === undefined || (directory.groupUsn.get(g) ?? 0) >= changedSinceUsn,
          );
        yield* directory.pages(guids);
      },
      async *primaryGroupPages(baseDn: string, rids?: PrimaryGroupIds, scope?: 'base' | 'sub') {
        directory.reads.push('primaryGroups');
        const inScope = (dn: string) =>
          scope === 'base'
            ? dn.toLowerCase() === baseDn.toLowerCase()
            : dn.toLowerCase().endsWith(`,${baseDn.toLowerCase()}`);
        const ridOf = (sid: string) => Number(sid.slice(sid.lastIndexOf('-') + 1));
        yield* directory.pages(
          [...directory.primaryGroups]
            .filter(
              ([dn, sid]) =>
                inScope(dn) &&
                (!rids || ('except' in rids ? ridOf(sid) !== rids.except : rids.includes(ridOf(sid)))),
            )
            .map(([distinguishedName, groupSid]) => ({ distinguishedName, groupSid })),
        );
      },
      async *groupPages(baseDn: string, roots?: readonly string[]) {
        directory.reads.push('groups');
        yield* directory.pages(directory.groupsRead(baseDn, roots));
      },
      async close() {
        for (const watch of [...open]) watch.end();
      },
    };
  }
}

/** A change notification search open on the in-memory directory. */
export interface InMemoryWatch {
  readonly namingContext: string;
  readonly onChange: (change: DirectoryChange) => void;
  /** Whether the search shows deleted objects (asked for, and not refused). */
  readonly showDeleted: boolean;
  end(error?: Error): void;
}

/**
 * The user database and the run history. Writes are conditional as in the real store: a create finds the
 * name free (or already its own), an update or delete finds the user as planned; otherwise the change is a
 * conflict, or already applied when the database holds its result.
 */
export class InMemoryUserStore implements UserStore, UserAdministration, UserGuidIndex, RunStore {
  /** Every progress write, in order. */
  readonly progressWrites: Report[] = [];
  readonly users = new Map<string, User>();
  readonly runs = new Map<string, Report>();
  /** User items written (each create, update and delete). */
  writes = 0;

  seed(...users: User[]): this {
    for (const user of users) this.users.set(key(user.userName), user);
    return this;
  }

  async listUsers(): Promise<User[]> {
    return [...this.users.values()].sort((a, b) => key(a.userName).localeCompare(key(b.userName)));
  }

  /** How often the whole database was listed (userPages). */
  listings = 0;

  async *userPages(): AsyncIterable<User[]> {
    this.listings += 1;
    yield await this.listUsers();
  }

  async countDirectoryUsers(): Promise<number> {
    return [...this.users.values()].filter((u) => u.authentication === 'directoryServices').length;
  }

  async findUsers(guids: readonly string[], userNames: readonly string[]): Promise<User[]> {
    const wanted = new Set(guids);
    const names = new Set(userNames.map(key));
    return (await this.listUsers()).filter(
      (u) => (u.objectGuid !== undefined && wanted.has(u.objectGuid)) || names.has(key(u.userName)),
    );
  }

  /** The users with this objectGUID, their sync state only (as the watcher's query projects it). */
  async syncStatesByGuid(objectGuid: string): Promise<UserSyncState[]> {
    return (await this.findUsers([objectGuid], [])).map(({ authentication, objectGuid, suspendedAt }) => ({
      authentication,
      ...(objectGuid === undefined ? {} : { objectGuid }),
      ...(suspendedAt === undefined ? {} : { suspendedAt }),
    }));
  }

  async getUser(userName: string): Promise<User | undefined> {
    return this.users.get(key(userName));
  }

  async listUsersPage(limit: number, cursor?: string): Promise<{ users: User[]; cursor?: string }> {
    const all = (await this.listUsers()).filter((u) => cursor === undefined || key(u.userName) > cursor);
    const users = all.slice(0, limit);
    const last = users.at(-1);
    return all.length > limit && last ? { users, cursor: key(last.userName) } : { users };
  }

  async createUser(user: User): Promise<void> {
    if (this.users.has(key(user.userName))) throw new ConcurrentModificationError('the name is taken');
    this.users.set(key(user.userName), user);
  }

  async deleteLocalUser(userName: string): Promise<void> {
    const user = this.users.get(key(userName));
    if (!user) throw new NotFoundError(`no user ${userName}`);
    if (user.authentication !== 'local') throw new UserKindError('the sync owns directory users');
    this.users.delete(key(userName));
  }

  async applyChanges(
    changes: readonly PlannedChange[],
    { defaults, now }: ApplyContext,
  ): Promise<ApplyResult> {
    const applied: PlannedChange[] = [];
    const conflicts: { change: PlannedChange; reason: string }[] = [];
    let alreadyApplied = 0;
    for (const change of changes) {
      if (change.action === 'create') {
        const holder = this.users.get(key(change.target.userName));
        if (holder?.objectGuid === change.target.objectGuid) alreadyApplied += 1;
        else if (holder) conflicts.push({ change, reason: `the name ${holder.userName} is taken` });
        else {
          this.users.set(key(change.target.userName), {
            ...change.target,
            authentication: 'directoryServices',
            privileges: defaults.privileges,
            ownArchiveAccess: defaults.ownArchiveAccess,
            createdAt: now,
            updatedAt: now,
            ...change.memberships,
          });
          this.writes += 1;
          applied.push(change);
        }
      } else if (change.action === 'update' || change.action === 'restore') {
        const current = this.users.get(key(change.current.userName));
        if (current === undefined || current.updatedAt !== change.current.updatedAt) {
          const moved = [...this.users.values()].find((u) => u.objectGuid === change.target.objectGuid);
          if (moved && moved.userName === change.target.userName) alreadyApplied += 1;
          else conflicts.push({ change, reason: 'the user changed since it was read' });
          continue;
        }
        this.users.delete(key(current.userName));
        const { suspendedAt: _s, ...kept } = current;
        this.users.set(key(change.target.userName), {
          ...kept,
          ...change.target,
          ...change.memberships,
          updatedAt: now,
        });
        this.writes += 1;
        applied.push(change);
      } else if (change.action === 'suspend' && !change.withheld) {
        const current = this.users.get(key(change.current.userName));
        if (!current || current.updatedAt !== change.current.updatedAt) {
          conflicts.push({ change, reason: 'the user changed since it was read' });
          continue;
        }
        this.users.set(key(current.userName), { ...current, suspendedAt: now, updatedAt: now });
        this.writes += 1;
        applied.push(change);
      } else if (change.action === 'delete' && !change.withheld) {
        if (!this.users.delete(key(change.current.userName))) {
          alreadyApplied += 1;
          continue;
        }
        this.writes += 1;
        applied.push(change);
      }
    }
    return { applied, conflicts, alreadyApplied };
  }

  /** The last success, kept apart as DynamoRunStore keeps it (the history's window may no longer hold it). */
  lastSucceeded: SuccessMark | undefined;

  async recordRun(report: Report): Promise<void> {
    this.runs.set(report.runId, report);
    const kept = this.lastSucceeded;
    if (isSuccessOfTheSync(report) && (!kept || kept.finishedAt < report.finishedAt)) {
      this.lastSucceeded = { runId: report.runId, finishedAt: report.finishedAt };
    }
  }

  async lastSuccess(): Promise<SuccessMark | undefined> {
    return this.lastSucceeded;
  }

  async oldestRun(): Promise<RunSummary | undefined> {
    return (await this.listRuns(Number.POSITIVE_INFINITY)).at(-1);
  }

  /** The summary brought up to date while the run says running; its lists kept. */
  async recordProgress(report: Report): Promise<void> {
    const current = this.runs.get(report.runId);
    if (current && current.status !== 'running') return;
    this.progressWrites.push(report);
    this.runs.set(report.runId, {
      ...report,
      changes: current?.changes ?? [],
      excluded: current?.excluded ?? [],
    });
  }

  async getRun(runId: string): Promise<Report | undefined> {
    return this.runs.get(runId);
  }

  async listRuns(limit: number): Promise<RunSummary[]> {
    return [...this.runs.values()]
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
      .slice(0, limit)
      .map(({ changes: _c, excluded: _e, steps: _s, ...summary }) => summary);
  }
}

/** The configuration, the sync lock (a lease on `clock`), the cursor, the checkpoint and the handoffs. */
export class InMemorySettings
  implements ConfigStore, RunLock, SyncCursorStore, RunCheckpointStore, ContinuationTrigger
{
  private stored: StoredConfig | undefined;
  private lock: { owner: string; expiresAt: number } | undefined;
  private readonly occurrences = new Set<string>();
  cursor: SyncCursor | undefined;
  checkpoint: RunCheckpoint | undefined;
  /** Runs that asked for a follow-up invocation, in order. */
  readonly handoffs: string[] = [];

  constructor(private readonly clock: Clock = systemClock) {}

  async getConfig() {
    return this.stored;
  }
  async saveConfig(config: Config, expectedVersion?: number): Promise<StoredConfig> {
    if (expectedVersion !== undefined && expectedVersion !== (this.stored?.version ?? 0)) {
      throw new Error('version conflict');
    }
    this.stored = { config, version: (this.stored?.version ?? 0) + 1 };
    return this.stored;
  }

  async acquire(owner: string, leaseSeconds: number): Promise<boolean> {
    const now = this.clock.now().getTime();
    if (this.lock && this.lock.owner !== owner && this.lock.expiresAt >= now) return false;
    this.lock = { owner, expiresAt: now + leaseSeconds * 1000 };
    return true;
  }
  async release(owner: string): Promise<void> {
    if (this.lock?.owner === owner) this.lock = undefined;
  }
  async holder(): Promise<string | undefined> {
    return this.lock && this.lock.expiresAt >= this.clock.now().getTime() ? this.lock.owner : undefined;
  }
  async claimOccurrence(occurrence: string): Promise<boolean> {
    if (this.occurrences.has(occurrence)) return false;
    this.occurrences.add(occurrence);
    return true;
  }

  async getCursor() {
    return this.cursor;
  }
  async saveCursor(cursor: SyncCursor) {
    this.cursor = cursor;
  }
  async clearCursor() {
    this.cursor = undefined;
  }

  async getCheckpoint() {
    return this.checkpoint;
  }
  async saveCheckpoint(checkpoint: RunCheckpoint) {
    this.checkpoint = checkpoint;
  }
  async clearCheckpoint(runId: string) {
    if (this.checkpoint?.runId === runId) this.checkpoint = undefined;
  }

  async requestContinuation(runId: string) {
    this.handoffs.push(runId);
  }
}

/** Test Settings previews, kept as the real store keeps them (running records replaced, ended ones not). */
export class InMemoryPreviewStore implements PreviewStore {
  readonly previews = new Map<string, Report>();

  async recordReport(report: Report): Promise<void> {
    const current = this.previews.get(report.runId);
    if (current && current.status !== 'running') throw new Error(`preview ${report.runId} has ended`);
    this.previews.set(report.runId, report);
  }

  async recordProgress(report: Report): Promise<void> {
    const current = this.previews.get(report.runId);
    if (current && current.status !== 'running') return;
    this.previews.set(report.runId, report);
  }

  async getReport(previewId: string): Promise<Report | undefined> {
    return this.previews.get(previewId);
  }
}

/** Operations handed to their worker, in order; `fail` makes the hand-over throw. */
export class RecordingStarter implements OperationStarter {
  readonly syncs: SyncStart[] = [];
  readonly previews: PreviewStart[] = [];
  fail: Error | undefined;

  async startSync(start: SyncStart): Promise<void> {
    if (this.fail) throw this.fail;
    this.syncs.push(start);
  }

  async startPreview(start: PreviewStart): Promise<void> {
    if (this.fail) throw this.fail;
    this.previews.push(start);
  }
}
