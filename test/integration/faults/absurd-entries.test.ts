/**
 * Directory entries with absurd values, read from the DC: the run does not crash, and the user is stored
 * within the documented bounds (MAPPING_LIMITS).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAPPING_LIMITS } from '../../../shared/domain/user-mapping';
import { synchronize } from '../../../shared/use-cases/sync-pipeline';
import { createScratchOu, scratchOuName, userEntry } from '../../support/scratch-ou';
import {
  createSyncHarness,
  fixtureConfig,
  type SyncHarness,
  servicePassword,
} from '../../support/sync-harness';

const { dn: ou, tag } = scratchOuName('Absurd');
const PROXIES = 10_000;
let scratch: Awaited<ReturnType<typeof createScratchOu>>;
let harness: SyncHarness;

beforeAll(async () => {
  scratch = await createScratchOu(ou);
  harness = await createSyncHarness();
  await scratch.admin.add(
    `CN=Many Addresses,${ou}`,
    userEntry({
      sAMAccountName: `many-${tag}`,
      displayName: 'Many Addresses',
      proxyAddresses: [
        'SMTP:many.primary@company.local',
        ...Array.from({ length: PROXIES - 1 }, (_, i) => `smtp:many.alias${i}@company.local`),
      ],
    }),
  );
});
afterAll(async () => {
  harness.close();
  await scratch.remove();
});

describe('absurd directory entries', () => {
  it('cannot have a display name over 256 characters: the DC refuses it as AD does (the 1 MB case is a unit test)', async () => {
    await expect(
      scratch.admin.add(`CN=Long Name,${ou}`, {
        objectClass: ['top', 'person', 'organizationalPerson', 'user'],
        sAMAccountName: `long-${tag}`,
        displayName: 'L'.repeat(MAPPING_LIMITS.maxNameLength + 1),
      }),
    ).rejects.toThrow();
  });

  it('are synchronized within the bounds, without failing the run', async () => {
    const report = await synchronize(harness.deps, {
      config: fixtureConfig({ connection: { baseDn: ou } }),
      password: servicePassword(),
    });
    expect(report.error).toBeUndefined();
    expect(report.status).toBe('succeeded');
    const many = await harness.store.getUser(`many-${tag}`);
    expect(many?.emailAddresses).toHaveLength(MAPPING_LIMITS.maxAddresses);
    expect(many?.emailAddresses[0]).toBe('many.primary@company.local');
  });
});
