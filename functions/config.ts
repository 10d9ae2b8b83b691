/** GET /config and PUT /config. */
import { httpApi } from '../shared/api/http-api';
import { configurationContext } from '../shared/runtime/configuration-context';
import { getConfiguration, saveConfiguration } from '../shared/use-cases/configuration';

const app = configurationContext();

export const handler = httpApi({
  'GET /config': async () => ({ body: await getConfiguration(app) }),
  'PUT /config': async ({ body: { config, password }, headers }) => {
    const version = headers['If-Match'];
    const saved = await saveConfiguration(app, {
      config,
      ...(password === undefined ? {} : { password }),
      ...(version === undefined ? {} : { expectedVersion: version }),
    });
    return { body: saved };
  },
});
