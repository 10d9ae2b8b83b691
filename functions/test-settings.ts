/** POST /test-settings: the saved settings, or unsaved ones from the request, through the whole pipeline. */
import { httpApi, parseInput } from '../shared/api/http-api';
import { testSettingsBody } from '../shared/api/schemas';
import { createAppContext } from '../shared/runtime/app-context';
import { currentConfig, passwordForTest } from '../shared/use-cases/configuration';
import { testSettings } from '../shared/use-cases/run-sync';

const app = createAppContext();

export const handler = httpApi({
  'POST /test-settings': async ({ body }) => {
    const request = parseInput(testSettingsBody, body);
    const config = request.config ?? (await currentConfig(app.configs));
    const password = await passwordForTest(app, request.config, request.password);
    return { statusCode: 200, body: await testSettings(app, { config, password }) };
  },
});
