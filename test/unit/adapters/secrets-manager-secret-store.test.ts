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
const saved = (password: string, configVersion = 1) => ({ password, target: 'abc', configVersion });
const secretOf = (password: string, configVersion = 1) => JSON.stringify(saved(password, configVersion));
const newStore = () =>
  new SecretsManagerSecretStore(new SecretsManagerClient({ region: 'eu-central-1' }), SECRET_ID);

describe('SecretsManagerSecretStore', () => {
  beforeEach(() => secretsManager.reset());

  it('reads the password once and serves it from the cache afterwards', async () => {
    secretsManager
      .on(GetSecretValueCommand, { SecretId: SECRET_ID })
      .resolves({ SecretString: secretOf('s3cret!') });
    const store = newStore();
    expect(await store.getPassword(1)).toEqual(saved('s3cret!'));
    expect(await store.getPassword(1)).toEqual(saved('s3cret!'));
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('fetches again, past the cache, when the configuration version changed', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: secretOf('old', 1) })
      .resolves({ SecretString: secretOf('new', 2) });
    const store = newStore();
    expect(await store.getPassword(1)).toEqual(saved('old', 1));
    // Another function saved version 2 with a new password: this container's cache is stale.
    expect(await store.getPassword(2)).toEqual(saved('new', 2));
    expect(await store.getPassword(2)).toEqual(saved('new', 2));
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('reports no password while the secret has no value yet, or an emptied one', async () => {
    secretsManager.on(GetSecretValueCommand).rejects(
      new ResourceNotFoundException({
        message: "Secrets Manager can't find the specified secret value",
        $metadata: {},
      }),
    );
    expect(await newStore().getPassword()).toBeUndefined();
    secretsManager.reset();
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: '{}' });
    expect(await newStore().getPassword()).toBeUndefined();
  });

  it('reads a bare password (saved before passwords were bound) as bound to no connection', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: '{"not json' });
    expect(await newStore().getPassword()).toEqual({ password: '{"not json', target: '', configVersion: 0 });
  });

  it('writes the password with its target and reads it fresh, not from the cache', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: secretOf('old') })
      .resolves({ SecretString: secretOf('new') });
    secretsManager.on(PutSecretValueCommand).resolves({});
    const store = newStore();
    expect(await store.getPassword(1)).toEqual(saved('old'));
    await store.setPassword(saved('new'));
    expect(secretsManager.commandCalls(PutSecretValueCommand)[0]?.args[0].input).toEqual({
      SecretId: SECRET_ID,
      SecretString: secretOf('new'),
    });
    expect(await store.getPassword(1)).toEqual(saved('new'));
  });

  it('lets other failures through (a missing permission is not "no password")', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    await expect(newStore().getPassword()).rejects.toThrow();
  });
});
