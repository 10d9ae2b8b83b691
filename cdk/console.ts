/**
 * The admin console in AWS (SPEC 7.2): its files in a private S3 bucket behind CloudFront (origin access
 * control, HTTPS, the console's security headers), sign-in with a Cognito user pool for administrators (no
 * self sign-up, TOTP MFA required, managed login with the authorization-code flow), and an identity pool
 * that gives a signed-in administrator temporary credentials of a role that may only invoke this API. The
 * console signs its API calls with those (SigV4): IAM stays the API's only authorizer.
 *
 * One console build serves every deployment: what differs (the API's URL, the Cognito ids) is written at
 * deploy time into `config.json` next to it.
 */
import {
  Annotations,
  DefaultStackSynthesizer,
  Duration,
  Fn,
  RemovalPolicy,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
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
import {
  AccountRecovery,
  CfnIdentityPool,
  CfnIdentityPoolRoleAttachment,
  CfnManagedLoginBranding,
  FeaturePlan,
  ManagedLoginVersion,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { FederatedPrincipal, PolicyDocument, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
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
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import type { Construct } from 'constructs';
import { consoleContentSecurityPolicy } from '../console/security-headers';
import { API_STAGE } from './api';
import { consoleSource } from './console-build';
import { type RoleNaming, roleArn } from './landing-zone';
import { asNagFinding } from './nag-suppressions';
import { StackPart } from './stack-part';

/**
 * The name of the role signed-in administrators get. It is fixed (not generated) so that the API's resource
 * policy can admit the role by ARN without depending on it: the role depends on the API (it may invoke only
 * that), and the API's policy must not depend back. IAM names are global: the region keeps two deployments
 * of one stack name apart. A name prefix of the landing zone comes first (64 characters in all).
 */
export function consoleAdminRoleName(stack: Stack, naming: RoleNaming = {}): string {
  const prefix = naming.namePrefix ?? '';
  return `${prefix}${stack.stackName.slice(0, 36 - prefix.length)}-ConsoleAdmin-${stack.region}`;
}

/** The ARN of that role, made from its path and name (no reference to the role). */
export function consoleAdminRoleArn(stack: Stack, naming: RoleNaming = {}): string {
  return roleArn(stack, naming, consoleAdminRoleName(stack, naming));
}

/** What the console reads at start (`/config.json`): the mode, and where the API and sign-in are. */
export interface ConsoleRuntimeConfig {
  readonly mode: 'aws';
  /** The API's URL with its stage (`https://<id>.execute-api.<region>.amazonaws.com/v1/`). */
  readonly apiUrl: string;
  readonly region: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  readonly identityPoolId: string;
  /** The managed login's base URL (`https://<prefix>.auth.<region>.amazoncognito.com`). */
  readonly cognitoDomain: string;
}

export interface AdSyncConsoleProps {
  readonly api: RestApi;
  /** The customer-managed key of the console's files, if given (landing-zone.ts). */
  readonly key: IKey | undefined;
  /** The landing zone's role path and name prefix (the administrators' role is named here). */
  readonly roles: RoleNaming;
}

export class AdSyncConsole extends StackPart {
  /** Where administrators open the console, and the origin its API calls come from: `https://<domain>`. */
  readonly origin: string;
  readonly distribution: Distribution;
  /** The console's files. */
  readonly bucket: Bucket;
  readonly userPool: UserPool;
  readonly config: ConsoleRuntimeConfig;

  constructor(scope: Construct, id: string, { api, key, roles }: AdSyncConsoleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // S3 server access logs to the log bucket are allowed by its bucket policy (logging.s3.amazonaws.com, from
    // the console bucket only), not by the LogDeliveryWrite ACL that grants S3's log delivery group: AWS's
    // recommendation, and Control Tower's CT.S3.PR.5 (no bucket ACL). Set before this part has any construct.
    this.node.setContext(S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY, true);

    this.userPool = this.administrators();
    const signIn = this.userPool.addDomain('SignInDomain', {
      // Cognito prefixes are global per region: the stack's own id (a UUID) keeps this one unique.
      cognitoDomain: { domainPrefix: `adsync-${Fn.select(2, Fn.split('/', stack.stackId))}` },
      managedLoginVersion: ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    const apiOrigin = `https://${api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
    ({ distribution: this.distribution, bucket: this.bucket } = this.hosting(
      [apiOrigin, signIn.baseUrl(), `https://cognito-identity.${stack.region}.${stack.urlSuffix}`],
      key,
    ));
    this.origin = `https://${this.distribution.distributionDomainName}`;

    const client = this.consoleClient(signIn);
    const identityPool = new CfnIdentityPool(this, 'ConsoleIdentityPool', {
      allowUnauthenticatedIdentities: false,
      allowClassicFlow: false,
      cognitoIdentityProviders: [
        {
          clientId: client.userPoolClientId,
          providerName: this.userPool.userPoolProviderName,
          // Tokens of a signed-out (revoked) session get no credentials.
          serverSideTokenCheck: true,
        },
      ],
    });
    // Every method and path of this API's stage; no other API, no other stage.
    const invokeArn = api.arnForExecuteApi('*', '/*', API_STAGE);
    const adminRole = new Role(this, 'ConsoleAdminRole', {
      roleName: consoleAdminRoleName(stack, roles),
      ...(roles.path ? { path: roles.path } : {}),
      description: 'Administrators signed in to the ad-sync console: may invoke this API, nothing else',
      assumedBy: new FederatedPrincipal(
        'cognito-identity.amazonaws.com',
        {
          StringEquals: { 'cognito-identity.amazonaws.com:aud': identityPool.ref },
          'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
        },
        'sts:AssumeRoleWithWebIdentity',
      ),
      maxSessionDuration: Duration.hours(1),
      inlinePolicies: {
        InvokeApi: new PolicyDocument({
          statements: [
            new PolicyStatement({
              actions: ['execute-api:Invoke'],
              resources: [invokeArn],
            }),
          ],
        }),
      },
    });
    Validations.of(adminRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${asNagFinding(this, invokeArn)}]`,
      reason:
        "Every method and path of this API's stage, which the console uses: the ARN names this API and stage; " +
        'the wildcards are the HTTP method and the resource path only.',
    });
    new CfnIdentityPoolRoleAttachment(this, 'ConsoleIdentityPoolRoles', {
      identityPoolId: identityPool.ref,
      roles: { authenticated: adminRole.roleArn },
    });

    this.config = {
      mode: 'aws',
      apiUrl: api.url,
      region: stack.region,
      userPoolId: this.userPool.userPoolId,
      userPoolClientId: client.userPoolClientId,
      identityPoolId: identityPool.ref,
      cognitoDomain: signIn.baseUrl(),
    };
    this.deployFiles(this.config);
  }

  /**
   * The administrators: created by an operator (no self sign-up), signing in with their e-mail address, a
   * password of 14 characters or more of every class, and a TOTP app (required; no SMS). The Plus feature
   * plan's threat protection blocks sign-ins with known-leaked passwords and risky ones; it is billed per
   * monthly active user, so a few administrators cost cents and an idle month nothing.
   */
  private administrators(): UserPool {
    return new UserPool(this, 'ConsoleUserPool', {
      userPoolName: `${Stack.of(this).stackName}-console-administrators`,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false, email: false },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        passwordHistorySize: 12,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      userInvitation: {
        emailSubject: 'Your ad-sync console account',
        emailBody:
          'An administrator account of the ad-sync console was created for {username}. Your temporary ' +
          'password is {####} (valid for 3 days). Open the console at the address your operator gave you, ' +
          'sign in, choose a new password and set up an authenticator app.',
      },
    });
  }

  /**
   * The console's files: a private, versioned bucket read only by CloudFront (origin access control), HTTPS
   * only, with the console's security headers; the Content-Security-Policy is the local stack's, with the
   * origins the console calls in AWS (`connectTo`) added to `connect-src`. Both the bucket and CloudFront
   * log their requests to a log bucket. With the customer key, the files are encrypted with it (CloudFront
   * reads them through the key policy's statement for this distribution: docs/deploy.md); the log bucket
   * keeps S3-managed keys, as S3 server access logs can be delivered only to such a bucket.
   */
  private hosting(
    connectTo: readonly string[],
    key: IKey | undefined,
  ): { distribution: Distribution; bucket: Bucket } {
    const stack = Stack.of(this);
    const logs = new Bucket(this, 'ConsoleLogs', {
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
    const files = new Bucket(this, 'ConsoleBucket', {
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
    // Names of CloudFront policies are global to the account: the region keeps two deployments apart.
    const nameInAccount = (what: string) => `${stack.stackName.slice(0, 40)}-${what}-${stack.region}`;
    const headers = new ResponseHeadersPolicy(this, 'ConsoleHeaders', {
      responseHeadersPolicyName: nameInAccount('console-headers'),
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
    const distribution = new Distribution(this, 'ConsoleDistribution', {
      comment: `${stack.stackName.slice(0, 100)} admin console`,
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(files as IBucket, {
          originAccessControl: new S3OriginAccessControl(this, 'ConsoleOriginAccess', {
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
    return { distribution, bucket: files };
  }

  /**
   * The console's app client: public (no secret; the browser cannot keep one), the authorization-code flow
   * only (the console sends a PKCE challenge), back to the console's own URL. Tokens live an hour, the
   * session twelve; a wrong e-mail address and a wrong password fail alike.
   */
  private consoleClient(signIn: UserPoolDomain): UserPoolClient {
    const url = `${this.origin}/`;
    const client = this.userPool.addClient('Client', {
      userPoolClientName: 'ad-sync console',
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [url],
        logoutUrls: [url],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      // Time for the sign-in's steps, the authenticator app's set-up on first sign-in among them.
      authSessionValidity: Duration.minutes(10),
    });
    // The managed login pages of this client, in Cognito's own style.
    new CfnManagedLoginBranding(this, 'ConsoleSignInBranding', {
      userPoolId: this.userPool.userPoolId,
      clientId: client.userPoolClientId,
      useCognitoProvidedValues: true,
    }).node.addDependency(signIn);
    return client;
  }

  /**
   * The console build, and its `config.json`. The hashed assets are cached for a year; the page and
   * config.json are revalidated on every load, so a redeploy is seen at once. The assets go first, so a new
   * page never names an asset that is not there yet.
   */
  private deployFiles(config: ConsoleRuntimeConfig): void {
    const build = consoleSource();
    // The deployment handler's log group (one handler for both): the stack's, with its retention and key
    // (landing-zone.ts), not one Lambda makes that never expires.
    const logGroup = new LogGroup(this, 'ConsoleDeploymentLogs', { removalPolicy: RemovalPolicy.DESTROY });
    const assets = new BucketDeployment(this, 'ConsoleAssets', {
      logGroup,
      sources: [build],
      destinationBucket: this.bucket as IBucket,
      exclude: ['*'],
      include: ['assets/*'],
      cacheControl: [CacheControl.fromString('public, max-age=31536000, immutable')],
      prune: true,
    });
    const page = new BucketDeployment(this, 'ConsolePage', {
      logGroup,
      sources: [build, Source.jsonData('config.json', config)],
      destinationBucket: this.bucket as IBucket,
      exclude: ['*'],
      include: ['index.html', 'config.json'],
      cacheControl: [CacheControl.noCache()],
      prune: false,
    });
    page.node.addDependency(assets);
    // CDK's deployment handler (one for both): it reads the build from the CDK assets bucket and syncs it into
    // the console bucket, with the action groups CDK grants for that.
    const handler = assets.handlerRole.node.scope as Construct;
    const stack = Stack.of(this);
    const qualifier = String(
      this.node.tryGetContext('@aws-cdk/core:bootstrapQualifier') ??
        DefaultStackSynthesizer.DEFAULT_QUALIFIER,
    );
    for (const finding of [
      'Action::s3:GetObject*',
      'Action::s3:GetBucket*',
      'Action::s3:List*',
      'Action::s3:DeleteObject*',
      'Action::s3:Abort*',
      `Resource::${asNagFinding(this, `${this.bucket.bucketArn}/*`)}`,
      `Resource::${asNagFinding(this, `arn:${stack.partition}:s3:::cdk-${qualifier}-assets-${stack.account}-${stack.region}/*`)}`,
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
}
