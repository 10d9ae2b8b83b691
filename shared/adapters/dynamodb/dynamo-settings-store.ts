/**
 * The configuration document, the sync lease lock, the incremental cursor and the checkpoint of a run that
 * spans invocations, on the same table as the users (docs/data-model.md).
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { type Config, parseConfig } from '../../config/config-schema';
import { VersionConflictError } from '../../errors';
import type {
  ConfigStore,
  ContinuationTrigger,
  RunCheckpoint,
  RunCheckpointStore,
  RunLock,
  StoredConfig,
  SyncCursor,
  SyncCursorStore,
} from '../../ports/settings';
import { checkpointKey, configKey, cursorKey, handoffKey, lockKey, occurrenceKey } from './keys';
import { withoutKeys } from './table';

/** How long occurrence and handoff items are kept (TTL on `expiresAt`). */
const RETAIN_SECONDS = 7 * 24 * 3600;

/** What a handoff item asks: continue this run, as this invocation of it. */
export const handoffSchema = z.object({ runId: z.string().min(1), invocation: z.int().min(2) });
export type Handoff = z.infer<typeof handoffSchema>;

export class DynamoSettingsStore
  implements ConfigStore, RunLock, SyncCursorStore, RunCheckpointStore, ContinuationTrigger
{
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.documents = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
  }

  async getConfig(): Promise<StoredConfig | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: configKey, ConsistentRead: true }),
    );
    // Stored documents are re-validated: a document written by an older version gets today's defaults.
    return Item ? { config: parseConfig(Item.config), version: Number(Item.version) } : undefined;
  }

  async saveConfig(config: Config, expectedVersion?: number): Promise<StoredConfig> {
    const current = expectedVersion ?? (await this.getConfig())?.version ?? 0;
    const version = current + 1;
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...configKey, config, version, savedAt: this.clock().toISOString() },
          ...(current === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: 'version = :current',
                ExpressionAttributeValues: { ':current': current },
              }),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new VersionConflictError(
          `the configuration changed since version ${current}; reload it and apply your change again`,
          { cause: error },
        );
      }
      throw error;
    }
    return { config, version };
  }

  async getCursor(): Promise<SyncCursor | undefined> {
    return this.getDocument<SyncCursor>(cursorKey);
  }

  async saveCursor(cursor: SyncCursor): Promise<void> {
    await this.documents.send(
      new PutCommand({ TableName: this.tableName, Item: { ...cursorKey, ...cursor } }),
    );
  }

  async clearCursor(): Promise<void> {
    await this.documents.send(new DeleteCommand({ TableName: this.tableName, Key: cursorKey }));
  }

  async getCheckpoint(): Promise<RunCheckpoint | undefined> {
    return this.getDocument<RunCheckpoint>(checkpointKey);
  }

  async saveCheckpoint(checkpoint: RunCheckpoint): Promise<void> {
    await this.documents.send(
      new PutCommand({ TableName: this.tableName, Item: { ...checkpointKey, ...checkpoint } }),
    );
  }

  async clearCheckpoint(runId: string): Promise<void> {
    // Another run's checkpoint is not ours to clear.
    await this.conditionHeld(
      this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: checkpointKey,
          ConditionExpression: 'attribute_not_exists(pk) OR runId = :runId',
          ExpressionAttributeValues: { ':runId': runId },
        }),
      ),
    );
  }

  /** Inserts a handoff item; the table's stream starts the sync function with it (CDK: ad-sync-stack.ts). */
  async requestContinuation(runId: string): Promise<void> {
    const checkpoint = await this.getCheckpoint();
    if (checkpoint?.runId !== runId) throw new Error(`no checkpoint of run ${runId} to continue from`);
    const handoff: Handoff = { runId, invocation: checkpoint.invocations + 1 };
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...handoffKey(handoff),
          ...handoff,
          requestedAt: this.clock().toISOString(),
          expiresAt: this.epochSeconds() + RETAIN_SECONDS,
        },
      }),
    );
  }

  /** Acquires the lease, or renews it when `owner` holds it already (a run continuing past an invocation). */
  async acquire(owner: string, leaseSeconds: number): Promise<boolean> {
    const now = this.epochSeconds();
    return this.conditionHeld(
      this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...lockKey, owner, acquiredAt: this.clock().toISOString(), expiresAt: now + leaseSeconds },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now OR #owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':now': now, ':owner': owner },
        }),
      ),
    );
  }

  async release(owner: string): Promise<void> {
    // Expired and taken over by another run: that run's lock is not ours to release.
    await this.conditionHeld(
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

  /** Records that a scheduled occurrence was handled; false when it already was (a duplicated event). */
  async claimOccurrence(occurrence: string, retainSeconds = RETAIN_SECONDS): Promise<boolean> {
    return this.conditionHeld(
      this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...occurrenceKey(occurrence),
            claimedAt: this.clock().toISOString(),
            expiresAt: this.epochSeconds() + retainSeconds,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }

  /** One settings item without its key attributes, or undefined. */
  private async getDocument<T>(key: Record<string, string>): Promise<T | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
    );
    if (!Item) return undefined;
    return withoutKeys(Item) as T;
  }

  /** Awaits a conditional write: false when its condition did not hold, instead of an exception. */
  private async conditionHeld(write: Promise<unknown>): Promise<boolean> {
    try {
      await write;
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  private epochSeconds(): number {
    return Math.floor(this.clock().getTime() / 1000);
  }
}
