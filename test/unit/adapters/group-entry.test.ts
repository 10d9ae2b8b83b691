import type { Client, Entry } from 'ldapts';
import { describe, expect, it } from 'vitest';
import { toGroupEntry } from '../../../shared/adapters/ldap/group-searches';
import { PartialReadError } from '../../../shared/errors';

const GUID = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
const DN = 'CN=Big,OU=Groups,DC=company,DC=local';
const member = (n: number) => `CN=User ${n},OU=Staff,DC=company,DC=local`;

/** A client that answers range reads of `member` from a list, 1,500 values a request, as AD does. */
function rangingClient(all: readonly string[]): { client: Client; asked: string[] } {
  const asked: string[] = [];
  const client = {
    async search(_base: string, options: { attributes: string[] }) {
      const [attribute = ''] = options.attributes;
      asked.push(attribute);
      const start = Number(/range=(\d+)-/.exec(attribute)?.[1]);
      const end = Math.min(start + 1499, all.length - 1);
      const last = end === all.length - 1;
      return {
        searchEntries: [{ dn: DN, [`member;range=${start}-${last ? '*' : end}`]: all.slice(start, end + 1) }],
      };
    },
  } as unknown as Client;
  return { client, asked };
}

const entry = (more: Record<string, unknown>): Entry =>
  ({ dn: DN, objectGUID: GUID, sAMAccountName: 'big', groupType: '-2147483646', ...more }) as Entry;

describe('toGroupEntry', () => {
  it('takes the members as the entry gives them (Samba: all at once)', async () => {
    const { client, asked } = rangingClient([]);
    const group = await toGroupEntry(client, entry({ member: [member(1), member(2)], cn: 'Big' }));
    expect(group).toMatchObject({
      objectGuid: '33221100-5544-7766-8899-aabbccddeeff',
      sAMAccountName: 'big',
      cn: 'Big',
      groupType: -2147483646,
      members: [member(1), member(2)],
    });
    expect(asked).toEqual([]);
  });

  it('follows ranged members to the last chunk (AD: 1,500 a request)', async () => {
    const all = Array.from({ length: 3200 }, (_, i) => member(i));
    const { client, asked } = rangingClient(all);
    const group = await toGroupEntry(client, entry({ 'member;range=0-1499': all.slice(0, 1500) }));
    expect(group.members).toEqual(all);
    expect(asked).toEqual(['member;range=0-*', 'member;range=1500-*', 'member;range=3000-*']);
  });

  it('fails the read for a group whose name or type it cannot read', async () => {
    const { client } = rangingClient([]);
    await expect(toGroupEntry(client, entry({ groupType: [] }))).rejects.toBeInstanceOf(PartialReadError);
    await expect(toGroupEntry(client, entry({ sAMAccountName: [] }))).rejects.toBeInstanceOf(
      PartialReadError,
    );
  });
});
