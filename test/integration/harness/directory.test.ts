import {
  AndFilter,
  Attribute,
  Change,
  Client,
  EqualityFilter,
  ExtensibleFilter,
  type Filter,
  InsufficientAccessError,
  InvalidCredentialsError,
  StrongAuthRequiredError,
} from 'ldapts';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { readAllValues } from '../../../shared/adapters/ldap/ranged-attribute';
import { ldapsClient } from '../../support/clients';
import { builtInUsers, FixtureDirectory } from '../../support/fixture-directory';
import { valuesOf } from '../../support/ldif';

const directory = inject('directory');
const fixture = new FixtureDirectory();
const { serviceAccount } = directory;

/** `(&(objectCategory=person)(objectClass=user))`: the sync's candidates (docs/contract.md#sync-rules). */
const userFilters: Filter[] = [
  new EqualityFilter({ attribute: 'objectCategory', value: 'person' }),
  new EqualityFilter({ attribute: 'objectClass', value: 'user' }),
];
const users = (...more: Filter[]): Filter => new AndFilter({ filters: [...userFilters, ...more] });

const open: Client[] = [];
afterEach(async () => {
  await Promise.allSettled(open.splice(0).map((client) => client.unbind()));
});
const track = (client: Client): Client => {
  open.push(client);
  return client;
};

async function boundServiceClient(): Promise<Client> {
  const client = track(ldapsClient());
  await client.bind(serviceAccount.upn, serviceAccount.password);
  return client;
}

async function accountNames(client: Client, filter: Filter): Promise<string[]> {
  const { searchEntries } = await client.search(directory.baseDn, {
    scope: 'sub',
    filter,
    attributes: ['sAMAccountName'],
    paged: { pageSize: 200 },
  });
  return searchEntries.map((entry) => String(entry.sAMAccountName)).sort();
}

const sorted = (names: Iterable<string>): string[] => [...names].sort();

describe('binding to the Samba AD DC', () => {
  it('binds as the service account over LDAPS with the CA and host name verified', async () => {
    const client = await boundServiceClient();
    const { searchEntries } = await client.search(serviceAccount.dn, {
      scope: 'base',
      attributes: ['userPrincipalName'],
    });
    expect(searchEntries[0]?.userPrincipalName).toBe(serviceAccount.upn);
  });

  it('binds as the service account over StartTLS on the LDAP port', async () => {
    const client = track(new Client({ url: directory.ldapUrl, connectTimeout: 5_000, timeout: 10_000 }));
    await client.startTLS({ ca: [directory.caCertificate], servername: directory.tlsServerName });
    await client.bind(serviceAccount.upn, serviceAccount.password);
    expect(await client.isConnected).toBe(true);
  });

  it('refuses a plain-text simple bind', async () => {
    const client = track(new Client({ url: directory.ldapUrl, connectTimeout: 5_000, timeout: 10_000 }));
    await expect(client.bind(serviceAccount.upn, serviceAccount.password)).rejects.toBeInstanceOf(
      StrongAuthRequiredError,
    );
  });

  it('rejects a wrong password', async () => {
    const client = track(ldapsClient());
    await expect(client.bind(serviceAccount.upn, `${serviceAccount.password}x`)).rejects.toBeInstanceOf(
      InvalidCredentialsError,
    );
  });

  it('fails the TLS handshake when the certificate names another host', async () => {
    const client = track(
      ldapsClient({ tlsOptions: { ca: [directory.caCertificate], servername: 'other-dc.company.local' } }),
    );
    await expect(client.bind(serviceAccount.upn, serviceAccount.password)).rejects.toThrow(
      /altnames|host|match/i,
    );
  });

  it('fails the TLS handshake against the system trust store (the DC certificate is self-signed)', async () => {
    const client = track(ldapsClient({ tlsOptions: { servername: directory.tlsServerName } }));
    await expect(client.bind(serviceAccount.upn, serviceAccount.password)).rejects.toThrow(/certificate/i);
  });

  it('gives the service account read rights only', async () => {
    const client = await boundServiceClient();
    const target = fixture.users.find((u) => FixtureDirectory.accountName(u) === 'alice');
    await expect(
      client.modify(
        target?.dn ?? '',
        new Change({
          operation: 'replace',
          modification: new Attribute({ type: 'description', values: ['changed by the sync'] }),
        }),
      ),
    ).rejects.toBeInstanceOf(InsufficientAccessError);
  });
});

describe('reading the fixture directory', () => {
  it('returns every fixture user, and no contact or computer, from a paged search', async () => {
    const client = await boundServiceClient();
    let pages = 0;
    const names: string[] = [];
    for await (const page of client.searchPaginated(directory.baseDn, {
      scope: 'sub',
      filter: users(),
      attributes: ['sAMAccountName'],
      paged: { pageSize: 100 },
    })) {
      pages += 1;
      names.push(...page.searchEntries.map((entry) => String(entry.sAMAccountName)));
    }
    const expected = [
      ...fixture.users.map(FixtureDirectory.accountName),
      ...builtInUsers.enabled,
      ...builtInUsers.disabled,
    ];
    expect(fixture.users.length).toBeGreaterThanOrEqual(150);
    expect(pages).toBe(Math.ceil(expected.length / 100));
    expect(sorted(names)).toEqual(sorted(expected));
  });

  it('selects exactly the disabled accounts with the ACCOUNTDISABLE bit filter', async () => {
    const client = await boundServiceClient();
    const disabled = new ExtensibleFilter({
      matchType: 'userAccountControl',
      rule: '1.2.840.113556.1.4.803',
      value: '2',
    });
    const expected = [
      ...fixture.users.filter(FixtureDirectory.isDisabled).map(FixtureDirectory.accountName),
      ...builtInUsers.disabled,
    ];
    expect(expected.length).toBeGreaterThan(builtInUsers.disabled.length);
    expect(await accountNames(client, users(disabled))).toEqual(sorted(expected));
  });

  it('selects exactly the users hidden from address lists (schema extended with msExchHideFromAddressLists)', async () => {
    const client = await boundServiceClient();
    const expected = fixture.users
      .filter((u) => valuesOf(u, 'msExchHideFromAddressLists')[0] === 'TRUE')
      .map(FixtureDirectory.accountName);
    expect(expected.length).toBeGreaterThan(0);
    const hidden = new EqualityFilter({ attribute: 'msExchHideFromAddressLists', value: 'TRUE' });
    expect(await accountNames(client, users(hidden))).toEqual(sorted(expected));
  });

  it.each([
    ['All Staff (Nested)', 3],
    ['*', 1],
    ['x)(objectClass=*', 1],
  ])('selects exactly the transitive user members of the group %s', async (groupName, minimum) => {
    const client = await boundServiceClient();
    const group = fixture.group(groupName);
    const inChain = new ExtensibleFilter({
      matchType: 'memberOf',
      rule: '1.2.840.113556.1.4.1941',
      value: group.dn,
    });
    const expected = fixture.transitiveUserMembers(group).map(FixtureDirectory.accountName);
    expect(expected.length).toBeGreaterThanOrEqual(minimum);
    expect(await accountNames(client, users(inChain))).toEqual(sorted(expected));
  });

  it('reads every member of the group larger than the 1,500-value range', async () => {
    const client = await boundServiceClient();
    const group = fixture.group('Big Group');
    const expected = valuesOf(group, 'member');
    expect(expected.length).toBeGreaterThan(1500);

    const firstChunk = await client.search(group.dn, {
      scope: 'base',
      attributes: ['member;range=0-1499'],
    });
    expect(Object.keys(firstChunk.searchEntries[0] ?? {})).toContain('member;range=0-1499');

    const members = await readAllValues(client, group.dn, 'member');
    expect(sorted(members.map((dn) => dn.toLowerCase()))).toEqual(
      sorted(expected.map((dn) => dn.toLowerCase())),
    );
  });
});
