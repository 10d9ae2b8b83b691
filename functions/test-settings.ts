/** POST /test-settings: the saved settings, or unsaved ones from the request, through the whole pipeline. */
import { httpApi } from '../shared/api/http-api';
import { createAppContext } from '../shared/runtime/app-context';
import { currentConfig, passwordForTest } from '../shared/use-cases/configuration';
import { testSettings } from '../shared/use-cases/run-sync';

const app = createAppContext();

export const handler = httpApi({
  'POST /test-settings': async ({ body: request }) => {
    const config = request.config ?? (await currentConfig(app.configs));
    const password = await passwordForTest(app, request.config, request.password);
    return { body: await testSettings(app, { config, password }) };
  },
});
