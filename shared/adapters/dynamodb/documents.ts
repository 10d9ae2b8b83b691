/**
 * What the DynamoDB stores share: the document client, the queries of the one table (all pages, or a page at
 * a time, of the table or of the kind index) and the handling of conditional writes.
 */

import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../../ports/clock';
import { tableKeys, withoutKeys } from './table';

export type Item = Record<string, unknown>;

/**
 * The client without the SDK's logger middleware, for a client built without a logger (the SDK's default
 * logs nothing). That middleware copies every request's input and every answer's output, sensitive fields
 * filtered, to hand them to `logger.info` whether or not it logs anything: for a transaction of 100 users, a
 * walk of every attribute of every item, about 15 µs of CPU per user a full sync writes (157 ms of the 2.7 s
 * a 10,000-user sync's process used, and its garbage). Returns the same client.
 */
export function withoutSdkLogging(client: DynamoDBClient): DynamoDBClient {
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}

/** The document client of every store: attributes set to undefined are left out of the item. */
export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
}

/** A query of the kind index: every item of a kind (keys.ts: kindIndex), or those of one name. */
export function kindQuery(tableName: string, kind: string, name?: string): QueryCommandInput {
  return {
    TableName: tableName,
    IndexName: tableKeys.byKind.indexName,
    KeyConditionExpression: name === undefined ? '#kind = :kind' : '#kind = :kind AND #name = :name',
    ExpressionAttributeNames: {
      '#kind': tableKeys.byKind.partitionKey,
      ...(name === undefined ? {} : { '#name': tableKeys.byKind.sortKey }),
    },
    ExpressionAttributeValues: { ':kind': kind, ...(name === undefined ? {} : { ':name': name }) },
  };
}

/** Every item of a query. */
export async function queryAll(documents: DynamoDBDocumentClient, input: QueryCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  for await (const page of queryPages(documents, input)) items.push(...page);
  return items;
}

/** The items of a query, one page (at most 1 MB) at a time. */
export async function* queryPages(
  documents: DynamoDBDocumentClient,
  input: QueryCommandInput,
): AsyncGenerator<Item[]> {
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await documents.send(new QueryCommand({ ...input, ExclusiveStartKey }));
    yield page.Items ?? [];
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
}

/** One item without its key attributes (consistent read), or undefined. */
export async function getDocument<T>(
  documents: DynamoDBDocumentClient,
  tableName: string,
  key: Record<string, string>,
): Promise<T | undefined> {
  const { Item } = await documents.send(
    new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
  );
  if (!Item) return undefined;
  return withoutKeys(Item) as T;
}

/** Awaits a conditional write: false when its condition did not hold, instead of an exception. */
export async function conditionHeld(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** How long occurrence claims and handoff items are kept (the table's TTL on `expiresAt`). */
export const RETAIN_SECONDS = 7 * 24 * 3600;

/** What the stores read of the Clock port (shared/ports/clock.ts): the time; they never wait. */
export type WallClock = Pick<Clock, 'now'>;

/** The system's time: the stores' default. */
export const SYSTEM_WALL_CLOCK: WallClock = { now: () => new Date() };

/** The clock's time in whole seconds since the epoch (the TTL attribute's unit). */
export const epochSeconds = (clock: WallClock): number => Math.floor(clock.now().getTime() / 1000);
