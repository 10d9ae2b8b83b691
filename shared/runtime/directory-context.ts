/**
 * The directory function's dependencies, built from only the adapters it uses (one module per function, so
 * that its bundle carries nothing else). See sync-worker-context.ts for the sync's.
 */
import { DynamoUserStore } from '../adapters/dynamodb/dynamo-user-store';
import { LdapDirectoryReader } from '../adapters/ldap/ldap-directory-reader';
import type { DirectoryReader } from '../ports/directory-reader';
import type { UserStore } from '../ports/user-store';
import { type Environment, loadEnvironment } from './environment';
import { type SettingsContext, settingsOf } from './settings-context';

/**
 * The directory pickers and the explanation of one user: the saved configuration and password, the
 * directory, and the user database (read only: an explanation looks its user up, and commits nothing).
 */
export function directoryContext(env: Environment = loadEnvironment()): SettingsContext & {
  readonly directory: DirectoryReader;
  readonly users: Pick<UserStore, 'findUsers'>;
} {
  const settings = settingsOf(env);
  return {
    ...settings,
    directory: new LdapDirectoryReader(),
    users: new DynamoUserStore(settings.dynamodb, env.TABLE_NAME),
  };
}
