/**
 * The saved password goes only to the connection it was saved for, at every use (docs/security.md). The
 * config and test-settings functions run as deployed: each with its own Secrets Manager store and its
 * 5-minute cache (the Secrets Manager client is mocked, holding one secret value; DynamoDB Local and the
 * Samba DC are real).
 */
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { configKey } from '../../../shared/adapters/dynamodb/keys';
import { dynamoDbClient } from '../../support/clients';
import { type LoadedHandlers, loadHandlers } from '../../support/lambda-handlers';
import { fixtureConfig, servicePassword } from '../../support/sync-harness';
import { connectionRecorder } from '../../support/tcp-listener';

const SECRET_ID = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:ad-sync-bind-password-AbCdEf';
const secretsManager = mockClient(SecretsManagerClient);
let secretString: string | undefined;
let handlers: LoadedHandlers;

beforeAll(async () => {
  handlers = await loadHandlers({ secretId: SECRET_ID });
});

beforeEach(() => {
  secretsManager.reset();
  secretString = undefined;
  secretsManager.on(GetSecretValueCommand).callsFake(() => {
    if (secretString === undefined) {
      throw new ResourceNotFoundException({ message: "can't find the secret value", $metadata: {} });
    }
    return { SecretString: secretString };
  });
  secretsManager.on(PutSecretValueCommand).callsFake((input: { SecretString?: string }) => {
    secretString = input.SecretString;
    return {};
  });
});

const putConfig = (body: unknown) => handlers.call('config', 'PUT', '/config', { body });
/** Long operations answer their final Report when they end within the wait (these end in seconds). */
const WAIT = { Prefer: 'wait=120' };
const testSaved = () => handlers.call('start', 'POST', '/test-settings', { body: {}, headers: WAIT });

/** Rewrites the saved CONFIG item behind the API's back (someone with write access to the table). */
async function tamperConfig(servers: string[]): Promise<void> {
  const client = dynamoDbClient();
  try {
    const key = configKey;
    const { Item } = await client.send(new GetCommand({ TableName: handlers.tableName, Key: key }));
    if (!Item) throw new Error('no CONFIG item');
    const config = { ...Item.config, connection: { ...Item.config.connection, servers } };
    await client.send(new PutCommand({ TableName: handlers.tableName, Item: { ...Item, config } }));
  } finally {
    client.destroy();
  }
}

describe('the saved password and its connection', () => {
  it('never reaches another target through a cached secret (Test Settings, a new target saved with another password)', async () => {
    expect((await putConfig({ config: fixtureConfig(), password: servicePassword() })).statusCode).toBe(200);
    // Test Settings fills the test-settings function's cache with the real password.
    expect((await testSaved()).body).toMatchObject({ status: 'succeeded' });

    // The same DC under another server entry: a different target, so the test can see which password
    // arrives (the DC accepts only the real one).
    const other = fixtureConfig({ connection: { servers: ['127.0.0.1:636'] } });
    expect((await putConfig({ config: other, password: 'made-up' })).statusCode).toBe(200);
    const again = await testSaved();
    expect(again.body).toMatchObject({ status: 'failed', error: { code: 'InvalidCredentials' } });
    expect(again.body.steps.find((s: { name: string }) => s.name === 'bind')).toMatchObject({ ok: false });
  });

  it('refuses a saved configuration the password was not saved with, without connecting anywhere', async () => {
    expect((await putConfig({ config: fixtureConfig(), password: servicePassword() })).statusCode).toBe(200);
    expect((await testSaved()).body).toMatchObject({ status: 'succeeded' });
    const listener = await connectionRecorder();
    try {
      await tamperConfig([`127.0.0.1:${listener.port}`]);
      const test = await testSaved();
      expect(test.body).toMatchObject({ status: 'failed', error: { code: 'PasswordTargetMismatch' } });
      const groups = await handlers.call('directory', 'GET', '/directory/groups');
      expect(groups).toMatchObject({ statusCode: 400, body: { error: { code: 'PasswordTargetMismatch' } } });
      const sync = await handlers.call('start', 'POST', '/sync', { body: {}, headers: WAIT });
      expect(sync.body).toMatchObject({ status: 'failed', error: { code: 'PasswordTargetMismatch' } });
      expect(listener.connections()).toBe(0);
    } finally {
      await listener.close();
    }
  });

  it('requires the password again for a first save whose target differs from the saved password', async () => {
    // A password left from an earlier save, for another target, with no configuration saved next to it.
    secretString = JSON.stringify({ password: servicePassword(), target: 'elsewhere', configVersion: 1 });
    const other = fixtureConfig({ connection: { servers: ['127.0.0.1:636'] } });
    const saved = await putConfig({ config: other });
    expect(saved).toMatchObject({ statusCode: 400, body: { error: { details: [{ path: 'password' }] } } });
  });

  it('refuses a password saved before passwords were bound to their target (a bare secret string)', async () => {
    expect((await putConfig({ config: fixtureConfig(), password: servicePassword() })).statusCode).toBe(200);
    secretString = servicePassword();
    const test = await handlers.call('start', 'POST', '/test-settings', {
      body: { config: fixtureConfig() },
      headers: WAIT,
    });
    // The start function holds no secret: the test-settings function refuses it, before any connection.
    expect(test.body).toMatchObject({ status: 'failed', error: { code: 'ValidationError' } });
    expect(test.body.error.message).toMatch(/password is required/);
    expect(test.body.steps).toEqual([]);
    expect((await handlers.call('config', 'GET', '/config')).body).toMatchObject({ passwordSet: false });
  });
});
