/**
 * Test Settings as a long operation (docs/contract.md#long-operations): the API starts a preview (its record,
 * running) and hands it to the test-settings function, which runs the pipeline, committing nothing, with its
 * progress in the preview's record. Previews are kept a day, apart from the run history. The password given
 * with unsaved settings travels only in the hand-over (an invocation's event) and is never recorded.
 */
import type { Config } from '../config/config-schema';
import { connectionTarget } from '../domain/password-binding';
import type { Report } from '../domain/report';
import { StartFailedError } from '../errors';
import type { Clock } from '../ports/clock';
import type { ConfigStore } from '../ports/config-store';
import type { OperationStarter, PreviewStart } from '../ports/operation-starter';
import type { PreviewStore } from '../ports/run-store';
import { currentConfig, passwordForTest, passwordRequired, type SettingsDependencies } from './configuration';
import { ended, interrupted, previewDeadline, startedReport } from './operation-status';
import { type SyncDependencies, withDefaults } from './run-dependencies';
import { errorOf } from './run-report';
import { testSettings } from './sync-pipeline';

/** The test-settings function's timeout, unless the deployment says otherwise. */
export const DEFAULT_PREVIEW_TIMEOUT_SECONDS = 900;

export interface StartPreviewDependencies {
  readonly configs: ConfigStore;
  readonly previews: PreviewStore;
  readonly starter: OperationStarter;
  readonly clock?: Clock;
  readonly newRunId?: () => string;
  /** Told why a hand-over failed (the caller is told only that it did). */
  readonly onUnexpectedError?: (error: unknown) => void;
}

/**
 * Starts a preview of the saved settings, or of unsaved ones: answers its id at once. Unsaved settings of
 * another connection than the saved one need their password (400, as before it starts); the worker checks
 * the saved password's binding again before it uses it.
 */
export async function startPreview(
  given: StartPreviewDependencies,
  request: { readonly config?: Config; readonly password?: string },
): Promise<string> {
  const deps = withDefaults(given);
  if (request.password === undefined && request.config !== undefined) {
    const saved = (await deps.configs.getConfig())?.config;
    if (saved && connectionTarget(saved.connection) !== connectionTarget(request.config.connection)) {
      throw passwordRequired();
    }
  }
  const previewId = deps.newRunId();
  const started = startedReport(previewId, deps.clock.now(), { dryRun: true });
  await deps.previews.recordReport(started);
  try {
    await deps.starter.startPreview({
      previewId,
      ...(request.config ? { config: request.config } : {}),
      ...(request.password !== undefined ? { password: request.password } : {}),
    });
  } catch (error) {
    const failure = new StartFailedError(`the test could not be started: ${errorOf(error).message}`, {
      cause: error,
    });
    deps.onUnexpectedError?.(error);
    await deps.previews.recordReport(ended(started, deps.clock.now(), failure));
    throw failure;
  }
  return previewId;
}

export type PreviewOutcome =
  | { readonly outcome: 'stale' }
  | { readonly outcome: 'ran'; readonly report: Report };

/**
 * Runs a started preview in the test-settings function: the pipeline, its progress and its end in the
 * preview's record. A preview that is not recorded as running (ended, expired, never started) is not run.
 */
export async function runPreview(
  given: SyncDependencies &
    SettingsDependencies & {
      readonly previews: PreviewStore;
      /** The longest a test may take (the test-settings function's timeout). */
      readonly previewTimeoutSeconds?: number;
    },
  start: PreviewStart,
): Promise<PreviewOutcome> {
  const deps = withDefaults(given);
  const record = await deps.previews.getReport(start.previewId);
  if (record?.status !== 'running') return { outcome: 'stale' };
  // Delivered after readers were told it was interrupted (Lambda holds back events it cannot run yet).
  const deadline = previewDeadline(record, deps.previewTimeoutSeconds ?? DEFAULT_PREVIEW_TIMEOUT_SECONDS);
  if (deps.clock.now().getTime() > deadline) {
    await deps.previews.recordReport(ended(record, new Date(deadline), interrupted('preview')));
    return { outcome: 'stale' };
  }
  let report: Report;
  try {
    const config = start.config ?? (await currentConfig(deps.configs));
    const password = await passwordForTest(deps, start.config, start.password);
    report = await testSettings(
      { ...deps, newRunId: () => start.previewId, progress: deps.previews },
      { config, password, startedAt: record.startedAt },
    );
  } catch (error) {
    // The pipeline reports its own failures; this is one before it (the saved password for another target).
    report = ended(record, deps.clock.now(), errorOf(error));
  }
  await deps.previews.recordReport(report);
  return { outcome: 'ran', report };
}
