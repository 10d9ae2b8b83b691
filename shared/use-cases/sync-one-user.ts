/**
 * Synchronize one user now (`POST /sync/users/{name}`, docs/contract.md#synchronize-one-user): that user's
 * plan, decided by the same code as Explain (one-user.ts, and through it the sync's filters and planner),
 * applied at once under the sync lock (the caller holds it), and recorded as a run with `trigger: "user"`.
 * A delete or a suspension goes through only under the sync's rules: `deleteUsers` on, and within the
 * deletion threshold (one delete against the directory users in the database). The cursor of incremental
 * runs is left as it is: the next run reads what changed in AD since, as it would have.
 */
import type { Config } from '../config/config-schema';
import { type BindPassword, bindCredentials } from '../domain/password-binding';
import { thresholdExceeded, withheldReason } from '../domain/plan-deletes';
import type { PlannedChange } from '../domain/plan-sync';
import {
  emptyCounts,
  type Report,
  type ReportChange,
  type ReportCounts,
  type RunTrigger,
} from '../domain/report';
import { AdSyncError } from '../errors';
import type { DirectorySession } from '../ports/directory-reader';
import { planOneUser, REASON_OF } from './one-user';
import { type SyncDependencies, withDefaults } from './run-dependencies';
import { errorOf, isChange, StepRecorder, toReportChange } from './run-report';

export interface SyncUserRequest {
  readonly config: Config;
  readonly password: BindPassword | undefined;
  /** sAMAccountName, userPrincipalName, distinguished name or objectGUID. */
  readonly name: string;
  readonly trigger?: RunTrigger;
  readonly configVersion?: number;
  /** When the API started the run (its record says so). */
  readonly startedAt?: string;
  /** Set when the run must apply no deletes (its configuration changed after it was started). */
  readonly deletesRefused?: string;
}

/** The counts of one applied (or refused) change. */
function countOf(change: PlannedChange, applied: boolean): Partial<ReportCounts> {
  if (!applied) return change.action === 'unchanged' ? { unchanged: 1 } : { conflicts: 1 };
  switch (change.action) {
    case 'create':
      return { created: 1 };
    case 'update':
      return { updated: 1 };
    case 'restore':
      return { restored: 1 };
    case 'delete':
      return { deleted: 1 };
    case 'suspend':
      return { suspended: 1 };
    case 'conflict':
      return { conflicts: 1 };
    default:
      return { unchanged: 1 };
  }
}

/** Directory users in the user database: the base of the threshold's percentage. */
async function directoryUsersInDatabase(deps: SyncDependencies): Promise<number> {
  let count = 0;
  for await (const page of deps.users.userPages()) {
    count += page.filter((user) => user.authentication === 'directoryServices').length;
  }
  return count;
}

export async function synchronizeUser(given: SyncDependencies, request: SyncUserRequest): Promise<Report> {
  const deps = withDefaults(given);
  const { config } = request;
  const { connection } = config;
  const runId = deps.newRunId();
  const startedAt = request.startedAt ?? deps.clock().toISOString();
  const recorder = new StepRecorder(deps.onStep);
  const counts = emptyCounts();
  const changes: ReportChange[] = [];
  const excluded: Report['excluded'][number][] = [];
  let status: Report['status'] = 'succeeded';
  let failure: { code: string; message: string } | undefined;
  let deletesWithheld: number | undefined;
  let server: string | undefined;
  let baseDn: string | undefined;
  let session: DirectorySession | undefined;
  const add = (more: Partial<ReportCounts>): void => {
    for (const [name, value] of Object.entries(more) as [keyof ReportCounts, number][]) counts[name] += value;
  };

  try {
    const { servers, credentials } = await recorder.run(
      'resolve',
      async () => ({
        credentials: bindCredentials(connection, request.password),
        servers: await deps.directory.resolveServers(connection),
      }),
      ({ servers: list }) => `servers to try: ${list.map((s) => `${s.host}:${s.port}`).join(', ')}`,
    );
    const open = await recorder.run(
      'connect',
      () => deps.directory.connect(servers, connection),
      (s) => `connected to ${s.server} over ${connection.encryption === 'ldaps' ? 'LDAPS' : 'StartTLS'}`,
    );
    session = open;
    server = open.server;
    await recorder.run(
      'bind',
      () => open.bind(credentials.username, bindCredentials(connection, request.password).password),
      () => `bound as ${credentials.username}`,
    );
    const now = deps.clock();
    const planned = await recorder.run(
      'search',
      () => planOneUser({ session: open, config, users: deps.users, now, name: request.name }),
      (p) => `read ${p.explanation.distinguishedName}`,
    );
    baseDn = planned.baseDn;
    const { explanation } = planned;
    add({ directoryUsers: 1, ...(explanation.inScope ? { inScope: 1 } : { excluded: 1 }) });
    if (!explanation.inScope) {
      excluded.push({
        userName: planned.entry.sAMAccountName,
        distinguishedName: planned.entry.distinguishedName,
        reasons: explanation.filters.filter((f) => !f.passed).map((f) => REASON_OF[f.filter]),
      });
    }
    recorder.add({
      name: 'filter',
      ok: true,
      ms: 0,
      message: explanation.inScope
        ? 'in scope'
        : `excluded: ${explanation.filters
            .filter((f) => !f.passed)
            .map((f) => f.filter)
            .join(', ')}`,
    });

    let change = planned.change;
    // The sync's rules for a removal: the threshold, and no deletes on a configuration changed since the start.
    if (change && (change.action === 'delete' || change.action === 'suspend') && !change.withheld) {
      const because =
        request.deletesRefused ?? thresholdExceeded(1, await directoryUsersInDatabase(deps), config.options);
      if (because !== undefined) {
        change = { ...change, withheld: true, reason: withheldReason(change.reason ?? '', because) };
        status = 'deletionThresholdExceeded';
        deletesWithheld = 1;
      }
    }
    recorder.add({
      name: 'plan',
      ok: true,
      ms: 0,
      message: change ? `${change.action}${change.reason ? `: ${change.reason}` : ''}` : 'nothing to do',
    });

    await recorder.run(
      'apply',
      async () => {
        if (!change || change.action === 'unchanged' || change.action === 'conflict') {
          if (change) add(countOf(change, false));
          if (change && isChange(change)) changes.push(toReportChange(change));
          return 0;
        }
        if ((change.action === 'delete' || change.action === 'suspend') && change.withheld) {
          changes.push(toReportChange(change));
          return 0;
        }
        const result = await deps.users.applyChanges([change], {
          runId,
          defaults: config.defaultPrivileges,
          now: deps.clock().toISOString(),
        });
        for (const done of result.applied) {
          add(countOf(done, true));
          if (isChange(done)) changes.push(toReportChange(done));
        }
        for (const { change: refused, reason } of result.conflicts) {
          add({ conflicts: 1 });
          if (isChange(refused)) changes.push({ ...toReportChange(refused), action: 'conflict', reason });
        }
        add({ unchanged: result.alreadyApplied });
        return result.applied.length;
      },
      (written) => `${written} change${written === 1 ? '' : 's'} written`,
    );
  } catch (error) {
    status = 'failed';
    failure = errorOf(error);
    if (!(error instanceof AdSyncError)) deps.onUnexpectedError?.(error);
  } finally {
    await session?.close();
  }

  const report = (): Report => ({
    runId,
    dryRun: false,
    status,
    trigger: request.trigger ?? 'user',
    startedAt,
    finishedAt: deps.clock().toISOString(),
    ...(server ? { server } : {}),
    ...(baseDn ? { baseDn } : {}),
    steps: recorder.steps,
    counts,
    changes,
    excluded,
    ...(failure ? { error: failure } : {}),
    ...(deletesWithheld !== undefined ? { deletesWithheld } : {}),
    ...(request.configVersion !== undefined ? { configVersion: request.configVersion } : {}),
  });
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
