/**
 * The cdk-nag AwsSolutions findings this stack accepts, each acknowledged with its reason. Anything not
 * acknowledged here fails `cdk synth` and the CDK tests.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

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
