/**
 * The cdk-nag AwsSolutions findings this stack accepts, each acknowledged with its reason. Anything not
 * acknowledged here fails `cdk synth` and the CDK tests. Also AWS Control Tower's proactive controls this stack
 * does not meet by design (CONTROL_TOWER_ACKNOWLEDGMENTS), checked by cfn-guard in
 * test/unit/cdk/control-tower.test.ts (or `cdk synth -c controlTowerRules=true`).
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { AwsCustomResource } from 'aws-cdk-lib/custom-resources';
import type { IConstruct } from 'constructs';
import type { AdSyncSettings } from './ad-sync-settings';

/** Findings acknowledged for the whole stack: rule id (with the finding, where the rule has several) and why. */
const STACK_ACKNOWLEDGMENTS: ReadonlyArray<{ id: string; reason: string }> = [
  {
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason: 'The AWS managed policy for Lambda logging to CloudWatch Logs; AWS scopes it to exactly that.',
  },
  {
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
    reason:
      'The AWS managed policy for the network interfaces of functions in the VPC; AWS scopes it to exactly that.',
  },
  {
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
    reason:
      "API Gateway's account-level role for stage and access logs uses AWS's managed policy made for it.",
  },
  {
    id: 'AwsSolutions-SMG4',
    reason:
      'The secret is the password of an Active Directory account. AD owns that password; rotating it means changing it ' +
      'in AD and then in ad-sync (PUT /config), as docs/deploy.md describes.',
  },
  {
    id: 'AwsSolutions-SQS3',
    reason:
      'These queues are themselves dead-letter destinations (of the sync function, of the change-events pipe); a DLQ ' +
      'of a DLQ adds nothing.',
  },
  {
    id: 'AwsSolutions-APIG3',
    reason:
      'Every method requires IAM (SigV4) authorization and the stage is throttled; a WAF web ACL can be attached where ' +
      'the organisation runs one (docs/deploy.md).',
  },
  {
    id: 'AwsSolutions-COG4',
    reason: 'The API uses IAM authorization for administrators and automation, not Cognito user pools.',
  },
];

/** The actions Lambda's active tracing grants a function's role, on every resource (aws-lambda's Function). */
export const TRACING_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'] as const;

/**
 * A traced function's role sends its trace segments to X-Ray: these actions have no resource-level
 * permissions. Acknowledged on each function's role only; the CDK test checks that no other action of a
 * function's role has the resource `*` (except those acknowledged next to them with their own reasons).
 */
export function acknowledgeTracingPermissions(
  fn: IConstruct & { readonly role?: IConstruct | undefined },
): void {
  if (!fn.role) return;
  Validations.of(fn.role).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason: `X-Ray tracing: ${TRACING_ACTIONS.join(' and ')} support no resource-level permissions (the function's traces).`,
  });
}

/**
 * With a customer-managed key (context kmsKeyArn), CDK's own grants give the key's data-key actions with
 * wildcards: Queue.grantSendMessages (the sync function's failure destinations) and Bucket.grantReadWrite
 * (the console files' deployment handler). Our own statements name each action (landing-zone.ts keyUseVia).
 */
export function acknowledgeCustomerKeyGrants(stack: Stack): void {
  for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
    Validations.of(stack).acknowledge({
      id: `AwsSolutions-IAM5[Action::${action}]`,
      reason:
        "CDK's grants on the customer-managed key for sending to an encrypted queue and writing to an encrypted " +
        'bucket: the data-key actions KMS needs for that, on the one key given in kmsKeyArn.',
    });
  }
}

export function acknowledgeAcceptedFindings(stack: Stack): void {
  for (const acknowledgment of STACK_ACKNOWLEDGMENTS) Validations.of(stack).acknowledge(acknowledgment);
}

/**
 * A value (an ARN with references) as cdk-nag names it in a finding: references become `<LogicalId>`,
 * attributes `<LogicalId.Attribute>` and pseudo parameters `<AWS::Region>` (cdk-nag's flattenCfnReference),
 * while values known at synthesis (a region given by the environment) stay as they are.
 */
export function asNagFinding(scope: IConstruct, value: string): string {
  const flatten = (node: unknown): string => {
    if (node === undefined) return '';
    if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
    const intrinsic = node as Record<string, unknown>;
    if (Array.isArray(intrinsic['Fn::Join'])) {
      const [delimiter, items] = intrinsic['Fn::Join'] as [string, unknown[]];
      return items.map(flatten).join(delimiter);
    }
    if ('Fn::Sub' in intrinsic) return flatten(intrinsic['Fn::Sub']);
    if (Array.isArray(intrinsic['Fn::GetAtt'])) {
      const [resource, attribute] = intrinsic['Fn::GetAtt'] as [unknown, unknown];
      return `<${flatten(resource)}.${flatten(attribute)}>`;
    }
    if ('Ref' in intrinsic) return `<${flatten(intrinsic.Ref)}>`;
    return JSON.stringify(node);
  };
  return flatten(Stack.of(scope).resolve(value));
}

/** A Control Tower proactive control (cfn-guard rule) the stack does not meet by design, where, and why. */
export interface ControlTowerAcknowledgment {
  /** The control, as Control Tower names it (CT.<service>.PR.<n>). */
  readonly control: string;
  /** Its cfn-guard rule, as the validator reports it. */
  readonly rule: string;
  readonly reason: string;
  /** The constructs it applies to (paths below the stack; '' is the whole stack): each must exist. */
  readonly where: readonly string[];
  /** Only without a customer-managed key (context kmsKeyArn): with one, the control is met. */
  readonly withoutCustomerKey?: true;
}

/** The cdk-validator-cfnguard plugin's name: its rules are acknowledged as `<plugin>::<rule>`. */
export const CFN_GUARD_PLUGIN = 'cdk-validator-cfnguard';

/** CDK's deploy-time helper functions of the stack: the prefix-list lookup and the console's deployment. */
const CDK_HELPER_FUNCTIONS = [
  `AWS${AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`,
  'Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C',
];

/**
 * AWS Control Tower's proactive controls the stack does not meet, each acknowledged on the resources named (not
 * switched off for the stack: the same control on any other resource still fails the check). Every other control
 * of the cfn-guard rules bundled with @cdklabs/cdk-validator-cfnguard passes.
 */
export const CONTROL_TOWER_ACKNOWLEDGMENTS: readonly ControlTowerAcknowledgment[] = [
  {
    control: 'CT.LAMBDA.PR.3',
    rule: 'lambda_inside_vpc_check',
    where: [
      'Functions/ConfigFunction',
      'Functions/StartFunction',
      'Functions/RunsFunction',
      'Functions/UsersFunction',
      'Functions/OpenapiFunction',
      'Functions/EventsFunction',
    ],
    reason:
      'These functions talk to no domain controller: they call only AWS APIs (DynamoDB, Secrets Manager, Lambda, ' +
      "Scheduler) over TLS with IAM, and the start function invokes the workers through Lambda's public endpoint. In " +
      'the VPC they would need interface endpoints for Lambda and Scheduler (billed per AZ-hour). The functions ' +
      'that reach the directory (sync, test-settings, directory, logon) run in the VPC.',
  },
  {
    control: 'CT.LAMBDA.PR.3',
    rule: 'lambda_inside_vpc_check',
    where: CDK_HELPER_FUNCTIONS,
    reason:
      "CDK's deploy-time helpers (the DynamoDB prefix-list lookup, the console files' deployment) call EC2 and S3 " +
      'and answer CloudFormation through a pre-signed S3 URL; the VPC has no route to those (no NAT, no EC2 or S3 endpoint).',
  },
  {
    control: 'CT.LAMBDA.PR.2',
    rule: 'lambda_function_public_access_prohibited_check',
    where: ['Api'],
    reason:
      "False positive: each permission is API Gateway's (apigateway.amazonaws.com) with a SourceArn of this API's " +
      'stage, method and path; the rule accepts only a literal string or a direct Ref/GetAtt, and the ARN is built ' +
      "with Fn::Join from the API's id.",
  },
  {
    control: 'CT.SQS.PR.1',
    rule: 'sqs_dlq_check',
    where: ['Functions/SyncFailures', 'Events/ChangeEventFailures'],
    reason:
      "These queues are dead-letter destinations themselves (the sync function's failed invocations, the change-" +
      "events pipe's failed batches), not SQS redrive targets; a DLQ of a DLQ adds nothing, and an alarm fires on any message.",
  },
  {
    control: 'CT.CLOUDWATCH.PR.3',
    rule: 'cloudwatch_log_group_encrypted_check',
    where: [''],
    withoutCustomerKey: true,
    reason:
      "Without kmsKeyArn the log groups have CloudWatch Logs' default encryption (AWS-owned keys); a KMS key is " +
      'customer-managed only, and the stack uses the one given in kmsKeyArn.',
  },
  {
    control: 'CT.S3.PR.10',
    rule: 's3_bucket_default_encryption_kms_check',
    where: ['Console/ConsoleBucket'],
    withoutCustomerKey: true,
    reason:
      'Without kmsKeyArn the console files (the console build, no data) have S3-managed keys: CloudFront cannot ' +
      'read objects under the AWS-managed key aws/s3, whose policy admits no CloudFront distribution.',
  },
  {
    control: 'CT.S3.PR.10',
    rule: 's3_bucket_default_encryption_kms_check',
    where: ['Console/ConsoleLogs'],
    reason: 'S3 delivers server access logs only to a bucket with S3-managed keys (SSE-S3).',
  },
  {
    control: 'CT.S3.PR.2',
    rule: 's3_bucket_logging_enabled_check',
    where: ['Console/ConsoleLogs'],
    reason:
      'The log bucket itself: logging its access would log into itself, or need another bucket for that.',
  },
  {
    control: 'CT.S3.PR.4',
    rule: 's3_event_notifications_enabled_check',
    where: ['Console/ConsoleBucket', 'Console/ConsoleLogs'],
    reason:
      "Nothing consumes these buckets' object events: the console bucket changes only on deploy, the log bucket " +
      'receives logs.',
  },
  {
    control: 'CT.S3.PR.9',
    rule: 's3_bucket_object_lock_enabled_check',
    where: ['Console/ConsoleBucket', 'Console/ConsoleLogs'],
    reason:
      'Each deploy replaces and prunes the console files, and the logs expire after a year by lifecycle; both are ' +
      'versioned. Object Lock would keep what a deploy or the lifecycle must delete.',
  },
  {
    control: 'CT.CLOUDFRONT.PR.4',
    rule: 'cloudfront_origin_failover_enabled_check',
    where: ['Console/ConsoleDistribution'],
    reason:
      "The console's one origin is its bucket in the stack's region, where the API it calls runs too: a second " +
      'origin in another region would serve a console whose API is down with the region.',
  },
  ...[
    ['CT.CLOUDFRONT.PR.6', 'cloudfront_custom_ssl_certificate_check'],
    ['CT.CLOUDFRONT.PR.7', 'cloudfront_sni_enabled_check'],
    ['CT.CLOUDFRONT.PR.9', 'cloudfront_security_policy_check'],
  ].map(([control, rule]) => ({
    control: control as string,
    rule: rule as string,
    where: ['Console/ConsoleDistribution'],
    reason:
      "The console is served on the distribution's own *.cloudfront.net name, with CloudFront's default " +
      'certificate, for which CloudFront sets the TLS policy (browsers negotiate TLS 1.2 or 1.3). A custom domain ' +
      'with an ACM certificate (SNI, TLSv1.2_2021) needs a DNS name the stack does not have.',
  })),
];

/** The acknowledgments that apply to a deployment with these settings. */
export function controlTowerAcknowledgments(
  settings: Pick<AdSyncSettings, 'kmsKeyArn'>,
): ControlTowerAcknowledgment[] {
  return CONTROL_TOWER_ACKNOWLEDGMENTS.filter((ack) => !(ack.withoutCustomerKey && settings.kmsKeyArn));
}

/** Acknowledges CONTROL_TOWER_ACKNOWLEDGMENTS on the stack's constructs (an unknown path is an error). */
export function acknowledgeControlTowerFindings(
  stack: Stack,
  settings: Pick<AdSyncSettings, 'kmsKeyArn'>,
): void {
  for (const { control, rule, reason, where } of controlTowerAcknowledgments(settings)) {
    for (const path of where) {
      const construct =
        path === ''
          ? stack
          : path
              .split('/')
              .reduce<IConstruct | undefined>((parent, id) => parent?.node.tryFindChild(id), stack);
      if (!construct) throw new Error(`${control} is acknowledged on ${path}, which the stack does not have`);
      Validations.of(construct).acknowledge({
        id: `${CFN_GUARD_PLUGIN}::${rule}`,
        reason: `${control}: ${reason}`,
      });
    }
  }
}
