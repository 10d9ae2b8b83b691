/**
 * The functions of ad-sync, one per route group (shared/api/routes.ts), with the sync function's triggers
 * (its failures queue and the table's handoff inserts), and exactly the permissions each function uses: the
 * items of the kinds it touches (dynamodb:LeadingKeys), the indexes it queries, the secret.
 */
import { Duration, Size, Validations } from 'aws-cdk-lib';
import type { ITable, Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
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
import type { FunctionNetwork } from './network';
import { StackPart } from './stack-part';

const SYNC_TIMEOUT = Duration.minutes(15);

export interface AdSyncFunctionsProps {
  readonly table: Table;
  readonly secret: Secret;
  readonly network: FunctionNetwork;
  /** The EventBridge schedule the config function keeps in step with the configuration. */
  readonly scheduleName: string;
}

export class AdSyncFunctions extends StackPart {
  readonly functions: Record<FunctionName, AdSyncFunction>;
  /** Where failed asynchronous and stream invocations of the sync function go. */
  readonly failures: Queue;

  constructor(scope: Construct, id: string, { table, secret, network, scheduleName }: AdSyncFunctionsProps) {
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

    this.failures = new Queue(this, 'SyncFailures', {
      encryption: QueueEncryption.KMS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const functions: Record<FunctionName, AdSyncFunction> = {
      config: fn('config', 'GET/PUT /config', {
        environment: { SCHEDULE_NAME: scheduleName },
      }),
      'test-settings': fn('test-settings', 'POST /test-settings', {
        network,
        timeout: Duration.minutes(5),
        memorySize: 1024,
      }),
      sync: fn('sync', 'POST /sync, the schedule and continuations', {
        network,
        timeout: SYNC_TIMEOUT,
        memorySize: 1024,
        environment: { CONTINUATIONS: 'stream' },
        // The plan is spooled to /tmp between the read and the apply (about 0.5 KB per change).
        ephemeralStorage: Size.gibibytes(2),
      }),
      runs: fn('runs', 'GET /sync/runs'),
      users: fn('users', 'GET/POST/DELETE /users'),
      directory: fn('directory', 'GET /directory/*', { network }),
      openapi: fn('openapi', 'GET /openapi.json'),
    };
    this.functions = functions;
    functions.sync.configureAsyncInvoke({ retryAttempts: 0, onFailure: new SqsDestination(this.failures) });
    // A run that nears its deadline inserts a handoff item; only those inserts reach the function.
    functions.sync.addEventSource(
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
    Validations.of(functions.sync).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'dynamodb:ListStreams, which the stream event source needs, has no resource-level permissions; reading the ' +
        "stream itself is granted on this table's stream only.",
    });
    // Few syncs at a time at the Lambda level too; the lease lock in DynamoDB is the real guard. Two, not
    // one: a second request must reach the lock and get 409, not a Lambda throttle that API Gateway turns
    // into an error of its own.
    (
      functions.sync.node.defaultChild as { reservedConcurrentExecutions?: number }
    ).reservedConcurrentExecutions = 2;

    this.grantLeastPrivilege(table, secret);
  }

  /**
   * Item-level grants: a function may touch the items of the kinds it uses (dynamodb:LeadingKeys, the
   * partition key of every item a request names, transaction actions one by one), and no other. Nobody
   * reads local users' password hashes (their own kind); only the users function writes them.
   */
  private grantLeastPrivilege(table: Table, secret: Secret): void {
    const onItems = (actions: readonly string[], kinds: readonly ItemKind[]) =>
      new PolicyStatement({
        actions: actions.map((action) => `dynamodb:${action}`),
        resources: [table.tableArn],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': leadingKeys(...kinds) },
          // ForAllValues over no keys at all would hold: a request must name its keys.
          Null: { 'dynamodb:LeadingKeys': 'false' },
        },
      });
    // The indexes hold users, runs and archive folders, never a password hash (its item has no index keys).
    const queryIndexes = (...indexes: readonly { indexName: string }[]) =>
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: indexes.map((index) => `${table.tableArn}/index/${index.indexName}`),
      });
    const readSecret = new PolicyStatement({
      actions: ['secretsmanager:GetSecretValue'],
      resources: [secret.secretArn],
    });
    const grant = (name: FunctionName, ...statements: PolicyStatement[]) => {
      for (const statement of statements) this.functions[name].addToRolePolicy(statement);
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
    // test-settings: the configuration and the users it would change; writes nothing.
    grant(
      'test-settings',
      onItems(['GetItem', 'BatchGetItem'], ['user', 'config']),
      queryIndexes(tableKeys.byGuid, tableKeys.byKind),
      readSecret,
    );
    // directory: the configuration only.
    grant('directory', onItems(['GetItem'], ['config']), readSecret);
    // sync: reads the configuration and its own state; writes users (and their archive folders), runs, the
    // lock, the cursor, the checkpoint, handoffs and occurrence claims. Never the configuration.
    grant(
      'sync',
      onItems(['GetItem', 'BatchGetItem', 'Query'], ['user', 'run', 'config', 'cursor', 'checkpoint']),
      onItems(
        ['PutItem', 'UpdateItem', 'DeleteItem'],
        ['user', 'archiveFolder', 'run', 'lock', 'cursor', 'checkpoint', 'handoff', 'occurrence'],
      ),
      queryIndexes(tableKeys.byGuid, tableKeys.byKind),
      readSecret,
    );
    // runs: the run history only.
    grant('runs', onItems(['Query'], ['run']), queryIndexes(tableKeys.byKind));
    // users: reads users and the configuration (default privileges); writes local users and their hashes.
    grant(
      'users',
      onItems(['GetItem'], ['user', 'config']),
      onItems(['PutItem', 'DeleteItem'], ['user', 'password']),
      queryIndexes(tableKeys.byKind),
    );
  }
}
