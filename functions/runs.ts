/** GET /sync/runs, GET /sync/runs/{runId} and GET /test-settings/{previewId}. */
import { httpApi } from '../shared/api/http-api';
import { NotFoundError } from '../shared/errors';
import { runsContext } from '../shared/runtime/runs-context';
import { previewAsSeen, runAsSeen, runHistory } from '../shared/use-cases/operation-status';

const app = runsContext();
const HISTORY = 100;

export const handler = httpApi({
  'GET /sync/runs': async () => ({ body: await runHistory(app, HISTORY) }),
  'GET /sync/runs/{runId}': async ({ path: { runId } }) => {
    const report = await runAsSeen(app, runId);
    if (!report) throw new NotFoundError(`there is no run ${runId}`);
    return { body: report };
  },
  'GET /test-settings/{previewId}': async ({ path: { previewId } }) => {
    const report = await previewAsSeen(app, previewId);
    if (!report) throw new NotFoundError(`there is no preview ${previewId} (previews are kept 24 hours)`);
    return { body: report };
  },
});
