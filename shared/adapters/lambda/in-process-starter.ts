/**
 * Starts an operation in its worker function's handler in this process, without waiting for it: the local
 * stack (and the tests that load the handlers) run every function in one process. The process that imports
 * the handlers says how to call them (`useInProcessFunctions`); `settled()` waits for the operations under
 * way (a clean stop).
 */
import type { OperationStarter, PreviewStart, SyncStart } from '../../ports/operation-starter';
import { toPreviewStartEvent, toSyncStartEvent } from './operation-events';

/** Calls a worker function's handler with an event, as Lambda would. */
export type InvokeInProcess = (
  functionName: 'sync' | 'test-settings' | 'logon-guard',
  event: unknown,
) => Promise<unknown>;

let invokeFunction: InvokeInProcess | undefined;
const running = new Set<Promise<unknown>>();

/** How the handlers of this process are called (the local stack sets it once it has imported them). */
export function useInProcessFunctions(invoke: InvokeInProcess): void {
  invokeFunction = invoke;
}

/** Calls a function's handler in this process and waits for its answer (the logon guard's, say). */
export function invokeInProcess(functionName: 'logon-guard', event: unknown): Promise<unknown> {
  const invoke = invokeFunction;
  if (!invoke) throw new Error(`no function ${functionName} to call (useInProcessFunctions was not called)`);
  return invoke(functionName, event);
}

/** Waits for the operations started in this process to end. */
export async function settled(): Promise<void> {
  while (running.size > 0) await Promise.allSettled([...running]);
}

export class InProcessOperationStarter implements OperationStarter {
  constructor(private readonly onError: (error: unknown) => void = () => {}) {}

  async startSync(start: SyncStart): Promise<void> {
    this.start('sync', toSyncStartEvent(start));
  }

  async startPreview(start: PreviewStart): Promise<void> {
    this.start('test-settings', toPreviewStartEvent(start));
  }

  private start(functionName: 'sync' | 'test-settings', event: unknown): void {
    const invoke = invokeFunction;
    if (!invoke)
      throw new Error('no functions to start operations in (useInProcessFunctions was not called)');
    // Not awaited: the request that started it is answered while it runs, as with Lambda's Event invocations.
    const run = invoke(functionName, event)
      .catch(this.onError)
      .finally(() => running.delete(run));
    running.add(run);
  }
}
