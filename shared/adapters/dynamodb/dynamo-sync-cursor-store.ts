/** The incremental sync's cursor on the single DynamoDB table (docs/data-model.md): one item. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SyncCursor, SyncCursorStore } from '../../ports/sync-cursor';
import { documentClient, getDocument } from './documents';
import { cursorKey } from './keys';

export class DynamoSyncCursorStore implements SyncCursorStore {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.documents = documentClient(client);
  }

  async getCursor(): Promise<SyncCursor | undefined> {
    return getDocument<SyncCursor>(this.documents, this.tableName, cursorKey);
  }

  async saveCursor(cursor: SyncCursor): Promise<void> {
    await this.documents.send(
      new PutCommand({ TableName: this.tableName, Item: { ...cursorKey, ...cursor } }),
    );
  }

  async clearCursor(): Promise<void> {
    await this.documents.send(new DeleteCommand({ TableName: this.tableName, Key: cursorKey }));
  }
}
