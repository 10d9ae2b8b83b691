/**
 * The Lambda handlers in this test worker, as Lambda runs them: environment first (a table and a credentials
 * table of their own in DynamoDB Local, a file secret store), then the modules are imported and read it at
 * cold start.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { inject } from 'vitest';
import { LOCAL_AWS_ENV } from '../../local/dynamodb-local';
import { importHandlers, type LambdaHandler, lambdaContext } from '../../local/local-stack';
import { ensureCredentialsTable, ensureTable } from '../../shared/adapters/dynamodb/table';
import type { FunctionName } from '../../shared/api/routes';
import { apiEvent, type JsonResponse, parseResponse } from './api-events';
import { dynamoDbClient } from './clients';

export interface LoadedHandlers {
  readonly tableName: string;
  /** Where the users function keeps local users' password hashes. */
  readonly credentialsTableName: string;
  readonly secretFile: string;
  /** Calls a function with an API Gateway event for `method path`. */
  call(
    name: FunctionName,
    method: string,
    path: string,
    options?: Parameters<typeof apiEvent>[2],
  ): Promise<JsonResponse>;
  /** Invokes a function with any event (the schedule's, say), in a fresh context unless one is given. */
  invoke(name: FunctionName, event: unknown, context?: Context): Promise<unknown>;
  /** Every line the handlers logged (to stdout, as in Lambda), kept out of the test output. */
  logs(): readonly string[];
}

/**
 * `dynamodbEndpoint`: where the functions send DynamoDB requests (a recorder in front of DynamoDB Local, say).
 * `secretId`: the handlers keep the password in Secrets Manager (as deployed; the test mocks its client with
 * aws-sdk-client-mock) instead of the file secret store. `stream`: the table has its stream, as deployed.
 */
export async function loadHandlers(
  options: { dynamodbEndpoint?: string; secretId?: string; stream?: boolean } = {},
): Promise<LoadedHandlers> {
  const logLines: string[] = [];
  process.stdout.write = ((chunk: string | Uint8Array) => {
    logLines.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  const tableName = `api-${randomUUID()}`;
  const credentialsTableName = `${tableName}-credentials`;
  const secretFile = join(await mkdtemp(join(tmpdir(), 'ad-sync-secrets-')), 'secrets.json');
  Object.assign(process.env, LOCAL_AWS_ENV, {
    AWS_ENDPOINT_URL_DYNAMODB: options.dynamodbEndpoint ?? inject('dynamodb').endpoint,
    TABLE_NAME: tableName,
    CREDENTIALS_TABLE_NAME: credentialsTableName,
    ...(options.secretId ? { SECRET_ID: options.secretId } : { ADSYNC_SECRET_FILE: secretFile }),
  });
  const client = dynamoDbClient();
  await ensureTable(client, tableName, { stream: options.stream ?? false });
  await ensureCredentialsTable(client, credentialsTableName);
  client.destroy();
  const handlers = await importHandlers();
  const handlerOf = (name: FunctionName): LambdaHandler => {
    const handler = handlers.get(name);
    if (!handler) throw new Error(`no function ${name}`);
    return handler;
  };
  return {
    tableName,
    credentialsTableName,
    secretFile,
    call: async (name, method, path, options = {}) =>
      parseResponse(await handlerOf(name)(apiEvent(method, path, options), lambdaContext(name))),
    invoke: (name, event, context = lambdaContext(name)) => handlerOf(name)(event, context),
    logs: () => logLines,
  };
}
