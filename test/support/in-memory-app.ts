/**
 * The in-memory app: the fakes of test/support/in-memory.ts wired as the sync worker wires the real adapters
 * (shared/runtime/sync-worker-context.ts), on one clock. The user store is the users, the runs and the run's
 * progress; the settings are the configuration, the lock, the cursor and the checkpoint; the secret store holds
 * the directory's password bound to the saved configuration, as a save through the API binds it.
 */
import { type Config, type ConfigInput, parseConfig } from '../../shared/config/config-schema';
import type { DirectoryEntry } from '../../shared/domain/user';
import type { Clock } from '../../shared/ports/clock';
import type { ExclusiveSyncDependencies } from '../../shared/use-cases/sync-lock';
import {
  InMemoryDirectory,
  InMemoryPreviewStore,
  InMemorySettings,
  InMemoryUserStore,
  RecordingStarter,
} from './in-memory';
import { savedWithConfiguration } from './saved-password';
import { TestClock } from './test-clock';

/** The in-memory directory's DC and service account: what every in-memory configuration connects to. */
export const IN_MEMORY_CONNECTION = {
  servers: ['dc1.company.local'],
  domain: 'company.local',
  username: 'svc@company.local',
} as const;

/** A configuration for the in-memory directory: its connection (with `connection` changed), as given otherwise. */
export function inMemoryConfig(
  input: { connection?: Partial<ConfigInput['connection']> } & Omit<ConfigInput, 'connection'> = {},
): Config {
  const { connection, ...rest } = input;
  return parseConfig({ ...rest, connection: { ...IN_MEMORY_CONNECTION, ...connection } });
}

/** The lease of the sync lock in the in-memory app (the deployed default is the sync Lambda's timeout). */
const LEASE_SECONDS = 60;
/** How long a preview may run before it counts as dead (the deployed default). */
const PREVIEW_TIMEOUT_SECONDS = 900;

/** What the sync worker needs besides a sync's: the run's progress, previews and the hand-over to a worker. */
export interface InMemoryWorker extends ExclusiveSyncDependencies {
  readonly progress: InMemoryUserStore;
  readonly previews: InMemoryPreviewStore;
  readonly starter: RecordingStarter;
  readonly previewTimeoutSeconds: number;
}

export interface InMemoryApp<C extends Clock = TestClock> {
  readonly clock: C;
  readonly directory: InMemoryDirectory;
  /** The users and the runs. */
  readonly store: InMemoryUserStore;
  /** The configuration, the lock, the cursor, the checkpoint and the handoffs. */
  readonly settings: InMemorySettings;
  readonly previews: InMemoryPreviewStore;
  readonly starter: RecordingStarter;
  /**
   * What Synchronize now, a scheduled run and a continuation need: every port but the handoffs (a test that
   * hands off gives `continuations`) and no progress records; a lease of 60 seconds.
   */
  deps(overrides?: Partial<ExclusiveSyncDependencies>): ExclusiveSyncDependencies;
  /** `deps` and what the API's start and the worker add: progress records, previews, the hand-over. */
  worker(overrides?: Partial<InMemoryWorker>): InMemoryWorker;
}

/**
 * A new in-memory app holding `entries` in its directory, with no configuration saved and no users. `clock`
 * (a TestClock at 2026-11-25T12:00:00Z by default) is the app's time: the lock's, the runs', and the
 * directory's page delays.
 */
export function inMemoryApp(options?: { entries?: readonly DirectoryEntry[] }): InMemoryApp;
export function inMemoryApp<C extends Clock>(options: {
  clock: C;
  entries?: readonly DirectoryEntry[];
}): InMemoryApp<C>;
export function inMemoryApp(
  options: { clock?: Clock; entries?: readonly DirectoryEntry[] } = {},
): InMemoryApp<Clock> {
  const clock = options.clock ?? new TestClock();
  const directory = new InMemoryDirectory().put(...(options.entries ?? []));
  directory.clock = clock;
  const store = new InMemoryUserStore();
  const settings = new InMemorySettings(clock);
  const previews = new InMemoryPreviewStore();
  const starter = new RecordingStarter();
  const deps = (overrides: Partial<ExclusiveSyncDependencies> = {}): ExclusiveSyncDependencies => ({
    directory,
    users: store,
    runs: store,
    configs: settings,
    lock: settings,
    cursors: settings,
    checkpoints: settings,
    secrets: savedWithConfiguration(settings, directory.password),
    leaseSeconds: LEASE_SECONDS,
    clock,
    ...overrides,
  });
  return {
    clock,
    directory,
    store,
    settings,
    previews,
    starter,
    deps,
    worker: (overrides = {}) => ({
      ...deps(),
      progress: store,
      previews,
      starter,
      previewTimeoutSeconds: PREVIEW_TIMEOUT_SECONDS,
      ...overrides,
    }),
  };
}
