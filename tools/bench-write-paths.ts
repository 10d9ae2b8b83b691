/**
 * How fast DynamoDB Local takes the same user creates by each write path DynamoDB offers, without a directory:
 *
 *   npx tsx tools/bench-write-paths.ts [--users 20000] [--rounds 2] [--endpoint http://127.0.0.1:8000]
 *
 * Each path writes the creates a first sync makes (the items of shared/adapters/dynamodb/change-writes.ts) into
 * a fresh table: `transaction` as the sync writes them (a conditional put each, TransactWriteItems of 100, 4 in
 * flight), `unconditional-transaction` the same without the condition, `put` a conditional PutItem each (32 in
 * flight), `partiql` PartiQL INSERT (a create that fails with DuplicateItem) in BatchExecuteStatement of 25 (8 in
 * flight), and `batch` raw BatchWriteItem (the benchmark's floor write). Prints the milliseconds of each, round by
 * round. Starts a DynamoDB Local of its own unless given one. Development only (docs/performance.md, session 14).
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import {
  BatchExecuteStatementCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { localDynamoDbClient, startDynamoDbLocal } from '../local/dynamodb-local';
import { changeWrite } from '../shared/adapters/dynamodb/change-writes';
import { documentClient, type Item } from '../shared/adapters/dynamodb/documents';
import { forEachConcurrently } from '../shared/adapters/dynamodb/for-each-concurrently';
import { ensureTable } from '../shared/adapters/dynamodb/table';
import { batchWriteAll, benchCreate, createContext } from './bench-floors';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '2' },
    endpoint: { type: 'string' },
  },
});
const USERS = Number(values.users);
const ROUNDS = Number(values.rounds);

/** The user items a first sync of USERS users writes into `table`, as its creates carry them. */
function createItems(table: string): Item[] {
  const context = createContext();
  return Array.from({ length: USERS }, (_, i) => {
    const put = changeWrite(table, benchCreate(i + 1, 'OU=Bench,DC=company,DC=local'), context)?.actions[0]
      ?.Put;
    if (!put?.Item) throw new Error('a create writes one put');
    return put.Item as Item;
  });
}

const slices = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));

const PATHS: Record<
  string,
  (documents: DynamoDBDocumentClient, table: string, items: Item[]) => Promise<void>
> = {
  transaction: (documents, table, items) =>
    forEachConcurrently(slices(items, 100), 4, async (some) => {
      await documents.send(
        new TransactWriteCommand({
          TransactItems: some.map((Item) => ({
            Put: { TableName: table, Item, ConditionExpression: 'attribute_not_exists(pk)' },
          })),
        }),
      );
    }),
  'unconditional-transaction': (documents, table, items) =>
    forEachConcurrently(slices(items, 100), 4, async (some) => {
      await documents.send(
        new TransactWriteCommand({
          TransactItems: some.map((Item) => ({ Put: { TableName: table, Item } })),
        }),
      );
    }),
  put: (documents, table, items) =>
    forEachConcurrently(items, 32, async (Item) => {
      await documents.send(
        new PutCommand({ TableName: table, Item, ConditionExpression: 'attribute_not_exists(pk)' }),
      );
    }),
  partiql: (documents, table, items) =>
    forEachConcurrently(slices(items, 25), 8, async (some) => {
      const { Responses } = await documents.send(
        new BatchExecuteStatementCommand({
          Statements: some.map((item) => {
            const names = Object.keys(item);
            return {
              Statement: `INSERT INTO "${table}" VALUE {${names.map((name) => `'${name}': ?`).join(', ')}}`,
              Parameters: names.map((name) => item[name]),
            };
          }),
        }),
      );
      const failed = (Responses ?? []).filter((response) => response.Error);
      if (failed.length > 0) throw new Error(`${failed.length} PartiQL inserts failed`);
    }),
  batch: (documents, table, items) => batchWriteAll(documents, table, items),
};

const dynamodb = values.endpoint
  ? { endpoint: values.endpoint, stop: async () => {} }
  : await startDynamoDbLocal();
const client = localDynamoDbClient(dynamodb.endpoint);
const documents = documentClient(client);
try {
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const [path, write] of Object.entries(PATHS)) {
      const table = `write-paths-${randomUUID()}`;
      await ensureTable(client, table);
      const items = createItems(table);
      const started = performance.now();
      await write(documents, table, items);
      console.log(`round ${round}  ${path.padEnd(26)} ${Math.round(performance.now() - started)} ms`);
    }
  }
} finally {
  client.destroy();
  await dynamodb.stop();
}
