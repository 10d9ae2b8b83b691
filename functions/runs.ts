/** GET /sync/runs and GET /sync/runs/{runId}. */
import { httpApi } from '../shared/api/http-api';
import { NotFoundError } from '../shared/errors';
import { runsContext } from '../shared/runtime/runs-context';

const app = runsContext();
const HISTORY = 100;

export const handler = httpApi({
  'GET /sync/runs': async () => ({ body: { runs: await app.runs.listRuns(HISTORY) } }),
  'GET /sync/runs/{runId}': async ({ path: { runId } }) => {
    const report = await app.runs.getRun(runId);
    if (!report) throw new NotFoundError(`there is no run ${runId}`);
    return { body: report };
  },
});
