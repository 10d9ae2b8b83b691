/**
 * What the DirSync probe makes of each answer (the answers themselves against Samba:
 * test/integration/harness/dirsync.test.ts). It never throws: a probe without an answer is `unknown`.
 */
import {
  type Client,
  InsufficientAccessError,
  UnavailableCriticalExtensionError,
  UnwillingToPerformError,
} from 'ldapts';
import { describe, expect, it } from 'vitest';
import { probeDirSync } from '../../../shared/adapters/ldap/dirsync-probe';

const NC = 'DC=company,DC=local';

/** A client whose search answers as given: a resolved search, or the error ldapts raises. */
const answering = (failure?: unknown): { client: Client; searches: string[] } => {
  const searches: string[] = [];
  const client = {
    async search(base: string) {
      searches.push(base);
      if (failure !== undefined) throw failure;
      return { searchEntries: [], searchReferences: [] };
    },
  } as unknown as Client;
  return { client, searches };
};

describe('probeDirSync', () => {
  it('is permitted when the DirSync search of the naming context answers', async () => {
    const { client, searches } = answering();
    expect(await probeDirSync(client, NC)).toBe('permitted');
    expect(searches).toEqual([NC]);
  });

  it('is unsupported without a naming context, asking nothing, or where the control is unknown', async () => {
    const { client, searches } = answering();
    expect(await probeDirSync(client, undefined)).toBe('unsupported');
    expect(searches).toEqual([]);
    expect(await probeDirSync(answering(new UnavailableCriticalExtensionError('no')).client, NC)).toBe(
      'unsupported',
    );
  });

  it.each([
    ['insufficient access', new InsufficientAccessError('no right')],
    ['unwilling to perform', new UnwillingToPerformError('no')],
  ])('is not permitted on a refusal (%s)', async (_, error) => {
    expect(await probeDirSync(answering(error).client, NC)).toBe('notPermitted');
  });

  it.each([
    ['an operation timeout', new Error('Timeout')],
    ['a dropped connection', new Error('Connection closed before message response was received.')],
    ['a socket error', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['something that is not an Error', 'boom'],
  ])('is unknown, and does not throw, on %s', async (_, error) => {
    await expect(probeDirSync(answering(error).client, NC)).resolves.toBe('unknown');
  });
});
