/**
 * vitest globalSetup of the integration project: one Samba AD DC and one in-memory DynamoDB Local per run,
 * started before the first test file and stopped (by pid) after the last. Tests get their coordinates with
 * `inject('directory')` and `inject('dynamodb')`.
 */
import type { TestProject } from 'vitest/node';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../scripts/dynamodb-local';
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

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started: Array<SambaDc | DynamoDbLocal> = [];
  const teardown = async (): Promise<void> => {
    await Promise.allSettled(started.map((service) => service.stop()));
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
    project.provide('directory', dc.connection);
    project.provide('dynamodb', { endpoint: dynamodb.endpoint });
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
