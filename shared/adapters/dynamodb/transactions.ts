/**
 * Writes in DynamoDB transactions (TransactWriteItems). Writes of several actions each are packed into
 * transactions of up to 100 actions, a few transactions at a time. A transaction cancelled by failed
 * conditions is retried without the writes that failed, which are returned as refused with the item their
 * condition found; one cancelled only by contention (another transaction on the same items) is retried as it
 * is a few times. Anything else (throttling past the SDK's retries) fails the whole: nothing more is written.
 */

import { randomUUID } from 'node:crypto';
import { type AttributeValue, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Item } from './documents';
import { forEachConcurrently } from './for-each-concurrently';

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Actions that commit together or not at all (a rename: the delete of the old key and the put of the new). */
export interface TransactionWrite {
  readonly actions: readonly TransactItem[];
}

/** A write whose condition failed, with the item the condition found (when the action asked for it). */
export interface RefusedWrite<W extends TransactionWrite> {
  readonly write: W;
  readonly found: Item | undefined;
}

export interface TransactionOutcome<W extends TransactionWrite> {
  readonly committed: W[];
  readonly refused: RefusedWrite<W>[];
}

const MAX_TRANSACTION_ACTIONS = 100;
const PARALLEL_TRANSACTIONS = 4;
const MAX_CONTENDED_RETRIES = 3;

/**
 * Commits the writes. `afterCommit` runs with the writes of each transaction once it has committed, before
 * its worker takes the next transaction. `limit`: a weight per write (its size, say) that a transaction holds
 * at most `maxWeight` of, besides the 100 actions.
 */
export async function writeInTransactions<W extends TransactionWrite>(
  documents: DynamoDBDocumentClient,
  writes: readonly W[],
  afterCommit: (committed: readonly W[]) => Promise<void>,
  limit?: { readonly weightOf: (write: W) => number; readonly maxWeight: number },
): Promise<TransactionOutcome<W>> {
  const transactions: W[][] = [];
  let transaction: W[] = [];
  let size = 0;
  let weight = 0;
  for (const write of writes) {
    const own = limit?.weightOf(write) ?? 0;
    const full = size + write.actions.length > MAX_TRANSACTION_ACTIONS;
    if (transaction.length > 0 && (full || (limit && weight + own > limit.maxWeight))) {
      transactions.push(transaction);
      transaction = [];
      size = 0;
      weight = 0;
    }
    transaction.push(write);
    size += write.actions.length;
    weight += own;
  }
  if (transaction.length > 0) transactions.push(transaction);

  const committed: W[] = [];
  const refused: RefusedWrite<W>[] = [];
  // The first failure stops every worker from taking another transaction: nothing is written after the
  // apply step has failed (and its run has released the lock).
  await forEachConcurrently(transactions, PARALLEL_TRANSACTIONS, async (current) => {
    const outcome = await commit(documents, current);
    committed.push(...outcome.committed);
    refused.push(...outcome.refused);
    await afterCommit(outcome.committed);
  });
  return { committed, refused };
}

/** Commits one transaction; on failed conditions, sorts out the culprits and retries the rest. */
async function commit<W extends TransactionWrite>(
  documents: DynamoDBDocumentClient,
  writes: readonly W[],
): Promise<TransactionOutcome<W>> {
  const refused: RefusedWrite<W>[] = [];
  let remaining = writes;
  let contended = 0;
  while (remaining.length > 0) {
    try {
      await documents.send(
        new TransactWriteCommand({
          TransactItems: remaining.flatMap((w) => w.actions),
          ClientRequestToken: randomUUID(),
        }),
      );
      return { committed: [...remaining], refused };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException) || !error.CancellationReasons) throw error;
      const reasons = error.CancellationReasons;
      const failed = new Set<W>();
      let index = 0;
      for (const write of remaining) {
        for (let i = 0; i < write.actions.length; i += 1, index += 1) {
          const reason = reasons[index];
          if (reason?.Code !== 'ConditionalCheckFailed') continue;
          if (failed.has(write)) continue;
          failed.add(write);
          const found = reason.Item ? unmarshall(reason.Item as Record<string, AttributeValue>) : undefined;
          refused.push({ write, found });
        }
      }
      if (failed.size === 0) {
        // Another write touched one of these items at the same moment: transient, try again a few times.
        const transient = reasons.every((r) => r.Code === 'None' || r.Code === 'TransactionConflict');
        if (transient && contended < MAX_CONTENDED_RETRIES) {
          contended += 1;
          await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** contended));
          continue;
        }
        // Anything else (throttling past the SDK's retries): the apply fails; the next run re-plans.
        throw error;
      }
      remaining = remaining.filter((w) => !failed.has(w));
    }
  }
  return { committed: [], refused };
}
