/**
 * Handoffs of a run to its follow-up invocation, on the single DynamoDB table (docs/data-model.md): a run
 * nearing its invocation's deadline inserts a handoff item, and the table's stream starts the sync function
 * with it (CDK: ad-sync-stack.ts). Handoff items are kept a week (TTL).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { ContinuationTrigger, RunCheckpointStore } from '../../ports/run-checkpoint';
import { documentClient, epochSeconds, RETAIN_SECONDS, SYSTEM_WALL_CLOCK, type WallClock } from './documents';
import { handoffKey } from './keys';

/** What a handoff item asks: continue this run, as this invocation of it. */
export const handoffSchema = z.object({ runId: z.string().min(1), invocation: z.int().min(2) });
export type Handoff = z.infer<typeof handoffSchema>;

export class DynamoRunHandoffs implements ContinuationTrigger {
  private readonly documents: DynamoDBDocumentClient;

  /** `checkpoints`: where the run's invocations are counted. */
  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
    private readonly checkpoints: RunCheckpointStore,
    private readonly clock: WallClock = SYSTEM_WALL_CLOCK,
  ) {
    this.documents = documentClient(client);
  }

  /** Inserts the handoff item of the run's next invocation. */
  async requestContinuation(runId: string): Promise<void> {
    const checkpoint = await this.checkpoints.getCheckpoint();
    if (checkpoint?.runId !== runId) throw new Error(`no checkpoint of run ${runId} to continue from`);
    const handoff: Handoff = { runId, invocation: checkpoint.invocations + 1 };
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...handoffKey(handoff),
          ...handoff,
          requestedAt: this.clock.now().toISOString(),
          expiresAt: epochSeconds(this.clock) + RETAIN_SECONDS,
        },
      }),
    );
  }
}
