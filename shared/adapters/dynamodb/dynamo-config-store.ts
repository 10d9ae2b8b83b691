/** The configuration document on the single DynamoDB table (docs/data-model.md), one version at a time. */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { type Config, parseConfig } from '../../config/config-schema';
import { VersionConflictError } from '../../errors';
import type { ConfigStore, StoredConfig } from '../../ports/config-store';
import { documentClient, SYSTEM_WALL_CLOCK, type WallClock } from './documents';
import { configKey } from './keys';

export class DynamoConfigStore implements ConfigStore {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    private readonly clock: WallClock = SYSTEM_WALL_CLOCK,
  ) {
    this.documents = documentClient(client);
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
          Item: { ...configKey, config, version, savedAt: this.clock.now().toISOString() },
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
}
