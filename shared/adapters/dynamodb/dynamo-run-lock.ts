/**
 * The sync's lease lock and the claims of scheduled occurrences, on the single DynamoDB table
 * (docs/data-model.md): one lock item whose owner and expiry conditional writes check, and one item per
 * claimed occurrence, kept a week (TTL).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { RunLock } from '../../ports/run-lock';
import {
  conditionHeld,
  documentClient,
  epochSeconds,
  getDocument,
  RETAIN_SECONDS,
  SYSTEM_WALL_CLOCK,
  type WallClock,
} from './documents';
import { lockKey, occurrenceKey } from './keys';

export class DynamoRunLock implements RunLock {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    private readonly clock: WallClock = SYSTEM_WALL_CLOCK,
  ) {
    this.documents = documentClient(client);
  }

  /** Acquires the lease, or renews it when `owner` holds it already (a run continuing past an invocation). */
  async acquire(owner: string, leaseSeconds: number): Promise<boolean> {
    const now = epochSeconds(this.clock);
    return conditionHeld(
      this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...lockKey,
            owner,
            acquiredAt: this.clock.now().toISOString(),
            expiresAt: now + leaseSeconds,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now OR #owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':now': now, ':owner': owner },
        }),
      ),
    );
  }

  async release(owner: string): Promise<void> {
    // Expired and taken over by another run: that run's lock is not ours to release.
    await conditionHeld(
      this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: lockKey,
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      ),
    );
  }

  async holder(): Promise<string | undefined> {
    const lock = await getDocument<{ owner: string; expiresAt: number }>(
      this.documents,
      this.tableName,
      lockKey,
    );
    return lock && lock.expiresAt >= epochSeconds(this.clock) ? lock.owner : undefined;
  }

  /** Records that a scheduled occurrence was handled; false when it already was (a duplicated event). */
  async claimOccurrence(occurrence: string, retainSeconds = RETAIN_SECONDS): Promise<boolean> {
    return conditionHeld(
      this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...occurrenceKey(occurrence),
            claimedAt: this.clock.now().toISOString(),
            expiresAt: epochSeconds(this.clock) + retainSeconds,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }
}
