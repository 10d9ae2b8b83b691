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
import { randomUUID } from 'node:crypto';
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
import type { MappedUser } from '../domain/user';
import { mapDirectoryUser } from '../domain/user-mapping';
import { AdSyncError, MissingPasswordError, ValidationError } from '../errors';
import type { DirectoryReader, DirectorySession } from '../ports/directory-reader';
import type { ApplyResult, RunStore, UserStore } from '../ports/user-store';

export interface SyncDependencies {
  readonly directory: DirectoryReader;
  readonly users: UserStore;
  readonly runs: RunStore;
  readonly clock?: () => Date;
  readonly newRunId?: () => string;
  /** Called once per finished step (structured logging); never given the password. */
  readonly onStep?: (step: ReportStep) => void;
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

const errorOf = (error: unknown): { code: string; message: string } =>
  error instanceof AdSyncError
    ? { code: error.code, message: error.message }
    : { code: 'InternalError', message: error instanceof Error ? error.message : String(error) };

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

    const read = await recorder.run(
      'search',
      async () => {
        baseDn =
          connection.baseDn ||
          open.rootDse.defaultNamingContext ||
          (connection.domain ? baseDnFromDomain(connection.domain) : undefined);
        if (!baseDn)
          throw new ValidationError('No base DN', [
            { path: 'connection.baseDn', message: 'could not be determined' },
          ]);
        await open.assertExists(baseDn, 'the base DN');
        const groupMemberGuids = new Set<string>();
        for (const group of config.filters.groups) {
          await open.assertExists(group, 'the selected group');
          for (const guid of await open.readGroupMemberGuids(baseDn, group)) groupMemberGuids.add(guid);
        }
        return { entries: await open.readUsers(baseDn), groupMemberGuids };
      },
      ({ entries }) => `${entries.length} users read under ${baseDn}`,
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
        return { inScope, reasonsByGuid, exclusions };
      },
      ({ inScope, exclusions }) => `${inScope.length} in scope, ${exclusions.length} excluded`,
    );
    counts.directoryUsers = read.entries.length;
    counts.inScope = scope.inScope.length;
    counts.excluded = scope.exclusions.length;
    excluded = scope.exclusions;

    const plan = await recorder.run(
      'plan',
      async () =>
        planSync({
          inScope: scope.inScope,
          excluded: scope.reasonsByGuid,
          current: await deps.users.listUsers(),
          options: config.options,
          allowMassDeletion: mode.allowMassDeletion,
        }),
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
    }
  } catch (error) {
    status = 'failed';
    failure = errorOf(error);
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
  }
  return report();
}

function describePlan(plan: SyncPlan): string {
  const { created, updated, deleted, unchanged, conflicts } = plan.counts;
  const summary = `${created} to create, ${updated} to update, ${deleted} to delete, ${unchanged} unchanged, ${conflicts} conflicts`;
  return plan.deletionThresholdExceeded
    ? `${summary}; deletes withheld: ${plan.deletionThresholdExceeded}`
    : summary;
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
