/**
 * ad-sync on AWS (SPEC section 6): the functions that talk to Active Directory in private subnets without a
 * NAT gateway (DynamoDB and Secrets Manager through VPC endpoints, egress only to the DCs and the
 * endpoints), one DynamoDB table, the bind password in Secrets Manager, API Gateway with IAM authorization,
 * an EventBridge Scheduler schedule, and alarms. Every function gets exactly the permissions it uses.
 */
import { CfnOutput, Duration, RemovalPolicy, Size, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  type Resource as ApiResource,
  AuthorizationType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import {
  AttributeType,
  BillingMode,
  type ITable,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import {
  FlowLogDestination,
  FlowLogTrafficType,
  GatewayVpcEndpointAwsService,
  InterfaceVpcEndpoint,
  InterfaceVpcEndpointAwsService,
  type IVpc,
  Peer,
  Port,
  SecurityGroup,
  Subnet,
  type SubnetSelection,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import {
  AnyPrincipal,
  ArnPrincipal,
  Effect,
  PolicyDocument,
  PolicyStatement,
  Role,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import { Alias } from 'aws-cdk-lib/aws-kms';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import { type CfnSecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { AwsCustomResource, AwsCustomResourcePolicy, PhysicalResourceId } from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';
import { HANDOFF_SORT_KEY, type ItemKind, leadingKeys } from '../shared/adapters/dynamodb/keys';
import { tableKeys } from '../shared/adapters/dynamodb/table';
import { type FunctionName, routes } from '../shared/api/routes';
import { AdSyncFunction } from './ad-sync-function';

/** Deployment parameters (cdk.json context or `-c name=value`); see docs/deploy.md. */
export interface AdSyncSettings {
  /** An existing VPC; without it the stack creates one with isolated subnets. */
  readonly vpcId?: string;
  readonly subnetIds?: readonly string[];
  /** The route tables of those subnets (for the DynamoDB gateway endpoint), in the same order. */
  readonly routeTableIds?: readonly string[];
  readonly availabilityZones?: readonly string[];
  /** Where the domain controllers are; required with an existing VPC, else the new VPC's CIDR. */
  readonly dcCidrs?: readonly string[];
  /** Also allow the global catalog ports (3268/3269). */
  readonly globalCatalog?: boolean;
  /** The alarm topic; without it the stack creates one. */
  readonly alarmTopicArn?: string;
  /**
   * The IAM principals (account roots, users, roles) allowed to call the API, by the API's resource policy;
   * without it, the principals of this account whose IAM policies allow `execute-api:Invoke`.
   */
  readonly adminPrincipals?: readonly string[];
  readonly scheduleMinutes: number;
  readonly scheduleEnabled: boolean;
}

const SYNC_TIMEOUT = Duration.minutes(15);

export class AdSyncStack extends Stack {
  constructor(scope: Construct, id: string, settings: AdSyncSettings, props?: StackProps) {
    super(scope, id, props);

    // ---- Network -------------------------------------------------------------------------------------
    const { vpc, subnets, dcCidrs } = this.network(settings);
    const endpointSecurityGroup = new SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc,
      description: 'Secrets Manager endpoint: HTTPS from the ad-sync functions only',
      allowAllOutbound: false,
    });
    const secretsEndpoint = new InterfaceVpcEndpoint(this, 'SecretsManagerEndpoint', {
      vpc,
      service: InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      subnets,
      privateDnsEnabled: true,
      securityGroups: [endpointSecurityGroup],
      // Not open to the whole VPC: only the functions' security group may connect (rule below).
      open: false,
    });
    vpc.addGatewayEndpoint('DynamoDbEndpoint', {
      service: GatewayVpcEndpointAwsService.DYNAMODB,
      subnets: [subnets],
    });

    const functionSecurityGroup = new SecurityGroup(this, 'DirectoryFunctionsSecurityGroup', {
      vpc,
      description: 'ad-sync functions: LDAPS/StartTLS to the domain controllers, HTTPS to the VPC endpoints',
      allowAllOutbound: false,
    });
    const ldapPorts = [636, 389, ...(settings.globalCatalog ? [3269, 3268] : [])];
    for (const cidr of dcCidrs) {
      for (const port of ldapPorts) {
        functionSecurityGroup.addEgressRule(
          Peer.ipv4(cidr),
          Port.tcp(port),
          `LDAP ${port} to the domain controllers`,
        );
      }
    }
    functionSecurityGroup.connections.allowTo(secretsEndpoint, Port.tcp(443), 'HTTPS to Secrets Manager');
    functionSecurityGroup.addEgressRule(
      Peer.prefixList(this.dynamoDbPrefixList()),
      Port.tcp(443),
      'HTTPS to DynamoDB (gateway endpoint)',
    );

    // ---- Data ----------------------------------------------------------------------------------------
    const table = new Table(this, 'Table', {
      partitionKey: { name: tableKeys.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableKeys.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: 'expiresAt',
      removalPolicy: RemovalPolicy.RETAIN,
      // Handoff inserts start the follow-up invocation of a run that nears the sync function's deadline.
      stream: StreamViewType.NEW_IMAGE,
    });
    for (const index of [tableKeys.byGuid, tableKeys.byKind]) {
      table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }

    // Created without a value: the config API writes the password; nothing else ever does.
    const secret = new Secret(this, 'BindPassword', {
      description: 'ad-sync: password of the AD bind account (written by PUT /config)',
      removalPolicy: RemovalPolicy.RETAIN,
    });
    (secret.node.defaultChild as CfnSecret).addPropertyDeletionOverride('GenerateSecretString');

    // ---- Functions -----------------------------------------------------------------------------------
    const baseEnvironment = {
      TABLE_NAME: table.tableName,
      SECRET_ID: secret.secretArn,
      POWERTOOLS_SERVICE_NAME: 'ad-sync',
      LOCK_LEASE_SECONDS: String(SYNC_TIMEOUT.toSeconds() + 60),
    };
    const network = { vpc, subnets, securityGroup: functionSecurityGroup };
    const scheduleName = `${this.stackName}-sync`;

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

    const failures = new Queue(this, 'SyncFailures', {
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
    functions.sync.configureAsyncInvoke({ retryAttempts: 0, onFailure: new SqsDestination(failures) });
    // A run that nears its deadline inserts a handoff item; only those inserts reach the function.
    functions.sync.addEventSource(
      new DynamoEventSource(table as ITable, {
        startingPosition: StartingPosition.LATEST,
        batchSize: 1,
        retryAttempts: 0,
        bisectBatchOnError: false,
        onFailure: new SqsDlq(failures),
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

    // Item-level grants: a function may touch the items of the kinds it uses (dynamodb:LeadingKeys, the
    // partition key of every item a request names, transaction actions one by one), and no other. Nobody
    // reads local users' password hashes (their own kind); only the users function writes them.
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
      for (const statement of statements) functions[name].addToRolePolicy(statement);
    };

    // config: the configuration item, the secret (read and write), and this stack's schedule (below).
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

    // ---- API -----------------------------------------------------------------------------------------
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: RetentionDays.ONE_YEAR });
    const api = new RestApi(this, 'Api', {
      restApiName: `${this.stackName}-api`,
      description: 'ad-sync HTTP API (SPEC section 4)',
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.DESTROY,
      defaultMethodOptions: { authorizationType: AuthorizationType.IAM },
      policy: this.apiPolicy(settings.adminPrincipals),
      deployOptions: {
        stageName: 'v1',
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: MethodLoggingLevel.ERROR,
        // Request bodies carry the bind password: never log them.
        dataTraceEnabled: false,
        metricsEnabled: true,
        throttlingRateLimit: 10,
        throttlingBurstLimit: 20,
      },
    });
    // API Gateway's own errors (no route, IAM denial, throttling, timeouts) in the error shape of SPEC section 4.
    for (const [id, type] of [
      ['Default4xx', ResponseType.DEFAULT_4XX],
      ['Default5xx', ResponseType.DEFAULT_5XX],
    ] as const) {
      api.addGatewayResponse(id, {
        type,
        templates: {
          'application/json':
            '{"error":{"code":"$context.error.responseType","message":$context.error.messageString}}',
        },
      });
    }
    const validator = api.addRequestValidator('Validator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const resources = new Map<string, ApiResource>();
    const resourceFor = (path: string): ApiResource => {
      let resource = api.root as ApiResource;
      let current = '';
      for (const part of path.split('/').filter(Boolean)) {
        current += `/${part}`;
        resource = resources.get(current) ?? resource.addResource(part);
        resources.set(current, resource);
      }
      return resource;
    };
    const integrations = new Map<FunctionName, LambdaIntegration>();
    for (const route of routes) {
      const integration =
        integrations.get(route.function) ?? new LambdaIntegration(functions[route.function]);
      integrations.set(route.function, integration);
      const parameters = [...route.resource.matchAll(/\{(\w+)\}/g)].map(
        ([, name]) => `method.request.path.${name}`,
      );
      resourceFor(route.resource).addMethod(route.method, integration, {
        authorizationType: AuthorizationType.IAM,
        requestValidator: validator,
        requestParameters: Object.fromEntries(parameters.map((p) => [p, true])),
      });
    }

    // ---- Schedule ------------------------------------------------------------------------------------
    const schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: 'EventBridge Scheduler: invoke the ad-sync sync function',
    });
    // The function itself, not `function:*` (its versions and aliases), which grantInvoke would add.
    schedulerRole.addToPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [functions.sync.functionArn] }),
    );
    const schedule = new CfnSchedule(this, 'Schedule', {
      name: scheduleName,
      description: 'ad-sync scheduled sync; PUT /config keeps state and rate in step with the configuration',
      scheduleExpression: `rate(${settings.scheduleMinutes} minutes)`,
      state: settings.scheduleEnabled ? 'ENABLED' : 'DISABLED',
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: functions.sync.functionArn,
        roleArn: schedulerRole.roleArn,
        input: JSON.stringify({ source: 'ad-sync.schedule', scheduledAt: '<aws.scheduler.scheduled-time>' }),
        retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
      },
    });
    const scheduleArn = `arn:${this.partition}:scheduler:${this.region}:${this.account}:schedule/default/${scheduleName}`;
    functions.config.addToRolePolicy(
      new PolicyStatement({
        actions: ['scheduler:GetSchedule', 'scheduler:UpdateSchedule'],
        resources: [scheduleArn],
      }),
    );
    functions.config.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['iam:PassRole'],
        resources: [schedulerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );

    // ---- Alarms --------------------------------------------------------------------------------------
    const topic: ITopic = settings.alarmTopicArn
      ? Topic.fromTopicArn(this, 'AlarmTopic', settings.alarmTopicArn)
      : new Topic(this, 'AlarmTopic', {
          displayName: 'ad-sync alarms',
          enforceSSL: true,
          masterKey: Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
        });
    const alarm = new SnsAction(topic);
    new Alarm(this, 'SyncFailedAlarm', {
      alarmDescription: 'A sync run failed (the run report in GET /sync/runs says why)',
      metric: new Metric({
        namespace: 'AdSync',
        metricName: 'SyncRunFailed',
        dimensionsMap: { service: 'ad-sync' },
        statistic: 'Sum',
        period: Duration.minutes(15),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(alarm);
    for (const [name, func] of Object.entries(functions)) {
      new Alarm(this, `${func.node.id}Errors`, {
        alarmDescription: `The ${name} function failed`,
        metric: func.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(alarm);
    }

    new CfnOutput(this, 'ApiUrl', { value: api.url, description: 'adsync --api <this url>' });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'SecretArn', { value: secret.secretArn });
    new CfnOutput(this, 'ScheduleName', { value: schedule.ref });
    new CfnOutput(this, 'SyncFailureQueueUrl', { value: failures.queueUrl });
  }

  private network(settings: AdSyncSettings): { vpc: IVpc; subnets: SubnetSelection; dcCidrs: string[] } {
    if (settings.vpcId) {
      const subnetIds = settings.subnetIds ?? [];
      if (subnetIds.length === 0)
        throw new Error('context vpcId needs subnetIds: the private subnets that reach the DCs');
      if (!settings.dcCidrs?.length)
        throw new Error('context vpcId needs dcCidrs: the CIDRs of the domain controllers');
      const routeTableIds = settings.routeTableIds ?? [];
      if (routeTableIds.length !== subnetIds.length) {
        throw new Error(
          'context vpcId needs routeTableIds: the route table of each subnet in subnetIds, in the same order',
        );
      }
      const availabilityZones = [
        ...(settings.availabilityZones ?? subnetIds.map((_, i) => `${this.region}${'abcdef'[i]}`)),
      ];
      const vpc = Vpc.fromVpcAttributes(this, 'Vpc', { vpcId: settings.vpcId, availabilityZones });
      const subnets = {
        subnets: subnetIds.map((subnetId, i) =>
          Subnet.fromSubnetAttributes(this, `Subnet${i}`, {
            subnetId,
            routeTableId: routeTableIds[i] as string,
            availabilityZone: availabilityZones[i % availabilityZones.length] as string,
          }),
        ),
      };
      return { vpc, subnets, dcCidrs: [...settings.dcCidrs] };
    }
    // The cast only bridges aws-cdk-lib's optional properties and exactOptionalPropertyTypes.
    const vpc: IVpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'isolated', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      flowLogs: {
        rejected: {
          destination: FlowLogDestination.toCloudWatchLogs(),
          trafficType: FlowLogTrafficType.REJECT,
        },
      },
    }) as unknown as IVpc;
    return {
      vpc,
      subnets: { subnetType: SubnetType.PRIVATE_ISOLATED },
      dcCidrs: settings.dcCidrs?.length ? [...settings.dcCidrs] : [vpc.vpcCidrBlock],
    };
  }

  /**
   * The API's resource policy: the given principals may invoke it and everyone else is denied, even a
   * principal of this account whose IAM policy allows execute-api:Invoke (within an account, an allow of
   * either policy would do). An account root stands for the principals of that account.
   */
  private apiPolicy(principals?: readonly string[]): PolicyDocument {
    const given = principals ?? [`arn:${this.partition}:iam::${this.account}:root`];
    const roots = given.filter((arn) => arn.endsWith(':root'));
    const others = given.filter((arn) => !arn.endsWith(':root'));
    const invoke = { actions: ['execute-api:Invoke'], resources: ['execute-api:/*'] };
    const accountOf = (root: string) => (principals ? (root.split(':')[4] as string) : this.account);
    return new PolicyDocument({
      statements: [
        new PolicyStatement({ ...invoke, principals: given.map((arn) => new ArnPrincipal(arn)) }),
        new PolicyStatement({
          ...invoke,
          effect: Effect.DENY,
          principals: [new AnyPrincipal()],
          conditions: {
            ...(others.length > 0 ? { ArnNotEquals: { 'aws:PrincipalArn': others } } : {}),
            ...(roots.length > 0
              ? { StringNotEquals: { 'aws:PrincipalAccount': roots.map(accountOf) } }
              : {}),
          },
        }),
      ],
    });
  }

  /** The region's DynamoDB prefix list (for the gateway endpoint egress rule), looked up at deploy time. */
  private dynamoDbPrefixList(): string {
    const lookup = new AwsCustomResource(this, 'DynamoDbPrefixList', {
      onUpdate: {
        service: 'EC2',
        action: 'describeManagedPrefixLists',
        parameters: {
          Filters: [{ Name: 'prefix-list-name', Values: [`com.amazonaws.${this.region}.dynamodb`] }],
        },
        physicalResourceId: PhysicalResourceId.of(`dynamodb-prefix-list-${this.region}`),
        outputPaths: ['PrefixLists.0.PrefixListId'],
      },
      policy: AwsCustomResourcePolicy.fromSdkCalls({ resources: AwsCustomResourcePolicy.ANY_RESOURCE }),
      installLatestAwsSdk: false,
    });
    Validations.of(lookup).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'ec2:DescribeManagedPrefixLists supports no resource-level permissions; the call only reads the public list id.',
    });
    return lookup.getResponseField('PrefixLists.0.PrefixListId');
  }
}
