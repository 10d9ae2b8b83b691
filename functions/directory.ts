/** GET /directory/base-dns and GET /directory/groups?search= (the pickers of the configuration dialog). */
import { httpApi } from '../shared/api/http-api';
import { directoryContext } from '../shared/runtime/directory-context';
import { listBaseDns, searchGroups } from '../shared/use-cases/browse-directory';
import { requireSavedConfiguration, savedConfigurationWithPassword } from '../shared/use-cases/configuration';

const app = directoryContext();

export const handler = httpApi({
  'GET /directory/base-dns': async () => {
    const { config } = await requireSavedConfiguration(app);
    return { body: await listBaseDns(app.directory, config) };
  },
  'GET /directory/groups': async ({ query: { search } }) => {
    const { stored, password } = await savedConfigurationWithPassword(app);
    return { body: await searchGroups(app.directory, stored.config, password, search ?? '') };
  },
});
