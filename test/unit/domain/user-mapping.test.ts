import { describe, expect, it } from 'vitest';
import type { DirectoryEntry } from '../../../shared/domain/user';
import { emailAddressesOf, MAPPING_LIMITS, mapDirectoryUser } from '../../../shared/domain/user-mapping';

const entry = (overrides: Partial<DirectoryEntry> = {}): DirectoryEntry => ({
  objectGuid: '01234567-89ab-cdef-0123-456789abcdef',
  distinguishedName: 'CN=Alice Archer,OU=Sales,DC=company,DC=local',
  sAMAccountName: 'alice',
  proxyAddresses: [],
  userAccountControl: 512,
  hiddenFromAddressLists: false,
  ...overrides,
});

describe('emailAddressesOf', () => {
  it('puts mail first, then the primary SMTP address, then the secondary ones in directory order', () => {
    expect(
      emailAddressesOf({
        mail: 'Alice@Company.local',
        proxyAddresses: [
          'smtp:second@company.local',
          'SMTP:primary@company.local',
          'smtp:third@company.local',
        ],
      }),
    ).toEqual([
      'alice@company.local',
      'primary@company.local',
      'second@company.local',
      'third@company.local',
    ]);
  });

  it('lower-cases and de-duplicates across mail and proxies', () => {
    expect(
      emailAddressesOf({
        mail: 'carol@company.local',
        proxyAddresses: ['SMTP:CAROL@company.local', 'smtp:Carol@Company.Local'],
      }),
    ).toEqual(['carol@company.local']);
  });

  it('ignores non-SMTP proxy addresses', () => {
    expect(
      emailAddressesOf({
        proxyAddresses: ['X500:/o=Company/cn=bob', 'SIP:bob@company.local', 'smtp:bob@company.local'],
      }),
    ).toEqual(['bob@company.local']);
  });

  it('uses proxyAddresses alone when there is no mail', () => {
    expect(emailAddressesOf({ proxyAddresses: ['SMTP:zoe.celik@company.local'] })).toEqual([
      'zoe.celik@company.local',
    ]);
  });

  it('returns nothing for a user without addresses, and drops values that are not addresses', () => {
    expect(emailAddressesOf({ proxyAddresses: [] })).toEqual([]);
    expect(
      emailAddressesOf({ mail: '  ', proxyAddresses: ['SMTP:', 'smtp:no-at-sign', 'smtp:two words@x'] }),
    ).toEqual([]);
  });
});

describe('mapDirectoryUser', () => {
  it('maps userName, fullName, addresses and the anchor', () => {
    expect(
      mapDirectoryUser(
        entry({
          displayName: 'Alice Archer',
          cn: 'Alice A.',
          mail: 'alice@company.local',
          userPrincipalName: 'alice@company.local',
        }),
      ),
    ).toEqual({
      userName: 'alice',
      fullName: 'Alice Archer',
      emailAddresses: ['alice@company.local'],
      distinguishedName: 'CN=Alice Archer,OU=Sales,DC=company,DC=local',
      userPrincipalName: 'alice@company.local',
      objectGuid: '01234567-89ab-cdef-0123-456789abcdef',
    });
  });

  it('falls back from displayName to cn, then to the account name', () => {
    expect(mapDirectoryUser(entry({ cn: 'Dave Dawson' })).fullName).toBe('Dave Dawson');
    expect(mapDirectoryUser(entry({ displayName: '  ', cn: 'Dave Dawson' })).fullName).toBe('Dave Dawson');
    expect(mapDirectoryUser(entry()).fullName).toBe('alice');
  });

  it('keeps names with special characters as they are', () => {
    const user = mapDirectoryUser(entry({ displayName: 'Smith, John "(*)\\ Jürgen' }));
    expect(user.fullName).toBe('Smith, John "(*)\\ Jürgen');
  });
});

describe('limits on absurd directory entries', () => {
  it('keeps at most 100 addresses, mail and the primary first, from 10,000 proxy addresses', () => {
    const proxyAddresses = [
      ...Array.from({ length: 9_999 }, (_, i) => `smtp:alias${i}@company.local`),
      'SMTP:primary@company.local',
    ];
    const addresses = emailAddressesOf({ mail: 'main@company.local', proxyAddresses });
    expect(addresses).toHaveLength(MAPPING_LIMITS.maxAddresses);
    expect(addresses.slice(0, 3)).toEqual([
      'main@company.local',
      'primary@company.local',
      'alias0@company.local',
    ]);
  });

  it('drops addresses longer than a routable address can be', () => {
    expect(
      emailAddressesOf({
        proxyAddresses: [`smtp:${'a'.repeat(300)}@company.local`, 'smtp:ok@company.local'],
      }),
    ).toEqual(['ok@company.local']);
  });

  it('cuts a 1 MB display name to 256 characters, without splitting a character', () => {
    expect(mapDirectoryUser(entry({ displayName: 'x'.repeat(1_000_000) })).fullName).toHaveLength(256);
    const emoji = mapDirectoryUser(entry({ displayName: '😀'.repeat(300) })).fullName;
    expect([...emoji]).toHaveLength(256);
    expect(emoji.endsWith('😀')).toBe(true);
  });

  it('keeps names with replacement characters from invalid UTF-8 as they arrive', () => {
    expect(mapDirectoryUser(entry({ displayName: 'Bad \uFFFD Byte' })).fullName).toBe('Bad \uFFFD Byte');
  });
});
