/**
 * The webhook sender's decisions: the signature against the Standard Webhooks specification's test vectors, the
 * retry schedule, and the checks of the two environment variables; and its deliveries to a receiver on
 * 127.0.0.1, on virtual time (a TestClock), so that a schedule of seconds takes milliseconds.
 */
import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  RETRY,
  retryDelayMs,
  WebhookSender,
  webhookSettingsOf,
  withoutUrlSecrets,
} from '../../../local/webhook-sender';
import type { UserChangeEvent as ChangeEvent } from '../../../shared/domain/change-event';
import { TestClock } from '../../support/test-clock';

interface Vector {
  readonly secret: string;
  readonly msgId: string;
  readonly timestamp: number;
  readonly payload: string;
  readonly signature: string;
}
const { vectors } = JSON.parse(
  await readFile(new URL('../../fixtures/standard-webhooks/signatures.json', import.meta.url), 'utf8'),
) as { vectors: Vector[] };

const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const sender = (secret = SECRET) =>
  new WebhookSender({ url: new URL('http://127.0.0.1:9/hook'), secret }, { log: () => {} });

describe('the signature', () => {
  it.each(vectors)('is the test vector of $msgId', (vector) => {
    const headers = sender(vector.secret).sign(
      vector.msgId,
      new Date(vector.timestamp * 1000),
      vector.payload,
    );
    expect(headers).toEqual({
      'webhook-id': vector.msgId,
      'webhook-timestamp': String(vector.timestamp),
      'webhook-signature': vector.signature,
    });
  });

  it("signs an event's JSON body with its id, so that the library and a plain HMAC verify it", () => {
    const event = { id: 'run-1:6f96:1', type: 'user.created', userName: 'alice' } as unknown as ChangeEvent;
    const at = new Date();
    const { headers, body } = sender().signed(event, at);
    expect(JSON.parse(body)).toEqual(event);
    expect(headers).toMatchObject({ 'content-type': 'application/json', 'webhook-id': event.id });
    expect(new Webhook(SECRET).verify(body, headers)).toEqual(event);
    const key = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
    const mac = createHmac('sha256', key)
      .update(`${event.id}.${headers['webhook-timestamp']}.${body}`)
      .digest('base64');
    expect(headers['webhook-signature']).toBe(`v1,${mac}`);
  });
});

/** A webhook receiver on 127.0.0.1 answering each request with `statusOf(n)` (n from 1), recorded with its time. */
class Receiver {
  readonly requests: { atMs: number; status: number; headers: IncomingHttpHeaders; body: string }[] = [];
  private server: Server | undefined;
  private port = 0;

  constructor(
    private readonly clock: TestClock,
    private readonly statusOf: (n: number) => number | 'no answer',
  ) {}

  get url(): URL {
    return new URL(`http://127.0.0.1:${this.port}/hook`);
  }

  /** Listens (again, on the same port after `close`). */
  async open(): Promise<void> {
    const server = createServer(async (request, response) => {
      let body = '';
      for await (const chunk of request) body += chunk;
      const status = this.statusOf(this.requests.length + 1);
      this.requests.push({
        atMs: this.clock.nowMs,
        status: status === 'no answer' ? 0 : status,
        headers: request.headers,
        body,
      });
      if (status !== 'no answer') response.writeHead(status).end();
    });
    await new Promise<void>((done) => server.listen(this.port, '127.0.0.1', done));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening: a connection is refused until `open`. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    server?.closeAllConnections();
    await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  }
}

const EVENT = { id: 'run-1:6f96:1', type: 'user.created', userName: 'alice' } as unknown as ChangeEvent;
/** Now, to the second: the Standard Webhooks library refuses a timestamp more than 5 minutes from the real time. */
const START = Math.floor(Date.now() / 1000) * 1000;

describe('delivering, on virtual time', () => {
  let clock: TestClock;
  let receiver: Receiver | undefined;
  let lines: string[];
  beforeEach(() => {
    clock = new TestClock(START);
    lines = [];
  });
  afterEach(() => receiver?.close());

  const senderTo = (url: URL, options: { timeoutMs?: number } = {}) =>
    // random 1: the shortest delays of the schedule (0.8, 1.6, 3.2 s...), the largest jitter.
    new WebhookSender(
      { url, secret: SECRET },
      { log: (line) => lines.push(line), random: () => 1, clock, ...options },
    );

  it('retries on the schedule through 503s and a receiver that is gone, and delivers the same event once it answers 2xx', async () => {
    receiver = new Receiver(clock, (n) => (n <= 3 ? 503 : 204));
    await receiver.open();
    const delivering = senderTo(receiver.url).deliver(EVENT, new AbortController().signal);
    const waits: number[] = [];
    for (let failures = 1; failures <= 5; failures += 1) {
      // The sender waits on the clock only once an attempt has failed (a real request on a real socket).
      await clock.sleeping();
      if (failures === 3) await receiver.close();
      if (failures === 5) await receiver.open();
      waits.push(await clock.advanceToNext());
    }
    await delivering;

    expect(waits).toEqual([800, 1_600, 3_200, 6_400, 12_800]);
    // Attempts 4 and 5 found no server (connection refused); the 6th, at 24.8 s, was answered.
    const requests = receiver.requests;
    expect(requests.map((r) => [r.atMs - START, r.status])).toEqual([
      [0, 503],
      [800, 503],
      [2_400, 503],
      [24_800, 204],
    ]);
    // Every attempt is the same event under the same id, signed anew with its own time: a receiver drops
    // repeats by the id.
    for (const attempt of requests) {
      expect(attempt.headers['webhook-id']).toBe(EVENT.id);
      expect(attempt.headers['webhook-timestamp']).toBe(String(Math.floor(attempt.atMs / 1000)));
      expect(new Webhook(SECRET).verify(attempt.body, attempt.headers as Record<string, string>)).toEqual(
        EVENT,
      );
    }
    const failures = lines.filter((line) => line.includes('not delivered'));
    expect(failures.map((line) => /\((HTTP 503|ECONNREFUSED)\)/.exec(line)?.[1])).toEqual([
      ...Array(3).fill('HTTP 503'),
      ...Array(2).fill('ECONNREFUSED'),
    ]);
    expect(lines.at(-1)).toBe(`webhooks: event ${EVENT.id} delivered after 6 attempts`);
    expect(clock.pending).toBe(0);
  });

  it('counts a receiver that does not answer in time as a failure, and tries again', async () => {
    // No answer to the first attempt, told by the virtual time it comes at, not by the receiver's count: on a
    // loaded machine the sender's real 50 ms may run out before the receiver has even read that request.
    receiver = new Receiver(clock, () => (clock.nowMs === START ? 'no answer' : 204));
    await receiver.open();
    // A real timeout (it bounds a real request): half a second, which the first attempt waits out, so that the
    // second's answer surely comes within it on a loaded machine (50 ms did not always).
    const delivering = senderTo(receiver.url, { timeoutMs: 500 }).deliver(
      EVENT,
      new AbortController().signal,
    );
    await clock.sleeping();
    expect(lines).toEqual([
      expect.stringMatching(/not delivered \(no answer in time\), attempt 1; next in 0\.8 s/),
    ]);
    expect(await clock.advanceToNext()).toBe(800);
    await delivering;
    expect(lines.at(-1)).toBe(`webhooks: event ${EVENT.id} delivered after 2 attempts`);
    expect(receiver.requests.filter((r) => r.status === 204).map((r) => r.atMs - START)).toEqual([800]);
  });

  it('stops waiting at once when the local stack stops, with nothing delivered', async () => {
    receiver = new Receiver(clock, () => 503);
    await receiver.open();
    const stopping = new AbortController();
    const delivering = senderTo(receiver.url).deliver(EVENT, stopping.signal);
    await clock.sleeping();
    stopping.abort();
    await expect(delivering).rejects.toMatchObject({ name: 'AbortError' });
    expect(clock.pending).toBe(0);
    expect(receiver.requests).toHaveLength(1);
  });
});

describe('retryDelayMs', () => {
  it('starts at a second and doubles up to 30 seconds, shortened by the jitter only', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => retryDelayMs(n, () => 0))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000,
    ]);
    expect([1, 6].map((n) => retryDelayMs(n, () => 1))).toEqual([800, 24_000]);
  });

  it('never gives up: a receiver down for a minute gets 6 to 7 attempts, then one about every 30 s, forever', () => {
    const schedule = (random: () => number, ms: number): number[] => {
      const delays: number[] = [];
      for (let elapsed = 0, n = 1; elapsed < ms; n += 1) {
        delays.push(retryDelayMs(n, random));
        elapsed += delays.at(-1) as number;
      }
      return delays;
    };
    expect(schedule(() => 0, 60_000)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000]);
    expect(schedule(() => 1, 60_000)).toHaveLength(7);
    const day = schedule(Math.random, 24 * 3_600_000);
    expect(day.length).toBeGreaterThan(2_800);
    expect(Math.max(...day)).toBeLessThanOrEqual(RETRY.maxDelayMs);
    expect(retryDelayMs(1_000_000, () => 0.5)).toBe(27_000);
  });
});

describe('webhookSettingsOf', () => {
  const url = 'https://app.example/hooks/ad-sync?key=x';

  it('is undefined without either variable, and the URL and secret with both', () => {
    expect(webhookSettingsOf({})).toBeUndefined();
    expect(webhookSettingsOf({ ADSYNC_WEBHOOK_URL: '', ADSYNC_WEBHOOK_SECRET: '' })).toBeUndefined();
    expect(webhookSettingsOf({ ADSYNC_WEBHOOK_URL: url, ADSYNC_WEBHOOK_SECRET: SECRET })).toEqual({
      url: new URL(url),
      secret: SECRET,
    });
    for (const { secret } of vectors) {
      expect(
        webhookSettingsOf({ ADSYNC_WEBHOOK_URL: 'http://127.0.0.1:3000/', ADSYNC_WEBHOOK_SECRET: secret }),
      ).toBeDefined();
    }
  });

  it.each([
    [{ ADSYNC_WEBHOOK_SECRET: SECRET }, /ADSYNC_WEBHOOK_SECRET is set but ADSYNC_WEBHOOK_URL is not/],
    [{ ADSYNC_WEBHOOK_URL: url }, /ADSYNC_WEBHOOK_URL needs ADSYNC_WEBHOOK_SECRET/],
    [
      { ADSYNC_WEBHOOK_URL: 'ftp://app.example/', ADSYNC_WEBHOOK_SECRET: SECRET },
      /http:\/\/ or https:\/\/ URL \(it is ftp:\)/,
    ],
    [{ ADSYNC_WEBHOOK_URL: 'app.example/hook', ADSYNC_WEBHOOK_SECRET: SECRET }, /it is not a URL/],
    [{ ADSYNC_WEBHOOK_URL: url, ADSYNC_WEBHOOK_SECRET: SECRET.slice(6) }, /must start with whsec_/],
    [{ ADSYNC_WEBHOOK_URL: url, ADSYNC_WEBHOOK_SECRET: 'whsec_not base64!' }, /is not base64/],
    [{ ADSYNC_WEBHOOK_URL: url, ADSYNC_WEBHOOK_SECRET: 'whsec_c2hvcnQ=' }, /a key of 5 bytes/],
    [
      { ADSYNC_WEBHOOK_URL: url, ADSYNC_WEBHOOK_SECRET: `whsec_${Buffer.alloc(65).toString('base64')}` },
      /a key of 65 bytes/,
    ],
  ])('refuses %o with a message naming the variable', (env, message) => {
    expect(() => webhookSettingsOf(env)).toThrow(message);
  });

  it('takes plain http only to this machine: localhost, 127.0.0.0/8 and [::1]', () => {
    for (const local of [
      'http://127.0.0.1:3000/hook',
      'http://127.0.0.2/hook',
      'http://localhost:8080/',
      'http://[::1]:3000/',
    ]) {
      expect(webhookSettingsOf({ ADSYNC_WEBHOOK_URL: local, ADSYNC_WEBHOOK_SECRET: SECRET })?.url.href).toBe(
        new URL(local).href,
      );
    }
    for (const remote of [
      'http://app.example/hooks/ad-sync',
      'http://10.0.0.5/hook',
      'http://127.0.0.1.nip.io/hook',
      'http://[::ffff:a00:5]/hook',
    ]) {
      expect(() => webhookSettingsOf({ ADSYNC_WEBHOOK_URL: remote, ADSYNC_WEBHOOK_SECRET: SECRET })).toThrow(
        /^ADSYNC_WEBHOOK_URL must be an https:\/\/ URL: http:\/\/ is allowed only to this machine/,
      );
    }
  });

  it('refuses a user name or password in the URL, naming the variable and quoting neither them nor the query', () => {
    for (const withCredentials of [
      'https://hook-user:hook-pass@app.example/hooks?token=tok-123',
      'https://hook-user@app.example/hooks',
      'http://hook-user:hook-pass@127.0.0.1:3000/',
    ]) {
      let message = '';
      try {
        webhookSettingsOf({ ADSYNC_WEBHOOK_URL: withCredentials, ADSYNC_WEBHOOK_SECRET: SECRET });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toMatch(/^ADSYNC_WEBHOOK_URL must not hold a user name or password/);
      expect(message).not.toMatch(/hook-user|hook-pass|tok-123/);
    }
  });

  it('never puts the secret in its messages', () => {
    const secret = 'whsec_c2VjcmV0LXZhbHVl';
    const messages = [
      { ADSYNC_WEBHOOK_SECRET: secret },
      { ADSYNC_WEBHOOK_URL: 'ftp://x/', ADSYNC_WEBHOOK_SECRET: secret },
      { ADSYNC_WEBHOOK_URL: url, ADSYNC_WEBHOOK_SECRET: secret },
    ].map((env) => {
      try {
        webhookSettingsOf(env);
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    });
    expect(messages.every((m) => m.length > 0 && !m.includes('c2VjcmV0'))).toBe(true);
  });
});

describe('what the sender logs', () => {
  it('never logs the query of the URL, nor credentials an unchecked URL would hold', async () => {
    // Past webhookSettingsOf, which refuses it: fetch then fails every attempt, quoting the URL it was given.
    const url = new URL('https://hook-user:hook-pass@127.0.0.1:3000/hooks/ad-sync?token=tok-123#frag-456');
    const lines: string[] = [];
    const stop = new AbortController();
    const sending = new WebhookSender(
      { url, secret: SECRET },
      {
        log: (line) => {
          lines.push(line);
          stop.abort();
        },
      },
    );
    const event = { id: 'run-1:6f96:1', type: 'user.created', userName: 'alice' } as unknown as ChangeEvent;
    await expect(sending.deliver(event, stop.signal)).rejects.toThrow();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`webhooks: event ${event.id} not delivered (`);
    expect(lines[0]).toContain('https://127.0.0.1:3000/hooks/ad-sync');
    expect(lines[0]).not.toMatch(/hook-user|hook-pass|tok-123|frag-456/);
  });

  it('shows a URL in a failure without its credentials, query or fragment', () => {
    const url = new URL('https://u:p@app.example/hooks?token=tok-123&x=1#frag');
    expect(withoutUrlSecrets(`cannot reach ${url.href} now`, url)).toBe(
      'cannot reach https://app.example/hooks now',
    );
    expect(withoutUrlSecrets('bad query ?token=tok-123&x=1 seen', url)).toBe('bad query  seen');
    expect(withoutUrlSecrets('ECONNREFUSED', url)).toBe('ECONNREFUSED');
  });
});
