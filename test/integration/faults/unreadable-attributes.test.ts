/**
 * A read that could not see an attribute the sync decides on is a partial read. An ACL on one user that
 * denies the service account userAccountControl makes the DC return the user without it; taken as 0, a
 * disabled account would count as enabled and be synchronized. The run must fail before apply instead,
 * naming the entry and the attribute, and write nothing.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { attributeInSchema } from '../../../shared/adapters/ldap/schema-attributes';
import type { Report } from '../../../shared/domain/report';
import { testSettings } from '../../../shared/use-cases/sync-pipeline';
import { synchronizeNow } from '../../../shared/use-cases/synchronize-now';
import { denyReadingAttribute } from '../../support/attribute-acl';
import { ldapsClient } from '../../support/clients';
import { replace, UF_NORMAL_PASSWD_NOTREQD, userEntry } from '../../support/scratch-ou';
import { useScratchSync } from '../../support/scratch-sync';
import { fixtureConfig, servicePassword } from '../../support/sync-harness';

const directory = inject('directory');
const ACCOUNTDISABLE = 0x2;

const scratch = useScratchSync('Unreadable');
const { dn: ouDn, tag } = scratch;
const aliceDn = `CN=Alice ${tag},${ouDn}`;
/** Disabled: out of scope while its flags can be read. */
const bobDn = `CN=Bob ${tag},${ouDn}`;

let usersBefore: unknown[];

/** deleteUsers on and no threshold to speak of, reading the scratch OU only. */
const config = () =>
  fixtureConfig({
    connection: { baseDn: ouDn },
    options: { deleteUsers: true, deletionThreshold: { maxCount: 1_000_000, maxPercent: 100 } },
  });

async function syncNow(): Promise<Report> {
  await scratch.harness.configs.saveConfig(config());
  return synchronizeNow(scratch.harness.exclusive());
}

beforeAll(async () => {
  await scratch.admin.add(
    aliceDn,
    userEntry({ sAMAccountName: `ua-alice-${tag}`, mail: `ua-alice-${tag}@company.local` }),
  );
  await scratch.admin.add(
    bobDn,
    userEntry({
      sAMAccountName: `ua-bob-${tag}`,
      mail: `ua-bob-${tag}@company.local`,
      userAccountControl: String(UF_NORMAL_PASSWD_NOTREQD | ACCOUNTDISABLE),
    }),
  );
  const first = await syncNow();
  expect(first.status).toBe('succeeded');
  expect(first.counts).toMatchObject({ created: 1, excluded: 1 });
  usersBefore = await scratch.harness.store.listUsers();
});

describe('an attribute the bind account may not read', () => {
  it('fails the run at search, naming the user and userAccountControl, and writes nothing', async () => {
    const denied = await denyReadingAttribute(scratch.admin, {
      objectDn: bobDn,
      trusteeDn: directory.serviceAccount.dn,
      attribute: 'userAccountControl',
    });
    try {
      // The DC now returns Bob to the service account without the attribute (and to the administrator with it).
      const service = ldapsClient();
      await service.bind(directory.serviceAccount.upn, servicePassword());
      const { searchEntries } = await service.search(bobDn, {
        scope: 'base',
        attributes: ['userAccountControl', 'sAMAccountName'],
      });
      await service.unbind();
      expect(searchEntries[0]?.userAccountControl).toEqual([]);

      const writesBefore = scratch.harness.userWrites();
      const report = await syncNow();
      expect(report.status).toBe('failed');
      expect(report.error?.code).toBe('UnreadableAttribute');
      expect(report.error?.message).toContain(`${bobDn}: userAccountControl was not returned`);
      expect(report.steps.find((s) => !s.ok)?.name).toBe('search');
      expect(report.steps.some((s) => s.name === 'apply')).toBe(false);
      expect(report.counts).toMatchObject({ created: 0, updated: 0, deleted: 0 });
      expect(scratch.harness.userWrites()).toBe(writesBefore);
      expect(await scratch.harness.store.listUsers()).toEqual(usersBefore);
      expect(await scratch.harness.store.getRun(report.runId)).toMatchObject({
        status: 'failed',
        error: report.error,
      });

      const tested = await testSettings(scratch.harness.deps, {
        config: config(),
        password: servicePassword(),
      });
      expect(tested.error).toEqual(report.error);
    } finally {
      await denied.restore();
    }
    // Readable again: the next run completes, Bob still out of scope, nothing changed.
    const clean = await syncNow();
    expect(clean.status).toBe('succeeded');
    expect(clean.counts).toMatchObject({ created: 0, updated: 0, deleted: 0, unchanged: 1, excluded: 1 });
  });
});

describe('the schema check behind visibleInAddressListsOnly', () => {
  it("finds msExchHideFromAddressLists in the test DC's extended schema, and not an attribute it lacks", async () => {
    const service = ldapsClient();
    await service.bind(directory.serviceAccount.upn, servicePassword());
    try {
      const { searchEntries } = await service.search('', {
        scope: 'base',
        attributes: ['schemaNamingContext'],
      });
      const schema = String(searchEntries[0]?.schemaNamingContext);
      expect(await attributeInSchema(service, schema, 'msExchHideFromAddressLists')).toBe(true);
      expect(await attributeInSchema(service, schema, 'msExchNoSuchAttribute')).toBe(false);
      expect(await attributeInSchema(service, undefined, 'msExchHideFromAddressLists')).toBe(false);
    } finally {
      await service.unbind();
    }
  });

  it('lets a visibleInAddressListsOnly run through where the schema has the attribute', async () => {
    await scratch.admin.modify(aliceDn, replace('msExchHideFromAddressLists', ['TRUE']));
    const report = await testSettings(scratch.harness.deps, {
      config: fixtureConfig({
        connection: { baseDn: ouDn },
        filters: { visibleInAddressListsOnly: true },
      }),
      password: servicePassword(),
    });
    expect(report.status).toBe('succeeded');
    expect(new Map(report.excluded.map((e) => [e.distinguishedName, e.reasons]))).toEqual(
      new Map([
        [aliceDn, ['hiddenFromAddressLists']],
        [bobDn, ['disabled']],
      ]),
    );
  });
});
