/**
 * The local stack as a user runs it (`adsync serve` in a child process): a CONFIG item edited straight in its
 * DynamoDB Local to point at a listener of the test's own makes runs fail with PasswordTargetMismatch, and
 * the listener never sees a connection (docs/security.md).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, localDynamoDbClient } from '../../../local/dynamodb-local';
import { TABLE_NAME } from '../../../local/local-stack';
import { configKey } from '../../../shared/adapters/dynamodb/keys';
import { type ServeProcess, startServe } from '../../support/local-stack-process';
import { fixtureConfig, servicePassword } from '../../support/sync-harness';
import { connectionRecorder } from '../../support/tcp-listener';

let home: string;
let serve: ServeProcess;
const token = randomBytes(24).toString('hex');

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${serve.url}${path}`, {
    method,
    // Long operations answer their final Report when they end within the wait (these end at once).
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', prefer: 'wait=60' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  return { status: response.status, body: (await response.json()) as any };
}

/** The endpoint of the DynamoDB Local the stack started (its java process names the stack's home). */
async function stackDynamoDbEndpoint(): Promise<string> {
  const pids = execFileSync('pgrep', ['-f', join(home, 'dynamodb')], { encoding: 'utf8' })
    .trim()
    .split('\n');
  for (const pid of pids) {
    const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    const port = args[args.indexOf('-port') + 1];
    if (args.includes('-port') && port) return `http://127.0.0.1:${port}`;
  }
  throw new Error('the local stack has no DynamoDB Local process');
}

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ad-sync-home-'));
  serve = await startServe({ ADSYNC_HOME: home, ADSYNC_PORT: String(await freePort()), ADSYNC_TOKEN: token });
});

afterAll(async () => {
  await serve?.stop();
  await rm(home, { recursive: true, force: true });
});

describe('the local stack with an edited CONFIG item', () => {
  it('refuses to send the saved password to the new target, and opens no connection', async () => {
    expect(
      (await api('PUT', '/config', { config: fixtureConfig(), password: servicePassword() })).status,
    ).toBe(200);
    const listener = await connectionRecorder();
    const client = localDynamoDbClient(await stackDynamoDbEndpoint());
    try {
      const key = configKey;
      const { Item } = await client.send(new GetCommand({ TableName: TABLE_NAME, Key: key }));
      if (!Item) throw new Error('no CONFIG item');
      const servers = [`127.0.0.1:${listener.port}`];
      const config = { ...Item.config, connection: { ...Item.config.connection, servers } };
      await client.send(new PutCommand({ TableName: TABLE_NAME, Item: { ...Item, config } }));

      const sync = await api('POST', '/sync', {});
      expect(sync.body).toMatchObject({ status: 'failed', error: { code: 'PasswordTargetMismatch' } });
      expect(sync.body.steps[0]).toMatchObject({ name: 'resolve', ok: false });
      expect(sync.body.steps.map((s: { name: string }) => s.name)).not.toContain('connect');
      const test = await api('POST', '/test-settings', {});
      expect(test.body).toMatchObject({ status: 'failed', error: { code: 'PasswordTargetMismatch' } });
      expect((await api('GET', '/directory/groups')).status).toBe(400);
      expect(listener.connections()).toBe(0);
      expect((await api('GET', '/config')).body).toMatchObject({ passwordSet: false });
    } finally {
      client.destroy();
      await listener.close();
    }
  });
});
