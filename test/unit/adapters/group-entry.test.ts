import type { Client, Entry } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { GROUP_ATTRIBUTES, toGroupEntry } from '../../../shared/adapters/ldap/group-searches';
import { PartialReadError } from '../../../shared/errors';
import { ldaptsEntry, type ReturnedValues } from '../../support/ldapts-entry';

const GUID = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
const DN = 'CN=Big,OU=Groups,DC=company,DC=local';
const member = (n: number) => `CN=User ${n},OU=Staff,DC=company,DC=local`;
const address = (n: number) => `smtp:big${n}@company.local`;

/**
 * A client that answers range reads from lists, 1,500 values a request, as AD does, in entries built as ldapts
 * builds them (with the empty key of the requested name beside AD's `member;range=1500-2999`).
 */
function rangingClient(lists: Readonly<Record<string, readonly string[]>>): {
  client: Client;
  asked: string[];
} {
  const asked: string[] = [];
  const client = {
    async search(_base: string, options: { attributes: string[] }) {
      const [requested = ''] = options.attributes;
      asked.push(requested);
      const [, attribute = '', from = ''] = /^([^;]+);range=(\d+)-\*$/.exec(requested) ?? [];
      const all = lists[attribute] ?? [];
      const start = Number(from);
      const end = Math.min(start + 1499, all.length - 1);
      const name = `${attribute};range=${start}-${end === all.length - 1 ? '*' : end}`;
      return { searchEntries: [ldaptsEntry(DN, [[name, all.slice(start, end + 1)]], [requested])] };
    },
  } as unknown as Client;
  return { client, asked };
}

/** A group entry as ldapts returns it for the sync's group search, the server's attributes first. */
const entry = (...more: ReturnedValues[]): Entry =>
  ldaptsEntry(
    DN,
    [['objectGUID', [GUID]], ['sAMAccountName', ['big']], ['groupType', ['-2147483646']], ...more],
    GROUP_ATTRIBUTES,
  );

/** The same entry with its keys in the opposite order (the empty keys ldapts added first). */
const reversed = (e: Entry): Entry => Object.fromEntries(Object.entries(e).reverse()) as Entry;

describe('toGroupEntry', () => {
  it('takes the members as the entry gives them (Samba: all at once)', async () => {
    const { client, asked } = rangingClient({});
    const group = await toGroupEntry(client, entry(['member', [member(1), member(2)]], ['cn', ['Big']]));
    expect(group).toMatchObject({
      objectGuid: '33221100-5544-7766-8899-aabbccddeeff',
      sAMAccountName: 'big',
      cn: 'Big',
      groupType: -2147483646,
      members: [member(1), member(2)],
      proxyAddresses: [],
    });
    expect(asked).toEqual([]);
  });

  it('reads a group without members as empty, without a range read', async () => {
    const { client, asked } = rangingClient({});
    expect((await toGroupEntry(client, entry())).members).toEqual([]);
    expect(asked).toEqual([]);
  });

  it.each([
    ['as ldapts orders them (the empty member after the range)', (e: Entry) => e],
    ['in the other order (the empty member first)', reversed],
  ])('follows ranged members to the last chunk (AD: 1,500 a request), keys %s', async (_, order) => {
    const all = Array.from({ length: 3200 }, (_, i) => member(i));
    const { client, asked } = rangingClient({ member: all });
    const ranged = entry(['member;range=0-1499', all.slice(0, 1500)]);
    expect(ranged.member).toEqual([]);
    const group = await toGroupEntry(client, order(ranged));
    expect(group.members).toEqual(all);
    expect(asked).toEqual(['member;range=0-*', 'member;range=1500-*', 'member;range=3000-*']);
  });

  it('reads ranged proxyAddresses of a group whole too', async () => {
    const all = Array.from({ length: 1600 }, (_, i) => address(i));
    const { client, asked } = rangingClient({ proxyAddresses: all });
    const group = await toGroupEntry(client, entry(['proxyAddresses;range=0-1499', all.slice(0, 1500)]));
    expect(group.proxyAddresses).toEqual(all);
    expect(group.members).toEqual([]);
    expect(asked).toEqual(['proxyAddresses;range=0-*', 'proxyAddresses;range=1500-*']);
  });

  it('fails the read for a group whose name or type it cannot read', async () => {
    const { client } = rangingClient({});
    const required: ReturnedValues[] = [
      ['objectGUID', [GUID]],
      ['sAMAccountName', ['big']],
      ['groupType', ['-2147483646']],
    ];
    const without = (name: string) =>
      ldaptsEntry(
        DN,
        required.filter(([n]) => n !== name),
        GROUP_ATTRIBUTES,
      );
    await expect(toGroupEntry(client, without('groupType'))).rejects.toBeInstanceOf(PartialReadError);
    await expect(toGroupEntry(client, without('sAMAccountName'))).rejects.toBeInstanceOf(PartialReadError);
  });
});
