import { describe, expect, it } from 'vitest';
import { parseUserLookup } from '../../../shared/domain/user-lookup';

describe('parseUserLookup', () => {
  it('reads a GUID in AD string form as an objectGUID (lower-cased), and nothing else as one', () => {
    expect(parseUserLookup('8E1B6A0C-3F0E-4D5A-9A3C-1F2E3D4C5B6A')).toEqual({
      kind: 'objectGuid',
      objectGuid: '8e1b6a0c-3f0e-4d5a-9a3c-1f2e3d4c5b6a',
    });
    for (const name of [
      '{8e1b6a0c-3f0e-4d5a-9a3c-1f2e3d4c5b6a}',
      '8e1b6a0c3f0e4d5a9a3c1f2e3d4c5b6a',
      '8e1b6a0c-3f0e',
    ])
      expect(parseUserLookup(name).kind, name).toBe('accountName');
  });

  it('reads a valid DN as a DN, escapes and all', () => {
    expect(parseUserLookup('CN=Smith\\, John,OU=Sales,DC=company,DC=local')).toEqual({
      kind: 'distinguishedName',
      distinguishedName: 'CN=Smith\\, John,OU=Sales,DC=company,DC=local',
    });
  });

  it('takes anything else as a sAMAccountName or UPN, as typed (metacharacters included)', () => {
    for (const name of ['alice', 'alice@company.local', '*', 'x)(sAMAccountName=*', 'CN=', '=x', 'Jürgen'])
      expect(parseUserLookup(name), name).toEqual({ kind: 'accountName', name });
  });
});
