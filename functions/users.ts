/**
 * GET /users, GET /users/{userName}, POST /users (local user), DELETE /users/{userName} (local user); GET
 * /groups, GET /groups/{name}, GET /groups/{name}/members (the synchronized groups).
 */
import { httpApi } from '../shared/api/http-api';
import { usersContext } from '../shared/runtime/users-context';
import { getGroup, listGroupMembers, listGroups } from '../shared/use-cases/browse-groups';
import { currentConfig } from '../shared/use-cases/configuration';
import { createLocalUser, deleteLocalUser, getUser, listUsers } from '../shared/use-cases/manage-users';

const app = usersContext();

export const handler = httpApi({
  'GET /users': async ({ query: { cursor } }) => ({ body: await listUsers(app.users, cursor) }),
  'GET /users/{userName}': async ({ path: { userName } }) => ({ body: await getUser(app.users, userName) }),
  'POST /users': async ({ body: request }) => {
    const config = await currentConfig(app.configs);
    const user = await createLocalUser(app, config.defaultPrivileges, {
      userName: request.userName,
      ...(request.fullName ? { fullName: request.fullName } : {}),
      ...(request.emailAddresses ? { emailAddresses: request.emailAddresses } : {}),
      ...(request.password ? { password: request.password } : {}),
    });
    return { body: user };
  },
  'DELETE /users/{userName}': async ({ path: { userName } }) => {
    await deleteLocalUser(app.users, userName);
    return {};
  },
  'GET /groups': async ({ query: { cursor } }) => ({ body: await listGroups(app.groups, cursor) }),
  'GET /groups/{name}': async ({ path: { name } }) => ({ body: await getGroup(app.groups, name) }),
  'GET /groups/{name}/members': async ({ path: { name }, query: { transitive, cursor } }) => ({
    body: await listGroupMembers(app.groups, name, {
      transitive: transitive === 'true',
      ...(cursor ? { cursor } : {}),
    }),
  }),
});
