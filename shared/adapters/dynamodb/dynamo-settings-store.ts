/**
 * The configuration document and the sync lease lock, on the same table as the users (docs/data-model.md).
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type Config, parseConfig } from '../../config/config-schema';
import { VersionConflictError } from '../../errors';
import type { ConfigStore, RunLock, StoredConfig, SyncCursor, SyncCursorStore } from '../../ports/settings';

const CONFIG_KEY = { pk: 'CONFIG', sk: 'CURRENT' } as const;
const LOCK_KEY = { pk: 'LOCK', sk: 'SYNC' } as const;
const CURSOR_KEY = { pk: 'CURSOR', sk: 'SYNC' } as const;

export class DynamoSettingsStore implements ConfigStore, RunLock, SyncCursorStore {
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
      new GetCommand({ TableName: this.tableName, Key: CONFIG_KEY, ConsistentRead: true }),
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
          Item: { ...CONFIG_KEY, config, version, savedAt: this.clock().toISOString() },
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
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: CURSOR_KEY, ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, ...cursor } = Item;
    return cursor as SyncCursor;
  }

  async saveCursor(cursor: SyncCursor): Promise<void> {
    await this.documents.send(
      new PutCommand({ TableName: this.tableName, Item: { ...CURSOR_KEY, ...cursor } }),
    );
  }

  async clearCursor(): Promise<void> {
    await this.documents.send(new DeleteCommand({ TableName: this.tableName, Key: CURSOR_KEY }));
  }

  async acquire(owner: string, leaseSeconds: number): Promise<boolean> {
    const now = this.clock();
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...LOCK_KEY,
            owner,
            acquiredAt: now.toISOString(),
            expiresAt: Math.floor(now.getTime() / 1000) + leaseSeconds,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': Math.floor(now.getTime() / 1000) },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async release(owner: string): Promise<void> {
    try {
      await this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: LOCK_KEY,
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
    } catch (error) {
      // Expired and taken over by another run: that run's lock is not ours to release.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** Records that a scheduled occurrence was handled; false when it already was (a duplicated event). */
  async claimOccurrence(occurrence: string, retainSeconds = 7 * 24 * 3600): Promise<boolean> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: `SCHEDULE#${occurrence}`,
            sk: 'OCCURRENCE',
            claimedAt: this.clock().toISOString(),
            expiresAt: Math.floor(this.clock().getTime() / 1000) + retainSeconds,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
