/**
 * vitest globalSetup of the integration project: one Samba AD DC and one in-memory DynamoDB Local per run,
 * started before the first test file and stopped (by pid) after the last. Tests get their coordinates with
 * `inject('directory')` and `inject('dynamodb')`.
 */
import { paginateListTables, paginateScan } from '@aws-sdk/client-dynamodb';
import type { TestProject } from 'vitest/node';
import { type DynamoDbLocal, localDynamoDbClient, startDynamoDbLocal } from '../../local/dynamodb-local';
import { type DirectoryConnection, type SambaDc, startSambaDc } from './samba-dc';

declare module 'vitest' {
  export interface ProvidedContext {
    directory: DirectoryConnection;
    dynamodb: { endpoint: string };
  }
}

const log = (line: string): void => {
  process.stderr.write(`[integration setup] ${line}\n`);
};

async function auditStoredSecrets(endpoint: string, secrets: readonly string[]): Promise<void> {
  const client = localDynamoDbClient(endpoint);
  try {
    let tables = 0;
    let items = 0;
    const found: string[] = [];
    for await (const page of paginateListTables({ client }, {})) {
      for (const TableName of page.TableNames ?? []) {
        tables += 1;
        for await (const scan of paginateScan({ client }, { TableName })) {
          for (const item of scan.Items ?? []) {
            items += 1;
            const text = JSON.stringify(item);
            if (secrets.some((secret) => text.includes(secret)))
              found.push(`${TableName}: ${JSON.stringify(item.pk)}`);
          }
        }
      }
    }
    if (found.length > 0) throw new Error(`a bind password is stored in DynamoDB items: ${found.join('; ')}`);
    log(`secrets audit: ${items} items in ${tables} tables hold no bind password`);
  } finally {
    client.destroy();
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started: Array<SambaDc | DynamoDbLocal> = [];
  let audit: (() => Promise<void>) | undefined;
  const teardown = async (): Promise<void> => {
    try {
      await audit?.();
    } finally {
      await Promise.allSettled(started.map((service) => service.stop()));
    }
  };
  try {
    const [dc, dynamodb] = await Promise.all([
      startSambaDc(log).then((service) => {
        started.push(service);
        return service;
      }),
      startDynamoDbLocal().then((service) => {
        started.push(service);
        log(`DynamoDB Local ready at ${service.endpoint} (pid ${service.pid})`);
        return service;
      }),
    ]);
    // After the whole suite: no stored item (users, runs, configuration, cursor) holds a bind password.
    audit = () =>
      auditStoredSecrets(dynamodb.endpoint, [
        dc.connection.serviceAccount.password,
        dc.connection.administrator.password,
      ]);
    project.provide('directory', dc.connection);
    project.provide('dynamodb', { endpoint: dynamodb.endpoint });
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
