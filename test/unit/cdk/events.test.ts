/**
 * Change events on AWS (cdk/events.ts): the bus, the pipe from the table's stream (its source filter,
 * enrichment, target and dead-letter queue), the pipe's role, the alarm on the DLQ and the registered schema.
 */
import { readFileSync } from 'node:fs';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  CHANGE_EVENT_FILTER_PATTERNS,
  EVENT_SCHEMA_FILE,
  EVENT_SCHEMA_NAME,
  eventBusName,
  RUN_EVENT_SCHEMA_FILE,
  RUN_EVENT_SCHEMA_NAME,
} from '../../../cdk/events';
import { TRACING_ACTIONS } from '../../../cdk/nag-suppressions';
import { functionIdPrefix, StackPolicies, synthStack } from '../../support/iam-policy';

/** A resource of the template, as the assertions library types it. */
type Resource = ReturnType<Template['findResources']>[string];

const { template } = synthStack();
const resources = template.toJSON().Resources as Record<string, Resource>;
const idsOf = (type: string): string[] =>
  Object.entries(resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([id]) => id);
const only = (type: string): [string, Resource] => {
  const ids = idsOf(type);
  expect(ids, type).toHaveLength(1);
  const id = ids[0] as string;
  return [id, resources[id] as Resource];
};
const [busId, bus] = only('AWS::Events::EventBus');
const [pipeId, pipe] = only('AWS::Pipes::Pipe');
// The one table with a stream (the other, local users' password hashes, has none).
const { main: tableId } = new StackPolicies(template).tableIds;
const eventsFunctionId = idsOf('AWS::Lambda::Function').find(
  (id) => id.startsWith(functionIdPrefix('events')) && !id.includes('Logs'),
) as string;
const dlqId = (
  pipe.Properties.SourceParameters.DynamoDBStreamParameters.DeadLetterConfig.Arn as {
    'Fn::GetAtt': [string, string];
  }
)['Fn::GetAtt'][0];

describe('change events on AWS', () => {
  it('has a bus of its own, ad-sync for the default stack and ad-sync-<stack> for another', () => {
    expect(bus.Properties.Name).toBe('ad-sync');
    expect(eventBusName('AdSync')).toBe('ad-sync');
    const { template: second } = synthStack({ stackName: 'AdSyncStaging' });
    second.hasResourceProperties('AWS::Events::EventBus', { Name: 'ad-sync-AdSyncStaging' });
    second.hasResourceProperties('AWS::EventSchemas::Registry', { RegistryName: 'ad-sync-AdSyncStaging' });
    template.hasOutput('EventBusName', { Value: { Ref: busId } });
  });

  it('keeps the table stream with old and new images: a delete is made of the removed item', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
  });

  it("pipes the table's stream from its newest records, in small batches, retried, bisected, then to the DLQ", () => {
    expect(pipe.Properties.Source).toEqual({ 'Fn::GetAtt': [tableId, 'StreamArn'] });
    expect(pipe.Properties.SourceParameters.DynamoDBStreamParameters).toEqual({
      StartingPosition: 'LATEST',
      BatchSize: 10,
      MaximumRetryAttempts: 5,
      MaximumRecordAgeInSeconds: 86_400,
      OnPartialBatchItemFailure: 'AUTOMATIC_BISECT',
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
    });
  });

  it('filters at the source: user and group items that carry a mark, a removal only when marked for deletion; ending run records and alerts', () => {
    const patterns = (pipe.Properties.SourceParameters.FilterCriteria.Filters as { Pattern: string }[]).map(
      (filter) => JSON.parse(filter.Pattern),
    );
    // A user's or a group's item (not the chunks of a group's members), in one pattern: a pipe has 5 at most.
    const marked = { pk: { S: [{ prefix: 'USER#' }, { prefix: 'GROUP#' }] }, sk: { S: ['USER', 'GROUP'] } };
    expect(patterns.length).toBeLessThanOrEqual(5);
    expect(patterns).toEqual([
      {
        eventName: ['INSERT', 'MODIFY'],
        dynamodb: {
          Keys: marked,
          NewImage: { lastChange: { M: { kind: { S: [{ 'anything-but': ['delete'] }] } } } },
        },
      },
      {
        eventName: ['REMOVE'],
        dynamodb: { Keys: marked, OldImage: { lastChange: { M: { kind: { S: ['delete'] } } } } },
      },
      {
        eventName: ['INSERT', 'MODIFY'],
        dynamodb: {
          Keys: { pk: { S: [{ prefix: 'RUN#' }] }, sk: { S: ['REPORT'] } },
          NewImage: { status: { S: ['failed', 'deletionThresholdExceeded'] } },
        },
      },
      { eventName: ['INSERT'], dynamodb: { Keys: { pk: { S: [{ prefix: 'ALERT#' }] } } } },
    ]);
    expect(patterns).toEqual(JSON.parse(JSON.stringify(CHANGE_EVENT_FILTER_PATTERNS)));
  });

  it('enriches with the events function and puts on the bus: source ad-sync, detail-type and time from the event', () => {
    expect(pipe.Properties.Enrichment).toEqual({ 'Fn::GetAtt': [eventsFunctionId, 'Arn'] });
    expect(pipe.Properties.EnrichmentParameters).toBeUndefined();
    expect(pipe.Properties.Target).toEqual({ 'Fn::GetAtt': [busId, 'Arn'] });
    // No input template: each element the enrichment answers is the event's detail, as it is.
    expect(pipe.Properties.TargetParameters).toEqual({
      EventBridgeEventBusParameters: { Source: 'ad-sync', DetailType: '$.type', Time: '$.time' },
    });
  });

  it('runs the events function outside the VPC, told of no table and no secret, with no grant but its traces', () => {
    const fn = resources[eventsFunctionId]?.Properties;
    expect(fn).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
    expect(fn.VpcConfig).toBeUndefined();
    expect(fn.Environment.Variables).toEqual({ POWERTOOLS_SERVICE_NAME: 'ad-sync' });
    expect(new StackPolicies(template).statementsOf('events')).toEqual([
      { Effect: 'Allow', Action: [...TRACING_ACTIONS], Resource: '*' },
    ]);
  });

  it('gives the pipe a role of its own with exactly what it does, each on its one resource', () => {
    const roleId = (pipe.Properties.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const role = resources[roleId]?.Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Service: 'pipes.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
    ]);
    expect(role.ManagedPolicyArns).toBeUndefined();
    expect(role.Policies).toBeUndefined();
    const policies = Object.values(
      template.findResources('AWS::IAM::Policy', {
        Properties: { Roles: Match.arrayWith([{ Ref: roleId }]) },
      }),
    );
    expect(policies).toHaveLength(1);
    expect(policies[0]?.Properties.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
        Resource: { 'Fn::GetAtt': [tableId, 'StreamArn'] },
      },
      // No resource-level permissions exist for it (acknowledged with its reason).
      { Effect: 'Allow', Action: 'dynamodb:ListStreams', Resource: '*' },
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: { 'Fn::GetAtt': [eventsFunctionId, 'Arn'] },
      },
      { Effect: 'Allow', Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [busId, 'Arn'] } },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
    ]);
    // The role is the pipe's alone (the bus names it as the one principal that may put events), and the pipe
    // starts once its policy exists.
    const users = Object.values(resources).filter((r) =>
      JSON.stringify(r.Properties ?? {}).includes(`"${roleId}"`),
    );
    expect(users.map((r) => r.Type).sort()).toEqual([
      'AWS::Events::EventBus',
      'AWS::IAM::Policy',
      'AWS::Pipes::Pipe',
    ]);
    expect(template.toJSON().Resources[pipeId].DependsOn).toEqual([expect.stringMatching(/DefaultPolicy/)]);
  });

  it("refuses events:PutEvents on the bus to every principal but the pipe's role", () => {
    const roleId = (pipe.Properties.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const { Statement } = bus.Properties.Policy as { Statement: Record<string, unknown>[] };
    expect(Statement).toEqual([
      {
        Sid: 'OnlyThePipePutsEvents',
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'events:PutEvents',
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':events:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              `:event-bus/${bus.Properties.Name}`,
            ],
          ],
        },
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [roleId, 'Arn'] } } },
      },
    ]);
    // Nothing grants it: the deny is the bus policy's only statement, and no other policy names the bus.
    expect(idsOf('AWS::Events::EventBusPolicy')).toEqual([]);
  });

  it('keeps failed batches in an encrypted, TLS-only queue, and alarms on any message in it to the alarm topic', () => {
    expect(resources[dlqId]?.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: dlqId }],
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ],
      },
    });
    const [topicId] = idsOf('AWS::SNS::Topic');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
      Statistic: 'Maximum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topicId }],
    });
    const topicArn = 'arn:aws:sns:eu-central-1:123456789012:ops-alarms';
    synthStack({ alarmTopicArn: topicArn }).template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      AlarmActions: [topicArn],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: eventsFunctionId } }],
    });
  });

  it('registers the JSON Schemas of the change and run events (docs/, draft-04) in a registry of its own', () => {
    const [registryId, registry] = only('AWS::EventSchemas::Registry');
    expect(registry.Properties.RegistryName).toBe('ad-sync');
    const schemas = idsOf('AWS::EventSchemas::Schema').map((id) => resources[id] as Resource);
    expect(schemas.map((schema) => schema.Properties.SchemaName).sort()).toEqual(
      [EVENT_SCHEMA_NAME, RUN_EVENT_SCHEMA_NAME].sort(),
    );
    for (const [name, file] of [
      [EVENT_SCHEMA_NAME, EVENT_SCHEMA_FILE],
      [RUN_EVENT_SCHEMA_NAME, RUN_EVENT_SCHEMA_FILE],
    ] as const) {
      const schema = schemas.find((s) => s.Properties.SchemaName === name) as Resource;
      expect(schema.Properties).toMatchObject({
        RegistryName: { 'Fn::GetAtt': [registryId, 'RegistryName'] },
        Type: 'JSONSchemaDraft4',
      });
      expect(JSON.parse(schema.Properties.Content)).toEqual(JSON.parse(readFileSync(file, 'utf8')));
      expect(JSON.parse(schema.Properties.Content).$schema).toBe('http://json-schema.org/draft-04/schema#');
    }
  });
});
