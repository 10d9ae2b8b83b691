/**
 * Starts an operation in its worker function with an asynchronous invocation (`InvocationType: Event`):
 * Lambda queues the event and answers at once (202), so the API answers within a second whatever the
 * operation's size. The start function may invoke these two functions and nothing else (cdk/functions.ts).
 * Why an invocation and not a stream-triggered item: docs/architecture.md#starting-a-long-operation.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { OperationStarter, PreviewStart, SyncStart } from '../../ports/operation-starter';
import { toPreviewStartEvent, toSyncStartEvent } from './operation-events';

export class LambdaOperationStarter implements OperationStarter {
  constructor(
    private readonly client: LambdaClient,
    /** Without `testSettings` (the watcher, which starts syncs only), a preview is refused. */
    private readonly functions: { readonly sync: string; readonly testSettings?: string },
  ) {}

  startSync(start: SyncStart): Promise<void> {
    return this.invoke(this.functions.sync, toSyncStartEvent(start));
  }

  startPreview(start: PreviewStart): Promise<void> {
    const { testSettings } = this.functions;
    if (!testSettings) return Promise.reject(new Error('this function starts no previews'));
    return this.invoke(testSettings, toPreviewStartEvent(start));
  }

  private async invoke(functionName: string, event: unknown): Promise<void> {
    const { StatusCode, FunctionError } = await this.client.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify(event)),
      }),
    );
    if (StatusCode !== 202 || FunctionError) {
      throw new Error(`Lambda did not queue the invocation of ${functionName} (status ${StatusCode})`);
    }
  }
}
