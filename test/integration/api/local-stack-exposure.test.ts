/**
 * What the local stack exposes (issue 12), against `adsync serve` in a child process as a user runs it:
 * every port its processes listen on is bound to loopback, DynamoDB Local included; DynamoDB Local and the
 * HTTP API (console included) answer only requests addressed to `127.0.0.1:<port>` or `localhost:<port>`
 * (a DNS-rebinding page addresses them by its own name), and DynamoDB Local answers no browser page; a
 * short ADSYNC_TOKEN stops the start.
 */

import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../../local/dynamodb-local';
import {
  commandLine,
  isLoopback,
  listeningSocketsOf,
  listeningSocketsOnPort,
  processTree,
} from '../../support/listening-sockets';
import { type ServeProcess, startServe } from '../../support/local-stack-process';

let home: string;
let serve: ServeProcess;
let token: string;
const homes: string[] = [];

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** An HTTP request with any Host and Origin header (fetch does not let a caller set Host). */
function rawRequest(
  url: string,
  options: { method: string; headers?: Record<string, string>; body?: string },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: options.method, headers: options.headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        body += chunk;
      });
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
      );
    });
    outgoing.once('error', reject);
    outgoing.end(options.body);
  });
}

/** A DynamoDB ListTables call as the AWS SDK sends it (DynamoDB Local checks only that a signature is there). */
const listTables = (port: number, headers: Record<string, string> = {}): Promise<RawResponse> =>
  rawRequest(`http://127.0.0.1:${port}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'DynamoDB_20120810.ListTables',
      authorization:
        'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, ' +
        'SignedHeaders=host;x-amz-target, Signature=0',
      ...headers,
    },
    body: '{}',
  });

/** DynamoDB Local's process: the one java process under `adsync serve`. */
async function stackDynamoDbPid(): Promise<number> {
  const java: number[] = [];
  for (const pid of await processTree(serve.child.pid as number)) {
    if ((await commandLine(pid)).includes('DynamoDB')) java.push(pid);
  }
  expect(java).toHaveLength(1);
  return java[0] as number;
}

/** The port DynamoDB Local listens on. */
async function stackDynamoDbPort(): Promise<number> {
  const sockets = await listeningSocketsOf(await stackDynamoDbPid());
  expect(sockets).toHaveLength(1);
  return (sockets[0] as { port: number }).port;
}

const stackPort = (): number => Number(new URL(serve.url).port);

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ad-sync-exposure-'));
  homes.push(home);
  // No ADSYNC_TOKEN: the stack generates one and saves it in <home>/token.
  serve = await startServe({ ADSYNC_HOME: home, ADSYNC_PORT: String(await freePort()), ADSYNC_TOKEN: '' });
  token = (await readFile(join(home, 'token'), 'utf8')).trim();
});

afterAll(async () => {
  await serve?.stop();
  for (const path of homes) await rm(path, { recursive: true, force: true });
});

describe('the ports of the local stack', () => {
  it('listens on loopback only, DynamoDB Local included', async () => {
    const sockets = await listeningSocketsOf(serve.child.pid as number);
    expect(sockets.map((s) => s.port)).toContain(stackPort());
    const dynamoDbPort = await stackDynamoDbPort();
    expect(sockets.map((s) => s.port)).toContain(dynamoDbPort);
    expect(sockets.filter((s) => !isLoopback(s.address))).toEqual([]);
    // That port is DynamoDB Local's.
    const tables = await listTables(dynamoDbPort);
    expect(tables.status).toBe(200);
    expect(JSON.parse(tables.body)).toEqual({ TableNames: ['ad-sync', 'ad-sync-credentials'] });
  });

  it('runs DynamoDB Local in its data folder, where it writes its metadata file (not in the repository)', async () => {
    const pid = await stackDynamoDbPid();
    expect(await readlink(`/proc/${pid}/cwd`)).toBe(join(home, 'dynamodb'));
    expect(existsSync(join(home, 'dynamodb', 'dynamodb-local-metadata.json'))).toBe(true);
  });

  it('starts the DynamoDB Local of the tests on loopback only too', async () => {
    const port = Number(new URL(inject('dynamodb').endpoint).port);
    const sockets = await listeningSocketsOnPort(port);
    expect(sockets.length).toBeGreaterThan(0);
    expect(sockets.filter((s) => !isLoopback(s.address))).toEqual([]);
  });
});

describe('DynamoDB Local', () => {
  const ports = async (): Promise<number[]> => [
    await stackDynamoDbPort(),
    Number(new URL(inject('dynamodb').endpoint).port),
  ];

  it('answers requests addressed to 127.0.0.1 or localhost and its port', async () => {
    for (const port of await ports()) {
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`]) {
        expect((await listTables(port, { host })).status).toBe(200);
      }
    }
  });

  it('refuses requests addressed by another name (DNS rebinding)', async () => {
    for (const port of await ports()) {
      for (const host of [`rebind.evil.example:${port}`, `127.0.0.1:${port + 1}`, '127.0.0.1']) {
        const response = await listTables(port, { host });
        expect(response.status).toBe(421);
        expect(response.body).not.toContain('TableNames');
      }
    }
  });

  it('lets no browser page read or write it: no CORS grant, and a request with an Origin is refused', async () => {
    for (const port of await ports()) {
      const origin = 'http://evil.example';
      const preflight = await rawRequest(`http://127.0.0.1:${port}/`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,x-amz-target',
        },
      });
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      expect(preflight.status).toBe(403);
      const post = await listTables(port, { origin });
      expect(post.headers['access-control-allow-origin']).toBeUndefined();
      expect(post.status).toBe(403);
      expect(post.body).not.toContain('TableNames');
    }
  });
});

describe('the HTTP API and the console', () => {
  const get = (path: string, host: string) =>
    rawRequest(`http://127.0.0.1:${stackPort()}${path}`, {
      method: 'GET',
      headers: { host, authorization: `Bearer ${token}` },
    });

  it('answer requests addressed to 127.0.0.1 or localhost and the port', async () => {
    for (const host of [`127.0.0.1:${stackPort()}`, `localhost:${stackPort()}`, `LOCALHOST:${stackPort()}`]) {
      expect((await get('/config', host)).status).toBe(200);
      expect((await get('/', host)).status).not.toBe(421);
    }
  });

  it('answer 421 to requests addressed by another name (DNS rebinding), in the API error shape', async () => {
    const hosts = [
      `rebind.evil.example:${stackPort()}`,
      'rebind.evil.example',
      `127.0.0.1:${stackPort() + 1}`,
      '127.0.0.1',
      `localhost.evil.example:${stackPort()}`,
    ];
    for (const host of hosts) {
      for (const path of ['/config', '/sync/runs', '/', '/index.html', '/assets/index.js']) {
        const response = await get(path, host);
        expect(response.status, `${host} ${path}`).toBe(421);
        expect(JSON.parse(response.body)).toEqual({
          error: { code: 'MisdirectedRequest', message: expect.stringContaining('Host') },
        });
      }
    }
  });
});

/** `started`, or the output of a start that failed (a stack that did start is stopped again). */
async function startOutcome(env: NodeJS.ProcessEnv): Promise<string> {
  return startServe({ ...env, ADSYNC_PORT: String(await freePort()) }).then(
    async (started) => {
      await started.stop();
      return 'started';
    },
    (error: Error) => error.message,
  );
}

describe('the token of the local stack', () => {
  it('is generated with at least 32 characters', () => {
    expect(token.length).toBeGreaterThanOrEqual(32);
  });

  it('refuses to start with an ADSYNC_TOKEN shorter than 32 characters', async () => {
    const other = await mkdtemp(join(tmpdir(), 'ad-sync-short-token-'));
    homes.push(other);
    const outcome = await startOutcome({ ADSYNC_HOME: other, ADSYNC_TOKEN: 'x'.repeat(31) });
    expect(outcome).toMatch(/ADSYNC_TOKEN.*at least 32 characters/);
  });

  it('refuses to start with a saved token shorter than 32 characters', async () => {
    const other = await mkdtemp(join(tmpdir(), 'ad-sync-short-token-'));
    homes.push(other);
    await writeFile(join(other, 'token'), 'short-saved-token\n', { mode: 0o600 });
    const outcome = await startOutcome({ ADSYNC_HOME: other, ADSYNC_TOKEN: '' });
    expect(outcome).toMatch(/token.*at least 32 characters/);
    expect(outcome).toContain(join(other, 'token'));
  });
});
