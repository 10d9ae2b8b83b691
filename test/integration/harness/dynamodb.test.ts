import { DescribeTableCommand, GetItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureTable, tableKeys } from '../../../shared/adapters/dynamodb/table';
import { dynamoDbClient } from '../../support/clients';

const client = dynamoDbClient();
afterAll(() => client.destroy());

describe('DynamoDB Local', () => {
  it('creates the application table with its keys and indexes, and does so idempotently', async () => {
    await ensureTable(client, 'harness-create');
    await ensureTable(client, 'harness-create');
    const { Table } = await client.send(new DescribeTableCommand({ TableName: 'harness-create' }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.KeySchema).toEqual([
      { AttributeName: tableKeys.partitionKey, KeyType: 'HASH' },
      { AttributeName: tableKeys.sortKey, KeyType: 'RANGE' },
    ]);
    expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort()).toEqual(
      [tableKeys.byGuid.indexName, tableKeys.byKind.indexName].sort(),
    );
  });

  it('round-trips an item by key and finds it through a secondary index', async () => {
    const TableName = 'harness-roundtrip';
    await ensureTable(client, TableName);
    const item = {
      [tableKeys.partitionKey]: { S: 'USER#jürgen' },
      [tableKeys.sortKey]: { S: 'PROFILE' },
      [tableKeys.byGuid.partitionKey]: { S: 'GUID#00112233445566778899aabbccddeeff' },
      [tableKeys.byGuid.sortKey]: { S: 'USER' },
      emailAddresses: { L: [{ S: 'juergen.mueller@company.local' }] },
    };
    await client.send(new PutItemCommand({ TableName, Item: item }));

    const { Item } = await client.send(
      new GetItemCommand({
        TableName,
        Key: { pk: { S: 'USER#jürgen' }, sk: { S: 'PROFILE' } },
        ConsistentRead: true,
      }),
    );
    expect(Item).toEqual(item);

    const { Items } = await client.send(
      new QueryCommand({
        TableName,
        IndexName: tableKeys.byGuid.indexName,
        KeyConditionExpression: '#pk = :guid',
        ExpressionAttributeNames: { '#pk': tableKeys.byGuid.partitionKey },
        ExpressionAttributeValues: { ':guid': { S: 'GUID#00112233445566778899aabbccddeeff' } },
      }),
    );
    expect(Items).toEqual([item]);
  });
});
