/** GET /sync/runs and GET /sync/runs/{runId}. */
import { httpApi, parseInput } from '../shared/api/http-api';
import { runIdParameter } from '../shared/api/schemas';
import { NotFoundError } from '../shared/errors';
import { createAppContext } from '../shared/runtime/app-context';

const app = createAppContext();
const HISTORY = 100;

export const handler = httpApi({
  'GET /sync/runs': async () => ({ statusCode: 200, body: { runs: await app.runs.listRuns(HISTORY) } }),
  'GET /sync/runs/{runId}': async ({ pathParameters }) => {
    const { runId } = parseInput(runIdParameter, pathParameters, ['path']);
    const report = await app.runs.getRun(runId);
    if (!report) throw new NotFoundError(`there is no run ${runId}`);
    return { statusCode: 200, body: report };
  },
});
