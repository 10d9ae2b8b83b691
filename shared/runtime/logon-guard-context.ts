/**
 * The logon guard's dependencies (functions/logon-guard.ts): the directory and the secret store, nothing else.
 * It reads no table: the connection comes with the request, and the password is sent only if that connection
 * is the one it was saved for.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { LdapDirectoryReader } from '../adapters/ldap/ldap-directory-reader';
import { FileSecretStore } from '../adapters/secrets/file-secret-store';
import { SecretsManagerSecretStore } from '../adapters/secrets/secrets-manager-secret-store';
import type { AccountStandingDependencies } from '../use-cases/account-standing';
import { type LogonGuardEnvironment, loadLogonGuardEnvironment } from './environment';
import { tracedClient } from './tracer';

export function logonGuardContext(
  env: LogonGuardEnvironment = loadLogonGuardEnvironment(),
): AccountStandingDependencies {
  return {
    directory: new LdapDirectoryReader(),
    secrets: env.SECRET_ID
      ? new SecretsManagerSecretStore(tracedClient(new SecretsManagerClient({})), env.SECRET_ID)
      : new FileSecretStore(env.ADSYNC_SECRET_FILE as string),
  };
}
