/**
 * The logon guard's read (shared/use-cases/account-standing.ts): the password only for the connection it was
 * saved for, and the standing read on the domain's PDC emulator, which keeps the count that locks, found among
 * the connection's servers; never on another DC.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config/config-schema';
import type { AccountStanding } from '../../../shared/domain/account-lockout';
import { connectionTarget } from '../../../shared/domain/password-binding';
import { PasswordTargetMismatchError, UnreachableError } from '../../../shared/errors';
import type {
  DirectoryReader,
  DirectorySession,
  ServerAddress,
} from '../../../shared/ports/directory-reader';
import type { SecretStore } from '../../../shared/ports/secret-store';
import { readAccountStanding } from '../../../shared/use-cases/account-standing';

const GUID = '00000000-0000-4000-8000-000000000001';
const { connection } = parseConfig({
  connection: {
    servers: ['dc1.company.local', 'dc2.company.local', 'dc3.company.local'],
    username: 'svc@company.local',
    baseDn: 'DC=company,DC=local',
  },
});

/** Three DCs; `pdc` holds the PDC emulator role; `down` do not answer. Records what each session did. */
function domain({ pdc, down = [] }: { pdc: string; down?: string[] }) {
  const log: string[] = [];
  const reader: DirectoryReader = {
    resolveServers: async () => connection.servers.map((host) => ({ host, port: 636 })),
    connect: async (servers: readonly ServerAddress[]) => {
      const answering = servers.find((s) => !down.includes(s.host));
      if (!answering) throw new UnreachableError(`${servers.map((s) => s.host).join(', ')} did not answer`);
      const host = answering.host;
      log.push(`connect ${host}`);
      return {
        server: `${host}:636`,
        rootDse: { defaultNamingContext: 'DC=company,DC=local', namingContexts: [], dnsHostName: host },
        bind: async (user: string, password: string) => {
          log.push(`bind ${host} ${user} ${password}`);
        },
        readPdcEmulator: async () => pdc.toUpperCase(),
        readAccountStanding: async (guid: string): Promise<AccountStanding> => {
          log.push(`standing ${host}`);
          return {
            server: `${host}:636`,
            objectGuid: guid,
            distinguishedName: 'CN=Alice,DC=company,DC=local',
            namingContext: 'DC=company,DC=local',
            policy: { threshold: 5, observationWindowSeconds: 1800 },
            badPwdCount: 0,
            lockedOut: false,
            readAt: new Date(0),
          };
        },
        close: async () => {
          log.push(`close ${host}`);
        },
      } as unknown as DirectorySession;
    },
  };
  return { reader, log };
}

const secrets = (target = connectionTarget(connection)): SecretStore => ({
  getPassword: async () => ({ password: 'svc-password', target, configVersion: 1 }),
  setPassword: async () => {},
});

describe('readAccountStanding', () => {
  it('reads on the first DC when it is the PDC emulator (names compared without regard to case)', async () => {
    const { reader, log } = domain({ pdc: 'dc1.company.local' });
    const standing = await readAccountStanding(
      { directory: reader, secrets: secrets() },
      { connection, configVersion: 1, objectGuid: GUID },
    );
    expect(standing?.server).toBe('dc1.company.local:636');
    expect(log).toEqual([
      'connect dc1.company.local',
      'bind dc1.company.local svc@company.local svc-password',
      'standing dc1.company.local',
      'close dc1.company.local',
    ]);
  });

  it('reads on the PDC emulator when another DC answered first, and nowhere else', async () => {
    const { reader, log } = domain({ pdc: 'dc3.company.local' });
    const standing = await readAccountStanding(
      { directory: reader, secrets: secrets() },
      { connection, configVersion: 1, objectGuid: GUID },
    );
    expect(standing?.server).toBe('dc3.company.local:636');
    expect(log.filter((line) => line.startsWith('standing'))).toEqual(['standing dc3.company.local']);
    // Every session is closed.
    expect(log.filter((line) => line.startsWith('connect')).length).toBe(
      log.filter((line) => line.startsWith('close')).length,
    );
  });

  it('reads nothing when the PDC emulator is not among the servers, or does not answer', async () => {
    for (const setting of [
      { pdc: 'dc9.company.local' },
      { pdc: 'dc3.company.local', down: ['dc3.company.local'] },
    ]) {
      const { reader, log } = domain(setting);
      await expect(
        readAccountStanding(
          { directory: reader, secrets: secrets() },
          { connection, configVersion: 1, objectGuid: GUID },
        ),
      ).rejects.toThrow(/PDC emulator .* not one of the connection's servers or did not answer/);
      expect(log.filter((line) => line.startsWith('standing'))).toEqual([]);
    }
  });

  it('opens no connection when the password was saved for another connection', async () => {
    const { reader, log } = domain({ pdc: 'dc1.company.local' });
    await expect(
      readAccountStanding(
        { directory: reader, secrets: secrets('another connection') },
        { connection, configVersion: 1, objectGuid: GUID },
      ),
    ).rejects.toBeInstanceOf(PasswordTargetMismatchError);
    expect(log).toEqual([]);
  });
});
