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
import { GuidLedger } from '../domain/guid-ledger';
import { type DeleteChange, type PlannedChange, planSync, thresholdExceeded } from '../domain/plan-sync';
import {
  emptyCounts,
  REPORT_LIST_LIMIT,
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
import type {
  DirectoryReader,
  DirectorySession,
  DirectorySyncState,
  DirSyncAccess,
} from '../ports/directory-reader';
import type { RunCheckpoint, RunCheckpointStore, SyncCursor, SyncCursorStore } from '../ports/settings';
import type { RunStore, UserStore } from '../ports/user-store';
import { PlanSpool } from './plan-spool';

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
  /** Where a run spanning invocations saves its progress after each applied batch. */
  readonly checkpoints?: RunCheckpointStore;
  /**
   * Milliseconds the invocation has left. With it, a run stops between apply batches when less than
   * HANDOFF_RESERVE_MS remain and reports status `running`; the caller arranges the follow-up invocation.
   */
  readonly remainingMs?: () => number;
  /** Changes per apply batch (default APPLY_BATCH): each batch ends with a checkpoint. */
  readonly applyBatchSize?: number;
}

export interface SyncRequest {
  readonly config: Config;
  readonly password: string | undefined;
}

export interface SynchronizeRequest extends SyncRequest {
  /** Applies deletes above the threshold, this once. */
  readonly allowMassDeletion?: boolean;
  readonly trigger?: RunTrigger;
  /** Continues a run an earlier invocation handed off. */
  readonly resume?: Resume;
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
    ...(request.resume ? { resume: request.resume } : {}),
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

  add(step: ReportStep): void {
    this.steps.push(step);
    this.onStep?.(step);
  }
}

/** Our errors say what went wrong; anything else is reported without its details (they go to the log). */
const errorOf = (error: unknown): { code: string; message: string } =>
  error instanceof AdSyncError
    ? { code: error.code, message: error.message }
    : { code: 'InternalError', message: 'Internal error; the details are in the service log' };

/**
 * Changes per apply batch: a checkpoint follows each, and a run may stop for its deadline between them.
 * Large enough that the store's parallel transactions rarely wait on a batch's last one.
 */
export const APPLY_BATCH = 2500;

/** A run stops and hands off to a follow-up invocation when its invocation has less time left than this. */
export const HANDOFF_RESERVE_MS = 60_000;

/** A follow-up invocation of a run: its checkpoint and the record the previous invocation left. */
export interface Resume {
  readonly checkpoint: RunCheckpoint;
  readonly previous?: Report;
}

interface PipelineMode {
  readonly dryRun: boolean;
  readonly allowMassDeletion: boolean;
  readonly trigger: RunTrigger | undefined;
  readonly resume?: Resume;
}

/** The report's lists, bounded by REPORT_LIST_LIMIT: the counts say how many there are. */
class ReportLists {
  /** Writes made (this and earlier invocations), then what the plan held back, then writes refused. */
  readonly applied: ReportChange[] = [];
  readonly planned: ReportChange[] = [];
  readonly refused: ReportChange[] = [];
  readonly excluded: ReportExclusion[] = [];
  private omittedChanges = 0;
  private omittedExcluded = 0;

  addChange(list: 'applied' | 'planned' | 'refused', change: ReportChange): void {
    if (this.applied.length + this.planned.length + this.refused.length < REPORT_LIST_LIMIT) {
      this[list].push(change);
    } else {
      this.omittedChanges += 1;
    }
  }

  addExclusion(exclusion: ReportExclusion): void {
    if (this.excluded.length < REPORT_LIST_LIMIT) this.excluded.push(exclusion);
    else this.omittedExcluded += 1;
  }

  get changes(): ReportChange[] {
    return [...this.applied, ...this.planned, ...this.refused];
  }

  get omitted(): { changes: number; excluded: number } | undefined {
    return this.omittedChanges + this.omittedExcluded > 0
      ? { changes: this.omittedChanges, excluded: this.omittedExcluded }
      : undefined;
  }
}

/** Time per step across the interleaved pages of a streamed read, and the step under way. */
class StepTimer {
  private readonly totals = new Map<StepName, number>();
  current: StepName = 'search';

  async time<T>(name: StepName, work: () => Promise<T> | T): Promise<T> {
    this.current = name;
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.totals.set(name, (this.totals.get(name) ?? 0) + performance.now() - started);
    }
  }

  ms(name: StepName): number {
    return Math.round(this.totals.get(name) ?? 0);
  }
}

/** What the search step settles before the first page: where to read, and whether to read all. */
interface ReadScope {
  readonly baseDn: string;
  readonly groupMemberGuids: Set<string>;
  readonly syncState?: DirectorySyncState;
  readonly fingerprint: string;
  readonly cursor?: SyncCursor;
  /** Set for an incremental read: the first USN to read, and the tombstones since (when readable). */
  readonly incremental?: { readonly since: number; readonly deleted: Set<string> | undefined };
  readonly fullBecause?: string;
  /** DirSync, detected and reported; uSNChanged and tombstones do the work whether it is there or not. */
  readonly dirSync: DirSyncAccess;
}

async function prepareRead(
  deps: SyncDependencies,
  config: Config,
  open: DirectorySession,
  dryRun: boolean,
  now: Date,
): Promise<ReadScope> {
  const { connection } = config;
  const baseDn =
    connection.baseDn ||
    open.rootDse.defaultNamingContext ||
    (connection.domain ? baseDnFromDomain(connection.domain) : undefined);
  if (!baseDn)
    throw new ValidationError('No base DN', [
      { path: 'connection.baseDn', message: 'could not be determined' },
    ]);
  await open.assertExists(baseDn, 'the base DN');
  // Where the DC stands before reading: changes made during the read are read again next time.
  let syncState: DirectorySyncState | undefined;
  let cursor: SyncCursor | undefined;
  let fingerprint = '';
  if (deps.cursors && !dryRun) {
    syncState = await open.readSyncState();
    fingerprint = fingerprintOf(config, baseDn);
    cursor = await deps.cursors.getCursor();
  }
  const groupMemberGuids = new Set<string>();
  for (const group of config.filters.groups) {
    await open.assertExists(group, 'the selected group');
    for (const guid of await open.readGroupMemberGuids(baseDn, group)) groupMemberGuids.add(guid);
  }
  const base = {
    baseDn,
    groupMemberGuids,
    fingerprint,
    dirSync: await open.probeDirSync(),
    ...(syncState ? { syncState } : {}),
  };
  const fullBecause = whyFullRead(cursor, syncState, fingerprint, now, deps.fullReadEveryHours ?? 24);
  if (fullBecause !== undefined || !cursor) return { ...base, fullBecause: fullBecause ?? 'first run' };
  const since = cursor.highestCommittedUsn + 1;
  return { ...base, cursor, incremental: { since, deleted: await open.readDeletedUserGuids(since) } };
}

async function runPipeline(
  deps: SyncDependencies,
  { config, password }: SyncRequest,
  mode: PipelineMode,
): Promise<Report> {
  const clock = deps.clock ?? (() => new Date());
  const resume = mode.resume;
  const startedAt = resume?.checkpoint.startedAt ?? clock().toISOString();
  const runId = resume?.checkpoint.runId ?? deps.newRunId?.() ?? randomUUID();
  const recorder = new StepRecorder(deps.onStep);
  const counts = emptyCounts();
  const lists = new ReportLists();
  // What earlier invocations of this run wrote: the re-plan sees it in place, as unchanged.
  const before = resume?.checkpoint.applied ?? { created: 0, updated: 0, deleted: 0 };
  // Whatever this invocation meets, the run's earlier writes stay counted.
  Object.assign(counts, before);
  for (const change of resume?.previous?.changes ?? []) lists.addChange('applied', change);
  const applied = { created: 0, updated: 0, deleted: 0 };
  let session: DirectorySession | undefined;
  let spool: PlanSpool | undefined;
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

    // search -> filter -> plan, a page at a time. Writes go to the spool, not the database: nothing is
    // written before the whole directory has been read.
    const timer = new StepTimer();
    if (!mode.dryRun) spool = await PlanSpool.create();
    const out = spool;
    const emit = async (change: PlannedChange): Promise<void> => {
      if (out) await out.write(change);
      else if (isChange(change)) lists.addChange('planned', toReportChange(change));
    };
    let scope: ReadScope;
    const ledger = new GuidLedger(1024);
    const planned = { created: 0, updated: 0, deleted: 0 };
    let unsettled = false;
    let population = 0;
    // Directory users in the database before the run (its first invocation counted them): the base of the
    // deletion threshold and of the cursor, whatever earlier invocations have written since.
    let basePopulation = 0;
    let withheldBecause: string | undefined;
    let touchedExisting = 0;
    let deletionNote = '';
    try {
      scope = await timer.time('search', () => prepareRead(deps, config, open, mode.dryRun, clock()));
      baseDn = scope.baseDn;
      const full = scope.incremental === undefined;
      const groups = config.filters.groups.length > 0;
      const sweepDatabase = full || groups || scope.cursor?.directoryUsers === undefined;
      // What the database holds, read once before the directory: each directory user's objectGUID with a
      // hash of its maintained fields (an unchanged user needs no lookup), and a hash of every name (a name
      // it does not hold is not looked up). Kept compact, so the database is not held in memory either.
      let known: GuidLedger | undefined;
      let knownNames: GuidLedger | undefined;
      const unanchored: string[] = [];
      if (sweepDatabase) {
        const guids = new GuidLedger(scope.cursor?.directoryUsers ?? 1024, HASH_BYTES);
        const names = new GuidLedger(scope.cursor?.directoryUsers ?? 1024);
        await timer.time('plan', async () => {
          for await (const page of deps.users.userPages()) {
            for (const user of page) {
              names.add(nameHash(user.userName));
              if (user.authentication !== 'directoryServices') continue;
              population += 1;
              if (user.objectGuid) guids.add(user.objectGuid, [], fieldsHash(user));
              else unanchored.push(user.userName);
            }
          }
        });
        known = guids;
        knownNames = names;
      } else {
        population = scope.cursor?.directoryUsers ?? 0;
      }
      const lookup = async (targets: readonly MappedUser[]): Promise<User[]> => {
        if (!known || !knownNames) {
          return deps.users.findUsers(
            targets.map((t) => t.objectGuid),
            targets.map((t) => t.userName),
          );
        }
        const holders = known;
        const heldNames = knownNames;
        const names = targets.map((t) => t.userName).filter((name) => heldNames.has(nameHash(name)));
        const byName = names.length > 0 ? await deps.users.findUsers([], names) : [];
        const found = new Set(byName.map((u) => u.objectGuid));
        const renamed = targets.map((t) => t.objectGuid).filter((g) => !found.has(g) && holders.has(g));
        if (renamed.length === 0) return byName;
        const seen = new Set(byName.map((u) => key(u.userName)));
        return [
          ...byName,
          ...(await deps.users.findUsers(renamed, [])).filter((u) => !seen.has(key(u.userName))),
        ];
      };

      // Targets whose name a directory user holds that the read has not seen yet: decided after the read.
      const deferred: MappedUser[] = [];
      // Database users adopted by a recreated directory account (their old objectGUID is gone, not them).
      const adopted = new Set<string>();
      // Users this (incremental) read found out of scope: the database may hold them.
      const excludedGuids: string[] = [];
      const take = async (changes: readonly PlannedChange[], decided: boolean): Promise<void> => {
        for (const change of changes) {
          if (change.action === 'unchanged') {
            counts.unchanged += 1;
            touchedExisting += 1;
          } else if (change.action === 'conflict') {
            if (change.undecided && full && !decided) {
              deferred.push(change.target);
              continue;
            }
            counts.conflicts += 1;
            unsettled ||= change.unsettled;
            lists.addChange('planned', toReportChange(change));
          } else if (change.action === 'create') {
            planned.created += 1;
            await emit(change);
          } else if (change.action === 'update') {
            planned.updated += 1;
            touchedExisting += 1;
            if (change.current.objectGuid !== change.target.objectGuid)
              adopted.add(key(change.current.userName));
            await emit(change);
          }
        }
      };
      const takePage = async (entries: readonly DirectoryEntry[]): Promise<void> => {
        counts.directoryUsers += entries.length;
        const { inScope, excluded } = await timer.time('filter', () => {
          const page = {
            inScope: [] as MappedUser[],
            excluded: new Map<string, readonly ExclusionReason[]>(),
          };
          for (const entry of entries) {
            const reasons = exclusionReasons(entry, {
              filters: config.filters,
              groupMemberGuids: scope.groupMemberGuids,
            });
            ledger.add(entry.objectGuid, reasons);
            if (reasons.length === 0) {
              page.inScope.push(mapDirectoryUser(entry));
              continue;
            }
            page.excluded.set(entry.objectGuid, reasons);
            if (!full) excludedGuids.push(entry.objectGuid);
            lists.addExclusion({
              userName: entry.sAMAccountName,
              distinguishedName: entry.distinguishedName,
              reasons,
            });
          }
          counts.inScope += page.inScope.length;
          counts.excluded += page.excluded.size;
          return page;
        });
        await timer.time('plan', async () => {
          // Users the database holds with the same maintained fields are unchanged: no lookup, no plan.
          const toPlan: MappedUser[] = [];
          for (const target of inScope) {
            if (known?.valueOf(target.objectGuid)?.equals(fieldsHash(target))) {
              counts.unchanged += 1;
              touchedExisting += 1;
            } else {
              toPlan.push(target);
            }
          }
          const current = toPlan.length > 0 ? await lookup(toPlan) : [];
          const plan = planSync({
            inScope: toPlan,
            excluded,
            current,
            // Deletes wait for the sweep after the read, where the deletion threshold sees all of them.
            options: { ...config.options, deleteUsers: false },
            readComplete: false,
            ...(scope.incremental?.deleted ? { deletedInDirectory: scope.incremental.deleted } : {}),
          });
          await take(plan.changes, false);
        });
      };

      const pages = open.userPages(scope.baseDn, scope.incremental?.since)[Symbol.asyncIterator]();
      while (true) {
        const next = await timer.time('search', () => pages.next());
        if (next.done) break;
        await takePage(next.value);
      }
      if (!full && groups && known) {
        // Joining a group changes the group, not the user: members the database lacks are read by objectGUID.
        const holders = known;
        const joined = [...scope.groupMemberGuids].filter((g) => !holders.has(g) && !ledger.has(g));
        if (joined.length > 0) {
          await takePage(await timer.time('search', () => open.readUsersByGuid(scope.baseDn, joined)));
        }
      }
      if (deferred.length > 0) {
        // The read is complete: a holder it did not return is gone, and its name can be adopted.
        await timer.time('plan', async () => {
          const current = await deps.users.findUsers(
            [],
            deferred.map((t) => t.userName),
          );
          const inDirectory = new Map<string, readonly ExclusionReason[]>();
          const gone = new Set<string>();
          for (const user of current) {
            if (!user.objectGuid) continue;
            const reasons = ledger.reasonsOf(user.objectGuid);
            if (reasons === undefined) gone.add(user.objectGuid);
            else inDirectory.set(user.objectGuid, reasons);
          }
          const plan = planSync({
            inScope: deferred,
            excluded: inDirectory,
            current,
            options: { ...config.options, deleteUsers: false },
            readComplete: false,
            deletedInDirectory: gone,
          });
          await take(plan.changes, true);
        });
      }

      // The sweep: directory users of the database that are gone or out of scope.
      await timer.time('plan', async () => {
        const candidates: { user: User; reason: string }[] = [];
        const deleted = scope.incremental?.deleted;
        const gone = 'no longer returned by the directory';
        const leftGroups = 'out of scope: notInSelectedGroups';
        const reasonForGuid = (guid: string): string | undefined => {
          const reasons = ledger.reasonsOf(guid);
          if (reasons !== undefined)
            return reasons.length > 0 ? `out of scope: ${reasons.join(', ')}` : undefined;
          if (full || deleted?.has(guid)) return gone;
          // Left every selected group without a change to the user object.
          if (groups && !scope.groupMemberGuids.has(guid)) return leftGroups;
          return undefined;
        };
        const reasonFor = (user: User): string | undefined => {
          if (user.authentication !== 'directoryServices' || adopted.has(key(user.userName)))
            return undefined;
          if (!user.objectGuid) return full ? gone : undefined;
          return reasonForGuid(user.objectGuid);
        };
        const candidateGuids: string[] = [];
        if (known) {
          for (const guid of known.guids()) if (reasonForGuid(guid)) candidateGuids.push(guid);
        } else {
          candidateGuids.push(...excludedGuids, ...(deleted ?? []));
        }
        const names = full ? unanchored : [];
        const users =
          candidateGuids.length + names.length > 0 ? await deps.users.findUsers(candidateGuids, names) : [];
        for (const user of users) {
          const reason = reasonFor(user);
          if (!reason) continue;
          candidates.push({ user, reason });
          if (reason === leftGroups && !ledger.has(user.objectGuid as string)) {
            counts.excluded += 1;
            lists.addExclusion({
              userName: user.userName,
              distinguishedName: user.distinguishedName ?? '',
              reasons: ['notInSelectedGroups'],
            });
          }
        }
        basePopulation = resume?.checkpoint.population ?? population;
        touchedExisting += candidates.length;
        // Users created by earlier invocations were read and touched, but are not in the base.
        if (!full) counts.unchanged += Math.max(0, basePopulation - (touchedExisting - before.created));
        if (!config.options.deleteUsers || candidates.length === 0) return;
        // The threshold is about the run, not the invocation: a follow-up keeps the first one's decision,
        // and otherwise counts the deletes earlier invocations made against the population before the run.
        const exceeded =
          resume?.checkpoint.deletesWithheld ??
          thresholdExceeded(candidates.length + before.deleted, basePopulation, config.options);
        const withhold = exceeded !== undefined && !mode.allowMassDeletion;
        if (withhold) {
          withheldBecause = exceeded;
          status = 'deletionThresholdExceeded';
          deletionNote = `; deletes withheld: ${exceeded}`;
        } else if (exceeded !== undefined) {
          deletionNote = `; allowMassDeletion applies deletes above the threshold this once: ${exceeded}`;
        }
        for (const { user, reason } of candidates) {
          const change: DeleteChange = {
            action: 'delete',
            current: user,
            userName: user.userName,
            fullName: user.fullName,
            emailAddresses: user.emailAddresses,
            changedFields: [],
            reason: withhold ? `${reason}; withheld: ${exceeded}` : reason,
            withheld: withhold,
          };
          if (withhold) {
            lists.addChange('planned', toReportChange(change));
          } else {
            planned.deleted += 1;
            await emit(change);
          }
        }
      });
    } catch (error) {
      recorder.add({
        name: timer.current,
        ok: false,
        ms: timer.ms(timer.current),
        message: errorOf(error).message,
      });
      throw error;
    }
    const { incremental } = scope;
    recorder.add({
      name: 'search',
      ok: true,
      ms: timer.ms('search'),
      message:
        (incremental
          ? `${counts.directoryUsers} users changed since USN ${incremental.since} under ${scope.baseDn}` +
            (incremental.deleted ? `, ${incremental.deleted.size} deleted` : '')
          : `${counts.directoryUsers} users read under ${scope.baseDn} (full read: ${scope.fullBecause})`) +
        `; DirSync ${DIRSYNC_NOTE[scope.dirSync]}`,
    });
    recorder.add({
      name: 'filter',
      ok: true,
      ms: timer.ms('filter'),
      message: `${counts.inScope} in scope, ${counts.excluded} excluded`,
    });
    recorder.add({
      name: 'plan',
      ok: true,
      ms: timer.ms('plan'),
      message:
        `${planned.created} to create, ${planned.updated} to update, ${planned.deleted} to delete, ` +
        `${counts.unchanged} unchanged, ${counts.conflicts} conflicts${deletionNote}`,
    });
    await open.close();
    session = undefined;

    if (!spool) {
      Object.assign(counts, planned);
    } else {
      const source = spool;
      let handedOff = false;
      let refused = 0;
      await recorder.run(
        'apply',
        async () => {
          let done = 0;
          for await (const batch of source.batches(deps.applyBatchSize ?? APPLY_BATCH)) {
            const result = await deps.users.applyChanges(
              batch,
              config.defaultPrivileges,
              clock().toISOString(),
            );
            for (const change of result.applied) {
              if (change.action === 'create') applied.created += 1;
              else if (change.action === 'update') applied.updated += 1;
              else if (change.action === 'delete') applied.deleted += 1;
              if (isChange(change)) lists.addChange('applied', toReportChange(change));
            }
            counts.unchanged += result.alreadyApplied;
            for (const { change, reason } of result.conflicts) {
              refused += 1;
              if (isChange(change))
                lists.addChange('refused', { ...toReportChange(change), action: 'conflict', reason });
            }
            done += batch.length;
            await deps.checkpoints?.saveCheckpoint({
              runId,
              startedAt,
              trigger: mode.trigger ?? 'api',
              allowMassDeletion: mode.allowMassDeletion,
              invocations: (resume?.checkpoint.invocations ?? 0) + 1,
              population: basePopulation,
              ...(withheldBecause ? { deletesWithheld: withheldBecause } : {}),
              applied: {
                created: before.created + applied.created,
                updated: before.updated + applied.updated,
                deleted: before.deleted + applied.deleted,
              },
            });
            if (done < source.size && deps.remainingMs && deps.remainingMs() < HANDOFF_RESERVE_MS) {
              handedOff = true;
              return done;
            }
          }
          return done;
        },
        (done) =>
          `${applied.created + applied.updated + applied.deleted} changes written` +
          (refused ? `, ${refused} refused` : '') +
          (handedOff ? `; ${source.size - done} left for a follow-up invocation (the deadline is near)` : ''),
      );
      counts.created = before.created + applied.created;
      counts.updated = before.updated + applied.updated;
      counts.deleted = before.deleted + applied.deleted;
      // What earlier invocations wrote planned as unchanged this time.
      counts.unchanged = Math.max(0, counts.unchanged - before.created - before.updated);
      counts.conflicts += refused;
      if (handedOff) {
        status = 'running';
      } else if (deps.cursors && scope.syncState) {
        // Only a clean run moves the cursor. Withheld deletes, refused writes or conflicts that a later read
        // may resolve make the next run read everything again, so nothing held back is forgotten. (A local
        // user holding a directory user's name is a lasting state, not a reason to read everything forever.)
        if (status === 'succeeded' && !unsettled && refused === 0) {
          await deps.cursors.saveCursor({
            ...scope.syncState,
            fingerprint: scope.fingerprint,
            lastFullAt: scope.incremental && scope.cursor ? scope.cursor.lastFullAt : startedAt,
            directoryUsers: basePopulation + counts.created - counts.deleted,
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
    await spool?.dispose();
  }

  const report = (): Report => {
    const omitted = lists.omitted;
    return {
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
      // A run handing off records only its writes: the follow-up re-plans the rest.
      changes: status === 'running' ? lists.applied : lists.changes,
      excluded: status === 'running' ? [] : lists.excluded,
      ...(failure ? { error: failure } : {}),
      ...(omitted ? { omitted } : {}),
    };
  };

  if (mode.dryRun) return report();
  try {
    await recorder.run(
      'record',
      () => deps.runs.recordRun(report()),
      () =>
        status === 'running'
          ? 'run recorded as running; a follow-up invocation continues it'
          : 'run recorded',
    );
    if (status !== 'running') await deps.checkpoints?.clearCheckpoint(runId);
  } catch (error) {
    status = 'failed';
    failure ??= errorOf(error);
    if (!(error instanceof AdSyncError)) deps.onUnexpectedError?.(error);
  }
  return report();
}

const key = (userName: string): string => userName.toLowerCase();

const DIRSYNC_NOTE: Readonly<Record<DirSyncAccess, string>> = {
  permitted: 'is permitted for this account (not needed: changes are read by uSNChanged)',
  notPermitted: 'is not permitted for this account (not needed: changes are read by uSNChanged)',
  unsupported: 'is not offered by this DC (not needed: changes are read by uSNChanged)',
};

const HASH_BYTES = 16;

/** The maintained fields (those changedFields compares) as 16 bytes: equal hashes, nothing to update. */
const fieldsHash = (user: MappedUser | User): Buffer =>
  createHash('md5')
    .update(
      JSON.stringify([
        user.userName,
        user.fullName,
        user.emailAddresses,
        user.distinguishedName ?? '',
        user.userPrincipalName ?? '',
        user.objectGuid ?? '',
      ]),
    )
    .digest();

/** A user name as 16 bytes (for a GuidLedger): names compare case-insensitively. */
const nameHash = (userName: string): string => createHash('md5').update(key(userName)).digest('hex');

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
