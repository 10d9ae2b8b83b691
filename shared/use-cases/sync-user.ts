/**
 * Synchronize one user now (`POST /sync/users/{name}`, docs/contract.md#synchronize-one-user): that user's
 * plan, decided by the same code as Explain (explain-user.ts, and through it the sync's filters and planner),
 * applied at once under the sync lock (the caller holds it), and recorded as a run with `trigger: "user"`.
 * A delete or a suspension goes through only under the sync's rules: `deleteUsers` on, and within the
 * deletion threshold (one delete against the directory users in the database). A write moves the cursor of
 * incremental runs on only as far as it must: its digest of the scope is dropped (a user created or restored
 * here is not in it, so the next run lists the database to find leavers) and a suspension made here is due
 * with the others; the next run still reads only what changed in AD since. The user's groups and group
 * privileges are written with its change (explain-user.ts), with the mark by which a full read with groups off
 * knows to clear them, and cleared with groups off when an earlier configuration left them, as a full read
 * does; the groups themselves are the next run's, which reads them
 * again when this write changed what they hold (a member created, renamed, moved or removed).
 * Steps:
 *
 *   resolve -> connect -> bind (run-session.ts) -> search (decideOneUser: the user read, or the database's user
 *   of that name renamed, moved out or gone, found by its objectGUID) -> filter -> plan (the deletion
 *   threshold, against the database's count of directory users) -> apply (one conditional write) -> record
 */
import type { Config } from '../config/config-schema';
import type { BindPassword } from '../domain/password-binding';
import { earliest, graceEndsAfter, thresholdExceeded, withheldReason } from '../domain/plan-deletes';
import { givesAnything } from '../domain/plan-groups';
import type { PlannedChange } from '../domain/plan-sync';
import type { DeletionHold, Report, RunTrigger } from '../domain/report';
import { describeDeletionHold } from '../domain/report-text';
import { applyBatch } from './apply-writes';
import { decideOneUser, type GoneUserPlan, type OneUserPlan, REASON_OF } from './explain-user';
import { type RunDependencies, type SyncDependencies, withDefaults } from './run-dependencies';
import { changesIn, RunTally, type Tally, toReportChange } from './run-report';
import { RunSession } from './run-session';
import { affectsGroups } from './sync-groups';

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
  readonly deletesRefused?: DeletionHold;
}

export async function synchronizeUser(given: SyncDependencies, request: SyncUserRequest): Promise<Report> {
  const deps = withDefaults(given);
  const { config } = request;
  const runId = deps.newRunId();
  const startedAt = request.startedAt ?? deps.clock.now().toISOString();
  const run = new RunSession(deps);
  const tally = new RunTally();
  let hold: DeletionHold | undefined;
  let baseDn: string | undefined;

  await run.run(config.connection, request.password, async (session) => {
    const now = deps.clock.now();
    // No `leavers` on this search step: the run looks for no leaver but this user (by its objectGUID in the
    // domain when the name is not found under the base DN); the next run finds the others.
    const planned = await run.steps.run(
      'search',
      () => decideOneUser({ session, config, users: deps.users, now, name: request.name }),
      describeSearch,
    );
    baseDn = planned.baseDn;
    tally.add(scopeTally(planned));
    run.steps.add({ name: 'filter', ok: true, ms: 0, message: describeScope(planned) });
    const { change, withheldBecause } = await withTheSyncRules(deps, request, planned.change);
    hold = withheldBecause;
    run.steps.add({
      name: 'plan',
      ok: true,
      ms: 0,
      message: describePlan(change, 'gone' in planned ? planned.reason : planned.explanation.reason),
    });
    const written = await run.steps.run(
      'apply',
      () => applyChange(deps, config, runId, change, tally),
      (count) => `${count} change${count === 1 ? '' : 's'} written`,
    );
    if (written > 0 && change) await keepCursorTrue(deps, config, change, now);
  });

  const report = (): Report => ({
    runId,
    dryRun: false,
    status: run.failure ? 'failed' : hold !== undefined ? 'deletionThresholdExceeded' : 'succeeded',
    trigger: request.trigger ?? 'user',
    startedAt,
    finishedAt: deps.clock.now().toISOString(),
    ...(run.server ? { server: run.server } : {}),
    ...(baseDn ? { baseDn } : {}),
    steps: run.steps.steps,
    counts: tally.counts,
    changes: tally.lists.changes,
    excluded: tally.lists.excluded,
    ...(run.failure ? { error: run.failure } : {}),
    ...(hold !== undefined ? { deletesWithheld: 1, deletesWithheldBecause: hold } : {}),
    ...(request.configVersion !== undefined ? { configVersion: request.configVersion } : {}),
  });
  await run.attempt(() =>
    run.steps.run(
      'record',
      () => deps.runs.recordRun(report()),
      () => 'run recorded',
    ),
  );
  return report();
}

/**
 * After a write, what the cursor says must still hold for the next incremental run: the database no longer
 * holds the users its digest of the scope was taken with, so the digest goes (the next run lists the database
 * for leavers), and a suspension made now is due no later than the cursor says. A write that changes what the
 * groups hold (affectsGroups) drops where the groups were last read too: the next run reads them and its
 * group pass brings the groups' members up to date, though no group changed in AD. A rename is kept too
 * (`renamedDns`): the next run, finding the new name already in the database, would not see it as one, and the
 * users whose `userName` rules name the user would keep the old name.
 */
async function keepCursorTrue(
  deps: RunDependencies,
  config: Config,
  change: PlannedChange,
  now: Date,
): Promise<void> {
  const cursor = await deps.cursors?.getCursor();
  if (!cursor || !deps.cursors) return;
  const { scopeDigest: _stale, suspensionsDueAt, ...kept } = cursor;
  const { groupsUsn: _usn, groupsDigest: _digest, ...withoutGroups } = kept;
  const due = earliest([
    suspensionsDueAt,
    change.action === 'suspend' ? graceEndsAfter(now, config.options) : undefined,
  ]);
  // A rename the next run will not see as one (the database already holds the new name).
  const renamed =
    (change.action === 'update' || change.action === 'restore') &&
    change.current.userName !== change.target.userName
      ? [change.current.distinguishedName, change.target.distinguishedName].filter((dn) => dn !== undefined)
      : [];
  const renamedDns = [...new Set([...(cursor.renamedDns ?? []), ...renamed])];
  await deps.cursors.saveCursor({
    ...(affectsGroups(change) ? withoutGroups : kept),
    ...(due !== undefined ? { suspensionsDueAt: due } : {}),
    ...(renamedDns.length > 0 ? { renamedDns } : {}),
  });
}

/** The plan step's words: the change and its reason, or why there is nothing to do (deleteUsers off, say). */
function describePlan(change: PlannedChange | undefined, reason: string | undefined): string {
  if (change) return `${change.action}${change.reason ? `: ${change.reason}` : ''}`;
  return reason ? `nothing to do: ${reason}` : 'nothing to do';
}

/** What the search found: the user read, or where the database's user of that name went. */
function describeSearch(plan: OneUserPlan | GoneUserPlan): string {
  if ('gone' in plan) {
    return `no user under the base DN by that name, nor in the domain with the objectGUID of ${plan.gone.userName} (${plan.gone.objectGuid})`;
  }
  return `read ${plan.explanation.distinguishedName}${plan.outsideBaseDn ? ', outside the base DN' : ''}`;
}

/** The filter step's words: in scope, excluded by which filters, or out of the scope it left. */
function describeScope(plan: OneUserPlan | GoneUserPlan): string {
  if ('gone' in plan) return 'left the scope: gone from the domain';
  if (plan.outsideBaseDn) return 'left the scope: moved out of the base DN';
  const { explanation } = plan;
  if (explanation.inScope) return 'in scope';
  return `excluded: ${explanation.filters
    .filter((f) => !f.passed)
    .map((f) => f.filter)
    .join(', ')}`;
}

/**
 * The one user read: in scope, or excluded with the reasons of the filters it failed. A user that left the scope
 * is no directory user of the run, as a full read does not return it.
 */
function scopeTally(plan: OneUserPlan | GoneUserPlan): Tally {
  if ('gone' in plan || plan.outsideBaseDn) return {};
  const { explanation, entry } = plan;
  const failed = explanation.filters.filter((f) => !f.passed);
  return {
    counts: { directoryUsers: 1, ...(explanation.inScope ? { inScope: 1 } : { excluded: 1 }) },
    exclusions: explanation.inScope
      ? []
      : [
          {
            userName: entry.sAMAccountName,
            distinguishedName: entry.distinguishedName,
            ...(explanation.mappingFailed
              ? {
                  reasons: ['mappingFailed' as const],
                  detail: `${explanation.mappingFailed.field}: ${explanation.mappingFailed.detail}`,
                }
              : { reasons: failed.map((f) => REASON_OF[f.filter]) }),
          },
        ],
  };
}

/**
 * The sync's rules for a removal: the deletion threshold (one delete against the directory users the database
 * holds), and no deletes on a configuration changed since the start. The change withheld (and why), or as
 * planned.
 */
async function withTheSyncRules(
  deps: RunDependencies,
  request: SyncUserRequest,
  change: PlannedChange | undefined,
): Promise<{ change: PlannedChange | undefined; withheldBecause?: DeletionHold }> {
  if (!change || (change.action !== 'delete' && change.action !== 'suspend') || change.withheld)
    return { change };
  const because =
    request.deletesRefused ??
    thresholdExceeded(1, await deps.users.countDirectoryUsers(), request.config.options);
  if (because === undefined) return { change };
  const reason = withheldReason(change.reason ?? '', describeDeletionHold(because));
  return { change: { ...change, withheld: true, reason }, withheldBecause: because };
}

/** The apply step of one user: its one change written (none for a change withheld, unchanged or a conflict). */
async function applyChange(
  deps: RunDependencies,
  config: Config,
  runId: string,
  change: PlannedChange | undefined,
  tally: RunTally,
): Promise<number> {
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
  // A full read with groups off clears the users' group fields only where a group pass left its mark
  // (readGroupsOfRun): set before this user's are written, as the pass sets it before its writes.
  if ('memberships' in change && change.memberships && givesAnything(change.memberships))
    await deps.groups?.markGroupData(true);
  const batch = await applyBatch(deps, config, runId, [change]);
  tally.add(batch);
  return (batch.changes ?? []).filter((c) => c.list === 'applied').length;
}
