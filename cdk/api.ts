/**
 * The HTTP API of ad-sync: API Gateway with IAM authorization and a resource policy naming who may call it,
 * one method per route of shared/api/routes.ts, access logs, throttling, and API Gateway's own errors in
 * the API's error shape.
 */
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
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
import { AnyPrincipal, ArnPrincipal, Effect, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { type FunctionName, routes } from '../shared/api/routes';
import type { AdSyncFunction } from './ad-sync-function';
import { StackPart } from './stack-part';

export interface AdSyncApiProps {
  readonly functions: Record<FunctionName, AdSyncFunction>;
  /** The principals allowed to call the API (AdSyncSettings.adminPrincipals); undefined: the account's own. */
  readonly adminPrincipals: readonly string[] | undefined;
}

export class AdSyncApi extends StackPart {
  readonly api: RestApi;

  constructor(scope: Construct, id: string, { functions, adminPrincipals }: AdSyncApiProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: RetentionDays.ONE_YEAR });
    // The REST API stays directly in the stack: its deployment's logical id is a hash of the API that takes
    // in its construct path, and that id stays the one the stack was deployed with.
    const api = new RestApi(stack, 'Api', {
      restApiName: `${stack.stackName}-api`,
      description: 'ad-sync HTTP API (docs/contract.md#http-api)',
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.DESTROY,
      defaultMethodOptions: { authorizationType: AuthorizationType.IAM },
      policy: this.apiPolicy(adminPrincipals),
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
    this.api = api;
    // API Gateway's own errors (no route, IAM denial, throttling, timeouts) in the API's error shape
    // (docs/contract.md#http-api).
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
  }

  /**
   * The API's resource policy: the given principals may invoke it and everyone else is denied, even a
   * principal of this account whose IAM policy allows execute-api:Invoke (within an account, an allow of
   * either policy would do). An account root stands for the principals of that account.
   */
  private apiPolicy(principals?: readonly string[]): PolicyDocument {
    const { partition, account } = Stack.of(this);
    const given = principals ?? [`arn:${partition}:iam::${account}:root`];
    const roots = given.filter((arn) => arn.endsWith(':root'));
    const others = given.filter((arn) => !arn.endsWith(':root'));
    const invoke = { actions: ['execute-api:Invoke'], resources: ['execute-api:/*'] };
    const accountOf = (root: string) => (principals ? (root.split(':')[4] as string) : account);
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
}
