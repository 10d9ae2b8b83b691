/**
 * AWS's prices the cost model uses (tools/cost-model.ts, docs/cost.md), each with its source and the date it
 * was read. Region: US East (N. Virginia), us-east-1.
 */

/** A price: its value in USD per unit, where it was read, and when. Region: US East (N. Virginia), us-east-1. */
export interface Price {
  readonly usd: number;
  readonly unit: string;
  readonly source: string;
  /** When the source was read (or, for an older page, the page's own date). */
  readonly read: string;
}

const READ = '2026-12-05';

export const PRICES = {
  endpointAzHour: {
    usd: 0.01,
    unit: 'interface VPC endpoint, per AZ-hour',
    source:
      'https://aws.amazon.com/privatelink/pricing/ (billing per AZ-hour); rate from https://awsnegotiations.com/privatelink-cost-analysis.html (May 2026)',
    read: READ,
  },
  secretMonth: {
    usd: 0.4,
    unit: 'Secrets Manager secret, per month',
    source: 'https://hivebook.wiki/wiki/aws-secrets-manager-rotated-secrets-dynamic-db-credentials-kms',
    read: READ,
  },
  secretsApiCall: {
    usd: 0.05 / 10_000,
    unit: 'Secrets Manager API call ($0.05 per 10,000)',
    source: 'https://hivebook.wiki/wiki/aws-secrets-manager-rotated-secrets-dynamic-db-credentials-kms',
    read: READ,
  },
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    unit: 'Lambda duration, Arm, per GB-second (first 7.5 billion)',
    source: 'https://cloudchipr.com/blog/aws-lambda-pricing (from AWS, us-east-1; 2024 guide)',
    read: READ,
  },
  lambdaRequest: {
    usd: 0.2 / 1_000_000,
    unit: 'Lambda request ($0.20 per million)',
    source: 'https://aws.amazon.com/lambda/pricing/',
    read: READ,
  },
  dynamoWriteUnit: {
    usd: 0.625 / 1_000_000,
    unit: 'DynamoDB on-demand write request unit ($0.625 per million)',
    source: 'https://airbyte.com/data-engineering-resources/dynamodb-pricing (after the November 2024 cut)',
    read: READ,
  },
  dynamoReadUnit: {
    usd: 0.125 / 1_000_000,
    unit: 'DynamoDB on-demand read request unit ($0.125 per million)',
    source: 'https://airbyte.com/data-engineering-resources/dynamodb-pricing (after the November 2024 cut)',
    read: READ,
  },
  dynamoStorageGbMonth: {
    usd: 0.25,
    unit: 'DynamoDB Standard storage, per GB-month (indexes included)',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    read: READ,
  },
  dynamoPitrGbMonth: {
    usd: 0.2,
    unit: 'DynamoDB point-in-time recovery, per GB-month',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    read: READ,
  },
  streamReadRequest: {
    usd: 0.02 / 100_000,
    unit: 'DynamoDB Streams GetRecords by a non-Lambda reader ($0.02 per 100,000; Lambda reads free)',
    source:
      'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CostOptimization_StreamsUsage.html; rate as in https://github.com/estuary/connectors/issues/5135 (2026-08-27)',
    read: READ,
  },
  apiRequest: {
    usd: 3.5 / 1_000_000,
    unit: 'API Gateway REST request ($3.50 per million, first 333 million)',
    source:
      'https://docs.aws.amazon.com/whitepapers/latest/best-practices-api-gateway-private-apis-integration/cost-optimization.html',
    read: READ,
  },
  schedulerInvocation: {
    usd: 1 / 1_000_000,
    unit: 'EventBridge Scheduler invocation ($1.00 per million; 14 million a month free)',
    source: 'https://cloudburn.io/blog/amazon-eventbridge-pricing (March 2026)',
    read: READ,
  },
  pipesRequest: {
    usd: 0.4 / 1_000_000,
    unit: 'EventBridge Pipes request after filtering ($0.40 per million, 64 KB chunks)',
    source: 'https://cloudburn.io/blog/amazon-eventbridge-pricing (March 2026)',
    read: READ,
  },
  customEvent: {
    usd: 1 / 1_000_000,
    unit: 'EventBridge custom event published ($1.00 per million)',
    source: 'https://cloudburn.io/blog/amazon-eventbridge-pricing (March 2026)',
    read: READ,
  },
  alarmMonth: {
    usd: 0.1,
    unit: 'CloudWatch standard-resolution alarm, per month',
    source: 'https://c3x.dev/resources/aws/aws_cloudwatch_metric_alarm',
    read: READ,
  },
  metricMonth: {
    usd: 0.3,
    unit: 'CloudWatch custom metric, per month (first 10,000)',
    source: 'https://signoz.io/guides/cloudwatch-pricing (February 2026)',
    read: READ,
  },
  dashboardMonth: {
    usd: 3,
    unit: 'CloudWatch dashboard, per month (3 free per account)',
    source:
      'https://www.factualminds.com/blog/amazon-cloudwatch-pricing-metrics-logs-alarms-dashboards/ (June 2026)',
    read: READ,
  },
  logIngestGb: {
    usd: 0.5,
    unit: 'CloudWatch Logs ingestion, per GB',
    source:
      'https://www.factualminds.com/blog/amazon-cloudwatch-pricing-metrics-logs-alarms-dashboards/ (June 2026)',
    read: READ,
  },
  xrayTrace: {
    usd: 5 / 1_000_000,
    unit: 'X-Ray trace recorded ($5.00 per million; 100,000 a month free)',
    source: 'https://aws.amazon.com/de/xray/pricing/',
    read: READ,
  },
} as const satisfies Record<string, Price>;

export type Prices = { readonly [K in keyof typeof PRICES]: Price };
