/**
 * The typed client of the ad-sync HTTP API, for the CLI and the console alike: one method per route, its
 * input and answer typed from the route table's schemas (routes.ts). Browser-safe: fetch only, and only
 * types from the route table, so the console's bundle holds no schema code. How a request is authorized is
 * injected (`SignRequest`): the local stack's bearer token (`bearerToken`), or SigV4 for API Gateway (the
 * CLI's, in cli/api-client.ts).
 */
import type * as z from 'zod';
import type { ConfigInput } from '../config/config-schema';
import type { Clock } from '../ports/clock';
import type { RouteKey, RouteOf } from './routes';
import type { ErrorBody, PreviewStarted, Report, RunStarted } from './schemas';

/** A mapping to try (the configuration's `mapping`, as a client writes it). */
export type MappingInput = NonNullable<ConfigInput['mapping']>;

/** How a client follows a long operation (a sync, a preview) to its end. */
export interface FollowOptions {
  /** Called with the Report so far (`status: "running"`, `progress`) each time the client polls it. */
  readonly onProgress?: (report: Report) => void;
  /** Seconds to ask the server to wait before it answers 202 (`Prefer: wait=N`); default 2. */
  readonly wait?: number;
  /** Milliseconds between polls; default 1000. */
  readonly pollMs?: number;
}

/** The waits between polls on the host's timers: the console bundles this client, where node:timers is not. */
const sleepOnTimers = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whether the answer of a start is the final Report (200 under `Prefer: wait`) rather than the 202. */
export const isReport = (answer: Report | RunStarted | PreviewStarted): answer is Report =>
  'counts' in answer;

/** A request about to be sent; a signer answers the headers to send it with. */
interface OutgoingRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}
export type SignRequest = (request: OutgoingRequest) => Promise<Record<string, string>>;

/** The local stack's authorization: `Authorization: Bearer <token>`. */
export const bearerToken =
  (token: string): SignRequest =>
  async ({ headers }) => ({ ...headers, authorization: `Bearer ${token}` });

/**
 * An error answer of the API (status 0: no answer at all), with its code and field details, and how many
 * seconds to wait before trying again when it said so (`Retry-After`, such as a locked-out logon's).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly { readonly path: string; readonly message: string }[] = [],
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface ApiClientOptions {
  /** The API's root, such as `http://127.0.0.1:8080` or `https://<id>.execute-api.<region>.amazonaws.com/v1`. */
  readonly baseUrl: string;
  readonly sign: SignRequest;
  /**
   * Called on a 401 that refuses the caller (not a refused logon), before the ApiError is thrown (the console
   * asks for the token again).
   */
  readonly onUnauthorized?: () => void;
  /** What to suggest when the API cannot be reached at all. */
  readonly unreachableHint?: string;
  /** For tests: another fetch. */
  readonly fetch?: typeof fetch;
  /** For tests: what the waits between polls are timed by (the host's timers by default). */
  readonly clock?: Pick<Clock, 'sleep'>;
}

/** What a schema of a route takes (its input type); `never` when the route has no such schema. */
type Input<R, Part extends 'path' | 'query' | 'headers' | 'body'> = R extends {
  readonly [P in Part]: infer S extends z.ZodType;
}
  ? z.input<S>
  : never;

/** What a route's request needs: its path parameters, query, headers and body, each where it has one. */
export type RouteInput<K extends RouteKey> = {
  readonly [Part in 'path' | 'query' | 'headers' | 'body' as [Input<RouteOf<K>, Part>] extends [never]
    ? never
    : Part]: Input<RouteOf<K>, Part>;
};

/** What a route answers: its response schema's type, or nothing (204). */
type RouteOutput<K extends RouteKey> =
  RouteOf<K> extends {
    readonly response: infer S extends z.ZodType;
  }
    ? z.output<S>
    : undefined;

/** The `Prefer` header asking to wait up to `wait` seconds (none for no wait). */
const preferWait = (wait: number | undefined): { Prefer?: string } =>
  wait === undefined || wait <= 0 ? {} : { Prefer: `wait=${Math.ceil(wait)}` };

export class ApiClient {
  private readonly baseUrl: string;

  constructor(private readonly options: ApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/$/, '');
  }

  getConfig() {
    return this.call('GET /config', {});
  }
  /** `ifMatch`: the version the change is based on (409 when another save came first). */
  putConfig(body: RouteInput<'PUT /config'>['body'], ifMatch?: number) {
    return this.call('PUT /config', {
      body,
      headers: ifMatch === undefined ? {} : { 'If-Match': String(ifMatch) },
    });
  }
  /** Starts a preview: the 202's `{ previewId }`, or its Report when it ends within `wait` seconds. */
  startTestSettings(body: RouteInput<'POST /test-settings'>['body'] = {}, wait?: number) {
    return this.call('POST /test-settings', { body, headers: preferWait(wait) });
  }
  /** Test Settings to its end: starts a preview and follows it. */
  async testSettings(
    body: RouteInput<'POST /test-settings'>['body'] = {},
    follow: FollowOptions = {},
  ): Promise<Report> {
    const answer = await this.startTestSettings(body, follow.wait ?? 2);
    if (isReport(answer)) return answer;
    return this.follow(() => this.getPreview(answer.previewId), follow);
  }
  getPreview(previewId: string) {
    return this.call('GET /test-settings/{previewId}', { path: { previewId } });
  }
  /** Starts a sync: the 202's `{ runId }`, or its Report when it ends within `wait` seconds. */
  startSync(body: RouteInput<'POST /sync'>['body'] = {}, wait?: number) {
    return this.call('POST /sync', { body, headers: preferWait(wait) });
  }
  /** Synchronize now to the end: starts a sync and follows its run. */
  async synchronize(
    body: RouteInput<'POST /sync'>['body'] = {},
    follow: FollowOptions = {},
  ): Promise<Report> {
    const answer = await this.startSync(body, follow.wait ?? 2);
    if (isReport(answer)) return answer;
    return this.follow(() => this.getRun(answer.runId), follow);
  }
  /** Starts a sync of one user: the 202's `{ runId }`, or its Report when it ends within `wait` seconds. */
  startUserSync(name: string, wait?: number) {
    return this.call('POST /sync/users/{name}', { path: { name }, headers: preferWait(wait) });
  }
  /** Synchronizes one user (by sAMAccountName, UPN, DN or objectGUID) to the end, following its run. */
  async synchronizeUser(name: string, follow: FollowOptions = {}): Promise<Report> {
    const answer = await this.startUserSync(name, follow.wait ?? 2);
    if (isReport(answer)) return answer;
    return this.follow(() => this.getRun(answer.runId), follow);
  }
  /** Polls an operation's Report until it is no longer running. */
  private async follow(get: () => Promise<Report>, { onProgress, pollMs = 1000 }: FollowOptions) {
    for (;;) {
      const report = await get();
      if (report.status !== 'running') return report;
      onProgress?.(report);
      await (this.options.clock ? this.options.clock.sleep(pollMs) : sleepOnTimers(pollMs));
    }
  }
  listRuns() {
    return this.call('GET /sync/runs', {});
  }
  getRun(runId: string) {
    return this.call('GET /sync/runs/{runId}', { path: { runId } });
  }
  listUsers(cursor?: string) {
    return this.call('GET /users', { query: cursor === undefined ? {} : { cursor } });
  }
  createUser(body: RouteInput<'POST /users'>['body']) {
    return this.call('POST /users', { body });
  }
  getUser(userName: string) {
    return this.call('GET /users/{userName}', { path: { userName } });
  }
  deleteUser(userName: string) {
    return this.call('DELETE /users/{userName}', { path: { userName } });
  }
  /** The synchronized groups, 100 a page in name order. */
  listGroups(cursor?: string) {
    return this.call('GET /groups', { query: cursor === undefined ? {} : { cursor } });
  }
  /** One synchronized group; ApiError 404 NotFound when there is none of that name. */
  getGroup(name: string) {
    return this.call('GET /groups/{name}', { path: { name } });
  }
  /** A group's synchronized members, 100 a page; with `transitive`, those of nested groups too. */
  listGroupMembers(name: string, options: { transitive?: boolean; cursor?: string } = {}) {
    return this.call('GET /groups/{name}/members', {
      path: { name },
      query: {
        ...(options.transitive ? { transitive: 'true' as const } : {}),
        ...(options.cursor === undefined ? {} : { cursor: options.cursor }),
      },
    });
  }
  listBaseDns() {
    return this.call('GET /directory/base-dns', {});
  }
  searchGroups(search?: string) {
    return this.call('GET /directory/groups', { query: search === undefined ? {} : { search } });
  }
  /**
   * One directory user explained (with `mapping`, under that unsaved mapping: a rule tried before it is saved);
   * ApiError 404 NotFound for no such user, 409 AmbiguousName for several, 400 for a bad mapping.
   */
  explainUser(name: string, mapping?: MappingInput) {
    return this.call('GET /directory/users/{name}', {
      path: { name },
      query: mapping ? { mapping: JSON.stringify(mapping) } : {},
    });
  }
  /**
   * Checks a user's password: `{ user }`. Refused: ApiError 401 InvalidCredentials; locked out: 429 LockedOut
   * with `retryAfterSeconds`; the directory unavailable: 503 DirectoryUnavailable.
   */
  logon(body: RouteInput<'POST /logon'>['body']) {
    return this.call('POST /logon', { body });
  }
  openApiDocument() {
    return this.call('GET /openapi.json', {});
  }

  /** A request to a route of the table: `{parameters}` filled in (encoded), the query and body added. */
  async call<K extends RouteKey>(route: K, input: RouteInput<K>): Promise<RouteOutput<K>> {
    const [method, resource] = route.split(' ') as [string, string];
    const { path, query, headers, body } = input as {
      path?: Record<string, string>;
      query?: Record<string, string | undefined>;
      headers?: Record<string, string>;
      body?: unknown;
    };
    const url = resource.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = path?.[name];
      if (value === undefined) throw new Error(`${route} needs the path parameter ${name}`);
      return encodeURIComponent(value);
    });
    const search = new URLSearchParams(
      Object.entries(query ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined),
    ).toString();
    return (await this.request(method, search ? `${url}?${search}` : url, body, headers)) as RouteOutput<K>;
  }

  /**
   * Any request, its answer not checked against a route: prefer the methods above (what is left of the
   * console's own client, until each page uses them).
   */
  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    extraHeaders: Readonly<Record<string, string>> = {},
  ): Promise<T> {
    const url = new URL(`${this.baseUrl}${path}`);
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers = await this.options.sign({
      method,
      url,
      headers: { ...extraHeaders, ...(text === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(text === undefined ? {} : { body: text }),
    });
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(url, {
        method,
        headers,
        ...(text === undefined ? {} : { body: text }),
      });
    } catch (error) {
      const hint = this.options.unreachableHint ? ` (${this.options.unreachableHint})` : '';
      throw Object.assign(
        new ApiError(0, 'NetworkError', `cannot reach ${this.baseUrl}${hint}: ${(error as Error).message}`),
        { cause: error },
      );
    }
    const payload =
      response.status === 204 ? undefined : ((await response.json().catch(() => undefined)) as unknown);
    if (!response.ok) {
      const error = (payload as Partial<ErrorBody> | undefined)?.error;
      if (response.status === 401 && error?.code !== 'InvalidCredentials') this.options.onUnauthorized?.();
      const retryAfter = Number(response.headers.get('retry-after') ?? Number.NaN);
      throw new ApiError(
        response.status,
        error?.code ?? 'HttpError',
        error?.message ?? `${response.status} ${response.statusText}`,
        error?.details ?? [],
        Number.isInteger(retryAfter) && retryAfter >= 0 ? retryAfter : undefined,
      );
    }
    return payload as T;
  }
}
