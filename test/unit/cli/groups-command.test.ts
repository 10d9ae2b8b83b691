/** `adsync groups [name] [--transitive]` against an API answered here: every page read, as a table or JSON. */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../cli/arguments';
import { groups } from '../../../cli/commands/groups';
import { ApiClient, bearerToken } from '../../../shared/api/client';
import { recordingTerminal } from '../../support/cli-in-process';

const GROUP = {
  name: 'grp-Sales-Europe',
  displayName: 'Sales Europe',
  distinguishedName: 'CN=Sales Europe,OU=Groups,DC=company,DC=local',
  objectGuid: '00000000-0000-4000-9000-000000000001',
  description: 'second level',
  emailAddresses: [],
  kind: 'security',
  scope: 'global',
  memberCount: 2,
};
const member = (name: string, type = 'user') => ({ type, name, objectGuid: `guid-${name}` });

/** An API answering by path: two pages of groups, one group, two pages of its members. */
function api(asked: string[]): ApiClient {
  const answers: Record<string, unknown> = {
    '/groups': { groups: [GROUP], cursor: 'next' },
    '/groups?cursor=next': { groups: [{ ...GROUP, name: 'grp-Sales-DE', displayName: 'Sales DE' }] },
    '/groups/grp-Sales-Europe': GROUP,
    '/groups/grp-Sales-Europe/members?transitive=true': { members: [member('alice')], cursor: 'MTAw' },
    '/groups/grp-Sales-Europe/members?transitive=true&cursor=MTAw': {
      members: [member('grp-Sales-DE', 'group')],
    },
  };
  return new ApiClient({
    baseUrl: 'http://127.0.0.1:8080/',
    sign: bearerToken('t'.repeat(32)),
    fetch: async (url) => {
      const { pathname, search } = new URL(String(url));
      asked.push(pathname + search);
      return new Response(JSON.stringify(answers[pathname + search]), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    },
  });
}

const run = async (operands: string[], values: Record<string, unknown> = {}) => {
  const asked: string[] = [];
  const terminal = recordingTerminal({});
  const printed: unknown[] = [];
  const exit = await groups({
    api: api(asked),
    operands,
    values: values as never,
    terminal,
    print: (data, human) => {
      printed.push(values.json ? data : human());
    },
  });
  return { exit, asked, printed };
};

describe('adsync groups', () => {
  it('lists every page of the synchronized groups as a table', async () => {
    const { exit, asked, printed } = await run([]);
    expect(exit).toBe(0);
    expect(asked).toEqual(['/groups', '/groups?cursor=next']);
    expect(String(printed[0])).toMatch(/grp-Sales-Europe\s+Sales Europe\s+security\s+global\s+2/);
    expect(String(printed[0])).toContain('grp-Sales-DE');
  });

  it('shows one group and every page of its members, those of nested groups with --transitive', async () => {
    const { asked, printed } = await run(['grp-Sales-Europe'], { transitive: true, json: true });
    expect(asked).toEqual([
      '/groups/grp-Sales-Europe',
      '/groups/grp-Sales-Europe/members?transitive=true',
      '/groups/grp-Sales-Europe/members?transitive=true&cursor=MTAw',
    ]);
    expect(printed[0]).toEqual({ group: GROUP, members: [member('alice'), member('grp-Sales-DE', 'group')] });
  });

  it('takes one name at most', async () => {
    await expect(run(['a', 'b'])).rejects.toBeInstanceOf(UsageError);
  });
});
