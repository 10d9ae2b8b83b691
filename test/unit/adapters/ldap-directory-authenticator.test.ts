/**
 * The logon's bind goes to the DC whose bad-password count the guard read, and to no other: a DC that is not
 * one of the connection's servers is refused before any connection. (The binds themselves are tested against
 * the Samba DC: test/integration/logon/logon.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { LdapDirectoryAuthenticator } from '../../../shared/adapters/ldap/ldap-directory-authenticator';
import { parseConfig } from '../../../shared/config/config-schema';
import { DirectoryUnavailableError } from '../../../shared/errors';

const { connection } = parseConfig({
  connection: {
    servers: ['dc1.company.local', 'dc2.company.local'],
    domain: 'company.local',
    username: 'svc@company.local',
    baseDn: 'DC=company,DC=local',
  },
});

const account = {
  bindName: 'alice@company.local',
  objectGuid: '00000000-0000-4000-8000-000000000001',
  namingContext: 'DC=company,DC=local',
};

describe('LdapDirectoryAuthenticator', () => {
  it("binds on no DC but the guard's: one that is not the connection's is refused without a connection", async () => {
    let resolved = 0;
    const authenticator = new LdapDirectoryAuthenticator(async () => {
      resolved += 1;
      return [
        { host: 'dc1.company.local', port: 636 },
        { host: 'dc2.company.local', port: 636 },
      ];
    });
    const refusal = authenticator.authenticate(
      connection,
      { ...account, server: 'attacker.example:636' },
      'secret',
    );
    await expect(refusal).rejects.toBeInstanceOf(DirectoryUnavailableError);
    await expect(refusal).rejects.toMatchObject({
      message:
        "attacker.example:636, where the account's lockout state was read, is not one of the connection's servers",
      passwordSent: false,
    });
    expect(resolved).toBe(1);
  });

  it('never sends an empty password (an anonymous bind)', async () => {
    const authenticator = new LdapDirectoryAuthenticator(async () => [
      { host: 'dc1.company.local', port: 636 },
    ]);
    await expect(
      authenticator.authenticate(connection, { ...account, server: 'dc1.company.local:636' }, ''),
    ).rejects.toThrow(/empty password/);
  });
});
