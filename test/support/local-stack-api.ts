/**
 * The local stack's HTTP API as a test calls it in process (with the stack's bearer token, following long
 * operations up to 120 s), and the configuration of a test's own OU saved through it.
 */
import { expect } from 'vitest';
import { localDynamoDbClient } from '../../local/dynamodb-local';
import { type LocalStack, TABLE_NAME } from '../../local/local-stack';
import { DynamoRunStore } from '../../shared/adapters/dynamodb/dynamo-run-store';
import type { ConfigInput } from '../../shared/config/config-schema';
import type { Report } from '../../shared/domain/report';
import { aReport } from './builders';
import { fixtureConfig, servicePassword } from './sync-harness';

/** Calls the API of the stack `current()` gives (a stack a test starts after it made its helpers). */
export function stackApi(current: () => { readonly url: string; readonly token: string }) {
  return async (method: string, path: string, body?: unknown) => {
    const stack = current();
    const response = await fetch(`${stack.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${stack.token}`,
        prefer: 'wait=120',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
}

export type StackApi = ReturnType<typeof stackApi>;

/**
 * Saves the configuration of the test's OU (or `baseDn`), deleting users at once with a threshold of one
 * user, as given otherwise, with the service account's password; expects 200.
 */
export async function saveOuConfig(
  api: StackApi,
  ou: string,
  overrides: Omit<ConfigInput, 'connection'> & { baseDn?: string } = {},
): Promise<void> {
  const { baseDn = ou, ...rest } = overrides;
  const saved = await api('PUT', '/config', {
    config: fixtureConfig({
      connection: { baseDn },
      options: { deleteUsers: true, deletionThreshold: { maxCount: 1, maxPercent: 100 } },
      ...rest,
    }),
    password: servicePassword(),
  });
  expect(saved.status).toBe(200);
}

/** Records, straight into the stack's table, a scheduled run `runId` that succeeded two days ago; its time. */
export async function recordSuccessTwoDaysAgo(stack: LocalStack, runId: string): Promise<string> {
  const twoDaysAgo = new Date(Date.now() - 48 * 3_600_000).toISOString();
  await new DynamoRunStore(localDynamoDbClient(stack.dynamodbEndpoint), TABLE_NAME).recordRun(
    aReport({ runId, trigger: 'schedule', startedAt: twoDaysAgo, finishedAt: twoDaysAgo }) as Report,
  );
  return twoDaysAgo;
}
