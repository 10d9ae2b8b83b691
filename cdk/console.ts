/**
 * The admin console in AWS (SPEC 7.2): its files in a private S3 bucket behind CloudFront (origin access
 * control, HTTPS, the console's security headers), sign-in with a Cognito user pool for administrators (no
 * self sign-up, TOTP MFA required, managed login with the authorization-code flow), and an identity pool
 * that gives a signed-in administrator temporary credentials of a role that may only invoke this API. The
 * console signs its API calls with those (SigV4): IAM stays the API's only authorizer.
 *
 * One console build serves every deployment: what differs (the API's URL, the Cognito ids) is written at
 * deploy time into `config.json` next to it. The hosting and the deployment of the files are in
 * console-hosting.ts; the sign-in and the administrators' role are here.
 */
import { Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import type { Distribution } from 'aws-cdk-lib/aws-cloudfront';
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
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import { S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY } from 'aws-cdk-lib/cx-api';
import type { Construct } from 'constructs';
import { API_STAGE } from './api';
import { type ConsoleRuntimeConfig, deployConsoleFiles, hostConsole } from './console-hosting';
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
    ({ distribution: this.distribution, bucket: this.bucket } = hostConsole(
      this,
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
    deployConsoleFiles(this, this.bucket, this.config);
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
}
