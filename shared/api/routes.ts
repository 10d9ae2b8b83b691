/**
 * Every route of the HTTP API, the function that serves it, and its schemas: one table used by the
 * functions (routing), the local stack (matching paths), the OpenAPI document and the CDK stack.
 */
import type { z } from 'zod';
import {
  createUserBody,
  groupsQuery,
  putConfigBody,
  responses,
  syncBody,
  testSettingsBody,
  usersQuery,
} from './schemas';

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';
export type FunctionName = 'config' | 'test-settings' | 'sync' | 'runs' | 'users' | 'directory' | 'openapi';

export interface RouteSpec {
  readonly method: HttpMethod;
  /** API Gateway resource path, with `{parameters}`. */
  readonly resource: string;
  readonly function: FunctionName;
  readonly summary: string;
  readonly body?: z.ZodType;
  readonly query?: z.ZodType;
  readonly status: number;
  readonly response?: z.ZodType;
}

export const routes = [
  {
    method: 'GET',
    resource: '/config',
    function: 'config',
    summary: 'The configuration; only whether a password is set',
    status: 200,
    response: responses.configuration,
  },
  {
    method: 'PUT',
    resource: '/config',
    function: 'config',
    summary: 'Save the configuration (If-Match: <version>) and optionally the password',
    body: putConfigBody,
    status: 200,
    response: responses.configuration,
  },
  {
    method: 'POST',
    resource: '/test-settings',
    function: 'test-settings',
    summary: 'Run the whole pipeline and commit nothing',
    body: testSettingsBody,
    status: 200,
    response: responses.report,
  },
  {
    method: 'POST',
    resource: '/sync',
    function: 'sync',
    summary: 'Synchronize now; 409 while a sync runs',
    body: syncBody,
    status: 200,
    response: responses.report,
  },
  {
    method: 'GET',
    resource: '/sync/runs',
    function: 'runs',
    summary: 'Run history, newest first',
    status: 200,
    response: responses.runs,
  },
  {
    method: 'GET',
    resource: '/sync/runs/{runId}',
    function: 'runs',
    summary: "One run's report",
    status: 200,
    response: responses.report,
  },
  {
    method: 'GET',
    resource: '/users',
    function: 'users',
    summary: 'Users in name order, paged with cursor',
    query: usersQuery,
    status: 200,
    response: responses.users,
  },
  {
    method: 'POST',
    resource: '/users',
    function: 'users',
    summary: 'Add a local user',
    body: createUserBody,
    status: 201,
    response: responses.user,
  },
  {
    method: 'GET',
    resource: '/users/{userName}',
    function: 'users',
    summary: 'One user',
    status: 200,
    response: responses.user,
  },
  {
    method: 'DELETE',
    resource: '/users/{userName}',
    function: 'users',
    summary: 'Remove a local user',
    status: 204,
  },
  {
    method: 'GET',
    resource: '/directory/base-dns',
    function: 'directory',
    summary: 'Naming contexts for the Base-DN picker',
    status: 200,
    response: responses.baseDns,
  },
  {
    method: 'GET',
    resource: '/directory/groups',
    function: 'directory',
    summary: 'Groups for the group picker',
    query: groupsQuery,
    status: 200,
    response: responses.groups,
  },
  {
    method: 'GET',
    resource: '/openapi.json',
    function: 'openapi',
    summary: 'This API as an OpenAPI 3.1 document',
    status: 200,
  },
] as const satisfies readonly RouteSpec[];

export type RouteKey = `${(typeof routes)[number]['method']} ${(typeof routes)[number]['resource']}`;

/** The routes a function serves. */
/** Every function that serves a route, once each. */
export const functionNames: readonly FunctionName[] = [...new Set(routes.map((route) => route.function))];

/** Finds the resource template a concrete path matches (`/users/alice` -> `/users/{userName}`). */
export function matchResource(
  path: string,
): { resource: string; pathParameters: Record<string, string> } | undefined {
  const segments = path.split('/').filter(Boolean);
  for (const resource of new Set(routes.map((r) => r.resource as string))) {
    const template = resource.split('/').filter(Boolean);
    if (template.length !== segments.length) continue;
    const pathParameters: Record<string, string> = {};
    const matches = template.every((part, i) => {
      const segment = segments[i] as string;
      const parameter = /^\{(\w+)\}$/.exec(part)?.[1];
      if (parameter) {
        pathParameters[parameter] = decodeURIComponent(segment);
        return true;
      }
      return part === segment;
    });
    if (matches) return { resource, pathParameters };
  }
  return undefined;
}
