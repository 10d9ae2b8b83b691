/**
 * The cdk-nag AwsSolutions findings this stack accepts, each acknowledged with its reason. Anything not
 * acknowledged here fails `cdk synth` and the CDK tests.
 */
import { type Stack, Validations } from 'aws-cdk-lib';

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
      'This queue is itself the dead-letter destination of the sync function; a DLQ of the DLQ adds nothing.',
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

export function acknowledgeAcceptedFindings(stack: Stack): void {
  for (const acknowledgment of STACK_ACKNOWLEDGMENTS) Validations.of(stack).acknowledge(acknowledgment);
}
