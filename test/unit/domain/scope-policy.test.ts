import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config/config-schema';
import { exclusionReasons } from '../../../shared/domain/scope-policy';
import type { DirectoryEntry } from '../../../shared/domain/user';
import { UnreadableAttributeError } from '../../../shared/errors';

const GUID = '01234567-89ab-cdef-0123-456789abcdef';
/** A directory entry; an override of `undefined` removes the attribute (as an absent attribute in AD). */
const entry = (
  overrides: { [K in keyof DirectoryEntry]?: DirectoryEntry[K] | undefined } = {},
): DirectoryEntry => {
  const merged = {
    objectGuid: GUID,
    distinguishedName: 'CN=Alice,DC=company,DC=local',
    sAMAccountName: 'alice',
    mail: 'alice@company.local',
    proxyAddresses: [],
    userAccountControl: 512,
    hiddenFromAddressLists: false,
    ...overrides,
  };
  return Object.fromEntries(
    Object.entries(merged).filter(([, value]) => value !== undefined),
  ) as unknown as DirectoryEntry;
};
const filters = (f: object = {}) =>
  parseConfig({ connection: { domain: 'company.local' }, filters: f }).filters;
const context = (f: object = {}, members: string[] = []) => ({
  filters: filters(f),
  groupMemberGuids: new Set(members),
});

describe('exclusionReasons', () => {
  it('keeps an enabled, visible user with an address under the default filters', () => {
    expect(exclusionReasons(entry(), context())).toEqual([]);
  });

  it('excludes a user without an address when only Exchange users are wanted', () => {
    expect(exclusionReasons(entry({ mail: undefined }), context())).toEqual(['noEmailAddress']);
    expect(exclusionReasons(entry({ mail: undefined }), context({ exchangeUsersOnly: false }))).toEqual([]);
  });

  it('counts an SMTP proxy address as an address, and an X500 one not', () => {
    expect(exclusionReasons(entry({ mail: undefined, proxyAddresses: ['smtp:a@b.c'] }), context())).toEqual(
      [],
    );
    expect(exclusionReasons(entry({ mail: undefined, proxyAddresses: ['X500:/o=x'] }), context())).toEqual([
      'noEmailAddress',
    ]);
  });

  it('excludes a disabled account (ACCOUNTDISABLE bit) when only enabled users are wanted', () => {
    expect(exclusionReasons(entry({ userAccountControl: 514 }), context())).toEqual(['disabled']);
    expect(exclusionReasons(entry({ userAccountControl: 66050 }), context())).toEqual(['disabled']);
    expect(exclusionReasons(entry({ userAccountControl: 66048 }), context())).toEqual([]);
    expect(
      exclusionReasons(entry({ userAccountControl: 514 }), context({ enabledUsersOnly: false })),
    ).toEqual([]);
  });

  it('excludes a user hidden from address lists only when that filter is on', () => {
    expect(exclusionReasons(entry({ hiddenFromAddressLists: true }), context())).toEqual([]);
    expect(
      exclusionReasons(entry({ hiddenFromAddressLists: true }), context({ visibleInAddressListsOnly: true })),
    ).toEqual(['hiddenFromAddressLists']);
  });

  it('fails the run, rather than take everyone as visible, when the directory cannot tell who is hidden', () => {
    // The reader leaves the flag unknown when msExchHideFromAddressLists is not in the directory's schema.
    const unknown = entry({ hiddenFromAddressLists: undefined });
    const filter = () => exclusionReasons(unknown, context({ visibleInAddressListsOnly: true }));
    expect(filter).toThrow(UnreadableAttributeError);
    expect(filter).toThrow(/visibleInAddressListsOnly is on, but msExchHideFromAddressLists is not in the/);
    expect(exclusionReasons(unknown, context())).toEqual([]);
  });

  it('excludes a user outside the selected groups, and keeps a member', () => {
    const groups = { groups: ['CN=Staff,DC=company,DC=local'] };
    expect(exclusionReasons(entry(), context(groups))).toEqual(['notInSelectedGroups']);
    expect(exclusionReasons(entry(), context(groups, [GUID]))).toEqual([]);
  });

  it('lists every reason that applies, in filter order', () => {
    const all = { visibleInAddressListsOnly: true, groups: ['CN=Staff,DC=company,DC=local'] };
    expect(
      exclusionReasons(
        entry({ mail: undefined, userAccountControl: 514, hiddenFromAddressLists: true }),
        context(all),
      ),
    ).toEqual(['noEmailAddress', 'disabled', 'hiddenFromAddressLists', 'notInSelectedGroups']);
  });
});
