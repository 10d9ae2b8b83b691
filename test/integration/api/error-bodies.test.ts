/**
 * Bounded error bodies (issue 12), through the config function as Lambda runs it: a body built to make
 * many validation problems answers a small 400 (one of 85,000 bad groups answered about 20 MB, past
 * Lambda's 6 MB response limit), listing at most 100 problems and saying how many more there were.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES } from '../../../shared/api/http-api';
import { type LoadedHandlers, loadHandlers } from '../../support/lambda-handlers';
import { fixtureConfig } from '../../support/sync-harness';

let loaded: LoadedHandlers;

beforeAll(async () => {
  loaded = await loadHandlers();
});

const putConfig = (rawBody: string) => loaded.call('config', 'PUT', '/config', { rawBody });

describe('validation errors of PUT /config', () => {
  it('answer a 256 KB body of 85,000 bad groups with a small 400', async () => {
    const config = fixtureConfig();
    const head = JSON.stringify({ config: { ...config, filters: { ...config.filters, groups: [] } } });
    const at = head.indexOf('"groups":[') + '"groups":['.length;
    const groups = Array.from({ length: 85_000 }, () => '10').join(',');
    const body = `${head.slice(0, at)}${groups}${head.slice(at)}`;
    expect(body.length).toBeGreaterThan(250 * 1024);
    expect(body.length).toBeLessThanOrEqual(MAX_BODY_BYTES);

    const response = await putConfig(body);
    expect(response.statusCode).toBe(400);
    expect(response.body.error).toEqual({
      code: 'ValidationError',
      message: expect.stringContaining('config.filters.groups'),
      details: [{ path: 'config.filters.groups', message: expect.any(String) }],
    });
    expect(Buffer.byteLength(response.raw)).toBeLessThan(4 * 1024);
  });

  it('list the first 100 of 121 problems and say that there are 21 more', async () => {
    const config = fixtureConfig();
    const body = JSON.stringify({
      config: {
        ...config,
        connection: {
          ...config.connection,
          servers: Array.from({ length: 20 }, (_, i) => `bad server ${i}`),
        },
        filters: { ...config.filters, groups: Array.from({ length: 100 }, (_, i) => `not a DN ${i}`) },
        schedule: { enabled: true, intervalMinutes: 0 },
      },
    });
    const response = await putConfig(body);
    expect(response.statusCode).toBe(400);
    const { message, details } = response.body.error;
    expect(details).toHaveLength(100);
    expect(details[0]).toEqual({ path: 'config.connection.servers.0', message: expect.any(String) });
    expect(message).toMatch(/; \.\.\. and 21 more problems$/);
    expect(Buffer.byteLength(response.raw)).toBeLessThan(32 * 1024);
  });
});
