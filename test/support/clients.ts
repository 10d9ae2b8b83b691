import { type AttributeValue, type DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import type { Client, ClientOptions } from 'ldapts';
import { inject } from 'vitest';
import { localDynamoDbClient } from '../../local/dynamodb-local';
import { ldapsClientFor } from './samba-dc';

/** An LDAPS client that verifies the DC's certificate against the test CA and host name. */
export function ldapsClient(options: Partial<ClientOptions> = {}): Client {
  return ldapsClientFor(inject('directory'), options);
}

/** A DynamoDB client for the DynamoDB Local of this test run. */
export function dynamoDbClient(): DynamoDBClient {
  return localDynamoDbClient(inject('dynamodb').endpoint);
}

/**
 * Every item of a table, every page of the scan: a single Scan stops at 1 MB, so a check that the table holds
 * something (or does not hold a password) would see only part of a large table.
 */
export async function scanAll(
  client: DynamoDBClient,
  tableName: string,
): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  for await (const page of paginateScan({ client }, { TableName: tableName }))
    items.push(...(page.Items ?? []));
  return items;
}
