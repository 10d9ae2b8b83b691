import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

/** CloudWatch metrics in Embedded Metric Format (written to the log, no API call, no VPC endpoint needed). */
export const metrics = new Metrics({ namespace: 'AdSync', serviceName: 'ad-sync' });
export { MetricUnit };
