import type { SrvRecord } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { orderSrvRecords } from '../../../shared/adapters/ldap/domain-controllers';
import { LdapDirectoryReader } from '../../../shared/adapters/ldap/ldap-directory-reader';
import { parseConfig } from '../../../shared/config/config-schema';
import { DiscoveryError } from '../../../shared/errors';

const srv = (name: string, priority: number, weight: number): SrvRecord => ({
  name,
  port: 389,
  priority,
  weight,
});

describe('orderSrvRecords', () => {
  it('tries lower priority first, then higher weight', () => {
    const ordered = orderSrvRecords([srv('c', 10, 100), srv('a', 0, 10), srv('b', 0, 50)]);
    expect(ordered.map((r) => r.name)).toEqual(['b', 'a', 'c']);
  });
});

describe('LdapDirectoryReader.resolveServers', () => {
  const connection = (c: object) => parseConfig({ connection: c }).connection;

  it('uses the configured servers in order, with the default port of the encryption', async () => {
    const reader = new LdapDirectoryReader(async () => {
      throw new Error('must not be called');
    });
    await expect(reader.resolveServers(connection({ servers: ['dc1', '10.0.0.5:3269'] }))).resolves.toEqual([
      { host: 'dc1', port: 636 },
      { host: '10.0.0.5', port: 3269 },
    ]);
    await expect(
      reader.resolveServers(connection({ servers: ['dc1'], encryption: 'starttls' })),
    ).resolves.toEqual([{ host: 'dc1', port: 389 }]);
  });

  it('discovers DCs by DNS SRV for the domain when no servers are given', async () => {
    const asked: string[] = [];
    const reader = new LdapDirectoryReader(async (name) => {
      asked.push(name);
      return [srv('dc2.company.local.', 0, 10), srv('dc1.company.local.', 0, 90)];
    });
    await expect(reader.resolveServers(connection({ domain: 'company.local' }))).resolves.toEqual([
      { host: 'dc1.company.local', port: 636 },
      { host: 'dc2.company.local', port: 636 },
    ]);
    expect(asked).toEqual(['_ldap._tcp.dc._msdcs.company.local']);
  });

  it('fails with DiscoveryFailed when DNS has no answer', async () => {
    const reader = new LdapDirectoryReader(async () => {
      throw Object.assign(new Error('querySrv ENOTFOUND'), { code: 'ENOTFOUND' });
    });
    await expect(reader.resolveServers(connection({ domain: 'company.local' }))).rejects.toBeInstanceOf(
      DiscoveryError,
    );
    const empty = new LdapDirectoryReader(async () => []);
    await expect(empty.resolveServers(connection({ domain: 'company.local' }))).rejects.toThrow(
      /no SRV records/,
    );
  });
});

describe('DCs found by DNS must be inside the domain (a spoofed SRV answer must not get the password)', () => {
  const connection = (c: object) => parseConfig({ connection: { domain: 'company.local', ...c } }).connection;
  const answering =
    (...names: string[]) =>
    async (): Promise<SrvRecord[]> =>
      names.map((name, i) => srv(name, 0, 100 - i));

  it('accepts the domain itself and hosts under it, whatever their case and trailing dot', async () => {
    const reader = new LdapDirectoryReader(
      answering('DC1.Company.Local.', 'company.local', 'dc2.site-a.company.local'),
    );
    await expect(reader.resolveServers(connection({}))).resolves.toEqual([
      { host: 'DC1.Company.Local', port: 636 },
      { host: 'company.local', port: 636 },
      { host: 'dc2.site-a.company.local', port: 636 },
    ]);
    const trailing = new LdapDirectoryReader(answering('dc1.company.local'));
    await expect(trailing.resolveServers(connection({ domain: 'Company.Local.' }))).resolves.toEqual([
      { host: 'dc1.company.local', port: 636 },
    ]);
  });

  it.each([
    ['a host of another domain', ['dc1.attacker.example']],
    ['a name that only ends like the domain', ['evilcompany.local']],
    ['the domain as a label of another name', ['company.local.attacker.example']],
    ['one outsider among good answers', ['dc1.company.local', 'dc9.attacker.example']],
    ['the root ("no such service")', ['.']],
  ])('refuses %s before connecting, naming the host', async (_, names) => {
    const reader = new LdapDirectoryReader(answering(...names));
    const refused = reader.resolveServers(connection({}));
    await expect(refused).rejects.toBeInstanceOf(DiscoveryError);
    await expect(refused).rejects.toThrow(/outside the domain company\.local/);
    await expect(refused).rejects.toThrow(/caCertificate or tlsServerName/);
  });

  it('accepts hosts outside the domain when the certificate is pinned by a CA or a server name', async () => {
    const reader = new LdapDirectoryReader(answering('dc1.corp.example'));
    await expect(
      reader.resolveServers(
        connection({ caCertificate: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----' }),
      ),
    ).resolves.toEqual([{ host: 'dc1.corp.example', port: 636 }]);
    await expect(reader.resolveServers(connection({ tlsServerName: 'dc1.company.local' }))).resolves.toEqual([
      { host: 'dc1.corp.example', port: 636 },
    ]);
  });

  it('never checks configured servers against the domain (they were chosen, not discovered)', async () => {
    const reader = new LdapDirectoryReader(answering());
    await expect(reader.resolveServers(connection({ servers: ['dc1.corp.example'] }))).resolves.toEqual([
      { host: 'dc1.corp.example', port: 636 },
    ]);
  });
});
