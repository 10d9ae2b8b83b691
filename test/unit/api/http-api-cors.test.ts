/**
 * httpApi's CORS headers: in AWS the console (CloudFront) calls the API (API Gateway) from another origin,
 * and the browser lets it read an answer only when the answer names that origin. Every answer, errors too,
 * names exactly the console's origin (CONSOLE_ORIGIN), never `*`; without the variable (the local stack,
 * same-origin) no CORS header is sent.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lambdaContext } from '../../../local/local-stack';
import { EXPOSED_HEADERS } from '../../../shared/api/cors';
import { httpApi } from '../../../shared/api/http-api';
import { NotFoundError } from '../../../shared/errors';
import { apiEvent, parseResponse } from '../../support/api-events';

const CONSOLE = 'https://d111111abcdef8.cloudfront.net';

/** A handler for two routes: one answers, one fails with an error the API maps to 404. */
const handlers = () =>
  httpApi({
    'GET /sync/runs': async () => ({ body: { runs: [] } }),
    'POST /sync': async () => {
      throw new NotFoundError('no such thing');
    },
  });

const call = async (api: ReturnType<typeof handlers>, ...args: Parameters<typeof apiEvent>) =>
  parseResponse(await api(apiEvent(...args), lambdaContext('runs')));

const corsHeaders = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => name.startsWith('access-control-')));

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('httpApi CORS headers', () => {
  it("sends none without CONSOLE_ORIGIN (the local stack's console is same-origin)", async () => {
    vi.stubEnv('CONSOLE_ORIGIN', undefined);
    const api = handlers();
    for (const response of [
      await call(api, 'GET', '/sync/runs'),
      await call(api, 'POST', '/sync', { body: {} }),
      await call(api, 'GET', '/nowhere'),
    ]) {
      expect(corsHeaders(response.headers)).toEqual({});
    }
  });

  it("names exactly the console's origin, and exposes Location and Preference-Applied, on every answer", async () => {
    vi.stubEnv('CONSOLE_ORIGIN', CONSOLE);
    const api = handlers();
    const expected = {
      'access-control-allow-origin': CONSOLE,
      'access-control-expose-headers': 'location, preference-applied',
    };
    const ok = await call(api, 'GET', '/sync/runs', { headers: { Origin: CONSOLE } });
    expect(ok.statusCode).toBe(200);
    expect(corsHeaders(ok.headers)).toEqual(expected);
    // Errors are read by the console too: mapped errors, validation errors, an unknown route, a wrong method.
    const failed = await call(api, 'POST', '/sync', { body: {} });
    expect(failed.statusCode).toBe(404);
    expect(corsHeaders(failed.headers)).toEqual(expected);
    const invalid = await call(api, 'POST', '/sync', { body: { allowMassDeletion: 'yes' } });
    expect(invalid.statusCode).toBe(400);
    expect(corsHeaders(invalid.headers)).toEqual(expected);
    const wrongMethod = await call(api, 'DELETE', '/sync/runs');
    expect(wrongMethod.statusCode).toBe(405);
    expect(corsHeaders(wrongMethod.headers)).toEqual(expected);
    expect(wrongMethod.headers.allow).toBe('GET');
    // The same origin whoever asks: the answer does not echo the request's Origin.
    const other = await call(api, 'GET', '/sync/runs', { headers: { Origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBe(CONSOLE);
    expect(EXPOSED_HEADERS).toEqual(['location', 'preference-applied']);
  });

  it('takes the origin given in its options over the environment', async () => {
    vi.stubEnv('CONSOLE_ORIGIN', CONSOLE);
    const api = httpApi(
      { 'GET /sync/runs': async () => ({ body: { runs: [] } }) },
      { consoleOrigin: 'https://console.example.com' },
    );
    const response = await call(api, 'GET', '/sync/runs');
    expect(response.headers['access-control-allow-origin']).toBe('https://console.example.com');
  });

  it('refuses a CONSOLE_ORIGIN that is not one https origin, naming the variable', () => {
    for (const value of [
      '*',
      'http://d111111abcdef8.cloudfront.net',
      `${CONSOLE}/`,
      `${CONSOLE}/console`,
      'd1.net',
    ]) {
      vi.stubEnv('CONSOLE_ORIGIN', value);
      expect(() => handlers(), value).toThrow(/CONSOLE_ORIGIN.*one https origin/);
    }
  });
});
