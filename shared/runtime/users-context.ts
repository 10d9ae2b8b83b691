/**
 * The users function's dependencies, built from only the adapters it uses (one module per function, so
 * that its bundle carries nothing else). See sync-worker-context.ts for the sync's.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScryptPasswordHasher } from '../adapters/crypto/scrypt-password-hasher';
import { withoutSdkLogging } from '../adapters/dynamodb/documents';
import { DynamoConfigStore } from '../adapters/dynamodb/dynamo-config-store';
import { DynamoGroupStore } from '../adapters/dynamodb/dynamo-group-store';
import { DynamoUserStore } from '../adapters/dynamodb/dynamo-user-store';
import type { ConfigStore } from '../ports/config-store';
import type { GroupDirectory } from '../ports/group-store';
import type { PasswordHasher } from '../ports/password-hasher';
import type { UserAdministration } from '../ports/user-administration';
import { loadUsersEnvironment, type UsersEnvironment } from './environment';
import { tracedClient } from './tracer';

/**
 * The users routes (and the groups routes): the user database's administration, the synchronized groups, the
 * configuration's default privileges, and the hash a new local user's password is stored as (in the
 * credentials table).
 */
export function usersContext(env: UsersEnvironment = loadUsersEnvironment()): {
  readonly configs: ConfigStore;
  readonly users: UserAdministration;
  readonly hasher: PasswordHasher;
  readonly groups: GroupDirectory;
} {
  const dynamodb = tracedClient(withoutSdkLogging(new DynamoDBClient({})));
  return {
    configs: new DynamoConfigStore(dynamodb, env.TABLE_NAME),
    users: new DynamoUserStore(dynamodb, env.TABLE_NAME, env.CREDENTIALS_TABLE_NAME),
    hasher: new ScryptPasswordHasher(),
    groups: new DynamoGroupStore(dynamodb, env.TABLE_NAME),
  };
}
