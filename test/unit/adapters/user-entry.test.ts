import type { Entry } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { toDirectoryEntry } from '../../../shared/adapters/ldap/user-entry';
import { USER_ATTRIBUTES } from '../../../shared/adapters/ldap/user-searches';
import { UnreadableAttributeError } from '../../../shared/errors';
import { ldaptsEntry, type ReturnedValues } from '../../support/ldapts-entry';

const DN = 'CN=Alice,OU=Staff,DC=company,DC=local';
const GUID = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

/** An entry as ldapts returns it for the sync's attributes: an absent attribute is `[]`. */
const entry = (attributes: Partial<Record<string, string | string[]>> = {}): Entry =>
  Object.fromEntries(
    Object.entries({
      dn: DN,
      objectGUID: GUID,
      sAMAccountName: 'alice',
      mail: 'alice@company.local',
      proxyAddresses: [],
      userAccountControl: '512',
      msExchHideFromAddressLists: [],
      ...attributes,
    }).filter(([, value]) => value !== undefined),
  ) as Entry;

const inSchema = { hideFlagInSchema: true };

describe('toDirectoryEntry: userAccountControl', () => {
  it('reads the flags of an enabled and of a disabled account', () => {
    expect(toDirectoryEntry(entry(), inSchema).userAccountControl).toBe(512);
    expect(toDirectoryEntry(entry({ userAccountControl: '514' }), inSchema).userAccountControl).toBe(514);
  });

  it.each([
    ['absent ([])', []],
    ['not returned at all', undefined],
    ['empty', ''],
  ])(
    'fails with UnreadableAttribute, naming the entry, when it is %s (AD sets it on every user: an ACL hides it)',
    (_, value) => {
      const read = () => toDirectoryEntry(entry({ userAccountControl: value }), inSchema);
      expect(read).toThrow(UnreadableAttributeError);
      expect(read).toThrow(`${DN}: userAccountControl was not returned`);
    },
  );

  it.each([
    ['text', 'enabled'],
    ['a number with text after it', '512 '],
    ['a fraction', '512.5'],
    ['hexadecimal', '0x200'],
    ['beyond 32 bits', '4294967296'],
    ['two values', ['512', '514']],
  ])('fails with UnreadableAttribute when it is %s', (_, value) => {
    const read = () => toDirectoryEntry(entry({ userAccountControl: value }), inSchema);
    expect(read).toThrow(UnreadableAttributeError);
    expect(read).toThrow(new RegExp(`^${DN}: userAccountControl .*is not a 32-bit integer`));
  });

  it('takes a negative value (bit 31 set, as a signed 32-bit integer) as the flags it is', () => {
    expect(toDirectoryEntry(entry({ userAccountControl: '-2147483134' }), inSchema).userAccountControl).toBe(
      -2147483134,
    );
  });
});

describe('toDirectoryEntry: msExchHideFromAddressLists', () => {
  it('is TRUE or FALSE when set, and absent (not hidden) on most users when the schema has it', () => {
    expect(
      toDirectoryEntry(entry({ msExchHideFromAddressLists: 'TRUE' }), inSchema).hiddenFromAddressLists,
    ).toBe(true);
    expect(
      toDirectoryEntry(entry({ msExchHideFromAddressLists: 'FALSE' }), inSchema).hiddenFromAddressLists,
    ).toBe(false);
    expect(toDirectoryEntry(entry(), inSchema).hiddenFromAddressLists).toBe(false);
  });

  it('fails with UnreadableAttribute on a value that is not a Boolean', () => {
    for (const value of ['yes', '1', ['TRUE', 'FALSE']]) {
      const read = () => toDirectoryEntry(entry({ msExchHideFromAddressLists: value }), inSchema);
      expect(read).toThrow(UnreadableAttributeError);
      expect(read).toThrow(`${DN}: msExchHideFromAddressLists`);
    }
  });

  it('is unknown (undefined), not "visible", when the directory has no such attribute in its schema', () => {
    const read = toDirectoryEntry(entry(), { hideFlagInSchema: false });
    expect(read.hiddenFromAddressLists).toBeUndefined();
    expect('hiddenFromAddressLists' in read).toBe(true);
  });
});

describe('toDirectoryEntry: ranged attributes (AD, more than 1,500 values)', () => {
  const returned = (...more: ReturnedValues[]): Entry =>
    ldaptsEntry(
      DN,
      [['objectGUID', [GUID]], ['sAMAccountName', ['alice']], ['userAccountControl', ['512']], ...more],
      [...USER_ATTRIBUTES, 'otherTelephone'],
    );
  const mapped = new Set(['othertelephone', 'proxyaddresses']);

  it('takes the values read by range retrieval over the first chunk and the empty key ldapts adds', () => {
    const entry = returned(
      ['proxyAddresses;range=0-1499', ['smtp:a@x']],
      ['otherTelephone;range=0-1499', ['1']],
    );
    expect(entry.otherTelephone).toEqual([]);
    const rangedValues = new Map([
      ['proxyaddresses', ['smtp:a@x', 'smtp:b@x']],
      ['othertelephone', ['1', '2']],
    ]);
    const read = toDirectoryEntry(entry, { ...inSchema, mapped, rangedValues });
    expect(read.proxyAddresses).toEqual(['smtp:a@x', 'smtp:b@x']);
    expect(read.attributes).toEqual({ othertelephone: ['1', '2'], proxyaddresses: ['smtp:a@x', 'smtp:b@x'] });
  });

  it('reads a mapped attribute whole in a last chunk, whatever the order of the keys', () => {
    const entry = returned(['otherTelephone;range=0-*', ['1', '2']]);
    for (const e of [entry, Object.fromEntries(Object.entries(entry).reverse()) as Entry]) {
      expect(toDirectoryEntry(e, { ...inSchema, mapped }).attributes).toEqual({ othertelephone: ['1', '2'] });
    }
  });
});
