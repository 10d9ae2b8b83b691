import { createServer, type IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, ApiError } from '../../../cli/api-client';

/** A stand-in for API Gateway on loopback that records what it was sent. */
let seen: { method?: string; url?: string; headers: IncomingHttpHeaders; body: string } = {
  headers: {},
  body: '',
};
const server = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk) => {
    body += chunk;
  });
  request.on('end', () => {
    seen = {
      ...(request.method ? { method: request.method } : {}),
      ...(request.url ? { url: request.url } : {}),
      headers: request.headers,
      body,
    };
    const status = request.url?.endsWith('/missing') ? 404 : 200;
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify(status === 200 ? { ok: true } : { error: { code: 'NotFound', message: 'no such run' } }),
    );
  });
});
let baseUrl: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/prod`;
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_REGION: 'eu-central-1',
  });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('ApiClient.signed (adsync --api)', () => {
  it('signs requests with SigV4 for execute-api, body included', async () => {
    const client = await ApiClient.signed(baseUrl);
    await client.startSync({ allowMassDeletion: true }, 5);
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/prod/sync');
    expect(seen.body).toBe('{"allowMassDeletion":true}');
    expect(seen.headers.prefer).toBe('wait=5');
    expect(seen.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-central-1\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
    expect(seen.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
  });

  it('turns an error response into an ApiError with the code of the error body', async () => {
    const client = await ApiClient.signed(baseUrl);
    await expect(client.getRun('missing')).rejects.toEqual(new ApiError(404, 'NotFound', 'no such run'));
  });
});
