/**
 * Change events on AWS (docs/contract.md#change-events, docs/architecture.md#change-events-on-aws): an
 * EventBridge bus of the stack's own, fed by an EventBridge Pipe from the table's stream. The pipe keeps at
 * its source only the records that may be events (user items carrying a sync's mark; run records that end a
 * run failed or with deletes withheld, and alerts: the run events), has the `events`
 * function make the event of each (the one builder, shared/adapters/dynamodb/change-stream.ts), and puts
 * them on the bus with `source: "ad-sync"`, the event's type as `detail-type` and the event as `detail`.
 * Batches that keep failing go to a dead-letter queue (alarmed in alarms.ts). The event's JSON Schema
 * (docs/events.schema.json) is registered in a schema registry of the stack's own.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { type CfnEventBus, EventBus } from 'aws-cdk-lib/aws-events';
import { CfnRegistry, CfnSchema } from 'aws-cdk-lib/aws-eventschemas';
import {
  AnyPrincipal,
  Effect,
  PolicyDocument,
  PolicyStatement,
  Role,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnPipe } from 'aws-cdk-lib/aws-pipes';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  GROUP_SORT_KEY,
  itemKinds,
  RUN_SUMMARY_SORT_KEY,
  USER_SORT_KEY,
} from '../shared/adapters/dynamodb/keys';
import { tableKeys } from '../shared/adapters/dynamodb/table';
import { keyUseVia } from './landing-zone';
import { StackPart } from './stack-part';

/** The `source` of every change event on the bus (SPEC 7.4). */
export const EVENT_SOURCE = 'ad-sync';
/** The stack's name by default (cdk/app.ts): its bus is plainly `ad-sync`. */
const DEFAULT_STACK_NAME = 'AdSync';

/**
 * The bus's name, unique in the account and region: `ad-sync` for the stack of the default name, and
 * `ad-sync-<stack name>` for a stack deployed under another (`-c stackName=...`), so that two stacks in one
 * account (a test and a production deployment) each have their own. The schema registry has the same name.
 */
export const eventBusName = (stackName: string): string =>
  stackName === DEFAULT_STACK_NAME ? EVENT_SOURCE : `${EVENT_SOURCE}-${stackName}`;

/** The schema of the change events in the registry: EventBridge's `<source>@<name>` form. */
export const EVENT_SCHEMA_NAME = `${EVENT_SOURCE}@UserChange`;

/** The JSON Schema of the events (draft-04, the dialect the schema registry takes besides OpenAPI 3). */
export const EVENT_SCHEMA_FILE = fileURLToPath(new URL('../docs/events.schema.json', import.meta.url));

/** The schema of the run events (docs/contract.md#operators-are-told) in the registry. */
export const RUN_EVENT_SCHEMA_NAME = `${EVENT_SOURCE}@RunEvent`;
export const RUN_EVENT_SCHEMA_FILE = fileURLToPath(
  new URL('../docs/run-events.schema.json', import.meta.url),
);

/**
 * A user or group item (not the chunks of a group's members): their partition keys' prefixes (keys.ts: their IAM
 * patterns without the wildcard) and their sort keys, in one pattern: a pipe takes at most 5 filters. No item has
 * a user's partition key and a group's sort key, or the other way round.
 */
const markedKey = {
  [tableKeys.partitionKey]: {
    S: [{ prefix: itemKinds.user.replace(/\*$/, '') }, { prefix: itemKinds.group.replace(/\*$/, '') }],
  },
  [tableKeys.sortKey]: { S: [USER_SORT_KEY, GROUP_SORT_KEY] },
};
const runSummaryKey = {
  [tableKeys.partitionKey]: { S: [{ prefix: itemKinds.run.replace(/\*$/, '') }] },
  [tableKeys.sortKey]: { S: [RUN_SUMMARY_SORT_KEY] },
};
const alertKey = { [tableKeys.partitionKey]: { S: [{ prefix: itemKinds.alert.replace(/\*$/, '') }] } };
const markKind = (kind: readonly unknown[]) => ({ lastChange: { M: { kind: { S: kind } } } });

/**
 * The source filter of the pipe (EventBridge event patterns on the stream records, as Lambda and Pipes
 * deliver them): a write that left a user or group item marked with a change other than a delete, and the
 * removal of one marked for deletion; a run's end and an alert (below). The rest never leaves the stream: other
 * items (a group's member chunks among them), a user without a mark
 * (a local user), the mark before a delete, the removal of a rename's old key. The builder still decides
 * (the mark's version must be the item's: a later write that kept the mark passes the filter, and is no event).
 */
export const CHANGE_EVENT_FILTER_PATTERNS = [
  {
    eventName: ['INSERT', 'MODIFY'],
    dynamodb: { Keys: markedKey, NewImage: markKind([{ 'anything-but': ['delete'] }]) },
  },
  {
    eventName: ['REMOVE'],
    dynamodb: { Keys: markedKey, OldImage: markKind(['delete']) },
  },
  // Run events: a run record written failed or with deletes withheld (the builder keeps only the write that
  // changed the status to that), and an alert's insert (a stale sync).
  {
    eventName: ['INSERT', 'MODIFY'],
    dynamodb: { Keys: runSummaryKey, NewImage: { status: { S: ['failed', 'deletionThresholdExceeded'] } } },
  },
  { eventName: ['INSERT'], dynamodb: { Keys: alertKey } },
] as const;

/** Records per enrichment call (and per PutEvents, whose limit is 10 entries). */
const BATCH_SIZE = 10;
/** Tries of a failing batch before it goes to the DLQ (halved on each retry, to isolate one bad record). */
const MAXIMUM_RETRY_ATTEMPTS = 5;
/** The stream keeps records 24 hours: one older than that is gone anyway. */
const MAXIMUM_RECORD_AGE = Duration.hours(24);

export interface AdSyncEventsProps {
  readonly table: Table;
  /** The `events` function: the pipe's enrichment. */
  readonly enrichment: IFunction;
  /** The customer-managed key of the table and of the dead-letter queue, if given (landing-zone.ts). */
  readonly key: IKey | undefined;
}

export class AdSyncEvents extends StackPart {
  readonly bus: EventBus;
  readonly pipe: CfnPipe;
  /** Batches of stream records the pipe could not deliver (after its retries). */
  readonly failures: Queue;

  constructor(scope: Construct, id: string, { table, enrichment, key }: AdSyncEventsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const name = eventBusName(stack.stackName);
    const streamArn = table.tableStreamArn;
    if (!streamArn) throw new Error('the table has no stream: change events are made of its records');

    this.bus = new EventBus(this, 'ChangeEventBus', {
      eventBusName: name,
      description:
        "ad-sync's change events: a user created, updated or deleted by a sync (docs/events.schema.json)",
    });

    // SQS-managed encryption (the pipe's role needs no KMS key), or the customer key. A message names the failed
    // batch (the shard and its sequence numbers), not the users in it.
    this.failures = new Queue(this, 'ChangeEventFailures', {
      ...(key
        ? { encryption: QueueEncryption.KMS, encryptionMasterKey: key }
        : { encryption: QueueEncryption.SQS_MANAGED }),
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    const role = new Role(this, 'ChangeEventPipeRole', {
      description: 'ad-sync: the change-events pipe (table stream -> events function -> bus)',
      assumedBy: new ServicePrincipal('pipes.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    });
    // Exactly what the pipe does: read the stream, call the enrichment, put events, dead-letter a batch.
    role.addToPolicy(
      new PolicyStatement({
        actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        resources: [streamArn],
      }),
    );
    role.addToPolicy(new PolicyStatement({ actions: ['dynamodb:ListStreams'], resources: ['*'] }));
    role.addToPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [enrichment.functionArn] }),
    );
    role.addToPolicy(
      new PolicyStatement({ actions: ['events:PutEvents'], resources: [this.bus.eventBusArn] }),
    );
    role.addToPolicy(
      new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.failures.queueArn] }),
    );
    // With the customer key: decrypt the stream's records (through DynamoDB), encrypt a dead letter (through SQS).
    if (key) {
      role.addToPolicy(keyUseVia(key, 'dynamodb', ['kms:Decrypt']));
      role.addToPolicy(keyUseVia(key, 'sqs', ['kms:GenerateDataKey', 'kms:Decrypt']));
    }
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'dynamodb:ListStreams, which EventBridge Pipes requires of a DynamoDB stream source, has no resource-level ' +
        "permissions; reading the stream itself is granted on this table's stream only.",
    });

    this.pipe = new CfnPipe(this, 'ChangeEventPipe', {
      description: 'ad-sync change events: user items of the table stream -> events function -> bus',
      roleArn: role.roleArn,
      source: streamArn,
      sourceParameters: {
        filterCriteria: {
          filters: CHANGE_EVENT_FILTER_PATTERNS.map((pattern) => ({ pattern: JSON.stringify(pattern) })),
        },
        dynamoDbStreamParameters: {
          startingPosition: 'LATEST',
          batchSize: BATCH_SIZE,
          maximumRetryAttempts: MAXIMUM_RETRY_ATTEMPTS,
          maximumRecordAgeInSeconds: MAXIMUM_RECORD_AGE.toSeconds(),
          onPartialBatchItemFailure: 'AUTOMATIC_BISECT',
          deadLetterConfig: { arn: this.failures.queueArn },
        },
      },
      enrichment: enrichment.functionArn,
      target: this.bus.eventBusArn,
      targetParameters: {
        // Dynamic path parameters: the type and time of each event the enrichment answered; `detail` is the event.
        eventBridgeEventBusParameters: { source: EVENT_SOURCE, detailType: '$.type', time: '$.time' },
      },
    });
    // Only the pipe puts events on the bus. Anyone else in the account (a function, a person allowed
    // events:PutEvents on *) is refused, so a subscriber can trust that an ad-sync event came from the table.
    // (The bus's own Policy property: a separate AWS::Events::EventBusPolicy makes cdk-nag read a deprecated
    // property, and CDK warns at every synth.)
    (this.bus.node.defaultChild as CfnEventBus).policy = new PolicyDocument({
      statements: [
        new PolicyStatement({
          sid: 'OnlyThePipePutsEvents',
          effect: Effect.DENY,
          principals: [new AnyPrincipal()],
          actions: ['events:PutEvents'],
          // The bus's ARN by its name: its own GetAtt would make it depend on itself.
          resources: [stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: name })],
          conditions: { ArnNotEquals: { 'aws:PrincipalArn': role.roleArn } },
        }),
      ],
    }).toJSON();
    // The role's policy must exist before the pipe starts reading.
    const policy = role.node.tryFindChild('DefaultPolicy');
    if (policy) this.pipe.node.addDependency(policy);

    this.registerSchemas(name);
  }

  /** The events' JSON Schemas in a registry named as the bus: the change events and the run events. */
  private registerSchemas(name: string): void {
    const registry = new CfnRegistry(this, 'ChangeEventSchemaRegistry', {
      registryName: name,
      description: "ad-sync's change events (docs/events.schema.json)",
    });
    new CfnSchema(this, 'ChangeEventSchema', {
      registryName: registry.attrRegistryName,
      schemaName: EVENT_SCHEMA_NAME,
      type: 'JSONSchemaDraft4',
      description: `The events on the ${name} bus: source ${EVENT_SOURCE}, detail-type the event's type, detail the event`,
      content: JSON.stringify(JSON.parse(readFileSync(EVENT_SCHEMA_FILE, 'utf8'))),
    });
    new CfnSchema(this, 'RunEventSchema', {
      registryName: registry.attrRegistryName,
      schemaName: RUN_EVENT_SCHEMA_NAME,
      type: 'JSONSchemaDraft4',
      description: `The run events on the ${name} bus (sync.failed, sync.deletionsWithheld, sync.stale)`,
      content: JSON.stringify(JSON.parse(readFileSync(RUN_EVENT_SCHEMA_FILE, 'utf8'))),
    });
  }
}
