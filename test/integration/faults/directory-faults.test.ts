/**
 * Faults between the sync and the directory, injected by a TCP proxy or by the directory itself. For each:
 * the run fails with a precise reason before the apply phase, zero users are changed or deleted (with
 * deleteUsers on and no threshold to speak of), the failed run is recorded, the lock is released, and the
 * next clean run completes with the right counts.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DynamoUserStore } from '../../../shared/adapters/dynamodb/dynamo-user-store';
import { LdapDirectoryReader } from '../../../shared/adapters/ldap/ldap-directory-reader';
import type { ConfigInput } from '../../../shared/config/config-schema';
import type { Report } from '../../../shared/domain/report';
import { PartialReadError, UnreachableError } from '../../../shared/errors';
import { testSettings } from '../../../shared/use-cases/sync-pipeline';
import { synchronizeNow } from '../../../shared/use-cases/synchronize-now';
import { administratorClient } from '../../support/scratch-ou';
import {
  createSyncHarness,
  fixtureConfig,
  type SyncHarness,
  servicePassword,
} from '../../support/sync-harness';
import { type Fault, type FaultProxy, startFaultProxy } from '../../support/tcp-fault-proxy';

const directory = inject('directory');
const untrustedCa = readFileSync(new URL('../../fixtures/untrusted-ca.pem', import.meta.url), 'utf8');

/** deleteUsers on and no threshold to speak of: if a failed read were taken as "users gone", they would go. */
const dangerous = {
  options: { deleteUsers: true, deletionThreshold: { maxCount: 1_000_000, maxPercent: 100 } },
} as const;

let harness: SyncHarness;
let usersBefore: unknown[];
const proxies: FaultProxy[] = [];

/** Saves the configuration and runs Synchronize now, as POST /sync does: with the lock. */
async function syncNow(
  connection: Partial<NonNullable<ConfigInput['connection']>>,
  password = servicePassword(),
): Promise<Report> {
  await harness.configs.saveConfig(fixtureConfig({ ...dangerous, connection }));
  return synchronizeNow(harness.exclusive({ password }));
}

async function viaProxy(fault: Fault, port = 636): Promise<Partial<NonNullable<ConfigInput['connection']>>> {
  const proxy = await startFaultProxy({ targetHost: '127.0.0.1', targetPort: port, fault });
  proxies.push(proxy);
  return {
    servers: [`127.0.0.1:${proxy.port}`],
    timeoutSeconds: 2,
    ...(port === 389 ? { encryption: 'starttls' as const } : {}),
  };
}

beforeAll(async () => {
  harness = await createSyncHarness();
  const first = await syncNow({});
  expect(first.status).toBe('succeeded');
  usersBefore = await harness.store.listUsers();
  expect(usersBefore.length).toBeGreaterThan(1000);
});
afterAll(async () => {
  await Promise.all(proxies.map((proxy) => proxy.close()));
  harness.close();
});

/** The checks every fault must pass. */
async function expectFailedRun(
  run: () => Promise<Report>,
  code: string,
  failedStep: string,
): Promise<Report> {
  const writesBefore = harness.userWrites();
  const report = await run();
  expect(report.status).toBe('failed');
  expect(report.error?.code).toBe(code);
  expect(report.steps.find((s) => !s.ok)?.name).toBe(failedStep);
  expect(report.steps.some((s) => s.name === 'apply')).toBe(false);
  expect(report.counts).toMatchObject({ created: 0, updated: 0, deleted: 0 });
  expect(harness.userWrites()).toBe(writesBefore);
  expect(await harness.store.listUsers()).toEqual(usersBefore);
  expect(await harness.store.getRun(report.runId)).toMatchObject({ status: 'failed', error: report.error });
  // The lock was released: another run can take it at once.
  expect(await harness.lock.acquire('probe', 60)).toBe(true);
  await harness.lock.release('probe');
  // And the next clean run completes with the right counts.
  const clean = await syncNow({});
  expect(clean.status).toBe('succeeded');
  expect(clean.counts).toMatchObject({ created: 0, updated: 0, deleted: 0, unchanged: usersBefore.length });
  return report;
}

describe('a sync that cannot read the directory changes nothing', () => {
  it('fails at bind on a wrong password', async () => {
    const report = await expectFailedRun(
      () => syncNow({}, `${servicePassword()}-wrong`),
      'InvalidCredentials',
      'bind',
    );
    expect(report.error?.message).toMatch(/127\.0\.0\.1:636 rejected the bind/);
  });

  describe('with a disabled bind account', () => {
    let admin: Client;
    const password = `${randomBytes(12).toString('base64url')}aA1!`;
    const dn = `CN=svc-disabled,OU=Service Accounts,${directory.baseDn}`;
    beforeAll(async () => {
      admin = await administratorClient();
      await admin.add(dn, {
        objectClass: ['top', 'person', 'organizationalPerson', 'user'],
        sAMAccountName: 'svc-disabled',
        userPrincipalName: `svc-disabled@${directory.domain}`,
        unicodePwd: Buffer.from(`"${password}"`, 'utf16le') as unknown as string,
        userAccountControl: String(0x200 | 0x2),
      });
    });
    afterAll(async () => {
      await admin.del(dn);
      await admin.unbind();
    });

    it('fails at bind', async () => {
      await expectFailedRun(
        () => syncNow({ username: `svc-disabled@${directory.domain}` }, password),
        'InvalidCredentials',
        'bind',
      );
    });
  });

  it('fails at connect when the DC certificate is not from the configured CA, with no plain-text fallback', async () => {
    const report = await expectFailedRun(() => syncNow({ caCertificate: untrustedCa }), 'Tls', 'connect');
    expect(report.error?.message).toMatch(/certificate/i);
    expect(report.server).toBeUndefined();
  });

  it('fails at connect when the certificate names another host', async () => {
    await expectFailedRun(() => syncNow({ tlsServerName: 'other-dc.company.local' }), 'Tls', 'connect');
  });

  it('fails at connect when no server answers, naming each', async () => {
    const report = await expectFailedRun(
      () => syncNow({ servers: ['127.0.0.1:1', '127.0.0.1:2'] }),
      'Unreachable',
      'connect',
    );
    expect(report.error?.message).toMatch(/127\.0\.0\.1:1.*127\.0\.0\.1:2/);
  });

  it('fails at connect with Timeout when the TLS handshake never completes', async () => {
    const report = await expectFailedRun(
      async () => syncNow(await viaProxy({ kind: 'blackhole' })),
      'Timeout',
      'connect',
    );
    expect(report.error?.message).toMatch(/did not answer in time/);
  });

  describe('in the middle of the read', () => {
    let bytesOfFullRead = 0;
    beforeAll(async () => {
      const measure = await startFaultProxy({ targetHost: '127.0.0.1', targetPort: 636 });
      const full = await testSettings(harness.deps, {
        config: fixtureConfig({ connection: { servers: [`127.0.0.1:${measure.port}`] } }),
        password: servicePassword(),
      });
      expect(full.error).toBeUndefined();
      bytesOfFullRead = measure.serverBytes();
      await measure.close();
    });

    it('fails with PartialRead when the connection is reset after some pages', async () => {
      // 60% of a complete read: past the bind and the first page of users, before the last.
      const fault: Fault = { kind: 'cut', afterServerBytes: Math.floor(bytesOfFullRead * 0.6) };
      const report = await expectFailedRun(
        async () => syncNow(await viaProxy(fault)),
        'PartialRead',
        'search',
      );
      expect(report.error?.message).toMatch(/dropped during the read/);
    });

    it('fails with PartialRead when a StartTLS connection is reset', async () => {
      const measure = await startFaultProxy({ targetHost: '127.0.0.1', targetPort: 389 });
      await testSettings(harness.deps, {
        config: fixtureConfig({
          connection: { servers: [`127.0.0.1:${measure.port}`], encryption: 'starttls' },
        }),
        password: servicePassword(),
      });
      const bytes = measure.serverBytes();
      await measure.close();
      await expectFailedRun(
        async () => syncNow(await viaProxy({ kind: 'cut', afterServerBytes: Math.floor(bytes * 0.6) }, 389)),
        'PartialRead',
        'search',
      );
    });

    it('fails with Timeout when the server stops sending', async () => {
      const fault: Fault = { kind: 'stall', afterServerBytes: Math.floor(bytesOfFullRead * 0.6) };
      await expectFailedRun(async () => syncNow(await viaProxy(fault)), 'Timeout', 'search');
    });

    it('fails with Timeout when the link is too slow for the operation timeout', async () => {
      await expectFailedRun(
        async () => syncNow(await viaProxy({ kind: 'drip', bytes: 512, everyMs: 20 })),
        'Timeout',
        'search',
      );
    });
  });
});

/**
 * ldapts 9.2 opens a new connection by itself when an operation starts on a client whose LDAPS connection
 * has closed, and does not bind it; after StartTLS it does not notice the drop and waits for the timeout.
 * Each test drops the connection while no operation is under way, the moment that reconnect happens.
 */
describe('a connection dropped between two operations is not replaced', () => {
  /** The reset reaches the client's socket at once on loopback; its close event follows within a tick or two. */
  const dropped = async (proxy: FaultProxy): Promise<void> => {
    await proxy.resetConnections();
    await sleep(200);
  };

  async function openSession(proxy: FaultProxy, encryption: 'ldaps' | 'starttls') {
    const { connection } = fixtureConfig({
      connection: { servers: [`127.0.0.1:${proxy.port}`], timeoutSeconds: 5, encryption },
    });
    const reader = new LdapDirectoryReader();
    return { session: await reader.connect(await reader.resolveServers(connection), connection), connection };
  }

  async function readAll(pages: AsyncIterable<unknown[]>): Promise<number> {
    let count = 0;
    for await (const page of pages) count += page.length;
    return count;
  }

  it('fails the next read with PartialRead (LDAPS), on the one connection the session opened', async () => {
    const proxy = await startFaultProxy({ targetHost: '127.0.0.1', targetPort: 636 });
    proxies.push(proxy);
    const { session, connection } = await openSession(proxy, 'ldaps');
    try {
      await session.bind(connection.username ?? '', servicePassword());
      await session.assertExists(directory.baseDn, 'the base DN');
      await dropped(proxy);
      const failure = await readAll(session.userPages(directory.baseDn)).then(
        () => undefined,
        (error: unknown) => error,
      );
      // ldapts would open a second connection and search on it unbound (Samba refuses: OperationsError).
      expect(proxy.connections()).toBe(1);
      expect(failure).toBeInstanceOf(PartialReadError);
      expect(String(failure)).toMatch(/connection to 127\.0\.0\.1:\d+ was lost between two requests/);
    } finally {
      await session.close();
    }
  });

  it('fails the bind at once after a StartTLS connection dropped, with no new connection', async () => {
    const proxy = await startFaultProxy({ targetHost: '127.0.0.1', targetPort: 389 });
    proxies.push(proxy);
    const { session, connection } = await openSession(proxy, 'starttls');
    try {
      await dropped(proxy);
      const failure = await session.bind(connection.username ?? '', servicePassword()).then(
        () => undefined,
        (error: unknown) => error,
      );
      // A new connection to 389 would be plain text: the password must never go out on one.
      expect(proxy.clientBytes().includes(Buffer.from(servicePassword()))).toBe(false);
      expect(proxy.connections()).toBe(1);
      expect(failure).toBeInstanceOf(UnreachableError);
      expect(String(failure)).toMatch(/was lost between two requests/);
    } finally {
      await session.close();
    }
  });

  it.each([
    ['LDAPS', 636],
    ['StartTLS', 389],
  ])('fails the run with PartialRead and writes nothing (%s)', async (_, port) => {
    const proxy = await startFaultProxy({ targetHost: '127.0.0.1', targetPort: port });
    proxies.push(proxy);
    // The connection drops while the run lists the user database: after the reads that settle the scope,
    // before the user search. (The store is the harness's own, on the same client; only the timing is added.)
    const users = Object.assign(Object.create(harness.store) as DynamoUserStore, {
      async *userPages() {
        await dropped(proxy);
        yield* harness.store.userPages();
      },
    });
    const connection = {
      servers: [`127.0.0.1:${proxy.port}`],
      ...(port === 389 ? { encryption: 'starttls' as const } : {}),
    };
    const report = await expectFailedRun(
      async () => {
        await harness.configs.saveConfig(fixtureConfig({ ...dangerous, connection }));
        return synchronizeNow({ ...harness.exclusive(), users });
      },
      'PartialRead',
      'search',
    );
    expect(report.error?.message).toMatch(/was lost between two requests/);
    expect(proxy.connections()).toBe(1);
  });
});

describe('failover', () => {
  it('tries the servers in order and completes on the first that answers', async () => {
    const report = await syncNow({ servers: ['127.0.0.1:1', '127.0.0.1:636'] });
    expect(report.status).toBe('succeeded');
    expect(report.server).toBe('127.0.0.1:636');
  });

  it('fails over past a server whose TLS handshake never completes', async () => {
    const dead = await viaProxy({ kind: 'blackhole' });
    const report = await syncNow({ servers: [...(dead.servers ?? []), '127.0.0.1:636'], timeoutSeconds: 2 });
    expect(report.status).toBe('succeeded');
    expect(report.server).toBe('127.0.0.1:636');
  });
});
