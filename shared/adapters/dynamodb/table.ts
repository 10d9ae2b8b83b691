/**
 * The one DynamoDB table of ad-sync (single-table design; see docs/data-model.md), and the credentials table
 * beside it that keeps local users' password hashes out of the first one's stream. These are the definitions
 * the local stack and the tests create; the CDK stack declares the same keys and indexes (cdk/data.ts). The key
 * values of each item kind are built in keys.ts.
 */
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  type StreamSpecification,
  UpdateTableCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';

/** Attribute names of the primary key and of the global secondary indexes. */
export const tableKeys = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** GSI1: directory users by objectGUID (keys.ts: guidIndexKey), so a rename in AD finds the same user. */
  byGuid: { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  /** GSI2: the items of one kind in order (keys.ts: kindIndex): users by name, runs by time, folders by owner. */
  byKind: { indexName: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
} as const;

/** Every key attribute of the table and its indexes. */
const KEY_ATTRIBUTES = [
  tableKeys.partitionKey,
  tableKeys.sortKey,
  tableKeys.byGuid.partitionKey,
  tableKeys.byGuid.sortKey,
  tableKeys.byKind.partitionKey,
  tableKeys.byKind.sortKey,
] as const;

/** An item without its key attributes (table and indexes): what it holds. */
export function withoutKeys(item: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...item };
  for (const name of KEY_ATTRIBUTES) delete copy[name];
  return copy;
}

/**
 * The table's stream: every committed write with the item before and after it. Change events are made of
 * the user items' records (domain/change-event.ts); in AWS, handoff inserts also start a run's continuation.
 */
export const tableStream = {
  StreamEnabled: true,
  StreamViewType: 'NEW_AND_OLD_IMAGES',
} as const satisfies StreamSpecification;

/** What a table is created with beyond its keys. */
export interface TableOptions {
  /**
   * Whether the table has its stream (the local stack's webhooks read it). AWS's table always has it; DynamoDB
   * Local writes several times slower with a stream, more so as its records pile up, so a local table has one
   * only when something reads it.
   */
  readonly stream?: boolean;
}

export function tableDefinition(tableName: string, options: TableOptions = {}): CreateTableCommandInput {
  const { partitionKey, sortKey, byGuid, byKind } = tableKeys;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    ...(options.stream ? { StreamSpecification: tableStream } : {}),
    AttributeDefinitions: KEY_ATTRIBUTES.map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: partitionKey, KeyType: 'HASH' },
      { AttributeName: sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [byGuid, byKind].map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}

/**
 * The credentials table: local users' password hashes (keys.ts passwordKey), apart from the one table so that
 * no reader of that table's stream ever sees a hash. It has no stream and no index, and only the roles that
 * need it may touch it (the users function writes, the logon function reads one item by key).
 */
export function credentialsTableDefinition(tableName: string): CreateTableCommandInput {
  const { partitionKey, sortKey } = tableKeys;
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [partitionKey, sortKey].map((AttributeName) => ({
      AttributeName,
      AttributeType: 'S',
    })),
    KeySchema: [
      { AttributeName: partitionKey, KeyType: 'HASH' },
      { AttributeName: sortKey, KeyType: 'RANGE' },
    ],
  };
}

/** Creates the credentials table unless it exists, and waits until it is active. */
export async function ensureCredentialsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await createUnlessExists(client, credentialsTableDefinition(tableName));
}

async function createUnlessExists(
  client: DynamoDBClient,
  definition: CreateTableCommandInput,
): Promise<void> {
  try {
    await client.send(new CreateTableCommand(definition));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1 }, { TableName: definition.TableName });
}

/**
 * Creates the table unless it exists, and waits until it is active. A table kept from before it had its
 * stream (a local stack's data) gets it when asked; a stream is never taken away (its records may still be
 * unread).
 */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  options: TableOptions = {},
): Promise<void> {
  await createUnlessExists(client, tableDefinition(tableName, options));
  if (!options.stream) return;
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const stream = Table?.StreamSpecification;
  if (stream?.StreamEnabled && stream.StreamViewType === tableStream.StreamViewType) return;
  if (stream?.StreamEnabled) {
    await client.send(
      new UpdateTableCommand({ TableName: tableName, StreamSpecification: { StreamEnabled: false } }),
    );
  }
  await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: tableStream }));
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1 }, { TableName: tableName });
}
