/**
 * SecretStore on AWS Secrets Manager. The secret's string is the bind password. Reads go through
 * Powertools' SecretsProvider, which caches the value for the life of the Lambda container (refreshed
 * after `maxAgeSeconds`); a write replaces the value and drops the cached one.
 */

import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import {
  PutSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { SecretStore } from '../../ports/settings';

export class SecretsManagerSecretStore implements SecretStore {
  private readonly provider: SecretsProvider;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
    private readonly maxAgeSeconds = 300,
  ) {
    this.provider = new SecretsProvider({ awsSdkV3Client: client });
  }

  async getPassword(): Promise<string | undefined> {
    try {
      const value = await this.provider.get(this.secretId, { maxAge: this.maxAgeSeconds });
      return typeof value === 'string' && value !== '' ? value : undefined;
    } catch (error) {
      // The secret is created empty by the stack: no value yet means no password set.
      if (isNoValueYet(error)) return undefined;
      throw error;
    }
  }

  async setPassword(password: string): Promise<void> {
    await this.client.send(new PutSecretValueCommand({ SecretId: this.secretId, SecretString: password }));
    this.provider.clearCache();
  }
}

function isNoValueYet(error: unknown): boolean {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if (current instanceof ResourceNotFoundException) return true;
  }
  return false;
}
