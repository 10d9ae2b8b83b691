/**
 * DirSync is detected, never required: the probe tells an account with the replication right from one
 * without it, and a sync reports which it found while reading changes by uSNChanged either way.
 */
import { describe, expect, inject, it } from 'vitest';
import { LdapDirectoryReader } from '../../../shared/adapters/ldap/ldap-directory-reader';
import { testSettings } from '../../../shared/use-cases/sync-pipeline';
import { createSyncHarness, fixtureConfig, servicePassword } from '../../support/sync-harness';

const directory = inject('directory');

async function probeAs(username: string, password: string) {
  const config = fixtureConfig();
  const reader = new LdapDirectoryReader();
  const session = await reader.connect(await reader.resolveServers(config.connection), config.connection);
  try {
    await session.bind(username, password);
    return await session.probeDirSync();
  } finally {
    await session.close();
  }
}

describe('DirSync', () => {
  it('is not permitted for the read-only service account, and permitted for a domain administrator', async () => {
    expect(await probeAs(directory.serviceAccount.upn, servicePassword())).toBe('notPermitted');
    expect(await probeAs(directory.administrator.upn, directory.administrator.password)).toBe('permitted');
  });

  it('is reported in the search step, and its absence does not stop the run', async () => {
    const harness = await createSyncHarness();
    try {
      const report = await testSettings(harness.deps, {
        config: fixtureConfig(),
        password: servicePassword(),
      });
      expect(report.status).toBe('succeeded');
      expect(report.steps.find((s) => s.name === 'search')?.message).toContain(
        'DirSync is not permitted for this account (not needed: changes are read by uSNChanged)',
      );
    } finally {
      harness.close();
    }
  });
});
