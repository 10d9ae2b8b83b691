/**
 * The sample directory and the local stack against it, what `npm run demo` and `npm run latency` both start:
 * a Samba AD DC on 127.0.0.1 seeded with test/fixtures/directory.ldif, the local stack (DynamoDB Local, the
 * HTTP API, the schedule) with its data in a new temporary folder, and the fixture's configuration saved
 * through the API. `stop()` ends all of it, the last started first, and removes the folder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from '../cli/api-client';
import { freePort } from '../local/dynamodb-local';
import { type LocalStack, startLocalStack } from '../local/local-stack';
import { connectionSettings, type SambaDc, startSambaDc } from '../test/support/samba-dc';

export interface SampleStackOptions {
  /** The temporary data folder's name starts `ad-sync-<label>-`. */
  readonly label: string;
  /** The local stack's port; default a free one. */
  readonly port?: number;
  /** Configuration sections saved beside the fixture's connection, filters and privileges (e.g. `schedule`). */
  readonly config?: Readonly<Record<string, unknown>>;
  readonly log: (line: string) => void;
}

export interface SampleStack {
  readonly dc: SambaDc;
  readonly stack: LocalStack;
  readonly api: ApiClient;
  stop(): Promise<void>;
}

/** Starts the DC and the local stack and saves the configuration; on failure, stops what it started. */
export async function startSampleStack(options: SampleStackOptions): Promise<SampleStack> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async (): Promise<void> => {
    for (const step of stops.splice(0).reverse()) await step().catch(() => {});
  };
  try {
    const dc = await startSambaDc(options.log);
    stops.push(() => dc.stop());
    const home = await mkdtemp(join(tmpdir(), `ad-sync-${options.label}-`));
    stops.push(() => rm(home, { recursive: true, force: true }));
    const stack = await startLocalStack({
      home,
      port: options.port ?? (await freePort()),
      log: options.log,
    });
    stops.push(() => stack.stop());
    const api = ApiClient.local(stack.url, stack.token);
    await api.request('PUT', '/config', {
      config: {
        connection: connectionSettings(dc.connection),
        filters: { exchangeUsersOnly: true, enabledUsersOnly: true },
        defaultPrivileges: { privileges: ['login', 'archiveEmail'], ownArchiveAccess: ['read'] },
        ...options.config,
      },
      password: dc.connection.serviceAccount.password,
    });
    return { dc, stack, api, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
