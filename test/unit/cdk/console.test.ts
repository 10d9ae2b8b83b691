/**
 * The admin console in AWS (cdk/console.ts, SPEC 7.2): hosting (private bucket, CloudFront with origin
 * access control and the console's security headers, access logs), the files and config.json the deploy
 * writes, the sign-in (user pool, managed login, app client, identity pool and its role), and the API's
 * side of the console's cross-origin calls (CORS). Assertions on the synthesized template.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../../../cdk/app';
import type { AdSyncConsole } from '../../../cdk/console';
import { buildConsole } from '../../../cdk/console-build';
import { CONSOLE_SECURITY_HEADERS, consoleContentSecurityPolicy } from '../../../console/security-headers';
import { CORS_REQUEST_HEADERS, EXPOSED_HEADERS } from '../../../shared/api/cors';
import { routes } from '../../../shared/api/routes';
import { synthStack } from '../../support/iam-policy';

// At load, as in stack.test.ts: the first synthesis in a process takes longer than a test may.
const { stack, template } = synthStack();
/** Template values, asserted field by field. */
// biome-ignore lint/suspicious/noExplicitAny: template values of any shape, asserted field by field
type Loose = Record<string, any>;

/** A resource of the template. */
interface TemplateResource {
  readonly Type: string;
  readonly Properties: Loose;
  readonly DependsOn?: string[];
  readonly DeletionPolicy?: string;
}
const resources = template.toJSON().Resources as Record<string, TemplateResource>;

/** The one resource of a type whose logical id starts with `prefix`. */
const only = (type: string, prefix = '') => {
  const found = Object.entries(resources).filter(([id, r]) => r.Type === type && id.startsWith(prefix));
  if (found.length !== 1) throw new Error(`${found.length} ${type} resources named ${prefix}*`);
  return { id: found[0]?.[0] as string, resource: found[0]?.[1] as TemplateResource };
};

/**
 * A value of the template as one string, references written `<LogicalId>` and `<LogicalId.Attribute>`, so
 * that values made of several parts (an ARN, a URL, a CSP) can be compared whole.
 */
const flat = (value: unknown): string => {
  if (typeof value === 'string') return value;
  const intrinsic = value as Loose;
  if (intrinsic['Fn::Join'])
    return (intrinsic['Fn::Join'][1] as unknown[]).map(flat).join(intrinsic['Fn::Join'][0]);
  if (intrinsic['Fn::GetAtt']) return `<${intrinsic['Fn::GetAtt'].join('.')}>`;
  if (intrinsic.Ref) return `<${intrinsic.Ref}>`;
  if (intrinsic['Fn::Select']) {
    const [index, list] = intrinsic['Fn::Select'];
    return `<select ${index} of ${flat(list['Fn::Split'][1])} split by ${list['Fn::Split'][0]}>`;
  }
  return JSON.stringify(value);
};

const bucket = only('AWS::S3::Bucket', 'ConsoleBucket');
const logs = only('AWS::S3::Bucket', 'ConsoleLogs');
const distribution = only('AWS::CloudFront::Distribution', 'ConsoleDistribution');
const headersPolicy = only('AWS::CloudFront::ResponseHeadersPolicy', 'ConsoleHeaders');
const userPool = only('AWS::Cognito::UserPool', 'ConsoleUserPool');
const client = only('AWS::Cognito::UserPoolClient', 'ConsoleUserPoolClient');
const domain = only('AWS::Cognito::UserPoolDomain', 'ConsoleUserPoolSignInDomain');
const identityPool = only('AWS::Cognito::IdentityPool', 'ConsoleIdentityPool');
const adminRole = only('AWS::IAM::Role', 'ConsoleAdminRole');
const api = only('AWS::ApiGateway::RestApi', 'Api');
const stage = only('AWS::ApiGateway::Stage', 'ApiDeploymentStage');

/** The console's origin, as the template writes it. */
const consoleOrigin = `https://<${distribution.id}.DomainName>`;
const apiOrigin = `https://<${api.id}>.execute-api.<AWS::Region>.<AWS::URLSuffix>`;
const signInUrl = `https://<${domain.id}>.auth.<AWS::Region>.amazoncognito.com`;
const cognitoIdentity = 'https://cognito-identity.<AWS::Region>.<AWS::URLSuffix>';

const policyOf = (bucketId: string) =>
  only('AWS::S3::BucketPolicy', bucketId.replace(/[0-9A-F]{8}$/, 'Policy')).resource.Properties.PolicyDocument
    .Statement as Loose[];

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the console hosting', () => {
  it('keeps the files in a private, encrypted, versioned bucket that refuses plain HTTP and TLS below 1.2', () => {
    expect(bucket.resource.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LoggingConfiguration: { DestinationBucketName: { Ref: logs.id } },
    });
    expect(bucket.resource.DeletionPolicy).toBe('Retain');
    const statements = policyOf(bucket.id);
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Principal: { AWS: '*' },
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
        }),
      ]),
    );
    // Only CloudFront, for this distribution, may read it; nobody else is allowed anything.
    const allows = statements.filter((statement) => statement.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({
      Action: 's3:GetObject',
      Principal: { Service: 'cloudfront.amazonaws.com' },
    });
    expect(flat(allows[0]?.Condition.StringEquals['AWS:SourceArn'])).toBe(
      `arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/<${distribution.id}>`,
    );
  });

  it('logs to a private, encrypted, TLS-only, versioned bucket that CloudFront can write (ACLs on, owner preferred) and that forgets after a year', () => {
    expect(logs.resource.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] },
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: [
          { ExpirationInDays: 365, NoncurrentVersionExpiration: { NoncurrentDays: 1 }, Status: 'Enabled' },
          { ExpiredObjectDeleteMarker: true, Status: 'Enabled' },
        ],
      },
    });
    // No canned ACL (LogDeliveryWrite): S3's access logs of the console bucket come in by the bucket policy, and
    // CloudFront adds its own grant (awslogsdelivery) to the bucket's ACL when it sets up standard logging.
    expect(logs.resource.Properties.AccessControl).toBeUndefined();
    const [denyPlainHttp, accessLogs, ...others] = policyOf(logs.id);
    expect(others).toEqual([]);
    expect(denyPlainHttp).toMatchObject({
      Effect: 'Deny',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    expect(accessLogs).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'logging.s3.amazonaws.com' },
      Action: 's3:PutObject',
    });
    expect(flat(accessLogs?.Resource)).toBe(`<${logs.id}.Arn>/console-bucket/*`);
    expect(accessLogs?.Condition).toEqual({
      ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [bucket.id, 'Arn'] } },
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
    });
  });

  it('serves the bucket through CloudFront with origin access control, HTTPS only, index.html at /, and standard logs', () => {
    const config = distribution.resource.Properties.DistributionConfig;
    expect(config.Origins).toHaveLength(1);
    const [origin] = config.Origins;
    expect(origin.DomainName).toEqual({ 'Fn::GetAtt': [bucket.id, 'RegionalDomainName'] });
    expect(origin.OriginAccessControlId).toEqual({
      'Fn::GetAtt': [only('AWS::CloudFront::OriginAccessControl').id, 'Id'],
    });
    // No origin access identity (the legacy way): OAC signs every request with SigV4.
    expect(origin.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    expect(
      only('AWS::CloudFront::OriginAccessControl').resource.Properties.OriginAccessControlConfig,
    ).toMatchObject({
      OriginAccessControlOriginType: 's3',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
    expect(config.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      AllowedMethods: ['GET', 'HEAD'],
      ResponseHeadersPolicyId: { Ref: headersPolicy.id },
    });
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.Logging).toEqual({
      Bucket: { 'Fn::GetAtt': [logs.id, 'RegionalDomainName'] },
      IncludeCookies: false,
      Prefix: 'cloudfront/',
    });
  });

  it("answers with the local stack's security headers, its CSP widened only by the API's and Cognito's origins in connect-src", () => {
    const security = headersPolicy.resource.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = flat(security.ContentSecurityPolicy.ContentSecurityPolicy);
    expect(csp).toBe(consoleContentSecurityPolicy([apiOrigin, signInUrl, cognitoIdentity]));
    // Only connect-src differs from the local stack's policy.
    const local = CONSOLE_SECURITY_HEADERS['content-security-policy'].split('; ');
    const aws = csp.split('; ');
    expect(aws.filter((directive) => !local.includes(directive))).toEqual([
      `connect-src 'self' ${apiOrigin} ${signInUrl} ${cognitoIdentity}`,
    ]);
    expect(local.filter((directive) => !aws.includes(directive))).toEqual(["connect-src 'self'"]);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(security).toMatchObject({
      ContentSecurityPolicy: { Override: true },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: CONSOLE_SECURITY_HEADERS['x-frame-options'], Override: true },
      ReferrerPolicy: { ReferrerPolicy: CONSOLE_SECURITY_HEADERS['referrer-policy'], Override: true },
      StrictTransportSecurity: { IncludeSubdomains: true, Override: true },
    });
    expect(security.StrictTransportSecurity.AccessControlMaxAgeSec).toBeGreaterThanOrEqual(365 * 24 * 3600);
    expect(CONSOLE_SECURITY_HEADERS['x-content-type-options']).toBe('nosniff');
  });

  it('depends on the API only for its id (the CSP): not on the functions, the stage or the deployment', () => {
    const references = (value: unknown): string[] =>
      [...JSON.stringify(value).matchAll(/"(?:Ref|Fn::GetAtt)":\s*\[?"(\w+)"/g)].map(
        ([, id]) => id as string,
      );
    const of = [distribution, headersPolicy].flatMap(({ resource }) => references(resource));
    expect(of).toContain(api.id);
    for (const id of of) {
      expect(resources[id]?.Type ?? 'pseudo parameter', id).not.toMatch(
        /Lambda|ApiGateway::(Stage|Deployment|Method)/,
      );
    }
  });
});

describe('the console files', () => {
  const deployments = Object.entries(resources).filter(([, r]) => r.Type === 'Custom::CDKBucketDeployment');
  const deployment = (prefix: string) => {
    const found = deployments.find(([id]) => id.startsWith(prefix));
    if (!found) throw new Error(`no deployment ${prefix}`);
    return { id: found[0], resource: found[1] };
  };
  const assets = deployment('ConsoleAssets');
  const page = deployment('ConsolePage');

  it('deploys the hashed assets cached for a year, then the page and config.json revalidated on every load', () => {
    expect(deployments).toHaveLength(2);
    expect(assets.resource.Properties).toMatchObject({
      DestinationBucketName: { Ref: bucket.id },
      Exclude: ['*'],
      Include: ['assets/*'],
      Prune: true,
      SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' },
    });
    expect(page.resource.Properties).toMatchObject({
      DestinationBucketName: { Ref: bucket.id },
      Exclude: ['*'],
      Include: ['index.html', 'config.json'],
      Prune: false,
      SystemMetadata: { 'cache-control': 'no-cache' },
    });
    // One console build for both, and the page after its assets.
    expect(page.resource.Properties.SourceObjectKeys[0]).toBe(assets.resource.Properties.SourceObjectKeys[0]);
    expect(page.resource.DependsOn).toContain(assets.id);
  });

  it('writes config.json at deploy time: mode aws, the API URL, the region and the Cognito ids', async () => {
    // What the console reads, as the stack resolves it.
    const adminConsole = stack.node.findChild('Console') as AdSyncConsole;
    const config = stack.resolve(adminConsole.config);
    expect(Object.keys(config).sort()).toEqual(
      [
        'apiUrl',
        'cognitoDomain',
        'identityPoolId',
        'mode',
        'region',
        'userPoolClientId',
        'userPoolId',
      ].sort(),
    );
    expect(config.mode).toBe('aws');
    expect(flat(config.apiUrl)).toBe(`${apiOrigin}/<${stage.id}>/`);
    expect(config.region).toEqual({ Ref: 'AWS::Region' });
    expect(config.userPoolId).toEqual({ Ref: userPool.id });
    expect(config.userPoolClientId).toEqual({ Ref: client.id });
    expect(config.identityPoolId).toEqual({ Ref: identityPool.id });
    expect(flat(config.cognitoDomain)).toBe(signInUrl);
    // And the file the page deployment writes, from an assembly with its assets staged (the tests' other
    // syntheses skip that): its markers are replaced at deploy time by those values.
    const outdir = await mkdtemp(join(tmpdir(), 'adsync-console-assembly-'));
    try {
      const staged = buildApp(new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } }));
      const assembly = staged.app.synth();
      const stagedPage = assembly.getStackByName('AdSync').template.Resources[page.id] as TemplateResource;
      const manifest = JSON.parse(await readFile(join(assembly.directory, 'AdSync.assets.json'), 'utf8')) as {
        files: Record<string, { source: { path: string } }>;
      };
      const key = (stagedPage.Properties.SourceObjectKeys[1] as string).replace(/\.zip$/, '');
      const folder = join(assembly.directory, manifest.files[key]?.source.path as string);
      const written = await readFile(join(folder, 'config.json'), 'utf8');
      const markers = stagedPage.Properties.SourceMarkers[1] as Record<string, unknown>;
      const deployed = JSON.parse(
        written.replace(/<<marker:0xbaba:\d+>>/g, (marker) => flat(markers[marker])),
      ) as Record<string, string>;
      expect(deployed).toEqual({
        mode: 'aws',
        apiUrl: `${apiOrigin}/<${stage.id}>/`,
        region: '<AWS::Region>',
        userPoolId: `<${userPool.id}>`,
        userPoolClientId: `<${client.id}>`,
        identityPoolId: `<${identityPool.id}>`,
        cognitoDomain: signInUrl,
      });
    } finally {
      await rm(outdir, { recursive: true, force: true });
    }
  }, 60_000);

  it('builds the console the deploy ships with Vite: the page and its hashed assets, no config.json', async () => {
    const out = await mkdtemp(join(tmpdir(), 'adsync-console-build-'));
    try {
      buildConsole(out);
      expect((await readdir(out)).sort()).toEqual(['assets', 'index.html']);
      const files = await readdir(join(out, 'assets'));
      expect(files.some((name) => /^index-[\w-]+\.js$/.test(name))).toBe(true);
      // Relative asset URLs: the page works from the bucket's root as from any path.
      const html = await readFile(join(out, 'index.html'), 'utf8');
      expect(html).toMatch(/src="\.\/assets\/index-[\w-]+\.js"/);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('the console sign-in', () => {
  it('keeps administrators in a user pool: no self sign-up, e-mail sign-in, TOTP MFA required, strong passwords, deletion protection', () => {
    expect(userPool.resource.Properties).toMatchObject({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      UsernameAttributes: ['email'],
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      DeletionProtection: 'ACTIVE',
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
    });
    const { PasswordPolicy } = userPool.resource.Properties.Policies;
    expect(PasswordPolicy.MinimumLength).toBeGreaterThanOrEqual(14);
    expect(PasswordPolicy).toMatchObject({
      RequireLowercase: true,
      RequireUppercase: true,
      RequireNumbers: true,
      RequireSymbols: true,
    });
    // No SMS: no SMS role, no phone MFA.
    expect(userPool.resource.Properties.SmsConfiguration).toBeUndefined();
    expect(userPool.resource.DeletionPolicy).toBe('Retain');
  });

  it('signs in on managed login at a domain unique to the stack, in Cognito’s own style', () => {
    expect(domain.resource.Properties.ManagedLoginVersion).toBe(2);
    expect(flat(domain.resource.Properties.Domain)).toBe('adsync-<select 2 of <AWS::StackId> split by />');
    expect(only('AWS::Cognito::ManagedLoginBranding').resource.Properties).toEqual({
      UserPoolId: { Ref: userPool.id },
      ClientId: { Ref: client.id },
      UseCognitoProvidedValues: true,
    });
  });

  it("gives the console a public client: the code flow only, back to the console's URL, tokens of an hour", () => {
    const properties = client.resource.Properties;
    expect(properties).toMatchObject({
      UserPoolId: { Ref: userPool.id },
      GenerateSecret: false,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      SupportedIdentityProviders: ['COGNITO'],
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      AccessTokenValidity: 60,
      IdTokenValidity: 60,
      RefreshTokenValidity: 720,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
    });
    expect(properties.CallbackURLs.map(flat)).toEqual([`${consoleOrigin}/`]);
    expect(properties.LogoutURLs.map(flat)).toEqual([`${consoleOrigin}/`]);
    // No password ever crosses to the app: SRP for the managed login, refresh for the session.
    expect(properties.ExplicitAuthFlows).toEqual(['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
  });

  it('exchanges sign-ins for credentials in an identity pool without unauthenticated identities, for this client only', () => {
    expect(identityPool.resource.Properties).toEqual({
      AllowUnauthenticatedIdentities: false,
      AllowClassicFlow: false,
      CognitoIdentityProviders: [
        {
          ClientId: { Ref: client.id },
          ProviderName: { 'Fn::GetAtt': [userPool.id, 'ProviderName'] },
          ServerSideTokenCheck: true,
        },
      ],
    });
    expect(only('AWS::Cognito::IdentityPoolRoleAttachment').resource.Properties).toEqual({
      IdentityPoolId: { Ref: identityPool.id },
      Roles: { authenticated: { 'Fn::GetAtt': [adminRole.id, 'Arn'] } },
    });
  });

  it("gives signed-in administrators a role that may only invoke this API's stage", () => {
    const properties = adminRole.resource.Properties;
    expect(properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Federated: 'cognito-identity.amazonaws.com' },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: { 'cognito-identity.amazonaws.com:aud': { Ref: identityPool.id } },
          'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
        },
      },
    ]);
    expect(properties.ManagedPolicyArns).toBeUndefined();
    expect(properties.Policies).toHaveLength(1);
    const statements = properties.Policies[0].PolicyDocument.Statement as Record<string, unknown>[];
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({ Effect: 'Allow', Action: 'execute-api:Invoke' });
    expect(flat(statements[0]?.Resource)).toBe(
      `arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${api.id}>/v1/*/*`,
    );
    // No policy attached to it elsewhere.
    const attached = Object.values(resources).filter(
      (r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(adminRole.id),
    );
    expect(attached).toEqual([]);
    expect(properties.MaxSessionDuration).toBe(3600);
  });

  it('names the console, its user pool and its sign-in in the outputs', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(flat(outputs.ConsoleUrl?.Value)).toBe(`${consoleOrigin}/`);
    expect(outputs.ConsoleUserPoolId?.Value).toEqual({ Ref: userPool.id });
    expect(flat(outputs.ConsoleSignInUrl?.Value)).toBe(signInUrl);
  });
});

describe("the API's side of the console (CORS)", () => {
  const methods = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGateway::Method');
  const apiResources = Object.fromEntries(
    Object.entries(resources).filter(([, r]) => r.Type === 'AWS::ApiGateway::Resource'),
  );
  const pathOf = (ref: { Ref: string } | Record<string, unknown>): string => {
    const id = (ref as { Ref?: string }).Ref;
    const resource = id ? apiResources[id] : undefined;
    if (!resource) return '';
    return `${pathOf(resource.Properties.ParentId)}/${resource.Properties.PathPart}`;
  };

  it("answers the preflight of every route's resource without authorization, for the console's origin only", () => {
    const preflights = methods.filter((method) => method.Properties.HttpMethod === 'OPTIONS');
    const routeResources = [...new Set(routes.map((route) => route.resource))].sort();
    expect(preflights.map((method) => pathOf(method.Properties.ResourceId)).sort()).toEqual(routeResources);
    for (const method of preflights) {
      const path = pathOf(method.Properties.ResourceId);
      expect(method.Properties.AuthorizationType, path).toBe('NONE');
      expect(method.Properties.Integration.Type, path).toBe('MOCK');
      const [answer] = method.Properties.Integration.IntegrationResponses;
      const headers = answer.ResponseParameters as Record<string, unknown>;
      expect(flat(headers['method.response.header.Access-Control-Allow-Origin']), path).toBe(
        `'${consoleOrigin}'`,
      );
      expect(headers['method.response.header.Access-Control-Allow-Methods'], path).toBe(
        `'${routes
          .filter((route) => route.resource === path)
          .map((route) => route.method)
          .join(',')}'`,
      );
      expect(headers['method.response.header.Access-Control-Allow-Headers'], path).toBe(
        `'${CORS_REQUEST_HEADERS.join(',')}'`,
      );
      expect(headers['method.response.header.Access-Control-Allow-Credentials'], path).toBeUndefined();
    }
    for (const header of ['authorization', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256']) {
      expect(CORS_REQUEST_HEADERS).toContain(header);
    }
  });

  it("lets the console read API Gateway's own errors", () => {
    for (const type of ['DEFAULT_4XX', 'DEFAULT_5XX']) {
      const [response] = Object.values(resources).filter(
        (r) => r.Type === 'AWS::ApiGateway::GatewayResponse' && r.Properties.ResponseType === type,
      );
      const headers = response?.Properties.ResponseParameters as Record<string, unknown>;
      expect(flat(headers['gatewayresponse.header.Access-Control-Allow-Origin']), type).toBe(
        `'${consoleOrigin}'`,
      );
      expect(headers['gatewayresponse.header.Access-Control-Expose-Headers'], type).toBe(
        `'${EXPOSED_HEADERS.join(', ')}'`,
      );
    }
  });

  it("tells the functions that answer the API the console's origin (CONSOLE_ORIGIN); not the workers", () => {
    const functions = Object.entries(resources).filter(
      ([id, r]) => r.Type === 'AWS::Lambda::Function' && /^[A-Z]\w*Function[0-9A-F]{8}$/.test(id),
    );
    const withOrigin = functions
      .filter(([, fn]) => fn.Properties.Environment?.Variables?.CONSOLE_ORIGIN)
      .map(([id]) => id.replace(/Function\w+$/, ''));
    expect(withOrigin.sort()).toEqual(['Config', 'Directory', 'Logon', 'Openapi', 'Runs', 'Start', 'Users']);
    for (const [, fn] of functions) {
      const origin = fn.Properties.Environment?.Variables?.CONSOLE_ORIGIN;
      if (origin) expect(flat(origin)).toBe(consoleOrigin);
    }
  });
});

describe('cdk-nag AwsSolutions, with the region and account known (as cdk synth and deploy see them)', () => {
  it('finds nothing unacknowledged in the console', () => {
    vi.stubEnv('CDK_DEFAULT_REGION', 'eu-central-1');
    vi.stubEnv('CDK_DEFAULT_ACCOUNT', '123456789012');
    const { app: known } = buildApp(
      new App({ context: { 'aws:cdk:bundling-stacks': [], 'aws:cdk:disable-asset-staging': true } }),
    );
    expect(() => known.synth()).not.toThrow();
  });
});
