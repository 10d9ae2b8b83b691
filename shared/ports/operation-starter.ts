import type { Config } from '../config/config-schema';

/** A sync run the API has started (its lock taken, its record written) for a worker to run. */
export interface SyncStart {
  readonly runId: string;
  /** The saved configuration's version when it was started: a run on another one applies no deletes. */
  readonly configVersion: number;
  /** Deletes approved above the threshold, this once (the count the last run withheld). */
  readonly approvedDeletes?: number;
  /** Set for a run of one user (`POST /sync/users/{name}`): the name it was asked for. */
  readonly user?: string;
  /** Set for a run a change notification started (the watch, docs/contract.md#changes-in-seconds). */
  readonly trigger?: 'notification';
}

/** A Test Settings preview the API has started (its record written) for a worker to run. */
export interface PreviewStart {
  readonly previewId: string;
  /** Unsaved settings to test; the saved ones without. */
  readonly config?: Config;
  /** The password given with the request: held only for the time of the test, never stored. */
  readonly password?: string;
}

/**
 * Hands a started operation to the function that runs it, without waiting for it: in AWS an asynchronous
 * Lambda invocation, on the local stack a call in the same process. Throws when it cannot be handed over.
 */
export interface OperationStarter {
  startSync(start: SyncStart): Promise<void>;
  startPreview(start: PreviewStart): Promise<void>;
}
