/**
 * What every function that reads the configuration needs: the table's client, the configuration store and the
 * secret store (Secrets Manager in AWS, a file on the local stack). See sync-worker-context.ts for the whole.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { withoutSdkLogging } from '../adapters/dynamodb/documents';
import { DynamoConfigStore } from '../adapters/dynamodb/dynamo-config-store';
import { FileSecretStore } from '../adapters/secrets/file-secret-store';
import { SecretsManagerSecretStore } from '../adapters/secrets/secrets-manager-secret-store';
import type { ConfigStore } from '../ports/config-store';
import type { SecretStore } from '../ports/secret-store';
import { type Environment, loadEnvironment } from './environment';
import { tracedClient } from './tracer';

export interface SettingsContext {
  readonly dynamodb: DynamoDBClient;
  readonly configs: ConfigStore;
  readonly secrets: SecretStore;
}

export function settingsOf(env: Environment = loadEnvironment()): SettingsContext {
  const dynamodb = tracedClient(withoutSdkLogging(new DynamoDBClient({})));
  return {
    dynamodb,
    configs: new DynamoConfigStore(dynamodb, env.TABLE_NAME),
    secrets: env.SECRET_ID
      ? new SecretsManagerSecretStore(tracedClient(new SecretsManagerClient({})), env.SECRET_ID)
      : new FileSecretStore(env.ADSYNC_SECRET_FILE as string),
  };
}
