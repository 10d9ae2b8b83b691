/** The change watch's state on the single DynamoDB table (docs/data-model.md): one item, replaced on each change. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { WatchStatus } from '../../domain/change-watch';
import type { WatchStatusStore } from '../../ports/watch-status';
import { documentClient, getDocument } from './documents';
import { watchKey } from './keys';

export class DynamoWatchStatusStore implements WatchStatusStore {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.documents = documentClient(client);
  }

  getWatchStatus(): Promise<WatchStatus | undefined> {
    return getDocument<WatchStatus>(this.documents, this.tableName, watchKey);
  }

  async saveWatchStatus(status: WatchStatus): Promise<void> {
    await this.documents.send(
      new PutCommand({ TableName: this.tableName, Item: { ...watchKey, ...status } }),
    );
  }
}
