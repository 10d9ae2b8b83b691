import { describe, expect, inject, it } from 'vitest';
import { testSettings } from '../../../shared/use-cases/sync-pipeline';
import { reportCounts } from '../../support/builders';
import { expectedSync } from '../../support/expected-sync';
import { FixtureDirectory } from '../../support/fixture-directory';
import { fixtureConfig, servicePassword, useSyncHarness } from '../../support/sync-harness';

const fixture = new FixtureDirectory();
const directory = inject('directory');
const harness = useSyncHarness();

const sorted = (names: Iterable<string>): string[] => [...names].sort();

describe('testSettings against the fixture directory', () => {
  it('lists exactly the expected creates and exclusions, and writes nothing', async () => {
    const expected = expectedSync(fixture);
    const report = await testSettings(harness.deps, { config: fixtureConfig(), password: servicePassword() });

    expect(report.error).toBeUndefined();
    expect(report).toMatchObject({
      dryRun: true,
      status: 'succeeded',
      server: '127.0.0.1:636',
      baseDn: directory.baseDn,
    });
    expect(report.steps.map((s) => [s.name, s.ok])).toEqual([
      ['resolve', true],
      ['connect', true],
      ['bind', true],
      ['search', true],
      ['filter', true],
      ['plan', true],
    ]);
    expect(sorted(report.changes.map((c) => c.userName))).toEqual(expected.inScope);
    expect(report.changes.every((c) => c.action === 'create')).toBe(true);
    expect(new Map(report.excluded.map((e) => [e.userName, [...e.reasons]]))).toEqual(expected.excluded);
    expect(report.counts).toEqual(
      reportCounts({
        directoryUsers: expected.directoryUsers,
        inScope: expected.inScope.length,
        excluded: expected.excluded.size,
        created: expected.inScope.length,
      }),
    );

    expect(harness.userWrites()).toBe(0);
    expect(await harness.store.listUsers()).toEqual([]);
    expect(await harness.store.listRuns(10)).toEqual([]);
  });

  it('maps names and addresses from the directory as specified', async () => {
    const report = await testSettings(harness.deps, { config: fixtureConfig(), password: servicePassword() });
    const change = (userName: string) => report.changes.find((c) => c.userName === userName);
    expect(change('bob')).toMatchObject({
      fullName: 'Bob Baker',
      emailAddresses: ['bob.baker@company.local', 'bob.secondary@company.local'],
    });
    expect(change('carol')?.emailAddresses).toEqual(['carol@company.local', 'c.cooper@company.local']);
    expect(change('jmueller')?.fullName).toBe('Jürgen Müller');
    expect(change('jsmith')?.fullName).toBe('Smith, John');
    expect(change('backslash')?.fullName).toBe('Back\\Slash');
    expect(change('zcelik')?.emailAddresses).toEqual(['zoe.celik@company.local']);
    expect(change('tyamada')?.fullName).toBe('山田 太郎');
  });

  it.each(['All Staff (Nested)', '*', 'x)(objectClass=*'])(
    'keeps only the transitive members of the selected group %s',
    async (group) => {
      const expected = expectedSync(fixture, { group });
      const report = await testSettings(harness.deps, {
        config: fixtureConfig({ filters: { groups: [fixture.group(group).dn] } }),
        password: servicePassword(),
      });
      expect(report.error).toBeUndefined();
      expect(sorted(report.changes.map((c) => c.userName))).toEqual(expected.inScope);
      expect(new Map(report.excluded.map((e) => [e.userName, [...e.reasons]]))).toEqual(expected.excluded);
    },
  );

  it('excludes users hidden from address lists when asked', async () => {
    const report = await testSettings(harness.deps, {
      config: fixtureConfig({ filters: { visibleInAddressListsOnly: true } }),
      password: servicePassword(),
    });
    expect(report.excluded.find((e) => e.userName === 'frank')?.reasons).toEqual(['hiddenFromAddressLists']);
    expect(report.excluded.find((e) => e.userName === 'heidi')?.reasons).toEqual([
      'disabled',
      'hiddenFromAddressLists',
    ]);
    expect(report.changes.some((c) => c.userName === 'grace')).toBe(true);
  });

  it('fails at the search step, before planning, when a selected group does not exist', async () => {
    const report = await testSettings(harness.deps, {
      config: fixtureConfig({ filters: { groups: [`CN=No Such Group,OU=Groups,${directory.baseDn}`] } }),
      password: servicePassword(),
    });
    expect(report.status).toBe('failed');
    expect(report.error).toEqual({ code: 'NoSuchObject', message: expect.stringContaining('No Such Group') });
    expect(report.steps.at(-1)).toMatchObject({ name: 'search', ok: false });
  });

  it('fails when the configured base DN does not exist', async () => {
    const report = await testSettings(harness.deps, {
      config: fixtureConfig({ connection: { baseDn: `OU=Nowhere,${directory.baseDn}` } }),
      password: servicePassword(),
    });
    expect(report.error?.code).toBe('NoSuchObject');
  });

  it('reads the base DN from the rootDSE when none is configured, and derives it from the domain as set', async () => {
    const fromRootDse = await testSettings(harness.deps, {
      config: fixtureConfig(),
      password: servicePassword(),
    });
    expect(fromRootDse.baseDn).toBe(directory.baseDn);
    const scoped = await testSettings(harness.deps, {
      config: fixtureConfig({ connection: { baseDn: `OU=Engineering,${directory.baseDn}` } }),
      password: servicePassword(),
    });
    expect(scoped.baseDn).toBe(`OU=Engineering,${directory.baseDn}`);
    expect(scoped.counts.directoryUsers).toBe(
      fixture.users.filter((u) => u.dn.endsWith(`OU=Engineering,${directory.baseDn}`)).length,
    );
  });

  it('connects over StartTLS on port 389', async () => {
    const report = await testSettings(harness.deps, {
      config: fixtureConfig({ connection: { encryption: 'starttls' } }),
      password: servicePassword(),
    });
    expect(report.error).toBeUndefined();
    expect(report.server).toBe('127.0.0.1:389');
  });

  it.each([
    ['a DN', directory.serviceAccount.dn],
    ['DOMAIN\\user', 'COMPANY\\svc-sync'],
  ])('binds with the user name given as %s', async (_, username) => {
    const report = await testSettings(harness.deps, {
      config: fixtureConfig({ connection: { username } }),
      password: servicePassword(),
    });
    expect(report.error).toBeUndefined();
    expect(report.steps.find((s) => s.name === 'bind')?.ok).toBe(true);
  });

  it('refuses to run without a password, before connecting', async () => {
    const report = await testSettings(harness.deps, { config: fixtureConfig(), password: undefined });
    expect(report.error?.code).toBe('MissingPassword');
    expect(report.steps.map((s) => s.name)).toEqual(['resolve']);
  });
});
