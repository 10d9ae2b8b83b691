/**
 * vitest globalSetup of an integration lane (vitest.config.ts): one Samba AD DC, on the lane's loopback
 * address, and one in-memory DynamoDB Local, started before its first test file and stopped (by pid) after
 * the last. Tests get their coordinates with
 * `inject('directory')` and `inject('dynamodb')`.
 */
import { paginateListTables, paginateScan } from '@aws-sdk/client-dynamodb';
import type { TestProject } from 'vitest/node';
import { type DynamoDbLocal, localDynamoDbClient, startDynamoDbLocal } from '../../local/dynamodb-local';
import { DEFAULT_DC_HOST, type DirectoryConnection, type SambaDc, startSambaDc } from './samba-dc';

/** The DC of each integration lane (vitest.config.ts): one address each, so that both run at once. */
const DC_HOST_OF_PROJECT: Readonly<Record<string, string>> = {
  integration: DEFAULT_DC_HOST,
  'integration-2': '127.0.0.2',
};

declare module 'vitest' {
  export interface ProvidedContext {
    directory: DirectoryConnection;
    dynamodb: { endpoint: string };
  }
}

type Log = (line: string) => void;

async function auditStoredSecrets(endpoint: string, secrets: readonly string[], log: Log): Promise<void> {
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
  const log: Log = (line) => {
    process.stderr.write(`[${project.name} setup] ${line}\n`);
  };
  const started: Array<SambaDc | DynamoDbLocal> = [];
  let audit: (() => Promise<void>) | undefined;
  const teardown = async (): Promise<void> => {
    try {
      await audit?.();
    } finally {
      await Promise.allSettled(started.map((service) => service.stop()));
    }
  };
  // The JVM options of the lane's environment (vitest.config.ts) are given to the workers; the lane's own
  // DynamoDB Local starts here, in vitest's process.
  const { JDK_JAVA_OPTIONS } = project.config.env;
  if (JDK_JAVA_OPTIONS) process.env.JDK_JAVA_OPTIONS = String(JDK_JAVA_OPTIONS);
  try {
    const [dc, dynamodb] = await Promise.all([
      startSambaDc(log, {
        host: DC_HOST_OF_PROJECT[project.name] ?? DEFAULT_DC_HOST,
        fromTemplate: true,
      }).then((service) => {
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
      auditStoredSecrets(
        dynamodb.endpoint,
        [dc.connection.serviceAccount.password, dc.connection.administrator.password],
        log,
      );
    project.provide('directory', dc.connection);
    project.provide('dynamodb', { endpoint: dynamodb.endpoint });
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
