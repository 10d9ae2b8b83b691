/**
 * The member ledger's compact holders (member-ledger.ts): each DN's holder's name and objectGUID come back as
 * they were given, whatever the name's characters or the objectGUID's form, and a DN taken by another user
 * names the new one.
 */
import { describe, expect, it } from 'vitest';
import { MembershipIndex } from '../../../shared/domain/group-membership';
import type { User } from '../../../shared/domain/user';
import { MemberLedger } from '../../../shared/use-cases/member-ledger';
import { directoryGroup } from '../../support/in-memory-groups';

const BASE = 'OU=Staff,DC=company,DC=local';
const dn = (n: number) => `CN=User ${n},${BASE}`;
const staff = directoryGroup(1, `CN=Staff,${BASE}`, [dn(1), dn(2), dn(3), dn(4)]);
const user = (n: number, userName: string, objectGuid: string, distinguishedName = dn(n)): User =>
  ({ userName, objectGuid, distinguishedName, authentication: 'directoryServices' }) as unknown as User;

function ledgerOf(...users: User[]): MemberLedger {
  const index = new MembershipIndex({ all: true }, []);
  index.add([staff]);
  const ledger = new MemberLedger(index);
  for (const u of users) ledger.take(u);
  ledger.listingEnded();
  return ledger;
}
const holderOf = (ledger: MemberLedger, n: number) => ledger.userOf(ledger.index.idOf(dn(n)) as number);

describe('the member ledger', () => {
  it('gives back each holder as taken: ASCII and other names, canonical and other objectGUIDs', () => {
    const held = [
      user(1, 'anna', '0a1b2c3d-4e5f-4a6b-8c7d-9e0fa1b2c3d4'),
      user(2, 'jürgen.müller', 'ffffffff-0000-4000-8000-000000000000'),
      user(3, '山田太郎', '{6F9619FF-8B86-D011-B42D-00C04FC964FF}'),
      user(4, 'Ola', 'ABCDEF01-2345-4678-9ABC-DEF012345678'),
    ];
    const ledger = ledgerOf(...held);
    held.forEach((u, i) => {
      expect(holderOf(ledger, i + 1)).toEqual({ userName: u.userName, objectGuid: u.objectGuid });
    });
  });

  it('names a DN the next user takes after the one before, and none once released', async () => {
    const ledger = ledgerOf(user(1, 'anna', '00000000-0000-4000-8000-000000000001'));
    ledger.holdUser(user(1, 'bert', '00000000-0000-4000-8000-000000000002'));
    expect(holderOf(ledger, 1)).toEqual({
      userName: 'bert',
      objectGuid: '00000000-0000-4000-8000-000000000002',
    });
    expect(holderOf(ledger, 2)).toBeUndefined();
    // bert deleted by the run: no DN's holder any more.
    const bert = user(1, 'bert', '00000000-0000-4000-8000-000000000002');
    const change = { action: 'delete', current: bert } as never;
    ledger.written([change], new Set([change]));
    for await (const _ of ledger.suspectPages(async () => [], 10)) void _;
    expect(holderOf(ledger, 1)).toBeUndefined();
  });

  it('holds many names beyond its first buffer', () => {
    const index = new MembershipIndex({ all: true }, []);
    const members = Array.from({ length: 3000 }, (_, i) => dn(i));
    index.add([{ ...staff, members }]);
    const ledger = new MemberLedger(index);
    const long = (i: number) => `${'x'.repeat(40)}${i}`;
    for (let i = 0; i < 3000; i += 1)
      ledger.holdUser(user(i, long(i), `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`));
    for (const i of [0, 1500, 2999])
      expect(holderOf(ledger, i)).toEqual({
        userName: long(i),
        objectGuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      });
  });
});
