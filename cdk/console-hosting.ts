/**
 * Where the admin console's files live in AWS, and how they get there: a private bucket behind CloudFront
 * (origin access control, HTTPS, the console's security headers), both logging to a log bucket; and the
 * deployment of the console build with the `config.json` of this deployment.
 */

import {
  Annotations,
  DefaultStackSynthesizer,
  Duration,
  RemovalPolicy,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import {
  AllowedMethods,
  CachedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  S3OriginAccessControl,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import { consoleContentSecurityPolicy } from '../console/security-headers';
import type { ConsoleAwsConfig } from '../shared/api/console-config';
import { consoleSource } from './console-build';
import { asNagFinding } from './nag-suppressions';

/** The console's `/config.json` as a deployment writes it: the shape the console reads (one for both). */
export type ConsoleRuntimeConfig = ConsoleAwsConfig;

/**
 * The console's files: a private, versioned bucket read only by CloudFront (origin access control), HTTPS
 * only, with the console's security headers; the Content-Security-Policy is the local stack's, with the
 * origins the console calls in AWS (`connectTo`) added to `connect-src`. Both the bucket and CloudFront
 * log their requests to a log bucket. With the customer key, the files are encrypted with it (CloudFront
 * reads them through the key policy's statement for this distribution: docs/deploy.md); the log bucket
 * keeps S3-managed keys, as S3 server access logs can be delivered only to such a bucket.
 */
export function hostConsole(
  scope: Construct,
  connectTo: readonly string[],
  key: IKey | undefined,
): { distribution: Distribution; bucket: Bucket } {
  const stack = Stack.of(scope);
  const logs = logBucket(scope);
  const files = filesBucket(scope, logs, key);
  // Names of CloudFront policies are global to the account: the region keeps two deployments apart.
  const nameInAccount = (what: string) => `${stack.stackName.slice(0, 40)}-${what}-${stack.region}`;
  const headers = securityHeaders(scope, connectTo, nameInAccount('console-headers'));
  const distribution = new Distribution(scope, 'ConsoleDistribution', {
    comment: `${stack.stackName.slice(0, 100)} admin console`,
    defaultRootObject: 'index.html',
    defaultBehavior: {
      origin: S3BucketOrigin.withOriginAccessControl(files as IBucket, {
        originAccessControl: new S3OriginAccessControl(scope, 'ConsoleOriginAccess', {
          originAccessControlName: nameInAccount('console'),
        }),
      }),
      viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
      cachedMethods: CachedMethods.CACHE_GET_HEAD,
      // Honours the files' Cache-Control: the page and config.json are revalidated, assets kept.
      cachePolicy: CachePolicy.CACHING_OPTIMIZED,
      responseHeadersPolicy: headers,
      compress: true,
    },
    httpVersion: HttpVersion.HTTP2_AND_3,
    // Europe and North America's edges; elsewhere the nearest of those serves (a little slower).
    priceClass: PriceClass.PRICE_CLASS_100,
    enableLogging: true,
    logBucket: logs as IBucket,
    logFilePrefix: 'cloudfront/',
    logIncludesCookies: false,
  });
  if (key) {
    // The key is imported: CDK does not change its policy (it would add the statement for any distribution of
    // the account). The operator adds the statement for this distribution (docs/deploy.md#landing-zone).
    for (const id of [
      '@aws-cdk/aws-cloudfront-origins:wildcardKeyPolicyForOac',
      '@aws-cdk/aws-cloudfront-origins:updateImportedKeyPolicyOac',
    ]) {
      Annotations.of(stack).acknowledgeWarning(
        id,
        "The customer key's policy is the operator's: docs/deploy.md gives CloudFront's statement, scoped to this distribution.",
      );
    }
  }
  acknowledgeDistributionFindings(distribution);
  return { distribution, bucket: files };
}

/** Where the files bucket and CloudFront log their requests: S3-managed keys, versioned, a year. */
function logBucket(scope: Construct): Bucket {
  return new Bucket(scope, 'ConsoleLogs', {
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    // CloudFront's standard logs are written with an ACL (by its log delivery account): ACLs stay enabled,
    // and what is written becomes the bucket owner's.
    objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
    // Versioned, so that a log cannot be overwritten or deleted unseen; a log expires after a year and its
    // noncurrent version a day later.
    versioned: true,
    lifecycleRules: [
      { expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(1) },
      { expiredObjectDeleteMarker: true },
    ],
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

/** The console's files: private, versioned, under the customer key when there is one. */
function filesBucket(scope: Construct, logs: Bucket, key: IKey | undefined): Bucket {
  return new Bucket(scope, 'ConsoleBucket', {
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    ...(key
      ? { encryption: BucketEncryption.KMS, encryptionKey: key, bucketKeyEnabled: true }
      : { encryption: BucketEncryption.S3_MANAGED }),
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    serverAccessLogsBucket: logs as IBucket,
    serverAccessLogsPrefix: 'console-bucket/',
    lifecycleRules: [
      {
        noncurrentVersionExpiration: Duration.days(30),
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      },
    ],
    // A build of the console holds no data, but a stack deleted by mistake keeps what it served.
    removalPolicy: RemovalPolicy.RETAIN,
  });
}

/** The console's security headers, its Content-Security-Policy allowing the origins it calls in AWS. */
function securityHeaders(
  scope: Construct,
  connectTo: readonly string[],
  responseHeadersPolicyName: string,
): ResponseHeadersPolicy {
  return new ResponseHeadersPolicy(scope, 'ConsoleHeaders', {
    responseHeadersPolicyName,
    comment: "ad-sync console: the local stack's security headers, and the origins it calls in AWS",
    securityHeadersBehavior: {
      contentSecurityPolicy: {
        contentSecurityPolicy: consoleContentSecurityPolicy(connectTo),
        override: true,
      },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
      referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      strictTransportSecurity: {
        accessControlMaxAge: Duration.days(365),
        includeSubdomains: true,
        override: true,
      },
    },
  });
}

/** Why the distribution goes without a geo restriction, a web ACL and a custom certificate. */
function acknowledgeDistributionFindings(distribution: Distribution): void {
  Validations.of(distribution).acknowledge({
    id: 'AwsSolutions-CFR1',
    reason:
      'Administrators sign in from wherever they work: access is decided by the sign-in (Cognito, MFA) and IAM, ' +
      'not by country. The files are the console build and hold no data.',
  });
  Validations.of(distribution).acknowledge({
    id: 'AwsSolutions-CFR2',
    reason:
      'The distribution serves static files that hold no data; every API call is authorized by IAM (SigV4), and ' +
      "the sign-in is Cognito's managed login with threat protection. A web ACL, which is billed monthly even " +
      'when idle, can be attached where the organisation runs one (docs/deploy.md).',
  });
  Validations.of(distribution).acknowledge({
    id: 'AwsSolutions-CFR4',
    reason:
      "With CloudFront's default *.cloudfront.net certificate, CloudFront sets the minimum protocol to TLSv1 " +
      'whatever the distribution asks; browsers negotiate TLS 1.2 or 1.3 with it. A custom domain with an ACM ' +
      'certificate would allow TLSv1.2_2021 as the minimum.',
  });
}

/**
 * The console build, and its `config.json`. The hashed assets are cached for a year; the page and
 * config.json are revalidated on every load, so a redeploy is seen at once. The assets go first, so a new
 * page never names an asset that is not there yet.
 */
export function deployConsoleFiles(scope: Construct, bucket: Bucket, config: ConsoleRuntimeConfig): void {
  const build = consoleSource();
  // The deployment handler's log group (one handler for both): the stack's, with its retention and key
  // (landing-zone.ts), not one Lambda makes that never expires.
  const logGroup = new LogGroup(scope, 'ConsoleDeploymentLogs', { removalPolicy: RemovalPolicy.DESTROY });
  const assets = new BucketDeployment(scope, 'ConsoleAssets', {
    logGroup,
    sources: [build],
    destinationBucket: bucket as IBucket,
    exclude: ['*'],
    include: ['assets/*'],
    cacheControl: [CacheControl.fromString('public, max-age=31536000, immutable')],
    prune: true,
  });
  const page = new BucketDeployment(scope, 'ConsolePage', {
    logGroup,
    sources: [build, Source.jsonData('config.json', config)],
    destinationBucket: bucket as IBucket,
    exclude: ['*'],
    include: ['index.html', 'config.json'],
    cacheControl: [CacheControl.noCache()],
    prune: false,
  });
  page.node.addDependency(assets);
  // CDK's deployment handler (one for both): it reads the build from the CDK assets bucket and syncs it into
  // the console bucket, with the action groups CDK grants for that.
  const handler = assets.handlerRole.node.scope as Construct;
  const stack = Stack.of(scope);
  const qualifier = String(
    scope.node.tryGetContext('@aws-cdk/core:bootstrapQualifier') ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER,
  );
  for (const finding of [
    'Action::s3:GetObject*',
    'Action::s3:GetBucket*',
    'Action::s3:List*',
    'Action::s3:DeleteObject*',
    'Action::s3:Abort*',
    `Resource::${asNagFinding(scope, `${bucket.bucketArn}/*`)}`,
    `Resource::${asNagFinding(scope, `arn:${stack.partition}:s3:::cdk-${qualifier}-assets-${stack.account}-${stack.region}/*`)}`,
  ]) {
    Validations.of(handler).acknowledge({
      id: `AwsSolutions-IAM5[${finding}]`,
      reason:
        "CDK's BucketDeployment handler: it reads the console build from this stack's CDK assets bucket and " +
        'syncs it into the console bucket (deleting what the build no longer has), and may touch no other bucket.',
    });
  }
  Validations.of(handler).acknowledge({
    id: 'AwsSolutions-L1',
    reason:
      "CDK's BucketDeployment handler runs on the Python runtime aws-cdk-lib ships it with, and moves with " +
      'aws-cdk-lib updates.',
  });
}
