import type { SrvRecord } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { LdapDirectoryReader, orderSrvRecords } from '../../../shared/adapters/ldap/ldap-directory-reader';
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
