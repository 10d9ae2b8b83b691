/**
 * The two use cases of SPEC section 3: Test Settings and Synchronize now. Both run the same pipeline:
 *
 *   resolve -> connect -> bind -> search -> filter -> plan [-> apply -> record]
 *
 * Test Settings stops after `plan` and commits nothing, not even a run record. Synchronize applies the plan
 * and records the run, failed runs included. Any failure before `apply` (a directory error of any kind, an
 * incomplete read) ends the run there: nothing is written to the user database, so a failed or partial
 * read can never delete a user.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Config } from '../config/config-schema';
import { baseDnFromDomain } from '../domain/distinguished-name';
import { type PlannedChange, planSync, type SyncPlan } from '../domain/plan-sync';
import {
  emptyCounts,
  type Report,
  type ReportChange,
  type ReportExclusion,
  type ReportStep,
  type RunStatus,
  type RunTrigger,
  type StepName,
} from '../domain/report';
import { type ExclusionReason, exclusionReasons } from '../domain/scope-policy';
import type { DirectoryEntry, MappedUser, User } from '../domain/user';
import { mapDirectoryUser } from '../domain/user-mapping';
import { AdSyncError, MissingPasswordError, ValidationError } from '../errors';
import type { DirectoryReader, DirectorySession, DirectorySyncState } from '../ports/directory-reader';
import type { SyncCursor, SyncCursorStore } from '../ports/settings';
import type { ApplyResult, RunStore, UserStore } from '../ports/user-store';

export interface SyncDependencies {
  readonly directory: DirectoryReader;
  readonly users: UserStore;
  readonly runs: RunStore;
  /** With a cursor store, runs read only what changed since the last clean run (Test Settings always reads all). */
  readonly cursors?: SyncCursorStore;
  /** A full read (reconciliation: deletes seen without tombstones) at least this often; default 24. */
  readonly fullReadEveryHours?: number;
  readonly clock?: () => Date;
  readonly newRunId?: () => string;
  /** Called once per finished step (structured logging); never given the password. */
  readonly onStep?: (step: ReportStep) => void;
  /** Called with an error that is not one of ours, whose details the report leaves out. */
  readonly onUnexpectedError?: (error: unknown) => void;
}

export interface SyncRequest {
  readonly config: Config;
  readonly password: string | undefined;
}

export interface SynchronizeRequest extends SyncRequest {
  /** Applies deletes above the threshold, this once. */
  readonly allowMassDeletion?: boolean;
  readonly trigger?: RunTrigger;
}

/** Runs the whole pipeline against the directory and the user database and commits nothing. */
export function testSettings(deps: SyncDependencies, request: SyncRequest): Promise<Report> {
  return runPipeline(deps, request, { dryRun: true, allowMassDeletion: false, trigger: undefined });
}

/** Synchronizes the user database with the directory and records the run. */
export function synchronize(deps: SyncDependencies, request: SynchronizeRequest): Promise<Report> {
  return runPipeline(deps, request, {
    dryRun: false,
    allowMassDeletion: request.allowMassDeletion === true,
    trigger: request.trigger ?? 'api',
  });
}

class StepRecorder {
  readonly steps: ReportStep[] = [];
  constructor(private readonly onStep: ((step: ReportStep) => void) | undefined) {}

  /** Runs one step, timing it; a failure is recorded with its message and rethrown. */
  async run<T>(name: StepName, work: () => Promise<T>, describe: (result: T) => string): Promise<T> {
    const started = performance.now();
    try {
      const result = await work();
      this.add({ name, ok: true, ms: Math.round(performance.now() - started), message: describe(result) });
      return result;
    } catch (error) {
      this.add({
        name,
        ok: false,
        ms: Math.round(performance.now() - started),
        message: errorOf(error).message,
      });
      throw error;
    }
  }

  private add(step: ReportStep): void {
    this.steps.push(step);
    this.onStep?.(step);
  }
}

/** Our errors say what went wrong; anything else is reported without its details (they go to the log). */
const errorOf = (error: unknown): { code: string; message: string } =>
  error instanceof AdSyncError
    ? { code: error.code, message: error.message }
    : { code: 'InternalError', message: 'Internal error; the details are in the service log' };

async function runPipeline(
  deps: SyncDependencies,
  { config, password }: SyncRequest,
  mode: { dryRun: boolean; allowMassDeletion: boolean; trigger: RunTrigger | undefined },
): Promise<Report> {
  const clock = deps.clock ?? (() => new Date());
  const startedAt = clock().toISOString();
  const runId = deps.newRunId?.() ?? randomUUID();
  const recorder = new StepRecorder(deps.onStep);
  const counts = emptyCounts();
  let changes: ReportChange[] = [];
  let excluded: ReportExclusion[] = [];
  let session: DirectorySession | undefined;
  let baseDn: string | undefined;
  let server: string | undefined;
  let status: RunStatus = 'succeeded';
  let failure: { code: string; message: string } | undefined;

  try {
    const { connection } = config;
    const servers = await recorder.run(
      'resolve',
      async () => {
        if (!connection.username) {
          throw new ValidationError('No user name to bind with', [
            { path: 'connection.username', message: 'is required to bind to the directory' },
          ]);
        }
        if (!password) throw new MissingPasswordError('No password is set for the bind account');
        return deps.directory.resolveServers(connection);
      },
      (list) => `servers to try: ${list.map((s) => `${s.host}:${s.port}`).join(', ')}`,
    );
    const username = connection.username as string;
    const open = await recorder.run(
      'connect',
      () => deps.directory.connect(servers, connection),
      (s) => `connected to ${s.server} over ${connection.encryption === 'ldaps' ? 'LDAPS' : 'StartTLS'}`,
    );
    session = open;
    server = open.server;
    await recorder.run(
      'bind',
      () => open.bind(username, password as string),
      () => `bound as ${username}`,
    );

    let syncState: DirectorySyncState | undefined;
    let fingerprint = '';
    let cursor: SyncCursor | undefined;
    const read = await recorder.run(
      'search',
      async (): Promise<DirectoryRead> => {
        baseDn =
          connection.baseDn ||
          open.rootDse.defaultNamingContext ||
          (connection.domain ? baseDnFromDomain(connection.domain) : undefined);
        if (!baseDn)
          throw new ValidationError('No base DN', [
            { path: 'connection.baseDn', message: 'could not be determined' },
          ]);
        await open.assertExists(baseDn, 'the base DN');
        // Where the DC stands before reading: changes made during the read are read again next time.
        if (deps.cursors && !mode.dryRun) {
          syncState = await open.readSyncState();
          fingerprint = fingerprintOf(config, baseDn);
          cursor = await deps.cursors.getCursor();
        }
        const groupMemberGuids = new Set<string>();
        for (const group of config.filters.groups) {
          await open.assertExists(group, 'the selected group');
          for (const guid of await open.readGroupMemberGuids(baseDn, group)) groupMemberGuids.add(guid);
        }
        const fullBecause = whyFullRead(
          cursor,
          syncState,
          fingerprint,
          clock(),
          deps.fullReadEveryHours ?? 24,
        );
        if (fullBecause !== undefined || !cursor) {
          return {
            entries: await open.readUsers(baseDn),
            groupMemberGuids,
            fullBecause: fullBecause ?? 'first run',
          };
        }
        const since = cursor.highestCommittedUsn + 1;
        const entries = await open.readUsers(baseDn, since);
        const deleted = await open.readDeletedUserGuids(since);
        let current: User[] | undefined;
        if (config.filters.groups.length > 0) {
          // Joining a group changes the group, not the user: members not yet known are read by objectGUID.
          current = await deps.users.listUsers();
          const known = new Set([...current.map((u) => u.objectGuid), ...entries.map((e) => e.objectGuid)]);
          const joined = [...groupMemberGuids].filter((guid) => !known.has(guid));
          entries.push(...(await open.readUsersByGuid(baseDn, joined)));
        }
        return {
          entries,
          groupMemberGuids,
          incremental: { since, deleted },
          ...(current ? { current } : {}),
        };
      },
      (r) =>
        r.incremental
          ? `${r.entries.length} users changed since USN ${r.incremental.since} under ${baseDn}` +
            (r.incremental.deleted ? `, ${r.incremental.deleted.size} deleted` : '')
          : `${r.entries.length} users read under ${baseDn} (full read: ${r.fullBecause})`,
    );
    await open.close();
    session = undefined;

    const scope = await recorder.run(
      'filter',
      async () => {
        const inScope: MappedUser[] = [];
        const reasonsByGuid = new Map<string, readonly ExclusionReason[]>();
        const exclusions: ReportExclusion[] = [];
        for (const entry of read.entries) {
          const reasons = exclusionReasons(entry, {
            filters: config.filters,
            groupMemberGuids: read.groupMemberGuids,
          });
          if (reasons.length === 0) {
            inScope.push(mapDirectoryUser(entry));
          } else {
            reasonsByGuid.set(entry.objectGuid, reasons);
            exclusions.push({
              userName: entry.sAMAccountName,
              distinguishedName: entry.distinguishedName,
              reasons,
            });
          }
        }
        if (read.incremental && config.filters.groups.length > 0) {
          // Users not read this time who have left every selected group.
          const readGuids = new Set(read.entries.map((e) => e.objectGuid));
          for (const user of read.current ?? []) {
            if (
              user.authentication !== 'directoryServices' ||
              !user.objectGuid ||
              readGuids.has(user.objectGuid)
            )
              continue;
            if (read.groupMemberGuids.has(user.objectGuid)) continue;
            reasonsByGuid.set(user.objectGuid, ['notInSelectedGroups']);
            exclusions.push({
              userName: user.userName,
              distinguishedName: user.distinguishedName ?? '',
              reasons: ['notInSelectedGroups'],
            });
          }
        }
        return { inScope, reasonsByGuid, exclusions };
      },
      ({ inScope, exclusions }) => `${inScope.length} in scope, ${exclusions.length} excluded`,
    );
    counts.directoryUsers = read.entries.length;
    counts.inScope = scope.inScope.length;
    counts.excluded = scope.exclusions.length;
    excluded = scope.exclusions;

    // After a small incremental read, only the users it concerns are looked up, not the whole database.
    const deletedGuids = [...(read.incremental?.deleted ?? [])];
    const targeted =
      read.incremental !== undefined &&
      read.current === undefined &&
      cursor?.directoryUsers !== undefined &&
      read.entries.length + deletedGuids.length <= TARGETED_LOOKUP_LIMIT;
    let directoryUsersBefore = 0;
    const plan = await recorder.run(
      'plan',
      async () => {
        const current =
          read.current ??
          (targeted
            ? await deps.users.findUsers(
                [...read.entries.map((e) => e.objectGuid), ...deletedGuids],
                read.entries.map((e) => e.sAMAccountName),
              )
            : await deps.users.listUsers());
        directoryUsersBefore = targeted
          ? (cursor?.directoryUsers ?? 0)
          : current.filter((u) => u.authentication === 'directoryServices').length;
        return planSync({
          inScope: scope.inScope,
          excluded: scope.reasonsByGuid,
          current,
          options: config.options,
          allowMassDeletion: mode.allowMassDeletion,
          readComplete: !read.incremental,
          ...(read.incremental?.deleted ? { deletedInDirectory: read.incremental.deleted } : {}),
          ...(targeted ? { directoryUsersInDatabase: directoryUsersBefore } : {}),
        });
      },
      (p) => describePlan(p),
    );
    if (plan.deletionThresholdExceeded) status = 'deletionThresholdExceeded';

    if (mode.dryRun) {
      Object.assign(counts, plan.counts);
      changes = plan.changes.filter(isChange).map(toReportChange);
    } else {
      const result = await recorder.run(
        'apply',
        () => deps.users.applyChanges(plan.changes, config.defaultPrivileges, clock().toISOString()),
        (r) =>
          `${r.applied.length} changes written${r.conflicts.length ? `, ${r.conflicts.length} refused` : ''}`,
      );
      Object.assign(counts, appliedCounts(plan, result));
      changes = appliedChanges(plan, result);
      if (deps.cursors && syncState) {
        // Only a clean run moves the cursor. Withheld deletes, refused writes or conflicts that a later read
        // may resolve make the next run read everything again, so nothing held back is forgotten. (A local
        // user holding a directory user's name is a lasting state, not a reason to read everything forever.)
        const unsettled =
          result.conflicts.length > 0 || plan.changes.some((c) => c.action === 'conflict' && c.unsettled);
        if (status === 'succeeded' && !unsettled) {
          await deps.cursors.saveCursor({
            ...syncState,
            fingerprint,
            lastFullAt: read.incremental && cursor ? cursor.lastFullAt : startedAt,
            directoryUsers: directoryUsersBefore + counts.created - counts.deleted,
          });
        } else {
          await deps.cursors.clearCursor();
        }
      }
    }
  } catch (error) {
    status = 'failed';
    failure = errorOf(error);
    if (!(error instanceof AdSyncError)) deps.onUnexpectedError?.(error);
  } finally {
    await session?.close();
  }

  const report = (): Report => ({
    runId,
    dryRun: mode.dryRun,
    status,
    ...(mode.trigger ? { trigger: mode.trigger } : {}),
    startedAt,
    finishedAt: clock().toISOString(),
    ...(server ? { server } : {}),
    ...(baseDn ? { baseDn } : {}),
    steps: recorder.steps,
    counts,
    changes,
    excluded,
    ...(failure ? { error: failure } : {}),
  });

  if (mode.dryRun) return report();
  try {
    await recorder.run(
      'record',
      () => deps.runs.recordRun(report()),
      () => 'run recorded',
    );
  } catch (error) {
    status = 'failed';
    failure ??= errorOf(error);
    if (!(error instanceof AdSyncError)) deps.onUnexpectedError?.(error);
  }
  return report();
}

/** Above this many changed or deleted users, an incremental run lists all users rather than look each up. */
const TARGETED_LOOKUP_LIMIT = 1000;

interface DirectoryRead {
  readonly entries: DirectoryEntry[];
  readonly groupMemberGuids: Set<string>;
  readonly fullBecause?: string;
  readonly incremental?: { readonly since: number; readonly deleted: Set<string> | undefined };
  /** The user database, when the read already needed it. */
  readonly current?: User[];
}

/** What the cursor must match for an incremental read: where and what is read. */
function fingerprintOf(config: Config, baseDn: string): string {
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
      }),
    )
    .digest('hex');
}

/** Why this run must read everything, or undefined when reading the changes since the cursor is enough. */
function whyFullRead(
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
  if (now.getTime() - Date.parse(cursor.lastFullAt) >= everyHours * 3_600_000)
    return 'the periodic reconciliation is due';
  return undefined;
}

function describePlan(plan: SyncPlan): string {
  const { created, updated, deleted, unchanged, conflicts } = plan.counts;
  const summary = `${created} to create, ${updated} to update, ${deleted} to delete, ${unchanged} unchanged, ${conflicts} conflicts`;
  if (plan.deletionThresholdExceeded)
    return `${summary}; deletes withheld: ${plan.deletionThresholdExceeded}`;
  if (plan.deletionThresholdOverridden) {
    return `${summary}; allowMassDeletion applies deletes above the threshold this once: ${plan.deletionThresholdOverridden}`;
  }
  return summary;
}

const isChange = (change: PlannedChange): change is Exclude<PlannedChange, { action: 'unchanged' }> =>
  change.action !== 'unchanged';

function toReportChange(change: Exclude<PlannedChange, { action: 'unchanged' }>): ReportChange {
  return {
    action: change.action,
    userName: change.userName,
    fullName: change.fullName,
    emailAddresses: change.emailAddresses,
    changedFields: change.changedFields,
    ...(change.reason ? { reason: change.reason } : {}),
  };
}

/** Counts of what was written: refused writes become conflicts, repeated ones count as unchanged. */
function appliedCounts(plan: SyncPlan, result: ApplyResult) {
  const applied = (action: string) => result.applied.filter((c) => c.action === action).length;
  return {
    created: applied('create'),
    updated: applied('update'),
    deleted: applied('delete'),
    unchanged: plan.counts.unchanged + result.alreadyApplied,
    conflicts: plan.counts.conflicts + result.conflicts.length,
  };
}

/** What the run did: the writes made, the conflicts (planned or met while writing) and the withheld deletes. */
function appliedChanges(plan: SyncPlan, result: ApplyResult): ReportChange[] {
  const applied = new Set(result.applied);
  const reported = plan.changes
    .filter(isChange)
    .filter((c) => applied.has(c) || c.action === 'conflict' || (c.action === 'delete' && c.withheld))
    .map(toReportChange);
  const refused = result.conflicts.map(({ change, reason }) => ({
    ...toReportChange(change as Exclude<PlannedChange, { action: 'unchanged' }>),
    action: 'conflict' as const,
    reason,
  }));
  return [...reported, ...refused];
}
