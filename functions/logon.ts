/**
 * POST /logon: the application checks a user's password (docs/contract.md#logon). 200 and the user, 401 for
 * every refusal, 429 with Retry-After while the user name is locked out, 503 when the directory cannot check.
 */
import { httpApi } from '../shared/api/http-api';
import { logonContext } from '../shared/runtime/logon-context';
import { logon } from '../shared/use-cases/logon';

const app = logonContext();

export const handler = httpApi({
  'POST /logon': async ({ body }) => ({ body: { user: await logon(app, body) } }),
});
