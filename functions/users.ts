/** GET /users, GET /users/{userName}, POST /users (local user), DELETE /users/{userName} (local user). */
import { httpApi, parseInput } from '../shared/api/http-api';
import { createUserBody, userNameParameter, usersQuery } from '../shared/api/schemas';
import { createAppContext } from '../shared/runtime/app-context';
import { currentConfig } from '../shared/use-cases/configuration';
import { createLocalUser, deleteLocalUser, getUser, listUsers } from '../shared/use-cases/manage-users';

const app = createAppContext();

export const handler = httpApi({
  'GET /users': async ({ query }) => {
    const { cursor } = parseInput(usersQuery, query, ['query']);
    return { statusCode: 200, body: await listUsers(app.users, cursor) };
  },
  'GET /users/{userName}': async ({ pathParameters }) => {
    const { userName } = parseInput(userNameParameter, pathParameters, ['path']);
    return { statusCode: 200, body: await getUser(app.users, userName) };
  },
  'POST /users': async ({ body }) => {
    const request = parseInput(createUserBody, body);
    const config = await currentConfig(app.configs);
    const user = await createLocalUser(app.users, config.defaultPrivileges, {
      userName: request.userName,
      ...(request.fullName ? { fullName: request.fullName } : {}),
      ...(request.emailAddresses ? { emailAddresses: request.emailAddresses } : {}),
      ...(request.password ? { password: request.password } : {}),
    });
    return { statusCode: 201, body: user };
  },
  'DELETE /users/{userName}': async ({ pathParameters }) => {
    const { userName } = parseInput(userNameParameter, pathParameters, ['path']);
    await deleteLocalUser(app.users, userName);
    return { statusCode: 204 };
  },
});
