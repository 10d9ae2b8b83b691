/**
 * The functions of ad-sync (shared/api/routes.ts): one per route group, the two workers the start function
 * starts asynchronously (sync, test-settings), with the workers' triggers (their failures queue, the table's
 * handoff inserts), and the change-events pipe's enrichment (events, wired in events.ts); and exactly the
 * permissions each function uses: the items of the kinds it touches (dynamodb:LeadingKeys), the indexes it
 * queries, the secret, the functions it invokes.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type { ITable, Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { HANDOFF_SORT_KEY, type ItemKind, leadingKeys } from '../shared/adapters/dynamodb/keys';
import { tableKeys } from '../shared/adapters/dynamodb/table';
import type { FunctionName } from '../shared/api/routes';
import { AdSyncFunction } from './ad-sync-function';
import { HEAP_WRAPPER, SYNC_MEMORY_MB } from './lambda-runtime';
import { keyUseVia } from './landing-zone';
import type { FunctionNetwork } from './network';
import { StackPart } from './stack-part';
import { syncStateQuery, watcher } from './watcher';

const SYNC_TIMEOUT = Duration.minutes(15);
/** The longest a preview may run; the runs function shows one still running after it as failed. */
const PREVIEW_TIMEOUT = Duration.minutes(15);
/**
 * API Gateway ends a request at 29 s (its integration timeout): the start function waits at most 25 s for
 * an operation to end (`Prefer: wait=N`), and its timeout covers that wait, the start before it and the
 * last read after it.
 */
const MAX_WAIT = Duration.seconds(25);
const START_TIMEOUT = Duration.seconds(28);
/**
 * A logon asks the guard (its own connection and bind, at most the connection's timeout) and binds once on one
 * DC (at most 5 s, ldap-directory-authenticator.ts): within API Gateway's 29 s.
 */
const LOGON_TIMEOUT = Duration.seconds(25);
const LOGON_GUARD_TIMEOUT = Duration.seconds(15);

export interface AdSyncFunctionsProps {
  readonly table: Table;
  /** Local users' password hashes (data.ts): only the users and logon functions are told of it. */
  readonly credentials: Table;
  readonly secret: Secret;
  readonly network: FunctionNetwork;
  /** The EventBridge schedule the config function keeps in step with the configuration. */
  readonly scheduleName: string;
  /** The customer-managed key of the table, the secret and the failures queue, if given (landing-zone.ts). */
  readonly key: IKey | undefined;
}

export class AdSyncFunctions extends StackPart {
  readonly functions: Record<FunctionName, AdSyncFunction>;
  /** Where failed asynchronous and stream invocations of the sync function go. */
  readonly failures: Queue;

  constructor(
    scope: Construct,
    id: string,
    { table, credentials, secret, network, scheduleName, key }: AdSyncFunctionsProps,
  ) {
    super(scope, id);
    const baseEnvironment = {
      TABLE_NAME: table.tableName,
      SECRET_ID: secret.secretArn,
      POWERTOOLS_SERVICE_NAME: 'ad-sync',
      LOCK_LEASE_SECONDS: String(SYNC_TIMEOUT.toSeconds() + 60),
    };
    const fn = (
      name: FunctionName,
      description: string,
      options: Partial<ConstructorParameters<typeof AdSyncFunction>[2]> = {},
    ) =>
      new AdSyncFunction(
        this,
        `${name.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())}Function`,
        { name, description, ...options, environment: { ...baseEnvironment, ...options.environment } },
      );

    // The senders (Lambda's destination and the stream mapping's failure destination, both as the sync function)
    // are granted the key by CDK (Queue.grantSendMessages).
    this.failures = new Queue(this, 'SyncFailures', {
      ...(key
        ? { encryption: QueueEncryption.KMS, encryptionMasterKey: key }
        : { encryption: QueueEncryption.KMS_MANAGED }),
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const testSettings = fn('test-settings', 'Test Settings previews, started by the start function', {
      network,
      timeout: PREVIEW_TIMEOUT,
      // A preview reads and plans as a sync does: the same memory and heap limits.
      memorySize: SYNC_MEMORY_MB,
      execWrapper: HEAP_WRAPPER,
      // A preview event delivered later than this is not run (readers were told it was interrupted).
      environment: { PREVIEW_TIMEOUT_SECONDS: String(PREVIEW_TIMEOUT.toSeconds()) },
    });
    const sync = fn('sync', 'Sync runs, started by the start function, the schedule and continuations', {
      network,
      timeout: SYNC_TIMEOUT,
      // Measured with these settings by `npm run bench` (cdk/lambda-runtime.ts).
      memorySize: SYNC_MEMORY_MB,
      execWrapper: HEAP_WRAPPER,
      environment: { CONTINUATIONS: 'stream' },
    });
    // In the VPC: reads, with the service account, an account's lockout state before a logon binds as it.
    // Invoked by the logon function only; told of the secret, not of the table (it reads none).
    const logonGuard = new AdSyncFunction(this, 'LogonGuardFunction', {
      name: 'logon-guard',
      description: "Logon's guard: reads an account's lockout state on a DC before a bind as the user",
      network,
      timeout: LOGON_GUARD_TIMEOUT,
      environment: {
        SECRET_ID: secret.secretArn,
        POWERTOOLS_SERVICE_NAME: baseEnvironment.POWERTOOLS_SERVICE_NAME,
      },
    });
    const functions: Record<FunctionName, AdSyncFunction> = {
      config: fn('config', 'GET/PUT /config', {
        environment: { SCHEDULE_NAME: scheduleName },
      }),
      // Outside the VPC: it reads no directory, and calls Lambda's public API (no Lambda endpoint needed).
      start: fn('start', 'POST /sync and POST /test-settings: starts the workers asynchronously', {
        timeout: START_TIMEOUT,
        environment: {
          SYNC_FUNCTION_NAME: sync.functionName,
          TEST_SETTINGS_FUNCTION_NAME: testSettings.functionName,
          MAX_WAIT_SECONDS: String(MAX_WAIT.toSeconds()),
        },
      }),
      'test-settings': testSettings,
      sync,
      runs: fn('runs', 'GET /sync/runs and GET /test-settings/{previewId}', {
        environment: { PREVIEW_TIMEOUT_SECONDS: String(PREVIEW_TIMEOUT.toSeconds()) },
      }),
      users: fn('users', 'GET/POST/DELETE /users', {
        environment: { CREDENTIALS_TABLE_NAME: credentials.tableName },
      }),
      directory: fn('directory', 'GET /directory/*', { network }),
      // In the VPC: it binds to the DCs as the user. Not the base environment: it is told of no secret, and
      // its role may not read it (grantLeastPrivilege). Its memory gives the scrypt hash check (128 MiB) CPU.
      logon: new AdSyncFunction(this, 'LogonFunction', {
        name: 'logon',
        description: "POST /logon: checks a user's password (a bind as the user, or the local hash)",
        network,
        timeout: LOGON_TIMEOUT,
        memorySize: 1024,
        environment: {
          TABLE_NAME: table.tableName,
          CREDENTIALS_TABLE_NAME: credentials.tableName,
          POWERTOOLS_SERVICE_NAME: baseEnvironment.POWERTOOLS_SERVICE_NAME,
          LOGON_GUARD_FUNCTION_NAME: logonGuard.functionName,
        },
      }),
      'logon-guard': logonGuard,
      openapi: fn('openapi', 'GET /openapi.json'),
      // The enrichment of the change-events pipe (events.ts): it maps stream records to events and touches
      // nothing, so it is told of no table and no secret, has no grant, and runs outside the VPC.
      events: new AdSyncFunction(this, 'EventsFunction', {
        name: 'events',
        description: 'Change events: the enrichment of the pipe from the table stream to the event bus',
        environment: { POWERTOOLS_SERVICE_NAME: baseEnvironment.POWERTOOLS_SERVICE_NAME },
      }),
      // In the VPC: holds the change notification search on a DC, and starts syncs as the start function does.
      watch: watcher(fn, network, sync),
    };
    this.functions = functions;
    this.triggerWorkers(table);
    this.grantLeastPrivilege({ table, credentials }, secret, key);
  }

  /**
   * How the workers are invoked past their start: a failed asynchronous invocation is not retried (a failed
   * sync's event goes to the failures queue), and the sync function is started again by the table's handoff
   * inserts; at most two syncs run at a time.
   */
  private triggerWorkers(table: Table): void {
    const { sync, 'test-settings': testSettings } = this.functions;
    // The start function records the run (or preview) before it invokes the worker: a failed invocation is
    // not retried (a retry would find the run ended, or its start claimed). A failed sync's event (run id,
    // configuration version) is kept in the failures queue. A preview's is not: its event may carry the
    // password given with unsaved settings, which must not outlive the test (a queue keeps it 14 days); its
    // record shows the preview failed once the function's timeout has passed, and the Errors alarm fires.
    sync.configureAsyncInvoke({ retryAttempts: 0, onFailure: new SqsDestination(this.failures) });
    testSettings.configureAsyncInvoke({ retryAttempts: 0 });
    // A run that nears its deadline inserts a handoff item; only those inserts reach the function.
    sync.addEventSource(
      new DynamoEventSource(table as ITable, {
        startingPosition: StartingPosition.LATEST,
        batchSize: 1,
        retryAttempts: 0,
        bisectBatchOnError: false,
        onFailure: new SqsDlq(this.failures),
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.isEqual('INSERT'),
            dynamodb: { NewImage: { sk: { S: FilterRule.isEqual(HANDOFF_SORT_KEY) } } },
          }),
        ],
      }),
    );
    Validations.of(sync).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'dynamodb:ListStreams, which the stream event source needs, has no resource-level permissions; reading the ' +
        "stream itself is granted on this table's stream only.",
    });
    // Few syncs at a time at the Lambda level too; the lease lock in DynamoDB is the real guard. Three, not
    // one: the follow-up invocation of a run that handed off may start while the one that handed off is
    // still ending, a scheduled sync must reach the lock (and be recorded as skipped) rather than wait in
    // Lambda's queue behind a running one, and the stale check (every 5 minutes, under a second) must take
    // neither's slot.
    (sync.node.defaultChild as { reservedConcurrentExecutions?: number }).reservedConcurrentExecutions = 3;
  }

  /**
   * Item-level grants: a function may touch the items of the kinds it uses (dynamodb:LeadingKeys, the
   * partition key of every item a request names, transaction actions one by one), and no other. Local users'
   * password hashes are in the credentials table, which has no stream: only the users function writes them,
   * and only the logon function reads them, one by key (and the hashes saved in the one table before, which
   * nothing writes any more). With the customer key, a function may use it through DynamoDB and Secrets
   * Manager only, as far as its grants there need it (keyUseOf).
   */
  private grantLeastPrivilege(
    { table, credentials }: { readonly table: Table; readonly credentials: Table },
    secret: Secret,
    key: IKey | undefined,
  ): void {
    const { onItems, queryIndexes, readSecret } = statementsOn(table, secret);
    const grant = (name: FunctionName, ...statements: PolicyStatement[]) => {
      for (const statement of [...statements, ...(key ? keyUseOf(key, statements) : [])]) {
        this.functions[name].addToRolePolicy(statement);
      }
    };

    // config: the configuration item, the secret (read and write), and this stack's schedule (schedule.ts).
    grant(
      'config',
      onItems(['GetItem', 'PutItem'], ['config']),
      new PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
        resources: [secret.secretArn],
      }),
    );
    // start: takes the sync lock (and names the run holding it), records the run or preview it starts (the
    // record a failed start ends with, too) and reads it back while it waits; the approval of withheld
    // deletes lists the runs. It invokes the two workers and nothing else: no secret, no users.
    grant(
      'start',
      onItems(['GetItem'], ['config', 'lock']),
      onItems(['PutItem', 'DeleteItem'], ['lock', 'run', 'preview']),
      onItems(['Query'], ['run', 'preview']),
      queryIndexes(tableKeys.byKind),
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        // The functions themselves, not `function:*` (their versions and aliases), which grantInvoke adds.
        resources: [this.functions.sync.functionArn, this.functions['test-settings'].functionArn],
      }),
    );
    // test-settings: the configuration and the users it would change; writes its preview, nothing else.
    grant(
      'test-settings',
      onItems(['GetItem', 'BatchGetItem'], ['user', 'config']),
      onItems(['Query', 'PutItem', 'DeleteItem'], ['preview']),
      // The groups it would change: their members, by group (the listing is the index's).
      onItems(['Query'], ['group']),
      queryIndexes(tableKeys.byGuid, tableKeys.byKind),
      readSecret,
    );
    // directory: the configuration, and (to explain one user) the users it concerns, by name and by
    // objectGUID; it writes nothing.
    grant(
      'directory',
      onItems(['GetItem'], ['config']),
      onItems(['GetItem', 'BatchGetItem'], ['user']),
      queryIndexes(tableKeys.byGuid),
      readSecret,
    );
    // sync: reads the configuration and its own state, and the lock's holder (a started run whose lease is no
    // longer its own is not run; a scheduled run names the one holding it); writes users (and their archive
    // folders), runs (with their progress), the lock, the cursor, the checkpoint, handoffs and occurrence
    // claims (of the schedule, of continuations, and of the starts it was handed), the synchronized groups
    // (their items and member chunks), the last success (kept apart from the runs for the stale rules: written
    // when a run succeeds, read by the stale check), and the alerts the schedule raises (a stale sync). Never the
    // configuration.
    grant(
      'sync',
      onItems(
        ['GetItem', 'BatchGetItem', 'Query'],
        ['user', 'run', 'config', 'cursor', 'checkpoint', 'group'],
      ),
      // Whether a started run's lease is still its own when its event arrives.
      onItems(['GetItem'], ['lock']),
      onItems(
        ['PutItem', 'UpdateItem', 'DeleteItem'],
        ['user', 'archiveFolder', 'run', 'lock', 'cursor', 'checkpoint', 'handoff', 'occurrence', 'group'],
      ),
      // An alert is raised once (a conditional put) and gone with its TTL: never updated or deleted.
      onItems(['PutItem'], ['alert']),
      // The last success: one item, read and replaced whole by a later success; never updated or deleted.
      onItems(['GetItem', 'PutItem'], ['success']),
      queryIndexes(tableKeys.byGuid, tableKeys.byKind),
      readSecret,
    );
    // runs: the run history and the previews, the lock's holder (whether a running run's lease is its own), and
    // the configuration (its schedule and alert settings: the back-off and staleness the history shows), the last
    // success (the staleness, beyond the history it lists), and the change watch's state.
    grant(
      'runs',
      onItems(['Query'], ['run', 'preview']),
      onItems(['GetItem'], ['lock', 'config', 'watch', 'success']),
      queryIndexes(tableKeys.byKind),
    );
    // logon: the configuration (connection, lockout policy), a user and a local user's hash, each by its key
    // (the hash in the credentials table, or one saved in the one table before it existed); the failed-logon
    // counts; the guard, invoked. No secret, no index, no other write.
    grant(
      'logon',
      onItems(['GetItem'], ['config', 'user', 'password']),
      onItems(['GetItem'], ['password'], credentials),
      onItems(['UpdateItem', 'PutItem', 'DeleteItem'], ['logon']),
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [this.functions['logon-guard'].functionArn],
      }),
    );
    grant('watch', ...watcherGrants(table, statementsOn(table, secret), this.functions.sync));
    // logon-guard: the secret, read; no table, nothing written.
    grant('logon-guard', readSecret);
    // users: reads users and the configuration (default privileges); writes local users, and their hashes in
    // the credentials table (never in the one table: its stream would carry them). The groups routes: read.
    grant(
      'users',
      onItems(['GetItem'], ['user', 'config']),
      onItems(['Query'], ['group']),
      onItems(['PutItem', 'DeleteItem'], ['user']),
      onItems(['PutItem', 'DeleteItem'], ['password'], credentials),
      queryIndexes(tableKeys.byKind),
    );
  }
}

/**
 * The watcher's grants: what the start function needs to start a sync (the lock, the run's record, the runs),
 * the configuration and the secret (it binds as every run does), its own state, and the users' objectGUID
 * index (whether a user notified outside the scope is a synchronized one: moved out or deleted), for the users'
 * sync state only (syncStateQuery); it invokes the sync function and nothing else.
 */
function watcherGrants(
  table: Table,
  { onItems, queryIndexes, readSecret }: ReturnType<typeof statementsOn>,
  sync: AdSyncFunction,
): PolicyStatement[] {
  return [
    onItems(['GetItem'], ['config', 'lock', 'watch']),
    onItems(['PutItem', 'DeleteItem'], ['lock', 'run']),
    onItems(['PutItem'], ['watch']),
    onItems(['Query'], ['run']),
    queryIndexes(tableKeys.byKind),
    syncStateQuery(table),
    readSecret,
    new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [sync.functionArn] }),
  ];
}

/** The statements the grants are made of, on this stack's table (or another) and secret. */
function statementsOn(table: Table, secret: Secret) {
  return {
    onItems: (actions: readonly string[], kinds: readonly ItemKind[], on: Table = table) =>
      new PolicyStatement({
        actions: actions.map((action) => `dynamodb:${action}`),
        resources: [on.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': leadingKeys(...kinds) },
          // ForAllValues over no keys at all would hold: a request must name its keys.
          Null: { 'dynamodb:LeadingKeys': 'false' },
        },
      }),
    // The indexes hold users, runs and archive folders, never a password hash (its item has no index keys).
    queryIndexes: (...indexes: readonly { indexName: string }[]) =>
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: indexes.map((index) => `${table.tableArn}/index/${index.indexName}`),
      }),
    readSecret: new PolicyStatement({
      actions: ['secretsmanager:GetSecretValue'],
      resources: [secret.secretArn],
    }),
  };
}

/** Table writes: their data is encrypted (DynamoDB's table key is wrapped with the customer key). */
const TABLE_WRITES = /^dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem|TransactWriteItems)$/;

/**
 * What a role needs of the customer key for these grants: decrypting what it reads from the table or the
 * secret, and encrypting what it writes there; through that service only (keyUseVia).
 */
function keyUseOf(key: IKey, statements: readonly PolicyStatement[]): PolicyStatement[] {
  const actions = statements.flatMap((statement) => statement.actions);
  const uses: PolicyStatement[] = [];
  if (actions.some((action) => action.startsWith('dynamodb:'))) {
    uses.push(
      keyUseVia(key, 'dynamodb', [
        'kms:Decrypt',
        'kms:DescribeKey',
        ...(actions.some((action) => TABLE_WRITES.test(action))
          ? ['kms:Encrypt', 'kms:GenerateDataKey']
          : []),
      ]),
    );
  }
  if (actions.some((action) => action.startsWith('secretsmanager:'))) {
    uses.push(
      keyUseVia(key, 'secretsmanager', [
        'kms:Decrypt',
        ...(actions.includes('secretsmanager:PutSecretValue') ? ['kms:GenerateDataKey'] : []),
      ]),
    );
  }
  return uses;
}
