/**
 * Synchronize one user now (`POST /sync/users/{name}`, docs/contract.md#synchronize-one-user): that user's
 * plan, decided by the same code as Explain (explain-user.ts, and through it the sync's filters and planner),
 * applied at once under the sync lock (the caller holds it), and recorded as a run with `trigger: "user"`.
 * A delete or a suspension goes through only under the sync's rules: `deleteUsers` on, and within the
 * deletion threshold (one delete against the directory users in the database). The cursor of incremental
 * runs is left as it is: the next run reads what changed in AD since, as it would have.
 */
import type { Config } from '../config/config-schema';
import type { BindPassword } from '../domain/password-binding';
import { thresholdExceeded, withheldReason } from '../domain/plan-deletes';
import type { Report, RunTrigger } from '../domain/report';
import { AdSyncError } from '../errors';
import type { DirectorySession } from '../ports/directory-reader';
import { planOneUser, REASON_OF } from './explain-user';
import { type SyncDependencies, withDefaults } from './run-dependencies';
import { changesIn, errorOf, RunTally, StepRecorder, toReportChange } from './run-report';
import { applyBatch, bindSession, connectSession } from './sync-pipeline';

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
  const runId = deps.newRunId();
  const startedAt = request.startedAt ?? deps.clock.now().toISOString();
  const recorder = new StepRecorder(deps.onStep);
  const tally = new RunTally();
  let status: Report['status'] = 'succeeded';
  let failure: { code: string; message: string } | undefined;
  let deletesWithheld: number | undefined;
  let server: string | undefined;
  let baseDn: string | undefined;
  let session: DirectorySession | undefined;

  try {
    const open = await connectSession(deps, config.connection, request.password, recorder);
    session = open;
    server = open.server;
    await bindSession(open, config.connection, request.password, recorder);
    const now = deps.clock.now();
    const planned = await recorder.run(
      'search',
      () => planOneUser({ session: open, config, users: deps.users, now, name: request.name }),
      (p) => `read ${p.explanation.distinguishedName}`,
    );
    baseDn = planned.baseDn;
    const { explanation, entry } = planned;
    const failed = explanation.filters.filter((f) => !f.passed);
    tally.add({
      counts: { directoryUsers: 1, ...(explanation.inScope ? { inScope: 1 } : { excluded: 1 }) },
      exclusions: explanation.inScope
        ? []
        : [
            {
              userName: entry.sAMAccountName,
              distinguishedName: entry.distinguishedName,
              reasons: failed.map((f) => REASON_OF[f.filter]),
            },
          ],
    });
    recorder.add({
      name: 'filter',
      ok: true,
      ms: 0,
      message: explanation.inScope ? 'in scope' : `excluded: ${failed.map((f) => f.filter).join(', ')}`,
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
          if (change?.action === 'unchanged') tally.add({ counts: { unchanged: 1 } });
          if (change?.action === 'conflict') {
            tally.add({ counts: { conflicts: 1 }, changes: changesIn('planned', [toReportChange(change)]) });
          }
          return 0;
        }
        if ((change.action === 'delete' || change.action === 'suspend') && change.withheld) {
          tally.add({ changes: changesIn('planned', [toReportChange(change)]) });
          return 0;
        }
        const batch = await applyBatch(deps, config, runId, [change]);
        tally.add(batch);
        return (batch.changes ?? []).filter((c) => c.list === 'applied').length;
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
    finishedAt: deps.clock.now().toISOString(),
    ...(server ? { server } : {}),
    ...(baseDn ? { baseDn } : {}),
    steps: recorder.steps,
    counts: tally.counts,
    changes: tally.lists.changes,
    excluded: tally.lists.excluded,
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
