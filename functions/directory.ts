/**
 * GET /directory/base-dns and GET /directory/groups?search= (the pickers of the configuration dialog), and
 * GET /directory/users/{name} (one user explained: its filters' verdicts and what a sync would do with it).
 */
import { httpApi } from '../shared/api/http-api';
import { parseMapping } from '../shared/config/config-schema';
import { directoryContext } from '../shared/runtime/directory-context';
import { listBaseDns, searchGroups } from '../shared/use-cases/browse-directory';
import { requireSavedConfiguration, savedConfigurationWithPassword } from '../shared/use-cases/configuration';
import { explainUser } from '../shared/use-cases/explain-user';

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
  'GET /directory/users/{name}': async ({ path: { name }, query: { mapping } }) => {
    const { stored, password } = await savedConfigurationWithPassword(app);
    // An unsaved mapping to try (the console's mapping editor): checked as a save checks it.
    const config =
      mapping === undefined ? stored.config : { ...stored.config, mapping: parseMapping(mapping) };
    return { body: await explainUser(app.directory, config, password, app.users, new Date(), name) };
  },
});
