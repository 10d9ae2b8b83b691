/**
 * POST /sync and POST /test-settings: start a sync or a preview and answer at once (202, Location), or with
 * its result when it ends within the `Prefer: wait=N` asked for (200, Preference-Applied). The operation runs
 * in its own function (sync, test-settings), started asynchronously: see docs/contract.md#long-operations.
 */

import { httpApi } from '../shared/api/http-api';
import { preferredWait } from '../shared/api/prefer';
import type { Report } from '../shared/domain/report';
import { startContext } from '../shared/runtime/start-context';
import { awaitEnd } from '../shared/use-cases/operation-status';
import { startPreview } from '../shared/use-cases/previews';
import { startSync } from '../shared/use-cases/start-sync';

const app = startContext();

/**
 * The answer to a start: the operation's final Report (200) when it ends within the wait asked for,
 * else 202 with where to follow it.
 */
async function answerStart<Started>(
  started: Started,
  location: string,
  prefer: string | undefined,
  read: () => Promise<Report | undefined>,
) {
  const wait = preferredWait(prefer, app.maxWaitSeconds);
  const report = wait ? await awaitEnd(read, wait, app.clock) : undefined;
  if (report) {
    return { statusCode: 200, headers: { 'preference-applied': `wait=${wait}` }, body: report };
  }
  return { statusCode: 202, headers: { location }, body: started };
}

export const handler = httpApi({
  'POST /sync': async ({ body: { allowMassDeletion }, headers: { Prefer }, basePath }) => {
    const runId = await startSync(app, allowMassDeletion === undefined ? {} : { allowMassDeletion });
    return answerStart(
      { runId, status: 'running' as const },
      `${basePath}/sync/runs/${encodeURIComponent(runId)}`,
      Prefer,
      () => app.runs.getRun(runId),
    );
  },
  'POST /sync/users/{name}': async ({ path: { name }, headers: { Prefer }, basePath }) => {
    const runId = await startSync(app, { user: name });
    return answerStart(
      { runId, status: 'running' as const },
      `${basePath}/sync/runs/${encodeURIComponent(runId)}`,
      Prefer,
      () => app.runs.getRun(runId),
    );
  },
  'POST /test-settings': async ({ body: { config, password }, headers: { Prefer }, basePath }) => {
    const previewId = await startPreview(app, {
      ...(config ? { config } : {}),
      ...(password !== undefined ? { password } : {}),
    });
    return answerStart(
      { previewId, status: 'running' as const },
      `${basePath}/test-settings/${encodeURIComponent(previewId)}`,
      Prefer,
      () => app.previews.getReport(previewId),
    );
  },
});
