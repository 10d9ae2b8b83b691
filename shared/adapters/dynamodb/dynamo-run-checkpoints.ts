/**
 * The checkpoint of a run that spans invocations, on the single DynamoDB table (docs/data-model.md): one
 * item, that of the run in progress.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { RunCheckpoint, RunCheckpointStore } from '../../ports/run-checkpoint';
import { conditionHeld, documentClient, getDocument } from './documents';
import { checkpointKey } from './keys';

export class DynamoRunCheckpoints implements RunCheckpointStore {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.documents = documentClient(client);
  }

  async getCheckpoint(): Promise<RunCheckpoint | undefined> {
    return getDocument<RunCheckpoint>(this.documents, this.tableName, checkpointKey);
  }

  async saveCheckpoint(checkpoint: RunCheckpoint): Promise<void> {
    await this.documents.send(
      new PutCommand({ TableName: this.tableName, Item: { ...checkpointKey, ...checkpoint } }),
    );
  }

  async clearCheckpoint(runId: string): Promise<void> {
    // Another run's checkpoint is not ours to clear.
    await conditionHeld(
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
}
