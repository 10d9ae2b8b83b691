/**
 * The functions' environment, read and checked once at cold start: fails fast, naming the variable.
 */
import * as z from 'zod';
import { APPLY_BATCH } from '../use-cases/run-dependencies';
import { PROGRESS_INTERVAL_MS } from '../use-cases/run-progress';

/**
 * An origin browsers call the API from: `https://host[:port]`, no path, never `*` (the API's answers name
 * exactly one console).
 */
const consoleOriginSchema = z.string().regex(/^https:\/\/[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$/, {
  error: 'must be one https origin, such as https://d111111abcdef8.cloudfront.net (no path, not *)',
});

const environmentFields = z.object({
  /** The DynamoDB table of docs/data-model.md. */
  TABLE_NAME: z.string().min(1),
  /**
   * The credentials table: local users' password hashes, apart from TABLE_NAME and its stream. Only the users
   * and logon functions are told of it (loadUsersEnvironment, loadLogonEnvironment ask for it).
   */
  CREDENTIALS_TABLE_NAME: z.string().min(1).optional(),
  /** In AWS: the Secrets Manager secret (ARN or name) holding the bind password. */
  SECRET_ID: z.string().min(1).optional(),
  /** In the local stack: the file secret store. */
  ADSYNC_SECRET_FILE: z.string().min(1).optional(),
  /** Sync lock lease; longer than the longest run (the sync function's timeout). */
  LOCK_LEASE_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
  /** In AWS, the config function's EventBridge schedule to keep in step with `schedule`. */
  SCHEDULE_NAME: z.string().min(1).optional(),
  SCHEDULE_GROUP: z.string().min(1).default('default'),
  /** A full read (reconciliation) at least this often; runs in between read only what changed. */
  FULL_READ_EVERY_HOURS: z.coerce.number().min(0).max(8_760).default(24),
  /**
   * `stream` in AWS: a run nearing the sync function's deadline inserts a handoff item, and the table's
   * stream starts the follow-up invocation. `off` (the local stack): a run never stops early.
   */
  CONTINUATIONS: z.enum(['stream', 'off']).default('off'),
  /** Changes per apply batch; each ends with a checkpoint, and a handoff can only happen between two. */
  APPLY_BATCH_SIZE: z.coerce.number().int().min(100).max(100_000).default(APPLY_BATCH),
  /**
   * In AWS, the functions the start function invokes asynchronously to run a sync and a preview. Without
   * them (the local stack), operations run in this process.
   */
  SYNC_FUNCTION_NAME: z.string().min(1).optional(),
  TEST_SETTINGS_FUNCTION_NAME: z.string().min(1).optional(),
  /**
   * The watcher function (docs/contract.md#changes-in-seconds): how long one invocation holds the change watch.
   * Longer than the schedule's period (the next one is watching before this one lets go), shorter than its timeout.
   */
  WATCH_HOLD_SECONDS: z.coerce.number().int().min(60).max(900).default(660),
  /** The longest `Prefer: wait=N` honoured: 25 behind API Gateway (which ends a request at 29 s). */
  MAX_WAIT_SECONDS: z.coerce.number().int().min(0).max(900).default(300),
  /**
   * How often a running sync or preview writes its progress while it moves: at most 5 s, as the contract asks
   * (tests shorten it to follow a run of a few seconds closely).
   */
  PROGRESS_INTERVAL_MS: z.coerce.number().int().min(50).max(5_000).default(PROGRESS_INTERVAL_MS),
  /** The longest a preview may run (the test-settings function's timeout): later, it is shown failed. */
  PREVIEW_TIMEOUT_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
  /**
   * In AWS, the admin console's origin (its CloudFront distribution): the API's answers allow it to read
   * them (CORS). Unset on the local stack, where the console and the API share one origin.
   */
  CONSOLE_ORIGIN: consoleOriginSchema.optional(),
});

const environmentSchema = environmentFields
  .refine((env) => (env.SECRET_ID === undefined) !== (env.ADSYNC_SECRET_FILE === undefined), {
    error: 'set exactly one of SECRET_ID (Secrets Manager) and ADSYNC_SECRET_FILE (local file)',
    path: ['SECRET_ID'],
  })
  .refine(
    (env) => (env.SYNC_FUNCTION_NAME === undefined) === (env.TEST_SETTINGS_FUNCTION_NAME === undefined),
    {
      error: 'set both SYNC_FUNCTION_NAME and TEST_SETTINGS_FUNCTION_NAME (AWS), or neither (in process)',
      path: ['SYNC_FUNCTION_NAME'],
    },
  );

/** What the functions that keep or read local users' password hashes ask for besides. */
const credentialsTableSchema = environmentFields.pick({ CREDENTIALS_TABLE_NAME: true }).required();

/**
 * The logon function's environment: the tables, and on AWS the logon guard function it asks before a bind
 * (without it, the guard's handler in this process). It holds no secret store, so it asks for no secret (one
 * that is set, as on the local stack where every function shares one process, is not read).
 */
const logonEnvironmentSchema = environmentFields
  .pick({ TABLE_NAME: true })
  .extend(credentialsTableSchema.shape)
  .extend({ LOGON_GUARD_FUNCTION_NAME: z.string().min(1).optional() });

/** The logon guard's environment: the secret store only (it reads no table). */
const logonGuardEnvironmentSchema = environmentFields
  .pick({ SECRET_ID: true, ADSYNC_SECRET_FILE: true })
  .refine((env) => (env.SECRET_ID === undefined) !== (env.ADSYNC_SECRET_FILE === undefined), {
    error: 'set exactly one of SECRET_ID (Secrets Manager) and ADSYNC_SECRET_FILE (local file)',
    path: ['SECRET_ID'],
  });

export type Environment = z.output<typeof environmentSchema>;
export type UsersEnvironment = Environment & z.output<typeof credentialsTableSchema>;
export type LogonEnvironment = z.output<typeof logonEnvironmentSchema>;
export type LogonGuardEnvironment = z.output<typeof logonGuardEnvironmentSchema>;

/**
 * The console's origin alone (CONSOLE_ORIGIN), for the HTTP layer, which needs no other variable; undefined
 * when unset. Fails, naming the variable, when it is not one https origin.
 */
export function consoleOriginOf(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env.CONSOLE_ORIGIN;
  if (value === undefined || value === '') return undefined;
  const result = consoleOriginSchema.safeParse(value);
  if (!result.success) {
    throw new Error(`ad-sync is not configured: CONSOLE_ORIGIN: ${result.error.issues[0]?.message}`);
  }
  return result.data;
}

/** Fails fast, naming the variable, when the environment is incomplete. */
export function loadEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  return parseEnvironment(environmentSchema, env);
}

/** The users function's environment: the functions', and the credentials table. Fails fast, naming the variable. */
export function loadUsersEnvironment(env: NodeJS.ProcessEnv = process.env): UsersEnvironment {
  return { ...loadEnvironment(env), ...parseEnvironment(credentialsTableSchema, env) };
}

/** The logon function's environment; fails fast, naming the variable. */
export function loadLogonEnvironment(env: NodeJS.ProcessEnv = process.env): LogonEnvironment {
  return parseEnvironment(logonEnvironmentSchema, env);
}

/** The logon guard's environment; fails fast, naming the variable. */
export function loadLogonGuardEnvironment(env: NodeJS.ProcessEnv = process.env): LogonGuardEnvironment {
  return parseEnvironment(logonGuardEnvironmentSchema, env);
}

function parseEnvironment<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.output<S> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new Error(`ad-sync is not configured: ${problems}`);
  }
  return result.data;
}
