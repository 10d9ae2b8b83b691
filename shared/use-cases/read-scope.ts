/**
 * What a run reads (the search step's first part): the base DN and the selected groups, checked; the groups'
 * members; and whether the changes since the cursor are enough (an incremental read, with the scope's
 * objectGUIDs enumerated to find leavers) or everything must be read, and why. The reads that do not depend on
 * each other are asked together. Also the search step's message (describeRead).
 */
import { createHash } from 'node:crypto';
import type { Config } from '../config/config-schema';
import { attributesRead } from '../config/mapping-rules';
import { baseDnFromDomain } from '../domain/distinguished-name';
import { GuidLedger } from '../domain/guid-ledger';
import { earliest, graceEndsAfter } from '../domain/plan-deletes';
import type { LeaverDetection, ReportCounts } from '../domain/report';
import { ScopeDigest } from '../domain/scope-digest';
import { ValidationError } from '../errors';
import type { DirectorySession, DirectorySyncState, DirSyncAccess } from '../ports/directory-reader';
import type { SyncCursor } from '../ports/sync-cursor';
import type { SyncDependencies } from './run-dependencies';

/** What the search step settles before the first page: where to read, and whether to read all. */
export interface ReadScope {
  readonly baseDn: string;
  /** Members of the selected groups (directly or nested), all of them, read at every run (objectGUIDs). */
  readonly groupMemberGuids: Set<string>;
  /** A hash of them, kept with the cursor: an incremental run lists the database only when it differs. */
  readonly groupMembersHash?: string;
  readonly syncState?: DirectorySyncState;
  readonly fingerprint: string;
  readonly cursor?: SyncCursor;
  /**
   * The digest of the objectGUIDs under the base DN, kept with the cursor. An incremental read enumerates
   * them; a full read takes it from the users it reads.
   */
  readonly scopeDigest: ScopeDigest;
  /** How this run finds the users that left the scope (the search step's `leavers`). */
  readonly leavers: LeaverDetection;
  /**
   * Set for an incremental read: the first USN to read; the objectGUIDs under the base DN, enumerated,
   * and whether they differ from the last run's (then someone may have left: the database is listed); with
   * selected groups, whether their members changed since the cursor.
   */
  readonly incremental?: {
    readonly since: number;
    readonly inScope: GuidLedger;
    readonly scopeChanged: boolean;
    readonly membersChanged?: boolean;
  };
  readonly fullBecause?: string;
  /** DirSync, detected and reported; uSNChanged and the enumeration do the work whether it is there or not. */
  readonly dirSync: DirSyncAccess;
}

/**
 * The base DN a run reads: the configured one, else the DC's default naming context, else the domain's; a
 * ValidationError naming `connection.baseDn` when none can be told. Explaining a user settles it the same way.
 */
export function baseDnOf(config: Config, session: DirectorySession): string {
  const { connection } = config;
  const baseDn =
    connection.baseDn ||
    session.rootDse.defaultNamingContext ||
    (connection.domain ? baseDnFromDomain(connection.domain) : undefined);
  if (!baseDn)
    throw new ValidationError('No base DN', [
      { path: 'connection.baseDn', message: 'could not be determined' },
    ]);
  return baseDn;
}

/**
 * The search step's first part: where to read (the base DN, checked, and the selected groups), the
 * members of those groups, and whether the cursor allows reading only the changes (else why not).
 */
export async function prepareRead(
  deps: SyncDependencies,
  config: Config,
  open: DirectorySession,
  dryRun: boolean,
  now: Date,
): Promise<ReadScope> {
  const { groups } = config.filters;
  const baseDn = baseDnOf(config, open);
  const incrementalOn = deps.cursors !== undefined && !dryRun;
  // The reads that do not depend on each other are asked together: across a network their round trips
  // overlap. Where the DC stands is read before the users: changes made during the read are read again.
  const [syncState, cursor] = await inOrder(
    incrementalOn ? open.readSyncState() : undefined,
    incrementalOn ? deps.cursors?.getCursor() : undefined,
    open.assertExists(baseDn, 'the base DN'),
    ...groups.map((group) => open.assertExists(group, 'the selected group')),
  );
  const fingerprint = incrementalOn ? fingerprintOf(config, baseDn) : '';
  const fullBecause =
    whyFullRead(cursor, syncState, fingerprint, now, deps.fullReadEveryHours ?? 24) ??
    (cursor ? await whyFullReadInDirectory(open, config, baseDn, cursor.highestCommittedUsn + 1) : undefined);
  const groupMemberGuids = async () =>
    new Set(
      (await Promise.all(groups.map((g) => open.readGroupMemberGuids(baseDn, g)))).flatMap((m) => [...m]),
    );
  if (fullBecause !== undefined || !cursor) {
    const [members, dirSync] = await inOrder(groupMemberGuids(), dirSyncOf(open));
    return {
      baseDn,
      groupMemberGuids: members,
      ...(groups.length > 0 ? { groupMembersHash: hashOf(members) } : {}),
      fingerprint,
      dirSync,
      ...(syncState ? { syncState } : {}),
      fullBecause: fullBecause ?? 'first run',
      // Filled as the users are read.
      scopeDigest: new ScopeDigest(),
      leavers: 'fullRead',
    };
  }
  // An incremental read. Who left the scope (deleted, moved out of the base DN, or no longer readable) is
  // found by enumerating the objectGUIDs under the base DN, every run: tombstones are hidden from a read-only
  // account, and a moved user leaves none. The database is listed only when they differ from the last
  // run's. The members of the selected groups are read every time too (objectGUIDs only): a member deleted
  // in AD, or a nested group deleted, leaves them without changing any group's uSNChanged on every DC. The
  // DirSync answer is the last full read's.
  const since = cursor.highestCommittedUsn + 1;
  const [scan, members, dirSync] = await inOrder(
    enumerateScope(open, baseDn, cursor.directoryUsers),
    groupMemberGuids(),
    cursor.dirSync ?? dirSyncOf(open),
  );
  const groupMembersHash = groups.length > 0 ? hashOf(members) : undefined;
  return {
    baseDn,
    groupMemberGuids: members,
    ...(groupMembersHash !== undefined ? { groupMembersHash } : {}),
    fingerprint,
    dirSync,
    ...(syncState ? { syncState } : {}),
    cursor,
    scopeDigest: scan.digest,
    leavers: 'enumeration',
    incremental: {
      since,
      inScope: scan.guids,
      scopeChanged: scan.digest.toString() !== cursor.scopeDigest,
      ...(groupMembersHash !== undefined
        ? { membersChanged: groupMembersHash !== cursor.groupMembersHash }
        : {}),
    },
  };
}

/** The objectGUIDs under the base DN, into a compact ledger, and their digest. */
async function enumerateScope(
  open: DirectorySession,
  baseDn: string,
  expected = 1024,
): Promise<{ guids: GuidLedger; digest: ScopeDigest }> {
  const guids = new GuidLedger(expected);
  const digest = new ScopeDigest();
  for await (const page of open.scopeGuidPages(baseDn)) {
    for (const guid of page) if (guids.add(guid)) digest.add(guid);
  }
  return { guids, digest };
}

/**
 * Awaits reads asked together, as Promise.all does, but fails with the first failure in the order given
 * (not the first to arrive), so that a run's error does not depend on which answer came back first.
 */
async function inOrder<T extends readonly unknown[]>(
  ...reads: T
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(reads);
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as {
    -readonly [K in keyof T]: Awaited<T[K]>;
  };
}

/**
 * The DirSync probe, informational only: it runs beside the read, so it must never fail the run, whatever a
 * DirectorySession does (the port promises no rejection; a rejection anyway is `unknown`, and handled here).
 */
const dirSyncOf = (open: DirectorySession): Promise<DirSyncAccess> =>
  open.probeDirSync().catch(() => 'unknown' as const);

/** A set of objectGUIDs as one short hash, whatever their order. */
const hashOf = (guids: ReadonlySet<string>): string =>
  createHash('sha256')
    .update([...guids].sort().join(','))
    .digest('base64url');

/** What the cursor must match for an incremental read: where and what is read. */
export function fingerprintOf(config: Config, baseDn: string): string {
  const { servers, domain, username } = config.connection;
  return createHash('sha256')
    .update(
      // deleteUsers too: turning it on must find the users that left while it was off.
      JSON.stringify({
        servers,
        domain,
        username,
        baseDn: baseDn.toLowerCase(),
        filters: config.filters,
        deleteUsers: config.options.deleteUsers,
        // And the grace period: shortened, it must find the suspensions it ends.
        deletionGraceDays: config.options.deletionGraceDays,
        // And the groups: turned off, the next (full) read clears what they gave.
        groups: config.groups,
        privilegeRules: config.privilegeRules,
        // And the mapping: changed, every user's fields are mapped again (the next run reads everything).
        mapping: config.mapping,
      }),
    )
    .digest('hex');
}

/** Why this run must read everything, or undefined when reading the changes since the cursor is enough. */
export function whyFullRead(
  cursor: SyncCursor | undefined,
  state: DirectorySyncState | undefined,
  fingerprint: string,
  now: Date,
  everyHours: number,
): string | undefined {
  if (!state) return 'incremental reads are off';
  if (!cursor) return 'no earlier clean run';
  if (cursor.dsServiceName !== state.dsServiceName) return 'another domain controller answered';
  if (cursor.invocationId !== state.invocationId) return "the domain controller's database was restored";
  if (cursor.highestCommittedUsn > state.highestCommittedUsn)
    return 'the domain controller went back in time';
  if (cursor.fingerprint !== fingerprint) return 'the settings changed';
  if (cursor.suspensionsDueAt !== undefined && now.getTime() >= Date.parse(cursor.suspensionsDueAt))
    return "a suspended user's grace period has ended";
  if (now.getTime() - Date.parse(cursor.lastFullAt) >= everyHours * 3_600_000)
    return 'the periodic reconciliation is due';
  return undefined;
}

/**
 * Why a run whose cursor allows an incremental read must read everything after all, from the directory: a
 * mapping rule reads an attribute whose changes do not move the user's uSNChanged (memberOf, directReports: the
 * DC keeps them from other objects' changes), so only a full read sees them; or an OU or container under the
 * base DN changed since the cursor (renamed, moved there from elsewhere in the base DN or from outside it),
 * which changes the DNs of the users under it but not their uSNChanged (on AD and Samba alike). Any change to
 * such an OU counts (its description too): the DC keeps no old DN to compare with. Undefined when neither.
 */
async function whyFullReadInDirectory(
  open: DirectorySession,
  config: Config,
  baseDn: string,
  sinceUsn: number,
): Promise<string | undefined> {
  const read = attributesRead(config.mapping.attributes);
  const [untracked, containers] = await inOrder(
    read.length > 0 ? open.untrackedAttributes(read) : [],
    open.changedContainers(baseDn, sinceUsn),
  );
  if (untracked.length > 0) {
    const names = untracked.join(', ');
    return `the mapping reads ${names}, which ${untracked.length > 1 ? 'change' : 'changes'} without the user's uSNChanged`;
  }
  if (containers.length > 0) {
    const more = containers.length > 1 ? ', and others' : '';
    return `an OU or container under the base DN changed since the last run (${containers[0]}${more})`;
  }
  return undefined;
}

const DIRSYNC_NOTE: Readonly<Record<DirSyncAccess, string>> = {
  permitted: 'is permitted for this account (not needed: changes are read by uSNChanged)',
  notPermitted: 'is not permitted for this account (not needed: changes are read by uSNChanged)',
  unsupported: 'is not offered by this DC (not needed: changes are read by uSNChanged)',
  unknown: 'could not be probed: no answer from the DC (not needed: changes are read by uSNChanged)',
};

/** The search step's message. */
export function describeRead(scope: ReadScope, directoryUsers: number): string {
  const { incremental } = scope;
  const read = incremental
    ? `${directoryUsers} users changed since USN ${incremental.since} under ${scope.baseDn}; ` +
      `${scope.scopeDigest.size} users there, ` +
      (incremental.scopeChanged
        ? 'not those of the last run (the database is compared for leavers)'
        : 'the same as at the last run (no leavers)') +
      (incremental.membersChanged === undefined
        ? ''
        : incremental.membersChanged
          ? "; the selected groups' members changed"
          : "; the selected groups' members unchanged")
    : `${directoryUsers} users read under ${scope.baseDn} (full read: ${scope.fullBecause})`;
  return `${read}; DirSync ${DIRSYNC_NOTE[scope.dirSync]}`;
}

/** Where a clean run read the directory: the cursor it saves for the next run. */
export function cursorAfterRun(run: {
  readonly plan: {
    readonly scope: ReadScope;
    readonly population: number;
    readonly suspensionsWaitUntil?: string | undefined;
  };
  readonly syncState: DirectorySyncState;
  readonly startedAt: string;
  readonly counts: Pick<ReportCounts, 'created' | 'deleted' | 'suspended'>;
  readonly options: Config['options'];
}): SyncCursor {
  const { plan, counts } = run;
  const { scope } = plan;
  const suspensionsDueAt = earliest([
    // Those this read found waiting: every one on a full read, those it touched on an incremental one.
    plan.suspensionsWaitUntil,
    // An incremental read did not see the others: the last cursor's time stands.
    scope.incremental ? scope.cursor?.suspensionsDueAt : undefined,
    // Those suspended by this run: each suspendedAt is later than the run's start, so this is not late.
    counts.suspended > 0 ? graceEndsAfter(new Date(run.startedAt), run.options) : undefined,
  ]);
  // An incremental run whose listing of the database found another number of directory users than the last
  // run left (an index listing missing a user just written, a one-user sync's write) keeps no digest.
  const listingAgrees = !scope.incremental || plan.population === scope.cursor?.directoryUsers;
  return {
    ...run.syncState,
    fingerprint: scope.fingerprint,
    lastFullAt: scope.incremental && scope.cursor ? scope.cursor.lastFullAt : run.startedAt,
    directoryUsers: plan.population + counts.created - counts.deleted,
    // An unknown answer is not kept: the next run probes again.
    ...(scope.dirSync === 'unknown' ? {} : { dirSync: scope.dirSync }),
    ...(scope.groupMembersHash !== undefined ? { groupMembersHash: scope.groupMembersHash } : {}),
    ...(listingAgrees ? { scopeDigest: scope.scopeDigest.toString() } : {}),
    ...(suspensionsDueAt !== undefined ? { suspensionsDueAt } : {}),
  };
}
