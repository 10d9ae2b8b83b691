/**
 * The stale alerts (stale-check.ts), on the single table (docs/data-model.md): one item per event id, written
 * only over nothing, so that its insert (the table's stream) is the event exactly once. Kept 90 days (TTL).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SyncStaleEvent } from '../../domain/run-event';
import type { AlertStore } from '../../ports/alert-store';
import { conditionHeld, documentClient, epochSeconds, SYSTEM_WALL_CLOCK, type WallClock } from './documents';
import { alertKey } from './keys';

/** How long an alert's item is kept: a stale spell longer than this raises its alert again. */
const ALERT_RETAIN_SECONDS = 90 * 24 * 3600;

export class DynamoAlertStore implements AlertStore {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    private readonly clock: WallClock = SYSTEM_WALL_CLOCK,
  ) {
    this.documents = documentClient(client);
  }

  raise(event: SyncStaleEvent): Promise<boolean> {
    return conditionHeld(
      this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...alertKey(event.id), event, expiresAt: epochSeconds(this.clock) + ALERT_RETAIN_SECONDS },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
  }
}
