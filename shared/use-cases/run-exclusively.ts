/**
 * Synchronize now (API) and the scheduled sync: the saved configuration and password, one sync at a time.
 *
 * The lock is a lease (a crashed run cannot hold it forever). A second API sync while one runs gets
 * SyncRunningError (409); a scheduled sync that finds the lock held records a skipped run and ends cleanly.
 * A duplicated scheduled event (same occurrence) does nothing.
 */
import { randomUUID } from 'node:crypto';
import { emptyCounts, type Report } from '../domain/report';
import { SyncRunningError, ValidationError } from '../errors';
import type { ConfigStore, RunLock, SecretStore, StoredConfig } from '../ports/settings';
import { type SyncDependencies, synchronize } from './run-sync';

export interface ExclusiveSyncDependencies extends SyncDependencies {
  readonly configs: ConfigStore;
  readonly secrets: SecretStore;
  readonly lock: RunLock;
  /** How long the lock holds without release; longer than any run (the sync Lambda's timeout). */
  readonly leaseSeconds: number;
}

async function savedConfiguration(deps: ExclusiveSyncDependencies): Promise<StoredConfig> {
  const stored = await deps.configs.getConfig();
  if (!stored) {
    throw new ValidationError('No configuration is saved yet', [
      { path: 'config', message: 'save a configuration (PUT /config) before synchronizing' },
    ]);
  }
  return stored;
}

async function runLocked(
  deps: ExclusiveSyncDependencies,
  stored: StoredConfig,
  runId: string,
  options: { allowMassDeletion: boolean; trigger: 'api' | 'schedule' },
): Promise<Report> {
  try {
    return await synchronize(
      { ...deps, newRunId: () => runId },
      { config: stored.config, password: await deps.secrets.getPassword(), ...options },
    );
  } finally {
    await deps.lock.release(runId);
  }
}

/** Synchronize now: throws SyncRunningError when another sync holds the lock. */
export async function synchronizeNow(
  deps: ExclusiveSyncDependencies,
  request: { allowMassDeletion?: boolean } = {},
): Promise<Report> {
  const stored = await savedConfiguration(deps);
  const runId = deps.newRunId?.() ?? randomUUID();
  if (!(await deps.lock.acquire(runId, deps.leaseSeconds))) {
    throw new SyncRunningError('A sync is already running; try again when it has finished');
  }
  return runLocked(deps, stored, runId, {
    allowMassDeletion: request.allowMassDeletion === true,
    trigger: 'api',
  });
}

export type ScheduledOutcome =
  | { readonly outcome: 'disabled' | 'duplicate' | 'unconfigured' }
  | { readonly outcome: 'ran' | 'skipped'; readonly report: Report };

/** One occurrence of the schedule (`occurrence` identifies it, e.g. the scheduled time). */
export async function runScheduledSync(
  deps: ExclusiveSyncDependencies,
  occurrence: string,
): Promise<ScheduledOutcome> {
  const stored = await deps.configs.getConfig();
  if (!stored) return { outcome: 'unconfigured' };
  if (!stored.config.schedule.enabled) return { outcome: 'disabled' };
  if (!(await deps.lock.claimOccurrence(occurrence))) return { outcome: 'duplicate' };

  const runId = deps.newRunId?.() ?? randomUUID();
  if (!(await deps.lock.acquire(runId, deps.leaseSeconds))) {
    const now = (deps.clock ?? (() => new Date()))().toISOString();
    const report: Report = {
      runId,
      dryRun: false,
      status: 'skipped',
      trigger: 'schedule',
      startedAt: now,
      finishedAt: now,
      steps: [],
      counts: emptyCounts(),
      changes: [],
      excluded: [],
      error: { code: 'SyncRunning', message: 'another sync was running; this scheduled run was skipped' },
    };
    await deps.runs.recordRun(report);
    return { outcome: 'skipped', report };
  }
  return {
    outcome: 'ran',
    report: await runLocked(deps, stored, runId, { allowMassDeletion: false, trigger: 'schedule' }),
  };
}
