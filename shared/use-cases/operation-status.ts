/**
 * Long operations as their callers see them (docs/contract.md#long-operations): the record an operation
 * starts with, the rule that tells a run under way from one whose invocation died (its lease), and waiting a
 * few seconds for an operation to end (`Prefer: wait=N`).
 */

import { type WatchStatus, watchAsSeen } from '../domain/change-watch';
import { emptyCounts, type Report, type RunSummary, type RunTrigger } from '../domain/report';
import {
  type ScheduleHealth,
  type Staleness,
  scheduleHealthOf,
  stalenessOf,
} from '../domain/schedule-health';
import type { Clock } from '../ports/clock';
import type { ConfigStore } from '../ports/config-store';
import type { RunLock } from '../ports/run-lock';
import type { PreviewStore, RunStore } from '../ports/run-store';
import type { WatchStatusStore } from '../ports/watch-status';
import { staleOriginOf } from './stale-check';
import { systemClock } from './system-clock';

/** The record of an operation just started: running, in its first phase, nothing counted yet. */
export function startedReport(
  id: string,
  now: Date,
  options: { dryRun: boolean; trigger?: RunTrigger; configVersion?: number },
): Report {
  return {
    runId: id,
    dryRun: options.dryRun,
    status: 'running',
    ...(options.trigger ? { trigger: options.trigger } : {}),
    startedAt: now.toISOString(),
    finishedAt: now.toISOString(),
    steps: [],
    counts: emptyCounts(),
    changes: [],
    excluded: [],
    ...(options.configVersion !== undefined ? { configVersion: options.configVersion } : {}),
    progress: { phase: 'connect', read: 0, inScope: 0, planned: 0, applied: 0 },
  };
}

/** A running operation's record, ended as failed with this error. */
export function ended(
  report: Report,
  now: Date,
  error: { readonly code: string; readonly message: string },
): Report {
  const { progress: _progress, ...rest } = report;
  return {
    ...rest,
    status: 'failed',
    finishedAt: now.toISOString(),
    error: { code: error.code, message: error.message },
  };
}

/** Why a run or preview shown running no longer is: its invocation ended, or never came, and its lease has gone. */
export const interrupted = (what: 'run' | 'preview') => ({
  code: 'Interrupted',
  message: `the ${what} stopped before it finished: the invocation running it ended (or never started) without recording its end, and its lease has expired`,
});

/**
 * A run as its record says, except that a run recorded as running whose lease (the sync lock) is no longer
 * its own is shown failed (Interrupted): its invocation died, and the next run will close its record too.
 */
export async function runAsSeen(
  deps: { readonly runs: RunStore; readonly lock: RunLock },
  runId: string,
  holder?: string,
): Promise<Report | undefined> {
  const report = await deps.runs.getRun(runId);
  if (report?.status !== 'running' || (holder ?? (await deps.lock.holder())) === runId) return report;
  // It may have ended (and released the lock) between the two reads.
  const again = await deps.runs.getRun(runId);
  if (again?.status !== 'running') return again;
  return ended(again, new Date(again.finishedAt), interrupted('run'));
}

/** The run history, newest first, running runs shown as runAsSeen shows them (the lock read once). */
export async function runsAsSeen(
  deps: { readonly runs: RunStore; readonly lock: RunLock },
  limit: number,
): Promise<RunSummary[]> {
  const runs = await deps.runs.listRuns(limit);
  if (!runs.some((run) => run.status === 'running')) return runs;
  const holder = await deps.lock.holder();
  return Promise.all(
    runs.map(async (run) => {
      if (run.status !== 'running' || run.runId === holder) return run;
      const seen = await runAsSeen(deps, run.runId, holder);
      if (!seen) return run;
      const { changes: _changes, excluded: _excluded, steps: _steps, ...summary } = seen;
      return summary;
    }),
  );
}

/** GET /sync/runs: the history, and what an operator is told of it (docs/contract.md#operators-are-told). */
export interface RunHistory {
  readonly runs: readonly RunSummary[];
  /** The schedule's state now (absent before a configuration is saved). */
  readonly schedule?: ScheduleHealth & { readonly enabled: boolean };
  /** Present when no run has succeeded for alerts.staleAfterHours. */
  readonly stale?: Staleness;
  /** The change watch's state, while schedule.changeNotifications is on (docs/contract.md#changes-in-seconds). */
  readonly watch?: WatchStatus;
}

/**
 * The run history as runsAsSeen shows it, with the schedule's state (its back-off) and the staleness decided
 * from it under the saved configuration's alert settings.
 */
export async function runHistory(
  deps: {
    readonly runs: RunStore;
    readonly lock: RunLock;
    readonly configs: ConfigStore;
    readonly watches?: WatchStatusStore;
    readonly clock?: Clock;
  },
  limit: number,
): Promise<RunHistory> {
  const [runs, stored, watch] = await Promise.all([
    runsAsSeen(deps, limit),
    deps.configs.getConfig(),
    deps.watches?.getWatchStatus(),
  ]);
  if (!stored) return { runs };
  const { schedule, alerts } = stored.config;
  const health = scheduleHealthOf(runs, {
    intervalMinutes: schedule.intervalMinutes,
    failuresBeforeBackoff: alerts.failuresBeforeBackoff,
  });
  const now = (deps.clock ?? systemClock).now();
  const origin = await staleOriginOf(deps.runs, runs, limit);
  const stale = stalenessOf(runs, now, alerts.staleAfterHours, origin);
  return {
    runs,
    schedule: { enabled: schedule.enabled, ...health },
    ...(stale ? { stale } : {}),
    ...(schedule.changeNotifications
      ? { watch: watch ? watchAsSeen(watch, now) : { state: 'off', since: now.toISOString() } }
      : {}),
  };
}

/**
 * A preview as its record says, except that one still running past its deadline (the longest a test may
 * take: the test-settings function's timeout) is shown failed (Interrupted). Expired previews are gone.
 */
export async function previewAsSeen(
  deps: {
    readonly previews: PreviewStore;
    readonly clock?: Clock;
    readonly previewTimeoutSeconds: number;
  },
  previewId: string,
): Promise<Report | undefined> {
  const report = await deps.previews.getReport(previewId);
  if (report?.status !== 'running') return report;
  const now = (deps.clock ?? systemClock).now();
  const deadline = previewDeadline(report, deps.previewTimeoutSeconds);
  return now.getTime() > deadline ? ended(report, new Date(deadline), interrupted('preview')) : report;
}

/** When a preview that still runs is given up (ms since the epoch): its start and the longest a test takes. */
export const previewDeadline = (report: Report, previewTimeoutSeconds: number): number =>
  Date.parse(report.startedAt) + previewTimeoutSeconds * 1000;

/**
 * Waits up to `seconds` on `clock` for an operation to end: its final report, or undefined when it still
 * runs. Polls its record, briefly at first (a small directory ends in a fraction of a second), then once a
 * second.
 */
export async function awaitEnd(
  read: () => Promise<Report | undefined>,
  seconds: number,
  clock: Clock = systemClock,
): Promise<Report | undefined> {
  const deadline = clock.now().getTime() + seconds * 1000;
  for (let pause = 50; ; pause = Math.min(pause * 2, 1000)) {
    const report = await read();
    if (report && report.status !== 'running') return report;
    const left = deadline - clock.now().getTime();
    if (left <= 0) return undefined;
    await clock.sleep(Math.min(pause, left));
  }
}
