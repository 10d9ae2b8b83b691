/**
 * A run's session with the directory and its record, the same for every kind of run (the pipeline of a sync
 * or of Test Settings, a one-user sync):
 *
 *   resolve -> connect -> bind (the password checked against the connection it was saved for) -> the run's
 *   work on the bound session -> close
 *
 * Each step is recorded as it ends (StepRecorder: the Report's steps, and `onStep`); a step that fails is
 * recorded failed with its message. A failure of the run, wherever it happens, is turned once into the
 * Report's error (`fail`): the first one stands, ours in words, anything else generic and told to
 * `onUnexpectedError`.
 */
import type { Config } from '../config/config-schema';
import { type BindPassword, bindCredentials } from '../domain/password-binding';
import { AdSyncError } from '../errors';
import type { DirectorySession } from '../ports/directory-reader';
import type { SyncDependencies } from './run-dependencies';
import { errorOf, StepRecorder } from './run-report';

/** What a session needs: the directory, and where its steps and unexpected errors are told. */
export type RunSessionDependencies = Pick<SyncDependencies, 'directory' | 'onStep' | 'onUnexpectedError'>;

/** A run's failure as its Report says it. */
export type RunFailure = { code: string; message: string };

export class RunSession {
  /** The run's steps, in order. */
  readonly steps: StepRecorder;
  /** The server the session connected to, once it has. */
  server: string | undefined;
  /** The run's failure, once it has failed. */
  failure: RunFailure | undefined;
  private session: DirectorySession | undefined;

  constructor(private readonly deps: RunSessionDependencies) {
    this.steps = new StepRecorder(deps.onStep);
  }

  /**
   * Opens the session (resolve, connect, bind) and does the run's work with it; a failure of either is the
   * run's (`fail`). The session is closed afterwards, if the work did not close it already.
   */
  async run(
    connection: Config['connection'],
    password: BindPassword | undefined,
    work: (session: DirectorySession) => Promise<void>,
  ): Promise<void> {
    try {
      await this.attempt(async () => work(await this.open(connection, password)));
    } finally {
      await this.close();
    }
  }

  /** Does a part of the run whose failure is the run's (`fail`), such as recording it. */
  async attempt(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.fail(error);
    }
  }

  /** The run has failed: the first failure is the one its Report names. */
  fail(error: unknown): void {
    this.failure ??= errorOf(error);
    if (!(error instanceof AdSyncError)) this.deps.onUnexpectedError?.(error);
  }

  /** Closes the directory session (a run that has read all it needs closes it before it writes). */
  async close(): Promise<void> {
    const open = this.session;
    this.session = undefined;
    await open?.close();
  }

  /** The resolve, connect and bind steps: a session to one of the connection's servers, bound. */
  private async open(
    connection: Config['connection'],
    password: BindPassword | undefined,
  ): Promise<DirectorySession> {
    const { directory } = this.deps;
    const servers = await this.steps.run(
      'resolve',
      async () => {
        bindCredentials(connection, password);
        return directory.resolveServers(connection);
      },
      (list) => `servers to try: ${list.map((s) => `${s.host}:${s.port}`).join(', ')}`,
    );
    const session = await this.steps.run(
      'connect',
      () => directory.connect(servers, connection),
      (s) => `connected to ${s.server} over ${connection.encryption === 'ldaps' ? 'LDAPS' : 'StartTLS'}`,
    );
    this.session = session;
    this.server = session.server;
    // Checked again right before the bind, against the connection the session was opened with.
    const { username, password: secret } = bindCredentials(connection, password);
    await this.steps.run(
      'bind',
      () => session.bind(username, secret),
      () => `bound as ${username}`,
    );
    return session;
  }
}
