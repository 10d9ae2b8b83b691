/**
 * The HTTP API of ad-sync: API Gateway with IAM authorization and a resource policy naming who may call it,
 * one method per route of shared/api/routes.ts, access logs, throttling, and API Gateway's own errors in
 * the API's error shape. The admin console calls it from its own origin (cdk/console.ts): preflight
 * requests are answered for that origin, without authorization, and every answer lets it read them (CORS).
 */
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
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
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { CORS_REQUEST_HEADERS, EXPOSED_HEADERS } from '../shared/api/cors';
import { type FunctionName, routes } from '../shared/api/routes';
import type { AdSyncFunction } from './ad-sync-function';
import { StackPart } from './stack-part';

/** The API's one stage: the path its URL ends with, and the scope of the console role's permission. */
export const API_STAGE = 'v1';

export interface AdSyncApiProps {
  readonly functions: Record<FunctionName, AdSyncFunction>;
  /** The principals allowed to call the API (AdSyncSettings.adminPrincipals); undefined: the account's own. */
  readonly adminPrincipals: readonly string[] | undefined;
  /**
   * The admin console: the origin browsers call from (cdk/console.ts; it may be a lazy value, as the
   * console's distribution is made after the API), and the role of its signed-in administrators, admitted
   * besides `adminPrincipals`.
   */
  readonly adminConsole: { readonly origin: string; readonly adminRoleArn: string };
}

export class AdSyncApi extends StackPart {
  readonly api: RestApi;

  constructor(scope: Construct, id: string, { functions, adminPrincipals, adminConsole }: AdSyncApiProps) {
    super(scope, id);
    const stack = Stack.of(this);
    // Its retention and key: landing-zone.ts.
    const accessLogs = new LogGroup(this, 'ApiAccessLogs');
    // The REST API stays directly in the stack: its deployment's logical id is a hash of the API that takes
    // in its construct path, and that id stays the one the stack was deployed with.
    const api = new RestApi(stack, 'Api', {
      restApiName: `${stack.stackName}-api`,
      description: 'ad-sync HTTP API (docs/contract.md#http-api)',
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.DESTROY,
      defaultMethodOptions: { authorizationType: AuthorizationType.IAM },
      policy: this.apiPolicy(adminPrincipals, adminConsole.adminRoleArn),
      deployOptions: {
        stageName: API_STAGE,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: MethodLoggingLevel.ERROR,
        // Request bodies carry the bind password: never log them.
        dataTraceEnabled: false,
        metricsEnabled: true,
        // X-Ray: a request's trace goes on into the function's.
        tracingEnabled: true,
        throttlingRateLimit: 10,
        throttlingBurstLimit: 20,
      },
    });
    this.api = api;
    // API Gateway's own errors (no route, IAM denial, throttling, timeouts) in the API's error shape
    // (docs/contract.md#http-api), readable by the console.
    for (const [id, type] of [
      ['Default4xx', ResponseType.DEFAULT_4XX],
      ['Default5xx', ResponseType.DEFAULT_5XX],
    ] as const) {
      api.addGatewayResponse(id, {
        type,
        responseHeaders: {
          'Access-Control-Allow-Origin': `'${adminConsole.origin}'`,
          'Access-Control-Expose-Headers': `'${EXPOSED_HEADERS.join(', ')}'`,
        },
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
      // No test-invoke-stage permission: API Gateway's TestInvokeMethod (the console's "Test") would call the
      // function past the method's IAM authorization and the API's resource policy, for anyone allowed that
      // management call.
      const integration =
        integrations.get(route.function) ??
        new LambdaIntegration(functions[route.function], { allowTestInvoke: false });
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
    // The console's preflight requests: answered by API Gateway itself (no authorization: a browser sends
    // none with them) for the console's origin only, with the methods of each resource.
    for (const resource of new Set(routes.map((route) => route.resource))) {
      resourceFor(resource).addCorsPreflight({
        allowOrigins: [adminConsole.origin],
        allowMethods: routes.filter((route) => route.resource === resource).map((route) => route.method),
        allowHeaders: [...CORS_REQUEST_HEADERS],
        exposeHeaders: [...EXPOSED_HEADERS],
        maxAge: Duration.hours(1),
      });
    }
  }

  /**
   * The API's resource policy: the given principals may invoke it and everyone else is denied, even a
   * principal of this account whose IAM policy allows execute-api:Invoke (within an account, an allow of
   * either policy would do). An account root stands for the principals of that account. The console's role
   * is spared the denial (its own policy allows it this API): named in a condition only, which IAM does
   * not check against existing roles, so the API needs neither the role nor its name to exist first.
   *
   * The console's preflight requests (OPTIONS) carry no credentials, and API Gateway answers them itself
   * (with the CORS headers, no function): anyone may make them. A method without authorization needs the
   * resource policy's explicit allow, and any deny would refuse it, so the denial names the routes' methods.
   */
  private apiPolicy(principals: readonly string[] | undefined, consoleRoleArn: string): PolicyDocument {
    const { partition, account } = Stack.of(this);
    const given = principals ?? [`arn:${partition}:iam::${account}:root`];
    const roots = given.filter((arn) => arn.endsWith(':root'));
    const others = given.filter((arn) => !arn.endsWith(':root'));
    // Without adminPrincipals, the account's principals are admitted, the console's role among them.
    const spared = principals ? [...others, consoleRoleArn] : others;
    const accountOf = (root: string) => (principals ? (root.split(':')[4] as string) : account);
    const invoke = ['execute-api:Invoke'];
    const routeMethods = [...new Set(routes.map((route) => route.method))].sort();
    return new PolicyDocument({
      statements: [
        new PolicyStatement({
          actions: invoke,
          resources: ['execute-api:/*'],
          principals: given.map((arn) => new ArnPrincipal(arn)),
        }),
        new PolicyStatement({
          actions: invoke,
          resources: [`execute-api:/${API_STAGE}/OPTIONS/*`],
          principals: [new AnyPrincipal()],
        }),
        new PolicyStatement({
          actions: invoke,
          resources: routeMethods.map((method) => `execute-api:/*/${method}/*`),
          effect: Effect.DENY,
          principals: [new AnyPrincipal()],
          conditions: {
            ...(spared.length > 0 ? { ArnNotEquals: { 'aws:PrincipalArn': spared } } : {}),
            ...(roots.length > 0
              ? { StringNotEquals: { 'aws:PrincipalAccount': roots.map(accountOf) } }
              : {}),
          },
        }),
      ],
    });
  }
}
