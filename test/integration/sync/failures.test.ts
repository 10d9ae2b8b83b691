import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Report } from '../../../shared/domain/report';
import { synchronize, testSettings } from '../../../shared/use-cases/run-sync';
import {
  createSyncHarness,
  fixtureConfig,
  type SyncHarness,
  servicePassword,
} from '../../support/sync-harness';
import { startFaultProxy } from '../../support/tcp-fault-proxy';

const directory = inject('directory');
const untrustedCa = readFileSync(new URL('../../fixtures/untrusted-ca.pem', import.meta.url), 'utf8');

/** deleteUsers on and no threshold to speak of: if a failed read were taken as "users gone", they would go. */
const dangerous = {
  options: { deleteUsers: true, deletionThreshold: { maxCount: 1_000_000, maxPercent: 100 } },
} as const;

let harness: SyncHarness;
let usersBefore: unknown[];

beforeAll(async () => {
  harness = await createSyncHarness();
  const first = await synchronize(harness.deps, { config: fixtureConfig(), password: servicePassword() });
  expect(first.status).toBe('succeeded');
  usersBefore = await harness.store.listUsers();
  expect(usersBefore.length).toBeGreaterThan(1000);
});
afterAll(() => harness.close());

/** Runs a sync that must fail: checks the reason, that nothing changed, and that the failure is recorded. */
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
  const recorded = await harness.store.getRun(report.runId);
  expect(recorded).toMatchObject({ status: 'failed', error: report.error });
  return report;
}

describe('a sync that cannot read the directory changes nothing', () => {
  it('fails at bind on a wrong password', async () => {
    const report = await expectFailedRun(
      () =>
        synchronize(harness.deps, {
          config: fixtureConfig(dangerous),
          password: `${servicePassword()}-wrong`,
        }),
      'InvalidCredentials',
      'bind',
    );
    expect(report.error?.message).toMatch(/127\.0\.0\.1:636 rejected the bind/);
  });

  it('fails at connect when the DC certificate is not from the configured CA', async () => {
    const report = await expectFailedRun(
      () =>
        synchronize(harness.deps, {
          config: fixtureConfig({ ...dangerous, connection: { caCertificate: untrustedCa } }),
          password: servicePassword(),
        }),
      'Tls',
      'connect',
    );
    expect(report.error?.message).toMatch(/certificate/i);
  });

  it('fails at connect when the certificate names another host', async () => {
    await expectFailedRun(
      () =>
        synchronize(harness.deps, {
          config: fixtureConfig({ ...dangerous, connection: { tlsServerName: 'other-dc.company.local' } }),
          password: servicePassword(),
        }),
      'Tls',
      'connect',
    );
  });

  it('fails at connect when no server answers', async () => {
    const report = await expectFailedRun(
      () =>
        synchronize(harness.deps, {
          config: fixtureConfig({ ...dangerous, connection: { servers: ['127.0.0.1:1'] } }),
          password: servicePassword(),
        }),
      'Unreachable',
      'connect',
    );
    expect(report.error?.message).toContain('127.0.0.1:1');
  });

  it('fails with PartialRead when the connection drops in the middle of paging', async () => {
    const measure = await startFaultProxy({ targetHost: '127.0.0.1', targetPort: 636 });
    const viaProxy = (port: number) =>
      fixtureConfig({ ...dangerous, connection: { servers: [`127.0.0.1:${port}`] } });
    const full = await testSettings(harness.deps, {
      config: viaProxy(measure.port),
      password: servicePassword(),
    });
    expect(full.error).toBeUndefined();
    const bytes = measure.serverBytes();
    await measure.close();

    // Cut when 60% of a complete read has arrived: well past the bind, in the middle of the user pages.
    const cutting = await startFaultProxy({
      targetHost: '127.0.0.1',
      targetPort: 636,
      cutAfterServerBytes: Math.floor(bytes * 0.6),
    });
    try {
      const report = await expectFailedRun(
        () => synchronize(harness.deps, { config: viaProxy(cutting.port), password: servicePassword() }),
        'PartialRead',
        'search',
      );
      expect(report.error?.message).toMatch(/dropped during the read/);
    } finally {
      await cutting.close();
    }
  });
});

describe('failover', () => {
  it('tries the servers in order and completes on the first that answers', async () => {
    const report = await testSettings(harness.deps, {
      config: fixtureConfig({ connection: { servers: ['127.0.0.1:1', '127.0.0.1:636'] } }),
      password: servicePassword(),
    });
    expect(report.error).toBeUndefined();
    expect(report.server).toBe('127.0.0.1:636');
  });

  it('names every server tried when none answers', async () => {
    const report = await testSettings(harness.deps, {
      config: fixtureConfig({ connection: { servers: ['127.0.0.1:1', '127.0.0.1:2'] } }),
      password: servicePassword(),
    });
    expect(report.error?.code).toBe('Unreachable');
    expect(report.error?.message).toMatch(/127\.0\.0\.1:1.*127\.0\.0\.1:2/);
  });
});

it("uses the CA and host name of the fixture DC (sanity check of this file's setup)", () => {
  expect(directory.tlsServerName).toMatch(/\.company\.local$/i);
});
