/**
 * Every route of the HTTP API, the function that serves it, and its schemas: one table used by the
 * functions (routing and validation, see http-api.ts), the local stack (matching paths), the OpenAPI
 * document, the API client and the CDK stack. A route's schemas are its runtime contract: `httpApi`
 * validates a request's path, query, headers and body with them before the handler runs, and the types of
 * what a handler receives and answers are inferred from them.
 */
import type * as z from 'zod';
import {
  createUserBody,
  directoryUserParameter,
  explainQuery,
  groupMembersQuery,
  groupNameParameter,
  groupsPageQuery,
  groupsQuery,
  ifMatchHeader,
  logonBody,
  preferHeader,
  previewIdParameter,
  putConfigBody,
  responses,
  runIdParameter,
  syncBody,
  testSettingsBody,
  userNameParameter,
  usersQuery,
} from './schemas';

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';
/**
 * Every function of ad-sync. Most serve routes; `sync` and `test-settings` are the workers that `start`
 * starts (a sync run, a preview), and `sync` also runs the schedule and continuations; `events` is the
 * enrichment of the change-events pipe in AWS (cdk/events.ts), which serves no route either.
 */
export const functionNames = [
  'config',
  'start',
  'test-settings',
  'sync',
  'runs',
  'users',
  'directory',
  'logon',
  'logon-guard',
  'openapi',
  'events',
  'watch',
] as const;
export type FunctionName = (typeof functionNames)[number];

/**
 * A failure particular to a route: what causes it, the error codes it answers with (when known), and the
 * headers that come with it. A status every route can answer (401, 429) declared here replaces the common
 * one for this route: its description and codes must cover both.
 */
interface RouteFailure {
  readonly description: string;
  readonly codes?: readonly string[];
  readonly headers?: Readonly<Record<string, { readonly description: string }>>;
}

export interface RouteSpec {
  readonly method: HttpMethod;
  /** API Gateway resource path, with `{parameters}`. */
  readonly resource: string;
  readonly function: FunctionName;
  readonly summary: string;
  /** The path parameters: one field for each `{parameter}` of the resource. */
  readonly path?: z.ZodObject;
  readonly query?: z.ZodObject;
  /** The request headers the route reads, named as documented (matched case-insensitively). */
  readonly headers?: z.ZodObject;
  readonly body?: z.ZodType;
  /** The status of success, unless the handler names another. */
  readonly status: 200 | 201 | 202 | 204;
  readonly response?: z.ZodType;
  /**
   * A route that starts a long operation (status 202, `response` names it, `Location` is where to follow
   * it): what it answers with 200 instead when the operation ends within the `Prefer: wait=N` asked for.
   */
  readonly completed?: z.ZodType;
  /**
   * The failures this route answers besides those of every route (400, 401, 405, 413, 500, and the edge's
   * own: see openapi.ts), by status.
   */
  readonly failures?: Readonly<Partial<Record<401 | 404 | 409 | 429 | 502 | 503, RouteFailure>>>;
}

/** What the directory routes answer when the directory behind them fails; `error.code` names the cause. */
const directoryFailed: RouteFailure = {
  description:
    'The directory failed: it cannot be reached, refused the TLS connection or the bind, or timed out (error.code names the cause, such as Unreachable, Tls, InvalidCredentials or Timeout)',
};

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
    headers: ifMatchHeader,
    body: putConfigBody,
    status: 200,
    response: responses.configuration,
    failures: {
      409: {
        description: 'If-Match names a version that is no longer the saved one',
        codes: ['VersionConflict'],
      },
    },
  },
  {
    method: 'POST',
    resource: '/test-settings',
    function: 'start',
    summary:
      'Start a preview: the whole pipeline, committing nothing (202 and Location; 200 and the Report under Prefer: wait=N)',
    headers: preferHeader,
    body: testSettingsBody,
    status: 202,
    response: responses.previewStarted,
    completed: responses.report,
    failures: {
      502: {
        description: 'The test could not be started (StartFailed); the preview is recorded as failed',
        codes: ['StartFailed'],
      },
    },
  },
  {
    method: 'GET',
    resource: '/test-settings/{previewId}',
    function: 'runs',
    summary: "A preview's report (with progress while it runs); previews are kept 24 hours",
    path: previewIdParameter,
    status: 200,
    response: responses.report,
    failures: {
      404: { description: 'There is no preview with this id, or it has expired', codes: ['NotFound'] },
    },
  },
  {
    method: 'POST',
    resource: '/sync',
    function: 'start',
    summary:
      'Synchronize now (202 and Location; 200 and the Report under Prefer: wait=N); 409 while a sync runs',
    headers: preferHeader,
    body: syncBody,
    status: 202,
    response: responses.runStarted,
    completed: responses.report,
    failures: {
      409: {
        description:
          'A sync is running (SyncRunning: error.details names its runId), or allowMassDeletion approves other deletes than those the last run withheld (ApprovalMismatch)',
        codes: ['SyncRunning', 'ApprovalMismatch'],
      },
      502: {
        description: 'The sync could not be started (StartFailed); the run is recorded as failed',
        codes: ['StartFailed'],
      },
    },
  },
  {
    method: 'POST',
    resource: '/sync/users/{name}',
    function: 'start',
    summary:
      "Synchronize one user now, by sAMAccountName, userPrincipalName, DN or objectGUID: its plan applied under the sync's rules, recorded as a run with trigger user (202 and Location; 200 and the Report under Prefer: wait=N)",
    path: directoryUserParameter,
    headers: preferHeader,
    status: 202,
    response: responses.runStarted,
    completed: responses.report,
    failures: {
      409: {
        description: 'A sync is running (SyncRunning: error.details names its runId)',
        codes: ['SyncRunning'],
      },
      502: {
        description: 'The sync could not be started (StartFailed); the run is recorded as failed',
        codes: ['StartFailed'],
      },
    },
  },
  {
    method: 'GET',
    resource: '/sync/runs',
    function: 'runs',
    summary: "Run history, newest first, with the schedule's state (back-off) and whether the sync is stale",
    status: 200,
    response: responses.runs,
  },
  {
    method: 'GET',
    resource: '/sync/runs/{runId}',
    function: 'runs',
    summary: "One run's report",
    path: runIdParameter,
    status: 200,
    response: responses.report,
    failures: { 404: { description: 'There is no run with this id', codes: ['NotFound'] } },
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
    failures: {
      409: { description: 'A user with this name exists', codes: ['ConcurrentModification'] },
    },
  },
  {
    method: 'GET',
    resource: '/users/{userName}',
    function: 'users',
    summary: 'One user',
    path: userNameParameter,
    status: 200,
    response: responses.user,
    failures: { 404: { description: 'There is no user with this name', codes: ['NotFound'] } },
  },
  {
    method: 'DELETE',
    resource: '/users/{userName}',
    function: 'users',
    summary: 'Remove a local user',
    path: userNameParameter,
    status: 204,
    failures: {
      404: { description: 'There is no user with this name', codes: ['NotFound'] },
      409: {
        description: 'A directory user: the sync manages it (remove it from the scope in Active Directory)',
        codes: ['DirectoryUser'],
      },
    },
  },
  {
    method: 'GET',
    resource: '/groups',
    function: 'users',
    summary: 'Synchronized groups in name order, paged with cursor',
    query: groupsPageQuery,
    status: 200,
    response: responses.groupsPage,
  },
  {
    method: 'GET',
    resource: '/groups/{name}',
    function: 'users',
    summary: 'One synchronized group',
    path: groupNameParameter,
    status: 200,
    response: responses.group,
    failures: { 404: { description: 'There is no synchronized group with this name', codes: ['NotFound'] } },
  },
  {
    method: 'GET',
    resource: '/groups/{name}/members',
    function: 'users',
    summary: "A group's synchronized members, direct or through nested groups, paged with cursor",
    path: groupNameParameter,
    query: groupMembersQuery,
    status: 200,
    response: responses.groupMembers,
    failures: { 404: { description: 'There is no synchronized group with this name', codes: ['NotFound'] } },
  },
  {
    method: 'GET',
    resource: '/directory/base-dns',
    function: 'directory',
    summary: 'Naming contexts for the Base-DN picker',
    status: 200,
    response: responses.baseDns,
    failures: { 502: directoryFailed },
  },
  {
    method: 'GET',
    resource: '/directory/groups',
    function: 'directory',
    summary: 'Groups for the group picker',
    query: groupsQuery,
    status: 200,
    response: responses.groups,
    failures: { 502: directoryFailed },
  },
  {
    method: 'GET',
    resource: '/directory/users/{name}',
    function: 'directory',
    summary:
      "Explain one directory user (by sAMAccountName, userPrincipalName, DN or objectGUID): the attributes read, each filter's verdict, the mapped user and what a sync would do with it; commits nothing",
    path: directoryUserParameter,
    query: explainQuery,
    status: 200,
    response: responses.userExplanation,
    failures: {
      404: {
        description:
          'The directory holds no user with this name under the base DN, nor does the user database a synchronized user of that name that moved out of it (one gone from the domain: the message says what a one-user sync would do)',
        codes: ['NotFound'],
      },
      409: {
        description:
          "The name designates several directory users (one's sAMAccountName is another's userPrincipalName); error.details list each one's distinguishedName",
        codes: ['AmbiguousName'],
      },
      502: directoryFailed,
    },
  },
  {
    method: 'POST',
    resource: '/logon',
    function: 'logon',
    summary:
      "Check a user's password: a directory user's by a bind as that user, a local user's against its hash; the user needs the login privilege",
    body: logonBody,
    status: 200,
    response: responses.logon,
    failures: {
      401: {
        description:
          'The logon is refused (InvalidCredentials): the same answer, in about the same time, for an unknown user, a wrong password, a disabled or expired account and a user without the login privilege. On the local stack also: its bearer token is missing or wrong (Unauthorized)',
        codes: ['InvalidCredentials', 'Unauthorized'],
      },
      429: {
        description:
          'Logons of this user name failed logon.maxFailures times in a row: refused for logon.lockoutMinutes after the last, without contacting the directory (LockedOut). AWS: or API Gateway throttled the request (THROTTLED)',
        codes: ['LockedOut', 'THROTTLED'],
        headers: {
          'Retry-After': {
            description: 'LockedOut: the seconds until logons of this name are checked again',
          },
        },
      },
      503: {
        description:
          'The directory could not check the password: no domain controller could be reached, TLS failed, or it did not answer in time (DirectoryUnavailable); the attempt is not counted as a failure',
        codes: ['DirectoryUnavailable'],
      },
    },
  },
  {
    method: 'GET',
    resource: '/openapi.json',
    function: 'openapi',
    summary: 'This API as an OpenAPI 3.1 document',
    status: 200,
    response: responses.openApiDocument,
  },
] as const satisfies readonly RouteSpec[];

export type Route = (typeof routes)[number];
export type RouteKey = `${Route['method']} ${Route['resource']}`;
/** The route of a key such as `GET /users/{userName}`. */
export type RouteOf<K extends RouteKey> = K extends `${infer M} ${infer R}`
  ? Extract<Route, { readonly method: M; readonly resource: R }>
  : never;

/** The `{parameter}` names of a resource path, in order. */
export const pathParameterNames = (resource: string): string[] =>
  [...resource.matchAll(/\{(\w+)\}/g)].map(([, name]) => name as string);

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
