/**
 * groupChain over a directory given as data (each object's memberOf, each user's primary group): the chain
 * explain names for filters.groups, the primary group (which no memberOf lists) included.
 */
import { describe, expect, it } from 'vitest';
import { CHAIN_LIMITS, groupChain } from '../../../shared/use-cases/group-chain';

const USER = 'CN=Ann,OU=Staff,DC=corp,DC=local';
const dn = (name: string) => `CN=${name},OU=Groups,DC=corp,DC=local`;
const DOMAIN_USERS = 'CN=Domain Users,CN=Users,DC=corp,DC=local';

/** A directory as data: the memberOf of each object, and the user's primary group. */
function directory(memberOf: Record<string, string[]>, primaryGroup?: string) {
  const reads: string[] = [];
  return {
    reads,
    async readMemberOf(of: string) {
      reads.push(of);
      return memberOf[of] ?? [];
    },
    async readPrimaryGroup(userDn: string) {
      return userDn === USER ? primaryGroup : undefined;
    },
  };
}

describe('groupChain', () => {
  it('names the primary group when it is the selected group', async () => {
    expect(await groupChain(directory({}, DOMAIN_USERS), USER, [DOMAIN_USERS])).toEqual({
      groups: [DOMAIN_USERS],
      primary: true,
    });
  });

  it('walks up from the primary group to a selected group it is nested in', async () => {
    const session = directory({ [DOMAIN_USERS]: [dn('All')], [dn('All')]: [dn('Everyone')] }, DOMAIN_USERS);
    expect(await groupChain(session, USER, [dn('everyone')])).toEqual({
      groups: [DOMAIN_USERS, dn('All'), dn('Everyone')],
      primary: true,
    });
  });

  it('takes the shortest chain, whether it starts at a memberOf group or at the primary group', async () => {
    const nested = { [USER]: [dn('Team')], [dn('Team')]: [dn('Dept')], [dn('Dept')]: [dn('Staff')] };
    const viaPrimary = directory({ ...nested, [DOMAIN_USERS]: [dn('Staff')] }, DOMAIN_USERS);
    expect(await groupChain(viaPrimary, USER, [dn('Staff')])).toEqual({
      groups: [DOMAIN_USERS, dn('Staff')],
      primary: true,
    });
    const viaMember = directory({ ...nested, [DOMAIN_USERS]: [dn('X'), dn('Y')] }, DOMAIN_USERS);
    expect(await groupChain(viaMember, USER, [dn('Dept')])).toEqual({
      groups: [dn('Team'), dn('Dept')],
      primary: false,
    });
  });

  it('walks memberOf alone for a user whose primary group cannot be read, and finds nothing outside', async () => {
    const session = directory({ [USER]: [dn('Team')], [dn('Team')]: [dn('Staff')] });
    expect(await groupChain(session, USER, [dn('Staff')])).toEqual({
      groups: [dn('Team'), dn('Staff')],
      primary: false,
    });
    expect(await groupChain(session, USER, [DOMAIN_USERS])).toBeUndefined();
  });

  it('reads each group once in a cycle, and stops at the depth limit', async () => {
    const cycle = directory({ [USER]: [dn('A')], [dn('A')]: [dn('B')], [dn('B')]: [dn('A')] }, dn('B'));
    expect(await groupChain(cycle, USER, [dn('Z')])).toBeUndefined();
    expect(cycle.reads).toEqual([USER, dn('A'), dn('B')]);
    const chain = Object.fromEntries(
      Array.from({ length: CHAIN_LIMITS.maxDepth + 1 }, (_, i) => [
        i === 0 ? USER : dn(`L${i}`),
        [dn(`L${i + 1}`)],
      ]),
    );
    expect(await groupChain(directory(chain), USER, [dn(`L${CHAIN_LIMITS.maxDepth}`)])).toMatchObject({
      primary: false,
    });
    expect(await groupChain(directory(chain), USER, [dn(`L${CHAIN_LIMITS.maxDepth + 1}`)])).toBeUndefined();
  });
});
