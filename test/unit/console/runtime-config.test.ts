/** The console's runtime configuration (console/src/runtime-config.ts): which mode, and a broken one refused. */
import { describe, expect, it } from 'vitest';
import {
  loadRuntimeConfig,
  parseRuntimeConfig,
  RuntimeConfigError,
} from '../../../console/src/runtime-config';

const AWS = {
  mode: 'aws',
  apiUrl: 'https://a1b2c3d4e5.execute-api.eu-central-1.amazonaws.com/v1',
  region: 'eu-central-1',
  userPoolId: 'eu-central-1_AbCdEf123',
  userPoolClientId: '1example23456789abcdefghij',
  identityPoolId: 'eu-central-1:0b6e7c9a-1f2d-4e3c-8a5b-6c7d8e9f0a1b',
  cognitoDomain: 'https://ad-sync-admins.auth.eu-central-1.amazoncognito.com',
} as const;

/** The problems a config.json is refused with. */
function problemsOf(json: unknown): readonly string[] {
  try {
    parseRuntimeConfig(json);
  } catch (error) {
    expect(error).toBeInstanceOf(RuntimeConfigError);
    return (error as RuntimeConfigError).problems;
  }
  throw new Error('accepted');
}

/** A fetch that answers config.json with this status and body. */
const answering =
  (status: number, body: string): typeof fetch =>
  async () =>
    new Response(status === 404 ? 'Not found' : body, { status });

describe('parseRuntimeConfig', () => {
  it('takes the local mode', () => {
    expect(parseRuntimeConfig({ mode: 'local' })).toEqual({ mode: 'local' });
  });

  it('takes a deployment’s AWS configuration as written (a trailing slash of the API URL dropped)', () => {
    expect(parseRuntimeConfig(AWS)).toEqual(AWS);
    expect(
      parseRuntimeConfig({ ...AWS, apiUrl: `${AWS.apiUrl}/`, cognitoDomain: `${AWS.cognitoDomain}/` }),
    ).toEqual(AWS);
  });

  it('refuses what is not an object, or has no known mode', () => {
    for (const json of [null, [], 'aws', 42]) {
      expect(() => parseRuntimeConfig(json)).toThrow('config.json is not a JSON object');
    }
    expect(problemsOf({})).toEqual(['mode must be "local" or "aws"']);
    expect(problemsOf({ mode: 'cloud' })).toEqual(['mode must be "local" or "aws"']);
  });

  it('lists every missing AWS setting', () => {
    expect(problemsOf({ mode: 'aws' })).toEqual([
      'apiUrl is missing',
      'cognitoDomain is missing',
      'region is missing',
      'userPoolId is missing',
      'userPoolClientId is missing',
      'identityPoolId is missing',
    ]);
  });

  it('refuses URLs that are not https, or carry more than they should', () => {
    expect(
      problemsOf({ ...AWS, apiUrl: 'http://a1b2c3d4e5.execute-api.eu-central-1.amazonaws.com/v1' }),
    ).toEqual(['apiUrl must be an https URL']);
    expect(problemsOf({ ...AWS, apiUrl: 'not a url' })).toEqual(['apiUrl is not a URL']);
    expect(problemsOf({ ...AWS, apiUrl: `${AWS.apiUrl}?x=1` })).toEqual([
      'apiUrl must have no credentials, query or fragment',
    ]);
    expect(problemsOf({ ...AWS, cognitoDomain: `${AWS.cognitoDomain}/oauth2` })).toEqual([
      'cognitoDomain must be an origin (https://host), without a path',
    ]);
  });

  it('refuses ids that do not belong to the region or are malformed', () => {
    expect(problemsOf({ ...AWS, region: 'Frankfurt' })).toContain(
      'region "Frankfurt" is not an AWS region name',
    );
    expect(problemsOf({ ...AWS, userPoolId: 'us-east-1_AbCdEf123' })).toEqual([
      'userPoolId "us-east-1_AbCdEf123" is not a user pool id of eu-central-1 (<region>_<id>)',
    ]);
    expect(problemsOf({ ...AWS, identityPoolId: 'eu-central-1:not-a-uuid' })).toEqual([
      'identityPoolId "eu-central-1:not-a-uuid" is not an identity pool id of eu-central-1 (<region>:<uuid>)',
    ]);
    expect(problemsOf({ ...AWS, userPoolClientId: 'client id' })).toEqual([
      'userPoolClientId "client id" is not an app client id',
    ]);
  });
});

describe('loadRuntimeConfig', () => {
  const url = new URL('https://console.example/config.json');

  it('asks for config.json itself, never from a cache', async () => {
    const asked: Array<{ url: string; init: RequestInit | undefined }> = [];
    await loadRuntimeConfig(url, async (input, init) => {
      asked.push({ url: String(input), init });
      return new Response('{"mode":"local"}');
    });
    expect(asked).toEqual([{ url: url.href, init: { cache: 'no-store', credentials: 'same-origin' } }]);
  });

  it('is the local mode when the server has no config.json (404), as before it existed', async () => {
    await expect(loadRuntimeConfig(url, answering(404, ''))).resolves.toEqual({ mode: 'local' });
  });

  it('reads the AWS mode', async () => {
    await expect(loadRuntimeConfig(url, answering(200, JSON.stringify(AWS)))).resolves.toEqual(AWS);
  });

  it('refuses a config.json that cannot be read, is not JSON, or is invalid, saying which', async () => {
    await expect(loadRuntimeConfig(url, answering(403, 'AccessDenied'))).rejects.toThrow(
      'config.json could not be loaded: HTTP 403',
    );
    // CloudFront answering a missing file with the page (an SPA error response) must not pass for a config.
    await expect(loadRuntimeConfig(url, answering(200, '<!doctype html>'))).rejects.toThrow(
      'config.json is not JSON',
    );
    await expect(loadRuntimeConfig(url, answering(200, '{"mode":"aws"}'))).rejects.toThrow(
      'config.json is not a valid AWS configuration: apiUrl is missing;',
    );
    await expect(
      loadRuntimeConfig(url, async () => {
        throw new TypeError('Failed to fetch');
      }),
    ).rejects.toThrow('config.json could not be loaded: Failed to fetch');
  });
});
