/**
 * The console's client of the ad-sync HTTP API: same origin, every request with `Authorization: Bearer
 * <token>`. Errors keep the API's code and field details so that forms can show them at their fields.
 */
import type { ErrorBody } from '../../shared/api/http-errors';
import type { FieldIssue } from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly FieldIssue[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export class ApiClient {
  constructor(
    private readonly token: string,
    /** Called on 401 so that the console can ask for the token again. */
    private readonly onUnauthorized: () => void = () => {},
  ) {}

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<T> {
    let response: Response;
    try {
      response = await fetch(new URL(path.replace(/^\//, ''), apiBase()), {
        method,
        headers: {
          ...headers,
          authorization: `Bearer ${this.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new ApiError(0, 'NetworkError', `The API cannot be reached (${(error as Error).message})`);
    }
    const payload =
      response.status === 204 ? undefined : ((await response.json().catch(() => undefined)) as unknown);
    if (!response.ok) {
      const error = (payload as Partial<ErrorBody> | undefined)?.error;
      if (response.status === 401) this.onUnauthorized();
      throw new ApiError(
        response.status,
        error?.code ?? 'HttpError',
        error?.message ?? `${response.status} ${response.statusText}`,
        error?.details ?? [],
      );
    }
    return payload as T;
  }
}

/** The API is served next to the console: the folder the page was loaded from. */
function apiBase(): URL {
  return new URL('.', window.location.href.replace(/#.*$/, ''));
}
