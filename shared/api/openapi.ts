/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the route table and its zod schemas (JSON Schema
 * 2020-12, which OpenAPI 3.1 uses as is).
 */
import { z } from 'zod';
import { routes } from './routes';
import { responses } from './schemas';

const schemaOf = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' });

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

export function buildOpenApiDocument(version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const parameters = [
      ...[...route.resource.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
        name,
        in: 'path',
        required: true,
        schema: { type: 'string' },
      })),
      ...('query' in route
        ? Object.keys((route.query as z.ZodObject).shape).map((name) => ({
            name,
            in: 'query',
            required: false,
            schema: { type: 'string' },
          }))
        : []),
      ...(route.method === 'PUT' && route.resource === '/config'
        ? [
            {
              name: 'If-Match',
              in: 'header',
              required: false,
              schema: { type: 'string' },
              description: 'the version the change is based on',
            },
          ]
        : []),
    ];
    const operation = {
      summary: route.summary,
      operationId: `${route.method.toLowerCase()}${route.resource.replace(/[{}]/g, '').replace(/[/.-](\w)/g, (_, c: string) => c.toUpperCase())}`,
      ...(parameters.length > 0 ? { parameters } : {}),
      ...('body' in route
        ? {
            requestBody: {
              required: route.method === 'PUT',
              content: { 'application/json': { schema: schemaOf(route.body, 'input') } },
            },
          }
        : {}),
      responses: {
        [String(route.status)]:
          'response' in route
            ? {
                description: 'OK',
                content: { 'application/json': { schema: schemaOf(route.response, 'output') } },
              }
            : { description: route.status === 204 ? 'No content' : 'OK' },
        '400': errorResponse('Invalid input; details name each field'),
        '401': errorResponse('Not authenticated'),
        ...(route.resource.includes('{') ? { '404': errorResponse('Not found') } : {}),
        ...(route.resource === '/sync' || route.resource === '/config' || route.resource.startsWith('/users')
          ? { '409': errorResponse('Conflict: a sync is running, the version changed, or the name is taken') }
          : {}),
        ...('body' in route ? { '413': errorResponse('Body too large') } : {}),
        '500': errorResponse('Internal error (nothing internal is exposed)'),
      },
    };
    paths[route.resource] = { ...paths[route.resource], [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'ad-sync',
      version,
      description: "Keeps an application's user database in DynamoDB in step with Active Directory.",
    },
    security: [{ sigv4: [] }, { bearer: [] }],
    paths,
    components: {
      schemas: { Error: schemaOf(responses.error, 'output') },
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
