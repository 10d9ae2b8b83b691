/** GET /directory/base-dns and GET /directory/groups?search= (the pickers of the configuration dialog). */
import { httpApi, parseInput } from '../shared/api/http-api';
import { groupsQuery } from '../shared/api/schemas';
import { createAppContext } from '../shared/runtime/app-context';
import { listBaseDns, searchGroups } from '../shared/use-cases/browse-directory';
import { requireSavedConfiguration, savedConfigurationWithPassword } from '../shared/use-cases/configuration';

const app = createAppContext();

export const handler = httpApi({
  'GET /directory/base-dns': async () => {
    const { config } = await requireSavedConfiguration(app);
    return { statusCode: 200, body: await listBaseDns(app.directory, config) };
  },
  'GET /directory/groups': async ({ query }) => {
    const { search } = parseInput(groupsQuery, query, ['query']);
    const { stored, password } = await savedConfigurationWithPassword(app);
    return {
      statusCode: 200,
      body: await searchGroups(app.directory, stored.config, password, search ?? ''),
    };
  },
});
