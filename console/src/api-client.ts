/**
 * The console's client of the ad-sync HTTP API: the shared typed client (shared/api/client.ts), same origin,
 * every request with `Authorization: Bearer <token>`. Errors keep the API's code and field details so that
 * forms can show them at their fields.
 */
import { ApiClient, ApiError, bearerToken } from '../../shared/api/client';

export { ApiClient, ApiError };

/** A client with the local stack's token; `onUnauthorized` runs on a 401 (the console asks for the token again). */
export const consoleApiClient = (token: string, onUnauthorized: () => void = () => {}): ApiClient =>
  new ApiClient({ baseUrl: apiBase(), sign: bearerToken(token), onUnauthorized });

/** The API is served next to the console: the folder the page was loaded from. */
function apiBase(): string {
  return new URL('.', window.location.href.replace(/#.*$/, '')).href;
}
