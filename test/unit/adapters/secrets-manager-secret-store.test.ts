import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SecretsManagerSecretStore } from '../../../shared/adapters/secrets/secrets-manager-secret-store';

const SECRET_ID = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:ad-sync-bind-password-AbCdEf';
const secretsManager = mockClient(SecretsManagerClient);

describe('SecretsManagerSecretStore', () => {
  beforeEach(() => secretsManager.reset());

  it('reads the password once and serves it from the cache afterwards', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: SECRET_ID }).resolves({ SecretString: 's3cret!' });
    const store = new SecretsManagerSecretStore(
      new SecretsManagerClient({ region: 'eu-central-1' }),
      SECRET_ID,
    );
    expect(await store.getPassword()).toBe('s3cret!');
    expect(await store.getPassword()).toBe('s3cret!');
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('reports no password while the secret has no value yet', async () => {
    secretsManager.on(GetSecretValueCommand).rejects(
      new ResourceNotFoundException({
        message: "Secrets Manager can't find the specified secret value",
        $metadata: {},
      }),
    );
    const store = new SecretsManagerSecretStore(
      new SecretsManagerClient({ region: 'eu-central-1' }),
      SECRET_ID,
    );
    expect(await store.getPassword()).toBeUndefined();
  });

  it('writes a new password and reads it fresh, not from the cache', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: 'old' })
      .resolves({ SecretString: 'new' });
    secretsManager.on(PutSecretValueCommand).resolves({});
    const store = new SecretsManagerSecretStore(
      new SecretsManagerClient({ region: 'eu-central-1' }),
      SECRET_ID,
    );
    expect(await store.getPassword()).toBe('old');
    await store.setPassword('new');
    expect(secretsManager.commandCalls(PutSecretValueCommand)[0]?.args[0].input).toEqual({
      SecretId: SECRET_ID,
      SecretString: 'new',
    });
    expect(await store.getPassword()).toBe('new');
  });

  it('lets other failures through (a missing permission is not "no password")', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    const store = new SecretsManagerSecretStore(
      new SecretsManagerClient({ region: 'eu-central-1' }),
      SECRET_ID,
    );
    await expect(store.getPassword()).rejects.toThrow();
  });
});
