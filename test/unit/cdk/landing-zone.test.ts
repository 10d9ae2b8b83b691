import { App, type CfnResource, TagManager } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../../cdk/app';
import { settingsFromContext } from '../../../cdk/context';
import { TRACING_ACTIONS } from '../../../cdk/nag-suppressions';
import { functionNames } from '../../../shared/api/routes';
import { StackPolicies, synthStack } from '../../support/iam-policy';
import {
  ACCOUNT,
  BOUNDARY_ARN,
  EXISTING_NETWORK,
  KEY_ARN,
  LANDING_ZONE,
  REGION,
  TAGS,
} from '../../support/landing-zone-context';

/** Synthesizes the app for an account and region, as `cdk synth` does with credentials or a profile. */
function synthFor(context: Record<string, unknown>) {
  const { app, stack } = buildApp(
    new App({
      context: { 'aws:cdk:bundling-stacks': [], 'aws:cdk:disable-asset-staging': true, ...context },
    }),
    { account: ACCOUNT, region: REGION },
  );
  // The whole app, with cdk-nag's checks (a finding fails the synthesis).
  const assembly = app.synth();
  return { app, stack, assembly, template: Template.fromStack(stack) };
}

const settingsOf = (context: Record<string, unknown>) => settingsFromContext(new App({ context }));
const resourcesOf = (template: Template, type: string) => Object.entries(template.findResources(type));

describe('the context of a landing zone', () => {
  it('defaults to endpoints of its own, a year of logs, no tags and AWS-managed keys', () => {
    expect(settingsOf({})).toEqual({
      endpoints: 'create',
      globalCatalog: false,
      tags: {},
      logRetentionDays: 365,
      scheduleMinutes: 60,
      scheduleEnabled: false,
    });
  });

  it('reads every setting, lists as JSON arrays or comma-separated, tags as a JSON object', () => {
    const settings = settingsOf({
      ...EXISTING_NETWORK,
      ...LANDING_ZONE,
      subnetIds: '["subnet-0aaa", "subnet-0bbb"]',
      scheduleMinutes: '1',
    });
    expect(settings).toMatchObject({
      subnetIds: ['subnet-0aaa', 'subnet-0bbb'],
      endpoints: 'existing',
      endpointCidrs: ['10.0.8.0/24', '10.0.9.0/24'],
      endpointSecurityGroupId: 'sg-0123456789abcdef0',
      permissionsBoundaryArn: BOUNDARY_ARN,
      rolePath: '/applications/',
      roleNamePrefix: 'app-adsync-',
      kmsKeyArn: KEY_ARN,
      tags: TAGS,
      logRetentionDays: 731,
      scheduleMinutes: 1,
    });
    // cdk.json gives JSON values as they are.
    expect(settingsOf({ tags: TAGS, logRetentionDays: 400, globalCatalog: true })).toMatchObject({
      tags: TAGS,
      logRetentionDays: 400,
      globalCatalog: true,
    });
  });

  it('refuses a value that is not what its key asks for, naming the key', () => {
    const wrong: [Record<string, unknown>, RegExp][] = [
      [{ endpoints: 'shared' }, /context endpoints must be create or existing/],
      [{ endpoints: 'existing' }, /context endpoints existing needs vpcId/],
      [
        { ...EXISTING_NETWORK, endpointCidrs: undefined, endpointSecurityGroupId: undefined },
        /context endpoints existing needs endpointCidrs or endpointSecurityGroupId/,
      ],
      [{ endpointCidrs: '10.0.8.0/24' }, /context endpointCidrs .* needs endpoints=existing/],
      [
        { endpointSecurityGroupId: 'sg-0123456789abcdef0' },
        /context endpointSecurityGroupId .* endpoints=existing/,
      ],
      [{ ...EXISTING_NETWORK, endpointCidrs: '10.0.8.0/33' }, /context endpointCidrs must list IPv4 CIDRs/],
      [
        { ...EXISTING_NETWORK, endpointSecurityGroupId: 'endpoints' },
        /context endpointSecurityGroupId must be/,
      ],
      [
        { ...EXISTING_NETWORK, endpointAzs: '1' },
        /context endpointAzs applies to the endpoint the stack creates/,
      ],
      [{ endpointAzs: '0' }, /context endpointAzs must be a whole number from 1/],
      [
        { permissionsBoundaryArn: 'LandingZoneBoundary' },
        /context permissionsBoundaryArn must be the ARN of a managed policy/,
      ],
      [{ rolePath: 'applications' }, /context rolePath must be an IAM path/],
      [{ roleNamePrefix: 'a'.repeat(33) }, /context roleNamePrefix must be up to 32 characters/],
      [{ roleNamePrefix: 'app adsync' }, /context roleNamePrefix/],
      [{ kmsKeyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:alias/adsync` }, /context kmsKeyArn .* not an alias/],
      [{ tags: 'CostCenter=4711' }, /context tags must be a JSON object/],
      [{ tags: '["CostCenter"]' }, /context tags must be a JSON object/],
      [{ tags: '{"CostCenter":4711}' }, /context tags must give each tag a string value: CostCenter/],
      [{ tags: '{"aws:owner":"me"}' }, /context tags has a tag name AWS refuses/],
      [
        { tags: JSON.stringify({ Owner: 'x'.repeat(257) }) },
        /context tags has a value AWS refuses for tag Owner/,
      ],
      [{ logRetentionDays: '42' }, /context logRetentionDays must be one of the retentions/],
      [{ logRetentionDays: 'forever' }, /context logRetentionDays must be a whole number/],
      [{ scheduleMinutes: '0' }, /context scheduleMinutes must be a whole number from 1 to 10080/],
      [{ scheduleEnabled: 'yes' }, /context scheduleEnabled must be true or false/],
      [{ availabilityZones: 'a,b' }, /context availabilityZones must list availability zone names/],
      [{ dcCidrs: '10.1.0.0' }, /context dcCidrs must list IPv4 CIDRs/],
    ];
    for (const [context, error] of wrong)
      expect(() => settingsOf(context), JSON.stringify(context)).toThrow(error);
  });

  it('refuses a key of another region than the stack', () => {
    expect(() =>
      buildApp(new App({ context: { kmsKeyArn: KEY_ARN.replace(REGION, 'us-east-1') } }), {
        account: ACCOUNT,
        region: REGION,
      }),
    ).toThrow(/context kmsKeyArn names a key in us-east-1, and the stack deploys to eu-central-1/);
  });
});

describe('a stack in a landing zone (existing VPC and endpoints, boundary, role names, key, tags)', () => {
  const { stack, template } = synthFor({
    ...EXISTING_NETWORK,
    ...LANDING_ZONE,
    adminPrincipals: `arn:aws:iam::${ACCOUNT}:role/AdSyncAdmin`,
  });

  it('creates no VPC endpoint, and lets the functions reach the VPC ones on 443 (DynamoDB by its prefix list)', () => {
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    template.resourceCountIs('AWS::EC2::VPC', 0);
    const [[, group] = []] = resourcesOf(template, 'AWS::EC2::SecurityGroup');
    template.resourceCountIs('AWS::EC2::SecurityGroup', 1);
    const https = ((group?.Properties.SecurityGroupEgress ?? []) as Record<string, unknown>[]).filter(
      (rule) => rule.FromPort === 443,
    );
    expect(https).toEqual([
      expect.objectContaining({ CidrIp: '10.0.8.0/24', ToPort: 443, IpProtocol: 'tcp' }),
      expect.objectContaining({ CidrIp: '10.0.9.0/24', ToPort: 443, IpProtocol: 'tcp' }),
      expect.objectContaining({ DestinationSecurityGroupId: 'sg-0123456789abcdef0', ToPort: 443 }),
    ]);
    const separate = resourcesOf(template, 'AWS::EC2::SecurityGroupEgress').map(
      ([, rule]) => rule.Properties,
    );
    expect(separate).toEqual([
      expect.objectContaining({ FromPort: 443, ToPort: 443, DestinationPrefixListId: expect.anything() }),
    ]);
  });

  it("bounds every role, its custom resources' included, puts it on the path and names it with the prefix", () => {
    const roles = resourcesOf(template, 'AWS::IAM::Role');
    // The functions', the schedule's, the pipe's, the console's, API Gateway's and the custom resources'.
    expect(roles.length).toBeGreaterThanOrEqual(functionNames.length + 6);
    const names = new Set<string>();
    for (const [id, role] of roles) {
      expect(role.Properties.PermissionsBoundary, id).toBe(BOUNDARY_ARN);
      expect(role.Properties.Path, id).toBe('/applications/');
      const name = role.Properties.RoleName as string;
      expect(name, id).toMatch(/^app-adsync-[\w+=,.@-]+$/);
      expect(name.length, id).toBeLessThanOrEqual(64);
      names.add(name);
    }
    expect(names.size).toBe(roles.length);
    // The API admits the console's role (besides adminPrincipals) by its ARN, path and prefix included.
    const [[, api] = []] = resourcesOf(template, 'AWS::ApiGateway::RestApi');
    expect(JSON.stringify(api?.Properties.Policy)).toContain(
      `:role/applications/app-adsync-AdSync-ConsoleAdmin-${REGION}`,
    );
  });

  it('encrypts the table, the secret, every log group, every queue, the topic and the console files with the key', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: KEY_ARN },
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: KEY_ARN });
    const encrypted: [string, string][] = [
      ['AWS::Logs::LogGroup', 'KmsKeyId'],
      ['AWS::SQS::Queue', 'KmsMasterKeyId'],
      ['AWS::SNS::Topic', 'KmsMasterKeyId'],
    ];
    for (const [type, property] of encrypted) {
      const resources = resourcesOf(template, type);
      expect(resources.length, type).toBeGreaterThan(0);
      for (const [id, resource] of resources) expect(resource.Properties[property], id).toBe(KEY_ARN);
    }
    // The functions' six, the API's access logs, the custom resources' two.
    expect(resourcesOf(template, 'AWS::Logs::LogGroup').length).toBe(functionNames.length + 3);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: KEY_ARN },
            BucketKeyEnabled: true,
          },
        ],
      },
      VersioningConfiguration: { Status: 'Enabled' },
    });
  });

  it('lets each function use the key only through the services it uses, as far as its grants there go', () => {
    const policies = new StackPolicies(template);
    const keyUse = (name: (typeof functionNames)[number], service: string) =>
      policies
        .statementsOf(name)
        .filter(
          (s) =>
            JSON.stringify(s.Resource) === JSON.stringify(KEY_ARN) &&
            (JSON.stringify(s.Condition) ?? '').includes(`${service}.${REGION}.`),
        )
        .flatMap((s) => [s.Action].flat());
    expect(keyUse('config', 'dynamodb').sort()).toEqual(
      ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'].sort(),
    );
    expect(keyUse('config', 'secretsmanager').sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(keyUse('sync', 'secretsmanager')).toEqual(['kms:Decrypt']);
    // Read-only functions decrypt only; the logon function has no use of the secret's encryption.
    expect(keyUse('runs', 'dynamodb').sort()).toEqual(['kms:Decrypt', 'kms:DescribeKey']);
    expect(keyUse('logon', 'secretsmanager')).toEqual([]);
    expect(keyUse('events', 'dynamodb')).toEqual([]);
    // Nothing uses the key except through a service, but CDK's grants to the sync function: sending to its
    // failures queue (Queue.grantSendMessages) and reading the table's stream (Table.grantStreamRead).
    for (const name of functionNames) {
      const unconditioned = policies
        .statementsOf(name)
        .filter((s) => JSON.stringify(s.Resource) === JSON.stringify(KEY_ARN) && !s.Condition);
      expect(unconditioned.length, name).toBe(name === 'sync' ? 2 : 0);
    }
  });

  it('tags every taggable resource, and the stack', () => {
    const taggable = stack.node
      .findAll()
      .filter((c): c is CfnResource => TagManager.isTaggable(c) && 'cfnResourceType' in c);
    expect(taggable.length).toBeGreaterThan(20);
    const resources = template.toJSON().Resources as Record<string, { Properties?: unknown }>;
    for (const resource of taggable) {
      const logicalId = stack.resolve(resource.logicalId) as string;
      const properties = JSON.stringify(resources[logicalId]?.Properties ?? {});
      for (const [name, value] of Object.entries(TAGS)) {
        expect(properties, `${resource.cfnResourceType} ${logicalId}`).toContain(JSON.stringify(name));
        expect(properties, `${resource.cfnResourceType} ${logicalId}`).toContain(JSON.stringify(value));
      }
    }
    expect(stack.tags.tagValues()).toMatchObject(TAGS);
  });

  it('keeps every log group for the retention given', () => {
    for (const [id, group] of resourcesOf(template, 'AWS::Logs::LogGroup')) {
      expect(group.Properties.RetentionInDays, id).toBe(731);
    }
  });
});

describe('a new VPC for a pipeline: an account, no credentials', () => {
  const zones = { availabilityZones: `${REGION}a,${REGION}b` };

  it('synthesizes with an account and a region and looks nothing up, the given AZs in the template', () => {
    const { assembly, template } = synthFor(zones);
    expect(assembly.manifest.missing ?? []).toEqual([]);
    const azs = resourcesOf(template, 'AWS::EC2::Subnet').map(([, s]) => s.Properties.AvailabilityZone);
    expect(azs.sort()).toEqual([`${REGION}a`, `${REGION}b`]);
    // Without the AZs, the same synth needs a lookup (what a pipeline without credentials cannot do).
    expect(synthFor({}).assembly.manifest.missing?.map((m) => m.provider)).toEqual(['availability-zones']);
  });

  it('puts the Secrets Manager endpoint in one AZ with endpointAzs=1, and refuses more AZs than there are', () => {
    const { template } = synthFor({ ...zones, endpointAzs: '1', kmsKeyArn: KEY_ARN });
    const [[, endpoint] = []] = resourcesOf(template, 'AWS::EC2::VPCEndpoint').filter(
      ([, e]) => e.Properties.VpcEndpointType === 'Interface',
    );
    expect(endpoint?.Properties.SubnetIds).toHaveLength(1);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway' });
    expect(() => synthStack({ endpointAzs: '3' })).toThrow(/context endpointAzs is 3, and .* 2 AZs/);
  });
});

describe('the stack without landing-zone settings', () => {
  const { template } = synthStack();

  it('keeps AWS-managed encryption, and every log group a year', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', { SSESpecification: { SSEEnabled: true } });
    expect(JSON.stringify(template.toJSON())).not.toMatch(/KmsKeyId|KMSMasterKeyId|PermissionsBoundary/);
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: 'alias/aws/sqs' });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    for (const [id, group] of resourcesOf(template, 'AWS::Logs::LogGroup')) {
      expect(group.Properties.RetentionInDays, id).toBe(365);
    }
  });

  it('traces every function and the API stage, and grants nothing else on every resource', () => {
    const ours = resourcesOf(template, 'AWS::Lambda::Function').filter(([id]) =>
      /^(Config|Start|TestSettings|Sync|Runs|Users|Directory|Logon|LogonGuard|Openapi|Events|Watch)Function/.test(
        id,
      ),
    );
    expect(ours).toHaveLength(functionNames.length);
    for (const [id, fn] of ours) expect(fn.Properties.TracingConfig, id).toEqual({ Mode: 'Active' });
    template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'v1', TracingEnabled: true });
    // The X-Ray acknowledgment covers the resource `*` on the functions' roles: only X-Ray's actions (and
    // ListStreams, acknowledged next to the sync's stream mapping) may have it.
    const policies = new StackPolicies(template);
    for (const name of functionNames) {
      const everywhere = policies
        .statementsOf(name)
        .filter((s) => s.Resource === '*')
        .flatMap((s) => [s.Action].flat());
      expect(everywhere.sort(), name).toEqual(
        [...TRACING_ACTIONS, ...(name === 'sync' ? ['dynamodb:ListStreams'] : [])].sort(),
      );
    }
  });

  it('schedules every minute as EventBridge Scheduler writes it (rate(1 minute), singular)', () => {
    const { template: everyMinute } = synthStack({ scheduleMinutes: '1' });
    everyMinute.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(1 minute)' });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: Match.stringLikeRegexp('^rate\\(60 minutes\\)$'),
    });
  });
});
