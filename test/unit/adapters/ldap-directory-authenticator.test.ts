/**
 * The logon's deadline across DCs, on a clock of the test's: no DC is asked once it has passed. (The binds
 * themselves are tested against the Samba DC: test/integration/logon/logon.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import {
  LdapDirectoryAuthenticator,
  LOGON_DEADLINE_SECONDS,
} from '../../../shared/adapters/ldap/ldap-directory-authenticator';
import { parseConfig } from '../../../shared/config/config-schema';
import { DirectoryUnavailableError } from '../../../shared/errors';
import { TestClock } from '../../support/test-clock';

const { connection } = parseConfig({
  connection: {
    servers: ['dc1.company.local', 'dc2.company.local'],
    domain: 'company.local',
    username: 'svc@company.local',
    baseDn: 'DC=company,DC=local',
  },
});

describe('LdapDirectoryAuthenticator', () => {
  it('asks no DC once the logon deadline has passed, and says which were left', async () => {
    // Each reading of the clock is the deadline later than the one before: the deadline has passed by the
    // time the first DC would be asked (whose name does not resolve: asking it would fail otherwise).
    const clock = new TestClock(Date.parse('2026-12-06T12:00:00Z'), LOGON_DEADLINE_SECONDS * 1000);
    const authenticator = new LdapDirectoryAuthenticator(
      async () => [
        { host: 'dc1.company.local', port: 636 },
        { host: 'dc2.company.local', port: 636 },
      ],
      clock,
    );
    const refusal = authenticator.authenticate(connection, 'alice@company.local', 'secret');
    await expect(refusal).rejects.toBeInstanceOf(DirectoryUnavailableError);
    await expect(refusal).rejects.toMatchObject({
      message:
        'no domain controller could check the password: no time left for dc1.company.local:636 and the DCs after it',
      passwordSent: false,
    });
  });
});
