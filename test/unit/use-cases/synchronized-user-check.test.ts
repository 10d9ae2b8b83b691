/**
 * Whether a user notified outside the scope is a synchronized one: who counts (a directory user, not suspended),
 * and what an outsider can cost (one lookup, then remembered for a minute; lookups under way shared; memory bounded).
 */
import { describe, expect, it } from 'vitest';
import {
  isSynchronized,
  MAX_REMEMBERED,
  NOT_SYNCHRONIZED_FOR_MS,
  SynchronizedUserCheck,
  synchronizedUserLookup,
} from '../../../shared/use-cases/synchronized-user-check';
import { aDirectoryUser, aLocalUser } from '../../support/builders';
import { directoryEntry } from '../../support/in-memory';
import { TestClock } from '../../support/test-clock';

const GUID = directoryEntry(1).objectGuid;
const OTHER = directoryEntry(2).objectGuid;

/** A check whose lookup answers `answer` and counts its calls. */
function checkWith(answer: (guid: string) => Promise<boolean>) {
  const clock = new TestClock();
  const asked: string[] = [];
  const check = new SynchronizedUserCheck(async (guid) => {
    asked.push(guid);
    return answer(guid);
  }, clock);
  return { clock, asked, check };
}

describe('isSynchronized', () => {
  it('is a directory user with this objectGUID (any case) that is not suspended', () => {
    expect(isSynchronized(aDirectoryUser(1), GUID)).toBe(true);
    expect(isSynchronized(aDirectoryUser(1), GUID.toUpperCase())).toBe(true);
    expect(isSynchronized(aDirectoryUser(1), OTHER)).toBe(false);
    expect(isSynchronized(aDirectoryUser(1, { suspendedAt: '2026-11-25T12:00:00Z' }), GUID)).toBe(false);
    expect(isSynchronized(aLocalUser('alice', { objectGuid: GUID }), GUID)).toBe(false);
  });
});

describe('synchronizedUserLookup', () => {
  it("asks the user database by objectGUID for the users' sync state only", async () => {
    const asked: string[] = [];
    const lookup = synchronizedUserLookup({
      syncStatesByGuid: async (guid) => {
        asked.push(guid);
        return guid === GUID ? [{ authentication: 'directoryServices', objectGuid: GUID }] : [];
      },
    });
    expect(await lookup(GUID)).toBe(true);
    expect(await lookup(OTHER)).toBe(false);
    expect(asked).toEqual([GUID, OTHER]);
  });

  it('counts a directory user that is not suspended, as isSynchronized does', async () => {
    const suspended = synchronizedUserLookup({
      syncStatesByGuid: async () => [
        { authentication: 'directoryServices', objectGuid: GUID, suspendedAt: '2026-11-25T12:00:00Z' },
        { authentication: 'local', objectGuid: GUID },
      ],
    });
    expect(await suspended(GUID)).toBe(false);
  });
});

describe('SynchronizedUserCheck', () => {
  it('remembers a GUID that is no synchronized user for a minute: one lookup, however often it changes', async () => {
    const { clock, asked, check } = checkWith(async () => false);
    for (let i = 0; i < 100; i += 1) expect(await check.isSynchronized(OTHER)).toBe(false);
    expect(asked).toEqual([OTHER]);
    await clock.advance(NOT_SYNCHRONIZED_FOR_MS - 1);
    expect(await check.isSynchronized(OTHER.toUpperCase())).toBe(false);
    expect(asked).toEqual([OTHER]);
    await clock.advance(1);
    expect(await check.isSynchronized(OTHER)).toBe(false);
    expect(asked).toEqual([OTHER, OTHER]);
  });

  it('does not remember a synchronized user (its run removes or suspends it), nor a failed lookup', async () => {
    let fail = true;
    const { asked, check } = checkWith(async (guid) => {
      if (fail) throw new Error('the table cannot be reached');
      return guid === GUID;
    });
    await expect(check.isSynchronized(OTHER)).rejects.toThrow('the table cannot be reached');
    fail = false;
    expect(await check.isSynchronized(OTHER)).toBe(false);
    expect(await check.isSynchronized(GUID)).toBe(true);
    expect(await check.isSynchronized(GUID)).toBe(true);
    expect(asked).toEqual([OTHER, OTHER, GUID, GUID]);
  });

  it('shares a lookup under way among the notifications of one object', async () => {
    let answer: (found: boolean) => void = () => {};
    const { asked, check } = checkWith(() => new Promise<boolean>((resolve) => (answer = resolve)));
    const answers = [check.isSynchronized(GUID), check.isSynchronized(GUID), check.isSynchronized(GUID)];
    answer(true);
    expect(await Promise.all(answers)).toEqual([true, true, true]);
    expect(asked).toEqual([GUID]);
  });

  it(`remembers at most ${MAX_REMEMBERED} GUIDs, forgetting the oldest first`, async () => {
    const { asked, check } = checkWith(async () => false);
    const guidOf = (n: number) => directoryEntry(n).objectGuid;
    for (let n = 0; n <= MAX_REMEMBERED; n += 1) await check.isSynchronized(guidOf(n));
    expect(asked).toHaveLength(MAX_REMEMBERED + 1);
    await check.isSynchronized(guidOf(MAX_REMEMBERED));
    await check.isSynchronized(guidOf(1));
    expect(asked).toHaveLength(MAX_REMEMBERED + 1);
    await check.isSynchronized(guidOf(0));
    expect(asked.at(-1)).toBe(guidOf(0));
  });
});
