/**
 * `adsync test` and `adsync sync`: start the operation and follow it to its end (the API answers 202 and the
 * client polls), its progress on stderr; stdout carries only the report. The exit code says how it ended.
 */
import type { FollowOptions } from '../../shared/api/client';
import type { Report } from '../../shared/api/schemas';
import { EXIT, UsageError } from '../arguments';
import { describeReport } from '../presenter';
import { showProgress } from '../progress-display';
import type { TerminalOutput } from '../terminal';
import type { ApiCommand, CommandCall } from './api-command';

const exitCodeOf = (report: Report): number =>
  report.status === 'failed'
    ? EXIT.failed
    : report.status === 'deletionThresholdExceeded'
      ? EXIT.thresholdExceeded
      : EXIT.ok;

/**
 * Follows a started operation to its end, its progress on stderr (progress-display.ts). Ctrl-C stops following,
 * not the operation: the run goes on in the service, and `adsync runs` shows it. The signal and the exit are the
 * process's, whatever terminal the command writes to.
 */
async function follow(
  operation: 'sync' | 'test',
  stderr: TerminalOutput,
  run: (options: FollowOptions) => Promise<Report>,
): Promise<Report> {
  const display = showProgress(operation, stderr);
  let runId: string | undefined;
  const interrupted = (): void => {
    display.stop();
    const where = operation === 'sync' ? ' (adsync runs shows it)' : '';
    stderr.write(
      runId
        ? `stopped following ${operation === 'sync' ? 'run' : 'preview'} ${runId}; it goes on in the service${where}\n`
        : `stopped waiting; if the ${operation} started, it goes on in the service${where}\n`,
    );
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  try {
    return await run({
      // Followed from the start, however short the run: the progress shows at once, then twice a second.
      wait: 0,
      pollMs: 500,
      onProgress: (report) => {
        runId = report.runId;
        display.onProgress(report);
      },
    });
  } finally {
    process.off('SIGINT', interrupted);
    display.stop();
  }
}

/** Test Settings: the whole pipeline, nothing committed. */
export const test: ApiCommand = async ({ api, print, terminal }) => {
  const report = await follow('test', terminal.stderr, (options) => api.testSettings({}, options));
  print(report, () => describeReport(report));
  return exitCodeOf(report);
};

/** What --allow-mass-deletion approves: the last run's withheld deletes, or exactly a run's and its count. */
function approvalOf(values: CommandCall['values']): true | { runId: string; deletes: number } {
  const { run, deletes } = values;
  if (run === undefined && deletes === undefined) return true;
  const count = Number(deletes);
  if (run === undefined || run === '' || !Number.isSafeInteger(count) || count < 1) {
    throw new UsageError('--run <runId> and --deletes <n> (a whole number, at least 1) go together');
  }
  return { runId: run, deletes: count };
}

/** A sync now: of everyone (--allow-mass-deletion applies withheld deletes once), or of one user (--user). */
export const sync: ApiCommand = async ({ api, values, print, terminal }) => {
  const { user } = values;
  if (user !== undefined && values['allow-mass-deletion']) {
    throw new UsageError('--user and --allow-mass-deletion do not go together');
  }
  const body = values['allow-mass-deletion'] ? { allowMassDeletion: approvalOf(values) } : {};
  if (!values['allow-mass-deletion'] && (values.run !== undefined || values.deletes !== undefined)) {
    throw new UsageError('--run and --deletes name the deletes --allow-mass-deletion applies');
  }
  const report = await follow('sync', terminal.stderr, (options) =>
    user === undefined ? api.synchronize(body, options) : api.synchronizeUser(user, options),
  );
  print(report, () => describeReport(report));
  return exitCodeOf(report);
};
