/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the route table and its zod schemas (JSON Schema
 * 2020-12, which OpenAPI 3.1 uses as is). It declares every answer the API gives: each route's success and
 * its own failures (routes.ts), the failures of every route (validation, authentication, method, size),
 * and those of the two edges in front of the functions: the local stack's Host check and API Gateway's own
 * answers (IAM, throttling, its 29-second timeout). test/integration/api/contract.test.ts holds the local
 * stack to it.
 */
import * as z from 'zod';
import { pathParameterNames, type RouteSpec, routes } from './routes';
import { type OpenApiDocument, responses } from './schemas';

/** A JSON Schema of a zod schema; the dialect is the document's (2020-12), so no `$schema` per schema. */
function schemaOf(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  });
  return json;
}

const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };

/** The answers of every route, in components.responses. */
const COMMON_RESPONSES = {
  '400': {
    name: 'BadRequest',
    description:
      'The request is invalid: error.details names each field (ValidationError; `(body)` for a body that is not JSON), or the request needs a password that is not set for this connection (MissingPassword, PasswordTargetMismatch)',
  },
  '401': {
    name: 'Unauthorized',
    description: "The local stack's bearer token is missing or wrong (Unauthorized)",
  },
  '403': {
    name: 'Forbidden',
    description:
      "AWS: API Gateway refused the request: IAM denied it, its signature is wrong, or there is no such route; error.code is API Gateway's response type, such as ACCESS_DENIED or MISSING_AUTHENTICATION_TOKEN",
  },
  '405': {
    name: 'MethodNotAllowed',
    description:
      'The local stack: the path does not serve this method (MethodNotAllowed); Allow lists the methods it serves. API Gateway answers 403 instead.',
    headers: {
      Allow: {
        description: 'The methods the path serves, such as `GET, PUT`',
        required: true,
        schema: { type: 'string' },
      },
    },
  },
  '413': {
    name: 'PayloadTooLarge',
    description: 'The body is larger than 256 KiB (PayloadTooLarge)',
  },
  '421': {
    name: 'MisdirectedRequest',
    description:
      'The local stack: the request is addressed to another host than 127.0.0.1:<port> or localhost:<port>, as a web page whose DNS name was rebound to 127.0.0.1 would be (MisdirectedRequest)',
  },
  '429': {
    name: 'TooManyRequests',
    description: 'AWS: API Gateway throttled the request (THROTTLED); retry later',
  },
  '500': {
    name: 'InternalError',
    description: 'An unexpected error; nothing internal is exposed (InternalError)',
  },
  '504': {
    name: 'GatewayTimeout',
    description:
      'AWS: the function did not answer within API Gateway’s 29 seconds (INTEGRATION_TIMEOUT); long operations answer 202 instead, so this means the function itself failed to answer',
  },
} as const;

/** The parameters of a route: path, query and header, from its schemas. */
function parametersOf(route: RouteSpec): Record<string, unknown>[] {
  const from = (schema: z.ZodObject | undefined, location: 'path' | 'query' | 'header') => {
    if (!schema) return [];
    const json = schemaOf(schema, 'input') as {
      properties?: Record<string, { description?: string }>;
      required?: string[];
    };
    return Object.entries(json.properties ?? {}).map(([name, { description, ...property }]) => ({
      name,
      in: location,
      required: location === 'path' || (json.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: property,
    }));
  };
  return [...from(route.path, 'path'), ...from(route.query, 'query'), ...from(route.headers, 'header')];
}

function operationOf(route: RouteSpec): Record<string, unknown> {
  const parameters = parametersOf(route);
  const json = (schema: z.ZodType) => ({ 'application/json': { schema: schemaOf(schema, 'output') } });
  const success = route.response
    ? {
        description: route.status === 202 ? 'Accepted: the operation goes on without the request' : 'OK',
        content: json(route.response),
        ...(route.status === 202
          ? {
              headers: {
                Location: {
                  description:
                    'Where to follow the operation (GET it until its status is no longer `running`)',
                  required: true,
                  schema: { type: 'string' },
                },
              },
            }
          : {}),
      }
    : { description: route.status === 204 ? 'No content' : 'OK' };
  const completed = route.completed
    ? {
        '200': {
          description: 'The operation ended within the `Prefer: wait=N` asked for: its final result',
          headers: {
            'Preference-Applied': {
              description: 'The wait that was applied, such as `wait=25`',
              required: true,
              schema: { type: 'string' },
            },
          },
          content: json(route.completed),
        },
      }
    : {};
  const failures = Object.fromEntries(
    Object.entries(route.failures ?? {}).map(([status, failure]) => [
      status,
      {
        description: failure.description,
        ...(failure.headers
          ? {
              headers: Object.fromEntries(
                // Not `required`: a 429 from API Gateway's throttling carries none.
                Object.entries(failure.headers).map(([name, { description }]) => [
                  name,
                  { description, schema: { type: 'string' } },
                ]),
              ),
            }
          : {}),
        content: {
          'application/json': {
            schema: failure.codes
              ? {
                  allOf: [
                    { $ref: '#/components/schemas/Error' },
                    { properties: { error: { properties: { code: { enum: failure.codes } } } } },
                  ],
                }
              : { $ref: '#/components/schemas/Error' },
          },
        },
      },
    ]),
  );
  const common = Object.fromEntries(
    Object.entries(COMMON_RESPONSES).map(([status, { name }]) => [
      status,
      { $ref: `#/components/responses/${name}` },
    ]),
  );
  return {
    summary: route.summary,
    operationId: `${route.method.toLowerCase()}${route.resource.replace(/[{}]/g, '').replace(/[/.-](\w)/g, (_, c: string) => c.toUpperCase())}`,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            // Required where an empty body is refused: a request without one is validated as `{}`.
            required: !route.body.safeParse({}).success,
            content: { 'application/json': { schema: schemaOf(route.body, 'input') } },
          },
        }
      : {}),
    responses: Object.fromEntries(
      // A route's own failure replaces the common one of its status (it describes both).
      Object.entries({ [String(route.status)]: success, ...completed, ...common, ...failures }).sort(
        ([a], [b]) => a.localeCompare(b),
      ),
    ),
  };
}

export function buildOpenApiDocument(version: string): OpenApiDocument {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes as readonly RouteSpec[]) {
    const names = pathParameterNames(route.resource);
    const declared = Object.keys(route.path?.shape ?? {});
    if (names.join() !== declared.join()) {
      throw new Error(`${route.method} ${route.resource} declares path parameters ${declared.join(', ')}`);
    }
    paths[route.resource] = { ...paths[route.resource], [route.method.toLowerCase()]: operationOf(route) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'ad-sync',
      version,
      description: "Keeps an application's user database in DynamoDB in step with Active Directory.",
      license: { name: 'UNLICENSED' },
    },
    servers: [
      {
        url: 'http://127.0.0.1:{port}',
        description: 'The local stack (`adsync serve`); a bearer token',
        variables: { port: { default: '8080', description: '$ADSYNC_PORT' } },
      },
      {
        url: 'https://{restApiId}.execute-api.{region}.amazonaws.com/v1',
        description: 'The AWS deployment (API Gateway, stage v1); requests signed with SigV4',
        variables: {
          restApiId: {
            default: 'restApiId',
            description: "the REST API's id: see the stack's output ApiUrl",
          },
          region: { default: 'eu-central-1', description: 'the AWS region of the stack' },
        },
      },
    ],
    security: [{ sigv4: [] }, { bearer: [] }],
    paths,
    components: {
      schemas: { Error: schemaOf(responses.error, 'output') },
      responses: Object.fromEntries(
        Object.values(COMMON_RESPONSES).map(({ name, ...response }) => [
          name,
          { ...response, content: errorContent },
        ]),
      ),
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          description: 'AWS Signature Version 4 (API Gateway IAM authorization)',
        },
        bearer: { type: 'http', scheme: 'bearer', description: 'the local stack token' },
      },
    },
  };
}
