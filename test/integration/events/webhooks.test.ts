/**
 * Webhooks of change events, end to end: `adsync serve` in a child process with ADSYNC_WEBHOOK_URL pointing
 * at a receiver in this test (a node HTTP server on 127.0.0.1), syncing users of an OU of this file's own in
 * the Samba DC. The receiver checks nothing itself: it records each request it answered 2xx, and the tests
 * verify every signature with the Standard Webhooks library and with a plain HMAC.
 *
 * DynamoDB Local's stream has one shard at a time, read in commit order: once the events of a later change
 * have arrived, any event of an earlier write would have arrived before them. That is how "no event" is
 * checked without waiting for a time.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, type Client } from 'ldapts';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { freePort } from '../../../local/dynamodb-local';
import type { UserChangeEvent as ChangeEvent } from '../../../shared/domain/change-event';
import { type ServeProcess, startServe } from '../../support/local-stack-process';
import { createScratchOu, replace, scratchOuName, userEntry } from '../../support/scratch-ou';
import { fixtureConfig, servicePassword } from '../../support/sync-harness';
import { type Delivery, WebhookReceiver } from '../../support/webhook-receiver';

const directory = inject('directory');
const { dn: ou, tag } = scratchOuName('Webhooks');
const groupDn = `CN=Webhook Team,${ou}`;
const userDn = (name: string) => `CN=Webhook ${name},${ou}`;
const userName = (name: string) => `wh-${tag}-${name}`;
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const token = randomBytes(16).toString('hex');
/** Long enough for a sync, the relay's polling and a retry or two. */
const ARRIVAL = { timeout: 90_000, interval: 100 };
/** The timeout of a test that syncs and waits for deliveries. */
const LONG = 240_000;

const receiver = new WebhookReceiver<ChangeEvent>();
let home: string;
let env: NodeJS.ProcessEnv;
let serve: ServeProcess;
let admin: Client;
let scratch: Awaited<ReturnType<typeof createScratchOu>>;

async function api(method: string, path: string, body?: unknown) {
  const response = await fetch(`${serve.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      prefer: 'wait=120',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

async function sync(): Promise<void> {
  const report = await api('POST', '/sync', {});
  expect(report.body).toMatchObject({ dryRun: false, status: 'succeeded' });
}

const rename = (dn: string, fullName: string) => admin.modify(dn, [replace('displayName', [fullName])]);
const addToGroup = (dn: string) =>
  admin.modify(groupDn, [
    new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [dn] }) }),
  ]);
const addUser = (name: string) =>
  admin.add(
    userDn(name),
    userEntry({
      sAMAccountName: userName(name),
      userPrincipalName: `${userName(name)}@${directory.domain}`,
      displayName: `Webhook ${name}`,
      mail: `${userName(name)}@${directory.domain}`,
    }),
  );

/** Each delivery's signature, by the Standard Webhooks library and by HMAC-SHA256 computed here. */
function expectSigned(deliveries: readonly Delivery<ChangeEvent>[]): void {
  const key = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
  for (const { headers, body, event } of deliveries) {
    expect(new Webhook(SECRET).verify(body, headers as Record<string, string>)).toEqual(event);
    expect(headers['webhook-id']).toBe(event.id);
    expect(headers['content-type']).toBe('application/json');
    const mac = createHmac('sha256', key)
      .update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`)
      .digest('base64');
    expect(headers['webhook-signature']).toBe(`v1,${mac}`);
  }
}

beforeAll(async () => {
  scratch = await createScratchOu(ou);
  ({ admin } = scratch);
  for (const name of ['w1', 'w2', 'w3', 'w4']) await addUser(name);
  await admin.add(groupDn, {
    objectClass: ['top', 'group'],
    sAMAccountName: `webhook-team-${tag}`,
    member: ['w1', 'w2', 'w3', 'w4'].map(userDn),
  });
  await receiver.open();
  home = await mkdtemp(join(tmpdir(), 'ad-sync-webhooks-'));
  env = {
    ADSYNC_HOME: home,
    ADSYNC_PORT: String(await freePort()),
    ADSYNC_TOKEN: token,
    ADSYNC_WEBHOOK_URL: `http://127.0.0.1:${receiver.port}/hooks/ad-sync`,
    ADSYNC_WEBHOOK_SECRET: SECRET,
  };
  serve = await startServe(env);
});

afterAll(async () => {
  await serve?.stop();
  await receiver.close();
  await scratch?.remove();
  if (home) await rm(home, { recursive: true, force: true });
});

describe('webhooks of the local stack', () => {
  it('refuses to start with a malformed secret, naming the variable without showing the secret', async () => {
    const refusal = await startServe({
      ...env,
      ADSYNC_PORT: String(await freePort()),
      ADSYNC_WEBHOOK_SECRET: 'whsec_Zm9vYmFyYmF6',
    }).then(
      async (started) => `started (${await started.stop()})`,
      (error: Error) => error.message,
    );
    expect(refusal).toMatch(/ADSYNC_WEBHOOK_SECRET holds a key of 9 bytes/);
    expect(refusal).not.toContain('Zm9vYmFyYmF6');
  });

  it('says where it sends the events and never shows the secret', () => {
    expect(serve.output()).toContain(
      `webhooks: change events to http://127.0.0.1:${receiver.port}/hooks/ad-sync`,
    );
    expect(serve.output()).not.toContain(SECRET.slice('whsec_'.length));
  });

  it(
    'publishes nothing for Test Settings or a local user, and one user.created per user the sync creates',
    async () => {
      const saved = await api('PUT', '/config', {
        config: fixtureConfig({
          connection: { baseDn: ou },
          filters: { groups: [groupDn] },
          options: { deleteUsers: true, deletionThreshold: { maxCount: 10, maxPercent: 100 } },
        }),
        password: servicePassword(),
      });
      expect(saved.status).toBe(200);
      const preview = await api('POST', '/test-settings', {});
      expect(preview.body).toMatchObject({ dryRun: true, status: 'succeeded', counts: { created: 4 } });
      expect((await api('POST', '/users', { userName: `local-${tag}` })).status).toBe(201);

      await sync();
      await vi.waitFor(() => expect(receiver.delivered.length).toBeGreaterThanOrEqual(4), ARRIVAL);
      // Test Settings and the local user were committed first: their events would have come first.
      const events = receiver.events();
      expect(events.map((e) => e.type)).toEqual(Array(4).fill('user.created'));
      expect(events.map((e) => e.userName).sort()).toEqual(['w1', 'w2', 'w3', 'w4'].map(userName));
      expect(new Set(events.map((e) => e.id)).size).toBe(4);
      for (const event of events) {
        expect(event.user).toMatchObject({ userName: event.userName, objectGuid: event.objectGuid });
        expect(event.changedFields).toContain('userName');
      }
      expectSigned(receiver.delivered);
    },
    LONG,
  );

  it(
    'publishes an update, a rename (the new name) and a deletion (the last state)',
    async () => {
      const from = receiver.delivered.length;
      const created = new Map(receiver.events().map((e) => [e.userName, e]));
      await rename(userDn('w1'), 'Webhook One Renamed');
      await admin.modifyDN(userDn('w2'), 'CN=Webhook Renamed w2');
      await admin.modify(`CN=Webhook Renamed w2,${ou}`, [replace('sAMAccountName', [userName('renamed')])]);
      await admin.del(userDn('w3'));

      await sync();
      await vi.waitFor(() => expect(receiver.delivered.length).toBeGreaterThanOrEqual(from + 3), ARRIVAL);
      const events = receiver.events(from);
      expect(events).toHaveLength(3);
      const byName = new Map(events.map((e) => [e.userName, e]));
      expect(byName.get(userName('w1'))).toMatchObject({
        type: 'user.updated',
        changedFields: ['fullName'],
        user: { fullName: 'Webhook One Renamed' },
      });
      expect(byName.get(userName('renamed'))).toMatchObject({
        type: 'user.updated',
        objectGuid: created.get(userName('w2'))?.objectGuid,
        changedFields: expect.arrayContaining(['userName', 'distinguishedName']),
        user: { userName: userName('renamed') },
      });
      expect(byName.get(userName('w3'))).toMatchObject({
        type: 'user.deleted',
        changedFields: [],
        user: { userName: userName('w3'), fullName: 'Webhook w3' },
      });
      expect(new Set(receiver.delivered.map((d) => d.event.id)).size).toBe(receiver.delivered.length);
      expectSigned(receiver.delivered.slice(from));
    },
    LONG,
  );

  it(
    'delivers everything, in order for each user, to a receiver that answers 503 and then is down for a while',
    async () => {
      const from = receiver.delivered.length;
      const down = serve.output().length;
      // Refused, then no server at all (a connection refused, as the sender logs), then back: one attempt of
      // each, a few seconds of the retry schedule, whose delays test/unit/events/webhook-sender.test.ts checks on
      // virtual time through several of each. The receiver goes down as it answers its 503: the attempts wait
      // for the first delays only, not for those that grow while the test would take it down itself.
      receiver.unavailable = true;
      receiver.closeAfterRefusal = true;
      await rename(userDn('w1'), 'Webhook One A');
      await sync();
      await rename(userDn('w1'), 'Webhook One B');
      await rename(userDn('w4'), 'Webhook Four X');
      await sync();
      await vi.waitFor(() => expect(receiver.refused).toBeGreaterThan(0), ARRIVAL);
      await vi.waitFor(() => expect(serve.output().slice(down)).toContain('ECONNREFUSED'), ARRIVAL);
      receiver.unavailable = false;
      await receiver.open();

      await vi.waitFor(() => expect(receiver.delivered.length).toBeGreaterThanOrEqual(from + 3), ARRIVAL);
      const events = receiver.events(from);
      expect(events).toHaveLength(3);
      expect(events.filter((e) => e.userName === userName('w1')).map((e) => e.user.fullName)).toEqual([
        'Webhook One A',
        'Webhook One B',
      ]);
      expect(events.find((e) => e.userName === userName('w4'))?.user.fullName).toBe('Webhook Four X');
      expect(serve.output().slice(down)).toMatch(/webhooks: event \S+ delivered after \d+ attempts/);
      expect(new Set(receiver.delivered.map((d) => d.event.id)).size).toBe(receiver.delivered.length);
      expectSigned(receiver.delivered.slice(from));
    },
    LONG,
  );

  it(
    'loses nothing when the local stack restarts between deliveries, and sends again only what it had not delivered',
    async () => {
      const from = receiver.delivered.length;
      const before = new Set(receiver.events().map((e) => e.id));
      receiver.okBudget = 1;
      const refused = receiver.refused;
      await rename(userDn('w1'), 'Webhook One C');
      await rename(userDn('w4'), 'Webhook Four Y');
      await addUser('w5');
      await addToGroup(userDn('w5'));
      await sync();
      await vi.waitFor(() => expect(receiver.refused).toBeGreaterThan(refused), ARRIVAL);
      expect(receiver.delivered.length).toBe(from + 1);

      expect(await serve.stop()).toBe(0);
      expect((await stat(join(home, 'webhook-position.json'))).mode & 0o777).toBe(0o600);
      receiver.okBudget = Number.POSITIVE_INFINITY;
      serve = await startServe(env);

      await vi.waitFor(() => expect(new Set(receiver.events(from).map((e) => e.id)).size).toBe(3), ARRIVAL);
      const events = receiver.events(from);
      // Nothing delivered before the restart came again; a duplicate would be the same event under the same id.
      expect(events.filter((e) => before.has(e.id))).toEqual([]);
      for (const event of events) {
        expect(
          events.filter((e) => e.id === event.id).every((e) => JSON.stringify(e) === JSON.stringify(event)),
        ).toBe(true);
      }
      const byName = new Map(events.map((e) => [e.userName, e]));
      expect(byName.get(userName('w1'))?.user.fullName).toBe('Webhook One C');
      expect(byName.get(userName('w4'))?.user.fullName).toBe('Webhook Four Y');
      expect(byName.get(userName('w5'))?.type).toBe('user.created');
      expectSigned(receiver.delivered.slice(from));
    },
    LONG,
  );
});
