/**
 * SecretStore on AWS Secrets Manager. The secret's string is the bind password with the fingerprint of its
 * connection target (secret-value.ts). Reads go through Powertools' SecretsProvider, which caches the value
 * for the life of the Lambda container (refreshed after `maxAgeSeconds`); a read for another configuration
 * version than the cached value was read for fetches again, so a save made through another function is seen
 * by the next use; a write replaces the value and drops the cached one.
 */

import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import {
  PutSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { SavedPassword } from '../../domain/password-binding';
import type { SecretStore } from '../../ports/secret-store';
import { parseSecret, serializeSecret } from './secret-value';

export class SecretsManagerSecretStore implements SecretStore {
  private readonly provider: SecretsProvider;
  /** The configuration version the cached value was read for. */
  private cachedFor: number | undefined;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
    private readonly maxAgeSeconds = 300,
  ) {
    this.provider = new SecretsProvider({ awsSdkV3Client: client });
  }

  async getPassword(configVersion?: number): Promise<SavedPassword | undefined> {
    const forceFetch = configVersion !== undefined && configVersion !== this.cachedFor;
    try {
      const value = await this.provider.get(this.secretId, { maxAge: this.maxAgeSeconds, forceFetch });
      if (configVersion !== undefined) this.cachedFor = configVersion;
      return parseSecret(typeof value === 'string' ? value : undefined);
    } catch (error) {
      // The secret is created empty by the stack: no value yet means no password set.
      if (isNoValueYet(error)) return undefined;
      throw error;
    }
  }

  async setPassword(saved: SavedPassword | undefined): Promise<void> {
    this.provider.clearCache();
    this.cachedFor = undefined;
    await this.client.send(
      new PutSecretValueCommand({ SecretId: this.secretId, SecretString: serializeSecret(saved) }),
    );
  }
}

function isNoValueYet(error: unknown): boolean {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if (current instanceof ResourceNotFoundException) return true;
  }
  return false;
}
