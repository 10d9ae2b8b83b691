import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { type TransactionWrite, writeInTransactions } from '../../../shared/adapters/dynamodb/transactions';

const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-central-1' }));
const dynamodb = mockClient(DynamoDBDocumentClient);

interface Write extends TransactionWrite {
  readonly name: string;
}
/** A write of `actions` puts (a rename is two actions). */
const write = (name: string, actions = 1): Write => ({
  name,
  actions: Array.from({ length: actions }, (_, i) => ({
    Put: { TableName: 't', Item: { pk: `${name}#${i}` } },
  })),
});
const cancelled = (reasons: { Code: string; Item?: Record<string, unknown> }[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: reasons.map(({ Code, Item }) => ({
      Code,
      ...(Item ? { Item: marshall(Item) } : {}),
    })),
  });
const sentItems = () =>
  dynamodb.commandCalls(TransactWriteCommand).map((call) => call.args[0].input.TransactItems?.length);
const names = (writes: readonly Write[]) => writes.map((w) => w.name);

describe('writeInTransactions', () => {
  beforeEach(() => dynamodb.reset());

  it('packs writes into transactions of at most 100 actions, never splitting a write', async () => {
    dynamodb.on(TransactWriteCommand).resolves({});
    const writes = [
      ...Array.from({ length: 99 }, (_, i) => write(`w${i}`)),
      write('rename', 2),
      write('last'),
    ];
    const committedPerTransaction: string[][] = [];
    const outcome = await writeInTransactions(documents, writes, async (done) => {
      committedPerTransaction.push(names(done));
    });
    // 99 single puts, then the rename (2 actions) would make 101: it opens the next transaction.
    expect(sentItems()).toEqual([99, 3]);
    expect(outcome.refused).toEqual([]);
    expect(names(outcome.committed).sort()).toEqual(names(writes).sort());
    expect(committedPerTransaction.map((batch) => batch.length)).toEqual([99, 2]);
  });

  it('packs writes by a weight too when given one (a size): a transaction holds at most maxWeight', async () => {
    dynamodb.on(TransactWriteCommand).resolves({});
    const writes = Array.from({ length: 10 }, (_, i) => write(`w${i}`, 2));
    const outcome = await writeInTransactions(documents, writes, async () => {}, {
      weightOf: () => 300,
      maxWeight: 1000,
    });
    // Three writes of 300 a transaction (900; a fourth would make 1,200), far below 100 actions.
    expect(sentItems()).toEqual([6, 6, 6, 2]);
    expect(names(outcome.committed).sort()).toEqual(names(writes).sort());
  });

  it('retries a transaction without the writes whose condition failed, and returns those with what they found', async () => {
    dynamodb
      .on(TransactWriteCommand)
      .rejectsOnce(
        cancelled([
          { Code: 'None' },
          { Code: 'ConditionalCheckFailed', Item: { pk: 'b#0', authentication: 'local' } },
          { Code: 'None' },
          { Code: 'None' },
        ]),
      )
      .resolves({});
    const outcome = await writeInTransactions(
      documents,
      [write('a'), write('b'), write('c', 2)],
      async () => {},
    );
    expect(names(outcome.committed)).toEqual(['a', 'c']);
    expect(outcome.refused).toEqual([
      { write: expect.objectContaining({ name: 'b' }), found: { pk: 'b#0', authentication: 'local' } },
    ]);
    expect(sentItems()).toEqual([4, 3]);
  });

  it('retries a transaction cancelled only by contention as it is', async () => {
    dynamodb
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled([{ Code: 'TransactionConflict' }, { Code: 'None' }]))
      .resolves({});
    const outcome = await writeInTransactions(documents, [write('a'), write('b')], async () => {});
    expect(names(outcome.committed)).toEqual(['a', 'b']);
    expect(sentItems()).toEqual([2, 2]);
  });

  it('fails on anything else, and takes no further transaction', async () => {
    const throttled = cancelled([{ Code: 'ThrottlingError' }]);
    dynamodb.on(TransactWriteCommand).rejects(throttled);
    const writes = Array.from({ length: 500 }, (_, i) => write(`w${i}`));
    const afterCommit: string[][] = [];
    await expect(
      writeInTransactions(documents, writes, async (done) => {
        afterCommit.push(names(done));
      }),
    ).rejects.toBe(throttled);
    // Four transactions were under way when the first failed; the fifth was never sent.
    expect(sentItems()).toEqual([100, 100, 100, 100]);
    expect(afterCommit).toEqual([]);
  });
});
