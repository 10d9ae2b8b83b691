import { App, type Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { API_STAGE } from '../../../cdk/api';
import { buildApp } from '../../../cdk/app';
import { HEAP_WRAPPER, SYNC_MEMORY_MB } from '../../../cdk/lambda-runtime';
import { TRACING_ACTIONS } from '../../../cdk/nag-suppressions';
import { guidIndexKey, type ItemKind, passwordKey } from '../../../shared/adapters/dynamodb/keys';
import { tableKeys } from '../../../shared/adapters/dynamodb/table';
import { USER_SYNC_STATE_ATTRIBUTES } from '../../../shared/adapters/dynamodb/user-items';
import { type FunctionName, functionNames, routes } from '../../../shared/api/routes';
import { STACK } from '../../../tools/cost-model';
import { functionIdPrefix, StackPolicies, sampleKeys, synthStack } from '../../support/iam-policy';

const synth = synthStack;
const { template } = synth();
const policies = new StackPolicies(template);
const functions = template.findResources('AWS::Lambda::Function', {
  Properties: { Description: Match.anyValue(), Runtime: Match.stringLikeRegexp('nodejs') },
});
const ourFunctions = Object.entries(functions).filter(([id]) =>
  /^(Config|Start|TestSettings|Sync|Runs|Users|Directory|Logon|LogonGuard|Openapi|Events|Watch)Function/.test(
    id,
  ),
);
const functionId = (prefix: string): string => {
  const found = ourFunctions.find(([id]) => id.startsWith(`${prefix}Function`));
  if (!found) throw new Error(`no ${prefix} function`);
  return found[0];
};
/** The logical id of a function of routes.ts (`test-settings` -> `TestSettingsFunction90246214`). */
const idOf = (name: FunctionName): string => functionId(functionIdPrefix(name).replace(/Function$/, ''));

/** X-Ray's actions, which every function's role has (its traces). */
const isTracing = (action: string): boolean => (TRACING_ACTIONS as readonly string[]).includes(action);

/** The actions of every statement of the function's role. */
const actionsOf = (name: FunctionName): string[] =>
  policies.statementsOf(name).flatMap((s) => [s.Action].flat());

describe('the AdSync stack', () => {
  it('runs every function on Node.js 24 and arm64', () => {
    expect(ourFunctions).toHaveLength(functionNames.length);
    for (const [, fn] of ourFunctions) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
    }
  });

  it('starts the sync and preview functions through the heap wrapper, with the memory the benchmark measures', () => {
    const wrapped = ourFunctions
      .filter(([, fn]) => fn.Properties.Environment?.Variables?.AWS_LAMBDA_EXEC_WRAPPER)
      .map(([id]) => id.replace(/Function.*/, ''));
    expect(wrapped.sort()).toEqual(['Sync', 'TestSettings']);
    for (const name of ['sync', 'test-settings'] as const) {
      expect(functions[idOf(name)]?.Properties).toMatchObject({
        MemorySize: SYNC_MEMORY_MB,
        Environment: { Variables: HEAP_WRAPPER.environment },
      });
    }
  });

  it('puts the functions that talk to AD in the VPC, and only those (not the start function)', () => {
    const inVpc = ourFunctions
      .filter(([, fn]) => fn.Properties.VpcConfig)
      .map(([id]) => id.replace(/Function.*/, ''));
    expect(inVpc.sort()).toEqual(['Directory', 'Logon', 'LogonGuard', 'Sync', 'TestSettings', 'Watch']);
  });

  it('has no NAT gateway and no internet gateway; DynamoDB and Secrets Manager through VPC endpoints', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith(['.dynamodb'])]) }),
    });
    // Two interface endpoints: Secrets Manager, and Lambda for the logon function's call of its guard (the
    // start function invokes Lambda from outside the VPC).
    const interfaceEndpoints = Object.values(
      template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: 'Interface' } }),
    );
    expect(
      interfaceEndpoints
        .map((e) => JSON.stringify(e.Properties.ServiceName).match(/\.(secretsmanager|lambda)/)?.[1])
        .sort(),
    ).toEqual(['lambda', 'secretsmanager']);
    for (const endpoint of interfaceEndpoints) expect(endpoint.Properties.PrivateDnsEnabled).toBe(true);
  });

  it('lets the functions out only to the DCs on 636 and 389 and to the endpoints on 443', () => {
    const groups = template.findResources('AWS::EC2::SecurityGroup', {
      Properties: { GroupDescription: Match.stringLikeRegexp('LDAPS/StartTLS') },
    });
    const egress = Object.values(groups)[0]?.Properties.SecurityGroupEgress as {
      FromPort: number;
      ToPort: number;
    }[];
    expect(egress.map((rule) => [rule.FromPort, rule.ToPort])).toEqual([
      [636, 636],
      [389, 389],
    ]);
    // 443 only to the Secrets Manager endpoint's security group and to DynamoDB's prefix list.
    const separate = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress')).map(
      (rule) => rule.Properties,
    );
    expect(separate).toEqual([
      expect.objectContaining({ FromPort: 443, ToPort: 443, DestinationSecurityGroupId: expect.anything() }),
      expect.objectContaining({ FromPort: 443, ToPort: 443, DestinationPrefixListId: expect.anything() }),
    ]);
    expect(JSON.stringify(template.toJSON())).not.toContain('0.0.0.0/0');
  });

  it('opens the global catalog ports only when asked', () => {
    const { template: withGc } = synth({ globalCatalog: 'true' });
    const groups = withGc.findResources('AWS::EC2::SecurityGroup', {
      Properties: { GroupDescription: Match.stringLikeRegexp('LDAPS/StartTLS') },
    });
    const ports = (
      (Object.values(groups)[0]?.Properties.SecurityGroupEgress ?? []) as { FromPort: number }[]
    ).map((r) => r.FromPort);
    expect(ports.sort()).toEqual([3268, 3269, 389, 636].sort());
  });

  it('keeps data in one DynamoDB table with on-demand billing, PITR, deletion protection, encryption and TTL', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
        // Previews, occurrence claims and handoffs expire: the stores write this attribute (epoch seconds).
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          Match.objectLike({ IndexName: 'gsi1' }),
          Match.objectLike({ IndexName: 'gsi2' }),
        ],
      },
    });
  });

  it("keeps local users' password hashes in a table of their own, kept as the other is, with no stream and no index", () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
    const { main, credentials } = policies.tableIds;
    const resources = template.toJSON().Resources;
    expect(resources[main].Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(resources[credentials]).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      },
    });
    for (const absent of ['StreamSpecification', 'GlobalSecondaryIndexes', 'TimeToLiveSpecification']) {
      expect(resources[credentials].Properties[absent], absent).toBeUndefined();
    }
  });

  it('lets only the users function write password hashes and only the logon function read them, in the credentials table, by key', () => {
    const { credentials } = policies.tableIds;
    const ACTIONS = ['GetItem', 'BatchGetItem', 'Query', 'Scan', 'PutItem', 'UpdateItem', 'DeleteItem'];
    const onCredentials = (name: FunctionName) =>
      Object.fromEntries(
        ACTIONS.map((action) => [action, policies.kindsAllowed(name, `dynamodb:${action}`, 'credentials')]),
      );
    const none = Object.fromEntries(ACTIONS.map((action) => [action, []]));
    for (const name of functionNames) {
      const expected =
        name === 'users'
          ? { ...none, PutItem: ['password'], DeleteItem: ['password'] }
          : name === 'logon'
            ? { ...none, GetItem: ['password'] }
            : none;
      expect(onCredentials(name), name).toEqual(expected);
      // Nor anything else there, in a batch or without a key.
      for (const action of ['BatchWriteItem', 'PartiQLSelect', 'DescribeTable', 'Scan']) {
        const request = {
          action: `dynamodb:${action}`,
          table: 'credentials' as const,
          resource: 'table' as const,
        };
        expect(policies.allows(name, { ...request, leadingKeys: [] }), `${name} ${action}`).toBe(false);
      }
      // In the one table, nobody writes a hash any more; the logon function reads those saved before.
      for (const action of ['PutItem', 'UpdateItem', 'DeleteItem']) {
        expect(policies.kindsAllowed(name, `dynamodb:${action}`), `${name} ${action}`).not.toContain(
          'password',
        );
      }
    }
    // No other role of the stack (the pipe's, the console's, CDK's own) names the credentials table.
    const roleOf = (name: FunctionName) => {
      const [, fn] = ourFunctions.find(([id]) => id === idOf(name)) ?? [];
      return fn?.Properties.Role['Fn::GetAtt'][0];
    };
    const naming = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.PolicyDocument).includes(credentials))
      .flatMap((policy) => policy.Properties.Roles.map((role: { Ref: string }) => role.Ref));
    expect(naming.sort()).toEqual([roleOf('logon'), roleOf('users')].sort());
    // And only the two functions that need it are told its name.
    const told = ourFunctions
      .filter(([, fn]) => fn.Properties.Environment?.Variables?.CREDENTIALS_TABLE_NAME)
      .map(([id]) => id.replace(/Function.*/, ''));
    expect(told.sort()).toEqual(['Logon', 'Users']);
  });

  it("lets the readers of a stream read only the one table's, which carries no password hash", () => {
    const { main, credentials } = policies.tableIds;
    const streamReads = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
      (
        policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]
      ).filter((statement) =>
        [statement.Action]
          .flat()
          .some((action) => /^dynamodb:(GetRecords|GetShardIterator|\*)$/.test(action)),
      ),
    );
    expect(streamReads.length).toBeGreaterThan(0);
    for (const statement of streamReads) {
      expect(JSON.stringify(statement.Resource)).toBe(JSON.stringify({ 'Fn::GetAtt': [main, 'StreamArn'] }));
      expect(JSON.stringify(statement)).not.toContain(credentials);
    }
  });

  it('creates the bind-password secret empty and retains it', () => {
    const secrets = template.findResources('AWS::SecretsManager::Secret');
    expect(Object.values(secrets)).toHaveLength(1);
    const [secret] = Object.values(secrets);
    expect(secret?.DeletionPolicy).toBe('Retain');
    expect(secret?.Properties.GenerateSecretString).toBeUndefined();
    expect(secret?.Properties.SecretString).toBeUndefined();
  });

  it('gives only the config function write access to the secret and to the schedule', () => {
    for (const name of functionNames) {
      const actions = actionsOf(name);
      expect(actions.includes('secretsmanager:PutSecretValue'), name).toBe(name === 'config');
      expect(actions.includes('scheduler:UpdateSchedule'), name).toBe(name === 'config');
    }
  });

  it('keeps the secret from the logon function: no Secrets Manager action in its role, no secret in its environment', () => {
    expect(
      actionsOf('logon').filter((action) => !action.startsWith('dynamodb:') && !isTracing(action)),
    ).toEqual(['lambda:InvokeFunction']);
    const logon = functions[idOf('logon')]?.Properties;
    // The tables, the guard, and the console's origin that every function answering the API is told (CORS).
    expect(Object.keys(logon.Environment.Variables).sort()).toEqual([
      'CONSOLE_ORIGIN',
      'CREDENTIALS_TABLE_NAME',
      'LOGON_GUARD_FUNCTION_NAME',
      'POWERTOOLS_SERVICE_NAME',
      'TABLE_NAME',
    ]);
    expect(JSON.stringify(logon.Environment)).not.toMatch(/BindPassword|secret/i);
    // No index either: it reads one user, and one hash, by key.
    for (const index of ['gsi1', 'gsi2']) {
      expect(
        policies.allows('logon', { action: 'dynamodb:Query', resource: `index/${index}`, leadingKeys: [] }),
      ).toBe(false);
    }
  });

  it('lets the logon function invoke the logon guard and nothing else; the guard reads the secret and no table', () => {
    const invokable = policies
      .statementsOf('logon')
      .filter((s) => s.Effect === 'Allow' && [s.Action].flat().includes('lambda:InvokeFunction'))
      .flatMap((s) => [s.Resource].flat() as { 'Fn::GetAtt': [string, string] }[])
      .map((resource) => resource['Fn::GetAtt']?.[0]);
    expect(invokable).toEqual([idOf('logon-guard')]);
    for (const name of functionNames.filter((n) => n !== 'logon')) {
      const others = policies
        .statementsOf(name)
        .filter((s) => [s.Action].flat().includes('lambda:InvokeFunction'))
        .flatMap((s) => [s.Resource].flat() as { 'Fn::GetAtt'?: [string, string] }[]);
      expect(
        others.map((r) => r['Fn::GetAtt']?.[0]),
        name,
      ).not.toContain(idOf('logon-guard'));
    }
    expect(
      actionsOf('logon-guard').filter((action) => !isTracing(action) && !action.startsWith('ec2:')),
    ).toEqual(['secretsmanager:GetSecretValue']);
    const guard = functions[idOf('logon-guard')]?.Properties;
    expect(Object.keys(guard.Environment.Variables).sort()).toEqual(['POWERTOOLS_SERVICE_NAME', 'SECRET_ID']);
    expect(guard.VpcConfig).toBeDefined();
  });

  it("bounds a logon within API Gateway's 29 s, with the CPU a scrypt hash check needs", () => {
    const logon = functions[idOf('logon')]?.Properties;
    expect(logon.Timeout).toBeLessThan(29);
    expect(logon.MemorySize).toBeGreaterThanOrEqual(1024);
  });

  it('keeps read-only routes from writing the table', () => {
    const writes = [
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
    ];
    for (const name of ['runs', 'directory', 'openapi'] as const) {
      expect(
        actionsOf(name).filter((a) => writes.includes(a)),
        name,
      ).toEqual([]);
    }
    expect(
      actionsOf('openapi').filter((a) => a.startsWith('dynamodb:') || a.startsWith('secretsmanager:')),
    ).toEqual([]);
  });

  it('lets the sync function do every table operation its code uses', () => {
    const actions = actionsOf('sync');
    for (const action of ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem']) {
      expect(actions, action).toContain(`dynamodb:${action}`);
    }
    expect(actions).toContain('secretsmanager:GetSecretValue');
  });

  it('grants each function the table writes of its own item kinds only (dynamodb:LeadingKeys)', () => {
    const writes = (name: FunctionName) =>
      Object.fromEntries(
        ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'ConditionCheckItem'].map((action) => [
          action,
          policies.kindsAllowed(name, `dynamodb:${action}`),
        ]),
      );
    const syncKinds: ItemKind[] = [
      'user',
      'archiveFolder',
      'run',
      'lock',
      'cursor',
      'checkpoint',
      'handoff',
      'occurrence',
      'group',
    ];
    // An alert is put once, never updated or deleted (its TTL removes it); the last success is put whole.
    expect(writes('sync')).toEqual({
      PutItem: [
        'user',
        'archiveFolder',
        'run',
        'lock',
        'cursor',
        'checkpoint',
        'success',
        'handoff',
        'occurrence',
        'group',
        'alert',
      ],
      UpdateItem: syncKinds,
      DeleteItem: syncKinds,
      BatchWriteItem: [],
      ConditionCheckItem: [],
    });
    expect(writes('config')).toMatchObject({ PutItem: ['config'], UpdateItem: [], DeleteItem: [] });
    // The start function: the lock, and the record of the run or preview it starts.
    expect(writes('start')).toEqual({
      PutItem: ['run', 'preview', 'lock'],
      UpdateItem: [],
      DeleteItem: ['run', 'preview', 'lock'],
      BatchWriteItem: [],
      ConditionCheckItem: [],
    });
    // Test Settings commits nothing: it writes its preview only.
    expect(writes('test-settings')).toEqual({
      PutItem: ['preview'],
      UpdateItem: [],
      DeleteItem: ['preview'],
      BatchWriteItem: [],
      ConditionCheckItem: [],
    });
    // Its users; their hashes go to the credentials table (below), never to the one table and its stream.
    expect(writes('users')).toMatchObject({
      PutItem: ['user'],
      UpdateItem: [],
      DeleteItem: ['user'],
      BatchWriteItem: [],
    });
    // The logon function counts failed logons, and writes nothing else.
    expect(writes('logon')).toEqual({
      PutItem: ['logon'],
      UpdateItem: ['logon'],
      DeleteItem: ['logon'],
      BatchWriteItem: [],
      ConditionCheckItem: [],
    });
    for (const name of functionNames.filter((n) => n !== 'logon')) {
      for (const action of ['PutItem', 'UpdateItem', 'DeleteItem']) {
        expect(policies.kindsAllowed(name, `dynamodb:${action}`), `${name} ${action}`).not.toContain('logon');
      }
    }
    for (const name of ['runs', 'directory', 'openapi'] as const) {
      expect(Object.values(writes(name)).flat(), name).toEqual([]);
    }
  });

  it('never lets the sync write the configuration, not even next to items it may write', () => {
    for (const action of ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'ConditionCheckItem']) {
      const authorization = {
        action: `dynamodb:${action}`,
        resource: 'table' as const,
        leadingKeys: [sampleKeys.user, sampleKeys.config],
      };
      expect(policies.allows('sync', authorization), action).toBe(false);
    }
  });

  it('grants each function the table reads of its own item kinds only; only the logon function reads password hashes, one by key', () => {
    const reads = (name: FunctionName) =>
      Object.fromEntries(
        ['GetItem', 'BatchGetItem', 'Query', 'Scan'].map((action) => [
          action,
          policies.kindsAllowed(name, `dynamodb:${action}`),
        ]),
      );
    type Reads = Partial<Record<'GetItem' | 'BatchGetItem' | 'Query', ItemKind[]>>;
    const syncReads: ItemKind[] = ['user', 'run', 'config', 'cursor', 'checkpoint', 'group'];
    const expected: Record<FunctionName, Reads> = {
      config: { GetItem: ['config'] },
      // The lock's holder (409 names the running run); the records it waits on.
      start: { GetItem: ['config', 'lock'], Query: ['run', 'preview'] },
      // The groups it would change: their members, by group.
      'test-settings': {
        GetItem: ['user', 'config'],
        BatchGetItem: ['user', 'config'],
        Query: ['preview', 'group'],
      },
      // And the lock: whether a started run's lease is still its own when its event arrives; the last success
      // (the stale check).
      sync: {
        GetItem: ['user', 'run', 'config', 'lock', 'cursor', 'checkpoint', 'success', 'group'],
        BatchGetItem: syncReads,
        Query: syncReads,
      },
      // Whether a running run's lease is still its own; the runs and the previews; the schedule and alert
      // settings (the back-off and staleness GET /sync/runs shows); the last success; the change watch's state.
      runs: { GetItem: ['config', 'lock', 'success', 'watch'], Query: ['run', 'preview'] },
      // The watcher: as the start function starts a sync (the lock's holder, the runs), and its own state.
      watch: { GetItem: ['config', 'lock', 'watch'], Query: ['run'] },
      // And the groups routes: a group's members, by group.
      users: { GetItem: ['user', 'config'], Query: ['group'] },
      // To explain one user: the users it concerns, by name (a key or a batch of keys) and objectGUID (gsi1).
      directory: { GetItem: ['user', 'config'], BatchGetItem: ['user'] },
      // One user and, for a local user created before the credentials table, its hash: by key, never in a
      // batch or a query (a newer hash: in the credentials table, below).
      logon: { GetItem: ['user', 'password', 'config'] },
      // Reads no table: the connection comes with the logon's request.
      'logon-guard': {},
      openapi: {},
      // The pipe's enrichment maps the stream records it is handed: it reads nothing.
      events: {},
    };
    for (const [name, kinds] of Object.entries(expected) as [FunctionName, Reads][]) {
      expect(reads(name), name).toEqual({
        GetItem: kinds.GetItem ?? [],
        BatchGetItem: kinds.BatchGetItem ?? [],
        Query: kinds.Query ?? [],
        Scan: [],
      });
      // Not even one hash among keys it may read.
      const batch = { resource: 'table' as const, leadingKeys: [sampleKeys.user, sampleKeys.password] };
      expect(policies.allows(name, { action: 'dynamodb:BatchGetItem', ...batch }), name).toBe(false);
    }
  });

  it('lets only the functions that list users or runs query the indexes, which hold no password hash', () => {
    const queries = (name: FunctionName) =>
      ['gsi1', 'gsi2'].filter((index) =>
        policies.allows(name, { action: 'dynamodb:Query', resource: `index/${index}`, leadingKeys: [] }),
      );
    expect(queries('sync')).toEqual(['gsi1', 'gsi2']);
    expect(queries('test-settings')).toEqual(['gsi1', 'gsi2']);
    expect(queries('users')).toEqual(['gsi2']);
    // An explained user's database record, by objectGUID.
    expect(queries('directory')).toEqual(['gsi1']);
    expect(queries('runs')).toEqual(['gsi2']);
    // The runs, as start; gsi1 for the users' sync state only (below), which this query does not name.
    expect(queries('watch')).toEqual(['gsi2']);
    // The approval of withheld deletes looks at the last runs.
    expect(queries('start')).toEqual(['gsi2']);
    for (const name of ['config', 'logon', 'openapi'] as const) expect(queries(name), name).toEqual([]);
    for (const name of functionNames) {
      expect(
        policies.allows(name, { action: 'dynamodb:Scan', resource: 'index/gsi2', leadingKeys: [] }),
        name,
      ).toBe(false);
    }
    // The hash item carries no index key, so no index can list it.
    expect(Object.keys(passwordKey('Alice')).sort()).toEqual([tableKeys.partitionKey, tableKeys.sortKey]);
  });

  it("lets the watcher query the objectGUID index for the users' sync state only (dynamodb:Attributes, dynamodb:Select)", () => {
    const onGuidIndex = policies
      .statementsOf('watch')
      .filter((s) => JSON.stringify(s.Resource).includes(`/index/${tableKeys.byGuid.indexName}`));
    expect(onGuidIndex.map(({ Action, Condition }) => ({ Action, Condition }))).toEqual([
      {
        Action: 'dynamodb:Query',
        Condition: {
          // The key attributes of the table and the index, which AWS asks such a policy to list, and the state.
          'ForAllValues:StringEquals': {
            'dynamodb:Attributes': ['pk', 'sk', 'gsi1pk', 'gsi1sk', ...USER_SYNC_STATE_ATTRIBUTES],
          },
          StringEquals: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
        },
      },
    ]);
    expect([...USER_SYNC_STATE_ATTRIBUTES].sort()).toEqual(['authentication', 'objectGuid', 'suspendedAt']);
    const query = (attributes: string[], select = 'SPECIFIC_ATTRIBUTES') =>
      policies.allows('watch', {
        action: 'dynamodb:Query',
        resource: `index/${tableKeys.byGuid.indexName}`,
        leadingKeys: [guidIndexKey('9b2d4c1e-0000-4000-9000-000000000001').gsi1pk],
        attributes,
        select,
      });
    const state = [tableKeys.byGuid.partitionKey, ...USER_SYNC_STATE_ATTRIBUTES];
    expect(query(state)).toBe(true);
    for (const select of ['ALL_ATTRIBUTES', 'ALL_PROJECTED_ATTRIBUTES', 'COUNT']) {
      expect(query([tableKeys.byGuid.partitionKey], select), select).toBe(false);
    }
    for (const attribute of [
      'fullName',
      'emailAddresses',
      'privileges',
      'groups',
      'attributes',
      'passwordHash',
    ]) {
      expect(query([...state, attribute]), attribute).toBe(false);
    }
    // The functions that read whole users by objectGUID (the sync, its preview, the explanation of a user) may.
    for (const name of ['sync', 'test-settings', 'directory'] as const) {
      expect(
        policies.allows(name, {
          action: 'dynamodb:Query',
          resource: `index/${tableKeys.byGuid.indexName}`,
          leadingKeys: [],
          attributes: [tableKeys.byGuid.partitionKey],
          select: 'ALL_ATTRIBUTES',
        }),
        name,
      ).toBe(true);
    }
  });

  it('bounds the sync: 15-minute timeout, reserved concurrency 3 (the lock admits one; a follow-up or a schedule, and a stale check, beside it), no async retries, failures to an encrypted queue', () => {
    expect(functions[functionId('Sync')]?.Properties).toMatchObject({
      Timeout: 900,
      ReservedConcurrentExecutions: 3,
    });
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: 'alias/aws/sqs' });
  });

  it("starts the workers asynchronously without retries (the run is recorded already); failed syncs to the failures queue, never a preview's event (it may carry a password)", () => {
    const configs = Object.fromEntries(
      Object.values(template.findResources('AWS::Lambda::EventInvokeConfig')).map((config) => [
        config.Properties.FunctionName.Ref,
        config.Properties,
      ]),
    );
    expect(Object.keys(configs).sort()).toEqual([functionId('Sync'), functionId('TestSettings')].sort());
    expect(configs[functionId('Sync')]).toMatchObject({
      MaximumRetryAttempts: 0,
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [expect.stringMatching(/^SyncFailures/), 'Arn'] } },
      },
    });
    expect(configs[functionId('TestSettings')].MaximumRetryAttempts).toBe(0);
    expect(configs[functionId('TestSettings')].DestinationConfig).toBeUndefined();
    expect(actionsOf('test-settings').filter((action) => action.startsWith('sqs:'))).toEqual([]);
  });

  it('gives a preview the 15 minutes a sync has, and judges previews running past that as failed', () => {
    const testSettings = functions[functionId('TestSettings')]?.Properties;
    expect(testSettings.Timeout).toBe(900);
    expect(functions[functionId('Runs')]?.Properties.Environment.Variables.PREVIEW_TIMEOUT_SECONDS).toBe(
      String(testSettings.Timeout),
    );
  });

  it("runs the start function outside the VPC, waiting at most 25 s within API Gateway's 29 s", () => {
    const start = functions[functionId('Start')]?.Properties;
    expect(start.VpcConfig).toBeUndefined();
    expect(start.Environment.Variables).toMatchObject({
      SYNC_FUNCTION_NAME: { Ref: functionId('Sync') },
      TEST_SETTINGS_FUNCTION_NAME: { Ref: functionId('TestSettings') },
      MAX_WAIT_SECONDS: '25',
      TABLE_NAME: { Ref: expect.stringMatching(/^Table/) },
    });
    // The wait, and time to start before it and to read the end after it; less than API Gateway's 29 s.
    expect(start.Timeout).toBeGreaterThan(25);
    expect(start.Timeout).toBeLessThanOrEqual(29);
  });

  it('lets the start function invoke the sync and test-settings functions and nothing else; no other function invokes any', () => {
    const invokes = (name: FunctionName) =>
      policies.statementsOf(name).filter((s) => [s.Action].flat().some((a) => a.startsWith('lambda:')));
    expect(invokes('start')).toEqual([
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: [
          { 'Fn::GetAtt': [functionId('Sync'), 'Arn'] },
          { 'Fn::GetAtt': [functionId('TestSettings'), 'Arn'] },
        ],
      },
    ]);
    // The watcher starts syncs as the start function does: the sync function, nothing else.
    expect(invokes('watch')).toEqual([
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: { 'Fn::GetAtt': [functionId('Sync'), 'Arn'] },
      },
    ]);
    // The logon function invokes its guard, and nothing else (tested below).
    for (const name of functionNames.filter((n) => n !== 'start' && n !== 'logon' && n !== 'watch')) {
      expect(invokes(name), name).toEqual([]);
    }
    // It starts operations, it does not run them: no secret, no user, no password hash.
    expect(
      actionsOf('start').filter(
        (a) => !a.startsWith('dynamodb:') && !a.startsWith('lambda:') && !isTracing(a),
      ),
    ).toEqual([]);
    for (const action of ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'DeleteItem']) {
      for (const kind of ['user', 'password'] as const) {
        expect(policies.kindsAllowed('start', `dynamodb:${action}`), action).not.toContain(kind);
      }
    }
  });

  it('continues a run past the deadline: only handoff inserts of the table stream start the sync function, once', () => {
    // Old and new images: the change-events pipe reads the stream too (events.test.ts); the mapping's filter
    // looks at the new image only, as before.
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
    const mappings = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'));
    expect(mappings).toHaveLength(1);
    const mapping = mappings[0]?.Properties;
    expect(mapping).toMatchObject({
      FunctionName: { Ref: functionId('Sync') },
      BatchSize: 1,
      MaximumRetryAttempts: 0,
      StartingPosition: 'LATEST',
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [expect.stringMatching(/^SyncFailures/), 'Arn'] } },
      },
    });
    expect(JSON.parse(mapping.FilterCriteria.Filters[0].Pattern)).toEqual({
      eventName: ['INSERT'],
      dynamodb: { NewImage: { sk: { S: ['HANDOFF'] } } },
    });
    expect(functions[functionId('Sync')]?.Properties).toMatchObject({
      Environment: { Variables: { CONTINUATIONS: 'stream' } },
    });
    // The sync writes while it reads and keeps nothing on disk: Lambda's default /tmp.
    expect(functions[functionId('Sync')]?.Properties.EphemeralStorage).toBeUndefined();
    for (const prefix of [
      'Config',
      'Start',
      'TestSettings',
      'Runs',
      'Users',
      'Directory',
      'Openapi',
      'Events',
    ]) {
      expect(
        functions[functionId(prefix)]?.Properties.Environment.Variables.CONTINUATIONS,
        prefix,
      ).toBeUndefined();
    }
  });

  it('lets Test Settings look users up by name (BatchGetItem)', () => {
    expect(actionsOf('test-settings')).toEqual(
      expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query']),
    );
  });

  it('requires IAM authorization on every method, one per route of the API (besides the CORS preflights)', () => {
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')).filter(
      (method) => method.Properties.HttpMethod !== 'OPTIONS',
    );
    expect(methods).toHaveLength(routes.length);
    for (const method of methods) expect(method.Properties.AuthorizationType).toBe('AWS_IAM');
    for (const method of methods) expect(method.Properties.RequestValidatorId).toBeDefined();
  });

  it('sends each route to the function routes.ts names; the workers serve none', () => {
    const resources = template.findResources('AWS::ApiGateway::Resource');
    const pathOf = (id: string): string => {
      const resource = resources[id];
      if (!resource) return '';
      const parent = resource.Properties.ParentId;
      return `${'Ref' in parent ? pathOf(parent.Ref) : ''}/${resource.Properties.PathPart}`;
    };
    const served = Object.values(
      template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: Match.not('OPTIONS') } }),
    ).map((method) => {
      const { HttpMethod, ResourceId, Integration } = method.Properties;
      const path = 'Ref' in ResourceId ? pathOf(ResourceId.Ref) : '/';
      const functionArn = JSON.stringify(Integration.Uri).match(/"Fn::GetAtt":\["(\w+)","Arn"\]/)?.[1];
      return `${HttpMethod} ${path} -> ${functionArn}`;
    });
    expect(served.sort()).toEqual(
      routes.map((route) => `${route.method} ${route.resource} -> ${idOf(route.function)}`).sort(),
    );
    expect(served).toEqual(
      expect.arrayContaining([
        `POST /sync -> ${functionId('Start')}`,
        `POST /test-settings -> ${functionId('Start')}`,
        `GET /test-settings/{previewId} -> ${functionId('Runs')}`,
      ]),
    );
    // API Gateway may invoke the functions that serve routes, not the workers.
    const invokedByApi = Object.values(template.findResources('AWS::Lambda::Permission'))
      .filter((permission) => permission.Properties.Principal === 'apigateway.amazonaws.com')
      .map((permission) => permission.Properties.FunctionName['Fn::GetAtt'][0]);
    expect(invokedByApi).not.toContain(functionId('Sync'));
    expect(invokedByApi).not.toContain(functionId('TestSettings'));
    expect(new Set(invokedByApi)).toEqual(new Set(routes.map((route) => idOf(route.function))));
  });

  it("lets API Gateway invoke a route's function from the deployed stage only: no test-invoke-stage permission", () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).filter(
      (permission) => permission.Properties.Principal === 'apigateway.amazonaws.com',
    );
    // One for each route (CDK's per method), each scoped to the deployed stage.
    expect(permissions).toHaveLength(routes.length);
    const [stageId] = Object.keys(
      template.findResources('AWS::ApiGateway::Stage', { Properties: { StageName: API_STAGE } }),
    );
    expect(stageId).toBeDefined();
    const sources = permissions.map((permission) => JSON.stringify(permission.Properties.SourceArn));
    expect(sources.filter((source) => source.includes('test-invoke-stage'))).toEqual([]);
    for (const source of sources) expect(source).toContain(JSON.stringify({ Ref: stageId }));
  });

  it("answers API Gateway's own errors in the error shape", () => {
    for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX']) {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"error":\\{"code"') },
      });
    }
  });

  it('logs API access, throttles, and never logs request bodies (they carry the password)', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
      MethodSettings: [
        Match.objectLike({
          DataTraceEnabled: false,
          LoggingLevel: 'ERROR',
          ThrottlingRateLimit: 10,
          ThrottlingBurstLimit: 20,
        }),
      ],
    });
  });

  it('schedules the sync with EventBridge Scheduler: no flexible window, its own retry policy', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(60 minutes)',
      State: 'DISABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: Match.objectLike({
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
        Input: JSON.stringify({ source: 'ad-sync.schedule', scheduledAt: '<aws.scheduler.scheduled-time>' }),
      }),
    });
    const { template: custom } = synth({ scheduleMinutes: '15', scheduleEnabled: 'true' });
    custom.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
    });
  });

  it('checks for a stale sync every 5 minutes whatever the schedule: the sync function, by the scheduler role', () => {
    const stale = Object.values(
      template.findResources('AWS::Scheduler::Schedule', {
        Properties: { Target: { Input: Match.stringLikeRegexp('ad-sync.stale-check') } },
      }),
    );
    expect(stale).toHaveLength(1);
    const [sync] = Object.values(
      template.findResources('AWS::Scheduler::Schedule', {
        Properties: { Target: { Input: Match.stringLikeRegexp('"ad-sync.schedule"') } },
      }),
    );
    expect(stale[0]?.Properties).toMatchObject({
      ScheduleExpression: 'rate(5 minutes)',
      // Always on: the sync's schedule is off by default, and PUT /config never touches this one.
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: { 'Fn::GetAtt': [functionId('Sync'), 'Arn'] },
        // The role the sync's schedule invokes it with: no role, and no grant, of its own.
        RoleArn: sync?.Properties.Target.RoleArn,
        Input: JSON.stringify({ source: 'ad-sync.stale-check', checkedAt: '<aws.scheduler.scheduled-time>' }),
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 300 },
      },
    });
    // The schedulers' role invokes the sync and watch functions, nothing else.
    const roleArn = sync?.Properties.Target.RoleArn as { 'Fn::GetAtt': [string, string] };
    const [schedulerRole] = roleArn['Fn::GetAtt'];
    const invoked = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(schedulerRole))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    expect(invoked).toEqual([
      {
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: [
          { 'Fn::GetAtt': [functionId('Sync'), 'Arn'] },
          { 'Fn::GetAtt': [functionId('Watch'), 'Arn'] },
        ],
      },
    ]);
  });

  it('alarms on failed sync runs, on a burst of refused logons and on function errors, to the topic from context', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AdSync',
      MetricName: 'SyncRunFailed',
      AlarmActions: [Match.anyValue()],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AdSync',
      MetricName: 'LogonFailed',
      Dimensions: [{ Name: 'service', Value: 'ad-sync' }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 20,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [Match.anyValue()],
    });
    const errorAlarms = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { MetricName: 'Errors' },
    });
    expect(Object.keys(errorAlarms)).toHaveLength(functionNames.length);
    // The cost model bills what is deployed: its alarms plus the watcher's (in watcherCost).
    template.resourceCountIs('AWS::CloudWatch::Alarm', STACK.alarms + 1);
    // CloudWatch can publish to the topic: not under the AWS-managed aws/sns, whose policy admits no CloudWatch
    // (with kmsKeyArn, under the customer key: landing-zone.test.ts).
    const topics = Object.values(template.findResources('AWS::SNS::Topic'));
    expect(topics).toHaveLength(1);
    expect(topics[0]?.Properties).not.toHaveProperty('KmsMasterKeyId');
    const topicArn = 'arn:aws:sns:eu-central-1:123456789012:ops-alarms';
    const { template: withTopic } = synth({ alarmTopicArn: topicArn });
    withTopic.resourceCountIs('AWS::SNS::Topic', 0);
    withTopic.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'SyncRunFailed',
      AlarmActions: [topicArn],
    });
  });

  it('sends the run events of the bus and a stale alarm to the operator topic; alertEmail subscribes an address', () => {
    const [ruleId, rule] = Object.entries(template.findResources('AWS::Events::Rule')).find(([, resource]) =>
      JSON.stringify(resource.Properties.EventPattern).includes('sync.failed'),
    ) ?? [undefined, undefined];
    expect(ruleId).toBeDefined();
    expect(rule?.Properties.EventPattern).toEqual({
      source: ['ad-sync'],
      'detail-type': ['sync.failed', 'sync.deletionsWithheld', 'sync.stale'],
    });
    const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic'));
    expect(rule?.Properties.Targets).toEqual([expect.objectContaining({ Arn: { Ref: topicId } })]);
    expect(rule?.Properties.EventBusName).toBeDefined();
    // The rule publishes with a role of its own, allowed sns:Publish on the topic: no topic policy lets
    // EventBridge (any account's rules) publish.
    expect(rule?.Properties.Targets[0].RoleArn).toBeDefined();
    const topicPolicies = Object.values(template.findResources('AWS::SNS::TopicPolicy'));
    for (const policy of topicPolicies) {
      expect(JSON.stringify(policy.Properties.PolicyDocument)).not.toContain('events.amazonaws.com');
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AdSync',
      MetricName: 'SyncStale',
      Statistic: 'Maximum',
      Threshold: 1,
      AlarmActions: [{ Ref: topicId }],
    });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    const { template: mailed } = synth({ alertEmail: 'ops@company.example' });
    mailed.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@company.example',
      TopicArn: Match.anyValue(),
    });
    const topicArn = 'arn:aws:sns:eu-central-1:123456789012:ops-alarms';
    const { template: given } = synth({ alarmTopicArn: topicArn, alertEmail: 'ops@company.example' });
    given.hasResourceProperties('AWS::SNS::Subscription', {
      Endpoint: 'ops@company.example',
      TopicArn: topicArn,
    });
    expect(() => synth({ alertEmail: 'not an address' })).toThrow(/alertEmail/);
  });

  it('uses an existing VPC from context without a lookup, and insists on the DC network', () => {
    const context = {
      vpcId: 'vpc-0123456789abcdef0',
      subnetIds: 'subnet-aaa,subnet-bbb',
      routeTableIds: 'rtb-aaa,rtb-bbb',
      dcCidrs: '10.1.0.0/24',
    };
    const { template: existing } = synth(context);
    existing.resourceCountIs('AWS::EC2::VPC', 0);
    existing.hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: { SubnetIds: ['subnet-aaa', 'subnet-bbb'], SecurityGroupIds: Match.anyValue() },
    });
    existing.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupEgress: Match.arrayWith([Match.objectLike({ CidrIp: '10.1.0.0/24', FromPort: 636 })]),
    });
    existing.hasResourceProperties('AWS::EC2::VPCEndpoint', { RouteTableIds: ['rtb-aaa', 'rtb-bbb'] });
    expect(() => synth({ vpcId: 'vpc-0123456789abcdef0', subnetIds: 'subnet-aaa' })).toThrow(/dcCidrs/);
    expect(() => synth({ ...context, routeTableIds: 'rtb-aaa' })).toThrow(/routeTableIds/);
    expect(() => synth({ vpcId: 'vpc-0123456789abcdef0', dcCidrs: '10.1.0.0/24' })).toThrow(/subnetIds/);
    expect(() => synth({ scheduleMinutes: '0' })).toThrow(/scheduleMinutes/);
  });
});

describe('the API resource policy', () => {
  const policyOf = (t: Template) => {
    const [api] = Object.values(t.findResources('AWS::ApiGateway::RestApi'));
    return api?.Properties.Policy as { Statement: Record<string, unknown>[] };
  };
  const deploymentOf = (t: Template) => Object.keys(t.findResources('AWS::ApiGateway::Deployment'));
  const invoke = { Action: 'execute-api:Invoke', Resource: 'execute-api:/*' };
  // The routes' methods: the denial covers them, and leaves the CORS preflights (OPTIONS) alone.
  const denied = {
    Action: 'execute-api:Invoke',
    Resource: ['DELETE', 'GET', 'POST', 'PUT'].map((method) => `execute-api:/*/${method}/*`),
  };
  // A browser's preflight carries no credentials: a method without authorization needs the policy's allow.
  const preflight = {
    Effect: 'Allow',
    Principal: { AWS: '*' },
    Action: 'execute-api:Invoke',
    Resource: 'execute-api:/v1/OPTIONS/*',
  };
  const consoleRole = {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':iam::',
        { Ref: 'AWS::AccountId' },
        ':role/AdSync-ConsoleAdmin-',
        { Ref: 'AWS::Region' },
      ],
    ],
  };

  it("allows the account's own principals (their IAM policies decide) when no adminPrincipals are given", () => {
    const root = {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']],
    };
    expect(policyOf(template).Statement).toEqual([
      { Effect: 'Allow', Principal: { AWS: root }, ...invoke },
      preflight,
      {
        Effect: 'Deny',
        Principal: { AWS: '*' },
        ...denied,
        Condition: { StringNotEquals: { 'aws:PrincipalAccount': [{ Ref: 'AWS::AccountId' }] } },
      },
    ]);
  });

  it("allows only the principals in adminPrincipals (a JSON array or comma-separated) and the console's role, and denies everyone else", () => {
    const admins = ['arn:aws:iam::123456789012:role/AdSyncAdmin', 'arn:aws:iam::123456789012:user/alice'];
    const { template: listed } = synth({ adminPrincipals: admins.join(', ') });
    expect(policyOf(listed).Statement).toEqual([
      { Effect: 'Allow', Principal: { AWS: admins }, ...invoke },
      preflight,
      {
        Effect: 'Deny',
        Principal: { AWS: '*' },
        ...denied,
        // The console's role, by the name the console part gives it: its own policy allows it this API.
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': [...admins, consoleRole] } },
      },
    ]);
    const [roleName] = Object.values(
      listed.findResources('AWS::IAM::Role', { Properties: { RoleName: Match.anyValue() } }),
    )
      .map((role) => role.Properties.RoleName)
      .filter((name) => JSON.stringify(name).includes('ConsoleAdmin'));
    expect(roleName).toEqual({ 'Fn::Join': ['', ['AdSync-ConsoleAdmin-', { Ref: 'AWS::Region' }]] });
    const { template: fromJson } = synth({ adminPrincipals: JSON.stringify(admins) });
    expect(policyOf(fromJson)).toEqual(policyOf(listed));
    // Another account's root stands for that account's principals.
    const { template: partner } = synth({
      adminPrincipals: [admins[0], 'arn:aws:iam::210987654321:root'],
    });
    expect(policyOf(partner).Statement[2]?.Condition).toEqual({
      ArnNotEquals: { 'aws:PrincipalArn': [admins[0], consoleRole] },
      StringNotEquals: { 'aws:PrincipalAccount': ['210987654321'] },
    });
    // A changed policy takes effect: the stage gets a new deployment.
    expect(deploymentOf(listed)).not.toEqual(deploymentOf(template));
  });

  it('refuses adminPrincipals that are not IAM principal ARNs', () => {
    for (const value of [
      'alice',
      '123456789012',
      'arn:aws:sts::123456789012:assumed-role/Admin/session',
      '[]',
    ]) {
      expect(() => synth({ adminPrincipals: value }), value).toThrow(/adminPrincipals/);
    }
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged in the stack', () => {
    const { app } = synth();
    expect(() => app.synth()).not.toThrow();
  });

  it('finds nothing unacknowledged with an email subscribed to the operator topic', () => {
    const { app } = synth({ alertEmail: 'ops@company.example' });
    expect(() => app.synth()).not.toThrow();
  });

  it('fails the synthesis on a finding nobody acknowledged', () => {
    const { app, stack } = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [] } }));
    new Bucket(stack as Stack, 'CarelessBucket');
    expect(() => app.synth()).toThrow(/AwsSolutions-S1|server access logs/);
  });
});
